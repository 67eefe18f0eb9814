//! Group commit of the point log: pushes to different series that arrive while the store is
//! busy are logged together, in one SQLite transaction and so one sync, instead of one sync
//! each. Every batch is still acknowledged only after the transaction that holds it has
//! committed, so an acknowledged point survives a crash as before (docs/service.md,
//! "Durability").
//!
//! There is no background thread: a push queues its batch, then takes the store lock. Whoever
//! holds the lock finds its batch either already committed by an earlier holder (then it only
//! collects its sequence numbers) or still queued, and then commits every queued batch at
//! once. A failed transaction fails every batch in it (none of them was logged).

use super::store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Why a batch was not logged.
#[derive(Clone, Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The push that was committing this batch's group stopped before it said how it went.
    #[error("the batch's group commit was interrupted; nothing of it was acknowledged, retry")]
    Interrupted,
}

struct Queued {
    ticket: u64,
    series: String,
    points: Vec<(i64, f64)>,
}

#[derive(Default)]
struct Queue {
    next_ticket: u64,
    waiting: Vec<Queued>,
    /// Outcomes of committed groups, by ticket, until their pushes collect them.
    done: HashMap<u64, Result<Vec<i64>, LogError>>,
}

/// The batches waiting for the store, shared by every push of a service.
#[derive(Default)]
pub struct GroupCommit {
    queue: Mutex<Queue>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl GroupCommit {
    /// Logs `points` of `series` durably, perhaps with other pushes' batches; the sequence
    /// number of each point. Returns only once the batch is committed or known not to be.
    pub fn append(&self, store: &Mutex<Store>, series: &str, points: &[(i64, f64)]) -> Result<Vec<i64>, LogError> {
        let ticket = self.enqueue(series, points);
        let mut store = lock(store);
        if let Some(outcome) = self.collect(ticket) {
            return outcome;
        }
        let group = std::mem::take(&mut lock(&self.queue).waiting);
        let batches: Vec<(&str, &[(i64, f64)])> = group.iter().map(|q| (q.series.as_str(), q.points.as_slice())).collect();
        let outcome = store.append_group(&batches);
        // Published before the store is released: the next holder must find its batch done.
        self.publish(&group, outcome);
        drop(store);
        self.collect(ticket).unwrap_or(Err(LogError::Interrupted))
    }

    fn enqueue(&self, series: &str, points: &[(i64, f64)]) -> u64 {
        let mut queue = lock(&self.queue);
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.waiting.push(Queued { ticket, series: series.to_string(), points: points.to_vec() });
        ticket
    }

    /// The outcome of `ticket`'s batch if a group holding it has finished. A batch neither
    /// finished nor waiting belonged to a group whose push stopped mid-commit.
    fn collect(&self, ticket: u64) -> Option<Result<Vec<i64>, LogError>> {
        let mut queue = lock(&self.queue);
        if let Some(outcome) = queue.done.remove(&ticket) {
            return Some(outcome);
        }
        if queue.waiting.iter().any(|q| q.ticket == ticket) { None } else { Some(Err(LogError::Interrupted)) }
    }

    fn publish(&self, group: &[Queued], outcome: Result<Vec<Vec<i64>>, StoreError>) {
        let mut queue = lock(&self.queue);
        match outcome {
            Ok(seqs) => {
                for (q, s) in group.iter().zip(seqs) {
                    queue.done.insert(q.ticket, Ok(s));
                }
            }
            Err(e) => {
                for q in group {
                    queue.done.insert(q.ticket, Err(LogError::Store(e.clone())));
                }
            }
        }
    }

    /// Batches queued and not yet taken by a commit (for tests).
    pub fn waiting(&self) -> usize {
        lock(&self.queue).waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn batches_queued_while_the_store_is_busy_share_one_transaction() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Mutex::new(Store::open(&dir.path().join("s.db"), true).expect("store")));
        let group = Arc::new(GroupCommit::default());
        let busy = lock(&store);
        let pushes: Vec<_> = (0..4)
            .map(|i| {
                let (store, group) = (Arc::clone(&store), Arc::clone(&group));
                std::thread::spawn(move || group.append(&store, &format!("s{i}"), &[(1, i as f64), (2, i as f64)]))
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(30);
        while group.waiting() < 4 {
            assert!(Instant::now() < deadline, "the pushes did not queue");
            std::thread::sleep(Duration::from_millis(5));
        }
        drop(busy);
        let mut seqs: Vec<i64> = pushes.into_iter().flat_map(|p| p.join().expect("push thread").expect("logged")).collect();
        let store = lock(&store);
        assert_eq!(store.log_commits, 1, "four batches, one transaction");
        assert_eq!(store.log_len().expect("log"), 8);
        seqs.sort_unstable();
        seqs.dedup();
        assert_eq!(seqs.len(), 8, "every point has its own sequence number");
        for point in store.log().expect("log") {
            let i: f64 = point.series[1..].parse().expect("series index");
            assert_eq!(point.value, i, "{} got another push's point", point.series);
        }
    }

    #[test]
    fn a_push_alone_commits_its_own_batch() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Mutex::new(Store::open(&dir.path().join("s.db"), false).expect("store"));
        let group = GroupCommit::default();
        assert_eq!(group.append(&store, "a", &[(1, 1.0)]).expect("logged").len(), 1);
        assert_eq!(group.append(&store, "a", &[(2, 2.0), (3, 3.0)]).expect("logged").len(), 2);
        assert_eq!(lock(&store).log_commits, 2);
        assert_eq!(group.waiting(), 0);
    }
}
