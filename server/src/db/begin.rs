//! Beginning a transaction so that it is either handed to its caller or
//! rolled back, even when the caller is dropped halfway.
//!
//! A request's future is dropped when its client hangs up (or times out,
//! as a gateway shipping usage does). If that happens while `BEGIN` is in
//! flight, after the database began the transaction but before sqlx built
//! the `Transaction` that would roll it back on drop, the connection goes
//! back to the pool inside a transaction: on SQLite, `BEGIN IMMEDIATE`
//! then holds the write lock for good ("database is locked" for every
//! writer after it, "attempted to call begin_with at non-zero transaction
//! depth" for the next one on that connection); on PostgreSQL, the next
//! user's statements would run inside it. So `BEGIN` runs in a task of its
//! own, which nothing cancels: when nobody awaits it any more, the
//! `Transaction` it made is dropped there, and rolled back.

use std::future::Future;

/// Runs `begin` to completion in a task of its own and returns what it
/// made.
pub(super) async fn to_completion<T, F>(begin: F) -> sqlx::Result<T>
where
    F: Future<Output = sqlx::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    tokio::spawn(begin)
        .await
        .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::sync::{oneshot, Notify};

    /// Stands for a `Transaction`: says when it is dropped (rolled back).
    struct Begun(Option<oneshot::Sender<()>>);

    impl Drop for Begun {
        fn drop(&mut self) {
            let _ = self.0.take().map(|tx| tx.send(()));
        }
    }

    #[tokio::test]
    async fn a_begin_whose_caller_is_dropped_completes_and_is_dropped_there() {
        let (dropped_tx, dropped) = oneshot::channel();
        let database_answers = Arc::new(Notify::new());
        let begin = {
            let answers = database_answers.clone();
            async move {
                answers.notified().await;
                Ok(Begun(Some(dropped_tx)))
            }
        };
        // The caller gives up while BEGIN waits (its client hung up).
        let gave_up = tokio::time::timeout(Duration::from_millis(20), to_completion(begin)).await;
        assert!(gave_up.is_err());
        // The database answers afterwards: the transaction is made, and
        // since nobody awaits it, dropped (rolled back) rather than lost.
        database_answers.notify_one();
        tokio::time::timeout(Duration::from_secs(5), dropped)
            .await
            .expect("the begun transaction is dropped once nobody awaits it")
            .expect("dropped, not leaked");
    }

    #[tokio::test]
    async fn a_caller_that_waits_gets_what_was_begun() {
        let (tx, _rx) = oneshot::channel();
        let begun = to_completion(async move { Ok(Begun(Some(tx))) }).await;
        assert!(begun.is_ok());
        let failed = to_completion(async { Err::<Begun, _>(sqlx::Error::PoolTimedOut) }).await;
        assert!(matches!(failed, Err(sqlx::Error::PoolTimedOut)));
    }
}
