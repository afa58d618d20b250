//! What the listener asks of one connection's task: close if idle (an
//! eviction), finish and close (a drain), close now.
//!
//! The task reads it on every one of its wake-ups, several per request,
//! so reading it is two atomic operations: no lock and no waiter list,
//! which a `Notify` and a `watch` channel each cost on every poll.

use atomic_waker::AtomicWaker;
use std::future::Future;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::Poll;

/// One request of the listener to a connection's task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Ask {
    /// Close if no request is in flight (the listener needs the slot).
    Evict = 1,
    /// Finish the requests in flight, then close.
    Drain = 2,
    /// Close now.
    Close = 4,
}

/// What was asked since the task last looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked(u8);

impl Asked {
    pub fn has(self, ask: Ask) -> bool {
        self.0 & ask as u8 != 0
    }
}

/// The listener's side sets, the connection's task takes.
#[derive(Debug, Default)]
pub struct Signal {
    asked: AtomicU8,
    waker: AtomicWaker,
}

impl Signal {
    /// Asks the task, and wakes it.
    pub fn ask(&self, ask: Ask) {
        self.asked.fetch_or(ask as u8, Ordering::AcqRel);
        self.waker.wake();
    }

    /// Resolves with what was asked since the last time it resolved (each
    /// request is taken once).
    pub fn asked(&self) -> impl Future<Output = Asked> + '_ {
        std::future::poll_fn(|cx| {
            // Registered before looking: an ask that comes after the look
            // wakes the task.
            self.waker.register(cx.waker());
            match self.asked.swap(0, Ordering::AcqRel) {
                0 => Poll::Pending,
                asked => Poll::Ready(Asked(asked)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::{Context, Wake, Waker};

    struct Count(std::sync::atomic::AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn each_ask_wakes_the_task_and_is_taken_once() {
        let signal = Signal::default();
        let count = Arc::new(Count(Default::default()));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let mut asked = std::pin::pin!(signal.asked());
        assert_eq!(asked.as_mut().poll(&mut cx), Poll::Pending);
        signal.ask(Ask::Evict);
        signal.ask(Ask::Drain);
        assert_eq!(
            count.0.load(Ordering::SeqCst),
            1,
            "one registered waker, woken once"
        );
        let Poll::Ready(got) = asked.as_mut().poll(&mut cx) else {
            panic!("asked twice, still pending");
        };
        assert!(got.has(Ask::Evict) && got.has(Ask::Drain) && !got.has(Ask::Close));
        assert_eq!(asked.as_mut().poll(&mut cx), Poll::Pending, "taken");
        signal.ask(Ask::Close);
        assert_eq!(count.0.load(Ordering::SeqCst), 2);
        assert_eq!(
            asked.as_mut().poll(&mut cx),
            Poll::Ready(Asked(Ask::Close as u8))
        );
    }
}
