//! LLM routes at the edge: reading a small JSON request body whole, so the
//! core can see its model and, for an OpenAI stream, ask for usage; and a
//! response body piped through a `TransformStream` that feeds every chunk
//! to the core's usage scanner as it passes (nothing is buffered but what
//! the scanner holds back while stripping), counting the bytes sent.

use js_sys::{Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tokenctl_gateway::llm::{
    inspect_request, is_json_content_type, Feed, LlmRequest, Provider, UsageScanner,
    REQUEST_BODY_MAX,
};
use tokenctl_gateway::usage::LlmOutcome;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Whether the core reads the request body: JSON, not compressed, and of
/// a declared length of at most [`REQUEST_BODY_MAX`]. A body of unknown
/// length streams through unread (clients send JSON with a length).
pub(super) fn readable(
    content_type: Option<&str>,
    content_encoding: Option<&str>,
    length: Option<u64>,
) -> bool {
    content_type.is_some_and(is_json_content_type)
        && content_encoding
            .is_none_or(|e| e.trim().is_empty() || e.trim().eq_ignore_ascii_case("identity"))
        && length.is_some_and(|n| n <= REQUEST_BODY_MAX as u64)
}

/// Reads the request body whole and lets the core inspect it: the
/// request, and the bytes to send upstream.
pub(super) async fn read_request(
    req: &web_sys::Request,
    provider: Provider,
    upstream_path: &str,
) -> Result<(LlmRequest, Vec<u8>), JsValue> {
    let buffer = JsFuture::from(req.array_buffer()?).await?;
    let body = Uint8Array::new(&buffer).to_vec();
    let mut request = inspect_request(provider, upstream_path, &body);
    let send = request.body.take().unwrap_or(body);
    Ok((request, send))
}

/// A response body piped through the usage scan.
pub(super) struct Scanned {
    pub(super) readable: web_sys::ReadableStream,
    done: js_sys::Promise,
    bytes: Rc<Cell<f64>>,
    scanner: Rc<RefCell<Option<UsageScanner>>>,
    usage: Rc<RefCell<Option<tokenctl_gateway::llm::LlmUsage>>>,
    requested_model: Option<String>,
    /// Called by the stream: must live until `done`.
    _transform: Closure<dyn FnMut(JsValue, JsValue)>,
    _flush: Closure<dyn FnMut(JsValue)>,
}

fn enqueue(controller: &JsValue, chunk: &JsValue) {
    let controller: &web_sys::TransformStreamDefaultController = controller.unchecked_ref();
    let _ = controller.enqueue_with_chunk(chunk);
}

impl Scanned {
    pub(super) fn pipe(
        source: &web_sys::ReadableStream,
        scanner: UsageScanner,
        requested_model: Option<String>,
    ) -> Result<Scanned, JsValue> {
        let bytes = Rc::new(Cell::new(0.0));
        let scanner = Rc::new(RefCell::new(Some(scanner)));
        let usage = Rc::new(RefCell::new(None));
        let (count, scan) = (bytes.clone(), scanner.clone());
        let transform = Closure::<dyn FnMut(JsValue, JsValue)>::new(
            move |chunk: JsValue, controller: JsValue| {
                let Some(a) = chunk.dyn_ref::<Uint8Array>() else {
                    enqueue(&controller, &chunk);
                    return;
                };
                let data = a.to_vec();
                let feed = match scan.borrow_mut().as_mut() {
                    Some(s) => s.feed(&data),
                    None => Feed::Chunk,
                };
                match feed {
                    Feed::Chunk => {
                        count.set(count.get() + data.len() as f64);
                        enqueue(&controller, &chunk);
                    }
                    Feed::Bytes(out) if out.is_empty() => {}
                    Feed::Bytes(out) => {
                        count.set(count.get() + out.len() as f64);
                        enqueue(&controller, &Uint8Array::from(out.as_slice()));
                    }
                }
            },
        );
        let (count, scan, read) = (bytes.clone(), scanner.clone(), usage.clone());
        let flush = Closure::<dyn FnMut(JsValue)>::new(move |controller: JsValue| {
            if let Some(s) = scan.borrow_mut().take() {
                let finished = s.finish();
                if !finished.rest.is_empty() {
                    count.set(count.get() + finished.rest.len() as f64);
                    enqueue(&controller, &Uint8Array::from(finished.rest.as_slice()));
                }
                *read.borrow_mut() = finished.usage;
            }
        });
        let transformer = js_sys::Object::new();
        Reflect::set(&transformer, &"transform".into(), transform.as_ref())?;
        Reflect::set(&transformer, &"flush".into(), flush.as_ref())?;
        let stream = web_sys::TransformStream::new_with_transformer(&transformer)?;
        let done = source.pipe_to(&stream.writable());
        Ok(Scanned {
            readable: stream.readable(),
            done,
            bytes,
            scanner,
            usage,
            requested_model,
            _transform: transform,
            _flush: flush,
        })
    }

    /// Waits for the end of the body; `false` if it did not end cleanly.
    pub(super) async fn finished(&self) -> bool {
        JsFuture::from(self.done.clone()).await.is_ok()
    }

    pub(super) fn bytes(&self) -> u64 {
        self.bytes.get() as u64
    }

    /// What the scan read: at the end of the body, or, when it broke off,
    /// what was reported until then.
    pub(super) fn outcome(&self) -> LlmOutcome {
        if let Some(s) = self.scanner.borrow_mut().take() {
            *self.usage.borrow_mut() = s.finish().usage;
        }
        LlmOutcome {
            requested_model: self.requested_model.clone(),
            usage: self.usage.borrow().clone(),
        }
    }
}
