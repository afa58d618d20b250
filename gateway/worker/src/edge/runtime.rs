//! Small wrappers around the JavaScript runtime: its clock, random bytes,
//! errors, headers and JSON responses.

use crate::plain::HeaderBlock;
use chrono::{DateTime, Utc};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub(super) fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub(super) fn datetime(ms: f64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}

/// The message of a JavaScript error (or whatever was thrown).
pub(super) fn js_error_text(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

pub(super) fn random10() -> [u8; 10] {
    let mut bytes = [0u8; 10];
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let filled = global
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes))
        .is_ok();
    if !filled {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

pub(super) fn json_response(
    status: u16,
    body: &str,
    extra: &[(&str, &str)],
) -> Result<web_sys::Response, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.set("content-type", "application/json")?;
    for (name, value) in extra {
        headers.set(name, value)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    init.set_headers(&headers);
    web_sys::Response::new_with_opt_str_and_init(Some(body), &init)
}

pub(super) fn header(headers: &web_sys::Headers, name: &str) -> Option<String> {
    headers.get(name).ok().flatten()
}

#[wasm_bindgen(inline_js = "export function header_block(headers) {
  let text = '';
  for (const [name, value] of headers) text += name + '\\n' + value + '\\n';
  return text;
}")]
extern "C" {
    /// Every header of `headers` in one text (see [`HeaderBlock`]).
    #[wasm_bindgen(js_name = header_block)]
    fn header_block_text(headers: &web_sys::Headers) -> String;
}

/// Every header of `headers`, read in one call.
pub(super) fn header_block(headers: &web_sys::Headers) -> HeaderBlock {
    HeaderBlock::new(header_block_text(headers))
}
