//! Counting the bytes of a body as it streams through, without
//! buffering it.

use js_sys::{Reflect, Uint8Array};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A body piped through a JavaScript `TransformStream` that counts bytes
/// as they pass (nothing is buffered), and the promise of that pipe:
/// settled when the body has been read to the end (or failed).
pub(super) struct Counted {
    pub(super) readable: web_sys::ReadableStream,
    done: js_sys::Promise,
    bytes: Rc<Cell<f64>>,
    /// Called by the stream for every chunk: must live until `done`.
    _transform: Closure<dyn FnMut(JsValue, JsValue)>,
}

impl Counted {
    pub(super) fn pipe(source: &web_sys::ReadableStream) -> Result<Counted, JsValue> {
        let bytes = Rc::new(Cell::new(0.0));
        let counter = bytes.clone();
        let transform = Closure::<dyn FnMut(JsValue, JsValue)>::new(
            move |chunk: JsValue, controller: JsValue| {
                if let Some(a) = chunk.dyn_ref::<Uint8Array>() {
                    counter.set(counter.get() + f64::from(a.byte_length()));
                }
                let controller: web_sys::TransformStreamDefaultController =
                    controller.unchecked_into();
                let _ = controller.enqueue_with_chunk(&chunk);
            },
        );
        let transformer = js_sys::Object::new();
        Reflect::set(&transformer, &"transform".into(), transform.as_ref())?;
        let stream = web_sys::TransformStream::new_with_transformer(&transformer)?;
        let done = source.pipe_to(&stream.writable());
        Ok(Counted {
            readable: stream.readable(),
            done,
            bytes,
            _transform: transform,
        })
    }

    /// Waits for the end of the body; `false` if it did not end cleanly.
    pub(super) async fn finished(&self) -> bool {
        JsFuture::from(self.done.clone()).await.is_ok()
    }

    pub(super) fn bytes(&self) -> u64 {
        self.bytes.get() as u64
    }
}
