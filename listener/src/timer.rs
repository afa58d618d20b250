//! Timers that a busy task does not pay for on every wake-up.
//!
//! A `Sleep` polled on each wake-up of its task costs a registration check
//! and a waker comparison each time; a connection's task wakes several
//! times per request. A timer [`arm`]ed once holds the task's waker, and
//! tokio marks it elapsed before it wakes the task, so from then on
//! `Sleep::is_elapsed` (one load) says whether it fired.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use tokio::time::Sleep;

/// Polls a timer once, which registers it (with the task's waker) without
/// waiting for it: from then on `Sleep::is_elapsed` says when it fired.
/// Outside the task's budget: a timer polled with the budget spent would
/// answer `Pending` without registering, and never fire.
pub async fn arm(mut timer: Pin<&mut Sleep>) {
    tokio::task::unconstrained(std::future::poll_fn(|cx| {
        let _ = timer.as_mut().poll(cx);
        Poll::Ready(())
    }))
    .await;
}

/// A timer [`arm`]ed before: ready once it fired, and polled only then.
pub fn fired(mut timer: Pin<&mut Sleep>) -> impl Future<Output = ()> + use<'_> {
    std::future::poll_fn(move |cx| {
        if timer.is_elapsed() {
            timer.as_mut().poll(cx)
        } else {
            Poll::Pending
        }
    })
}
