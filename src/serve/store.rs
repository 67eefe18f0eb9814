//! The embedded default store: one SQLite file in WAL mode with two tables.
//!
//! - `points` is the write-ahead log of acknowledged points: a batch is committed here before
//!   the detector sees it and before the client gets its answer, so every acknowledged point
//!   survives a crash (`synchronous=FULL`: also a power loss; `NORMAL`: a process crash).
//! - `states` holds each series' checkpoint: its detector state as bytes, the sequence number
//!   of the last logged point it includes, its last reading and its alert. Writing a checkpoint
//!   deletes the series' log up to that number in the same transaction.
//!
//! Recovery loads every checkpoint and replays the log after it, in sequence order; the
//! detectors are deterministic, so the states equal those of a run that never stopped.

use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Arc;

/// A failed store operation. Clonable, because a failed group commit fails every batch in it.
#[derive(Clone, Debug, thiserror::Error)]
#[error("store {path}: {source}")]
pub struct StoreError {
    path: String,
    source: Arc<rusqlite::Error>,
}

/// A series' checkpoint row.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub series: String,
    pub state: Vec<u8>,
    pub applied_seq: i64,
    pub points: u64,
    /// The last reading and the alert, as JSON (`series::Reading`, `alerts::AlertState`).
    pub last: Option<String>,
    pub alert: String,
}

/// A logged point.
#[derive(Clone, Debug)]
pub struct Logged {
    pub seq: i64,
    pub series: String,
    pub timestamp_ms: i64,
    pub value: f64,
}

pub struct Store {
    conn: Connection,
    path: String,
    /// Transactions that logged points (one per group commit).
    pub log_commits: u64,
}

impl Store {
    /// Opens (creating if needed) the store at `path`; `full_sync` chooses `synchronous=FULL`.
    pub fn open(path: &Path, full_sync: bool) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        let wrap = |source| StoreError { path: shown.clone(), source: Arc::new(source) };
        let conn = Connection::open(path).map_err(wrap)?;
        let sync = if full_sync { "FULL" } else { "NORMAL" };
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0)).map_err(wrap)?;
        conn.pragma_update(None, "synchronous", sync).map_err(wrap)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS points (seq INTEGER PRIMARY KEY AUTOINCREMENT, series TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL);
             CREATE INDEX IF NOT EXISTS points_series ON points (series, seq);
             CREATE TABLE IF NOT EXISTS states (series TEXT PRIMARY KEY, state BLOB NOT NULL, applied_seq INTEGER NOT NULL, points INTEGER NOT NULL, last TEXT, alert TEXT NOT NULL);",
        )
        .map_err(wrap)?;
        Ok(Store { conn, path: shown, log_commits: 0 })
    }

    fn wrap(&self, source: rusqlite::Error) -> StoreError {
        StoreError { path: self.path.clone(), source: Arc::new(source) }
    }

    /// Logs a batch of one series durably; the sequence number of each point.
    pub fn append(&mut self, series: &str, points: &[(i64, f64)]) -> Result<Vec<i64>, StoreError> {
        let mut seqs = self.append_group(&[(series, points)])?;
        Ok(seqs.pop().unwrap_or_default())
    }

    /// Logs batches (each of one series) durably in one transaction, so one sync: all or
    /// none. The sequence numbers of each batch's points, batch by batch.
    pub fn append_group(&mut self, batches: &[(&str, &[(i64, f64)])]) -> Result<Vec<Vec<i64>>, StoreError> {
        let path = self.path.clone();
        let wrap = |source| StoreError { path: path.clone(), source: Arc::new(source) };
        let tx = self.conn.transaction().map_err(wrap)?;
        let mut all = Vec::with_capacity(batches.len());
        {
            let mut insert = tx.prepare_cached("INSERT INTO points (series, ts, value) VALUES (?1, ?2, ?3)").map_err(wrap)?;
            for (series, points) in batches {
                let mut seqs = Vec::with_capacity(points.len());
                for (ts, value) in *points {
                    insert.execute(params![series, ts, value]).map_err(wrap)?;
                    seqs.push(tx.last_insert_rowid());
                }
                all.push(seqs);
            }
        }
        tx.commit().map_err(wrap)?;
        self.log_commits += 1;
        Ok(all)
    }

    /// Writes a checkpoint and drops the series' log up to it.
    pub fn checkpoint(&mut self, c: &Checkpoint) -> Result<(), StoreError> {
        let path = self.path.clone();
        let wrap = |source| StoreError { path: path.clone(), source: Arc::new(source) };
        let tx = self.conn.transaction().map_err(wrap)?;
        tx.execute(
            "INSERT INTO states (series, state, applied_seq, points, last, alert) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(series) DO UPDATE SET state = excluded.state, applied_seq = excluded.applied_seq, points = excluded.points, last = excluded.last, alert = excluded.alert",
            params![c.series, c.state, c.applied_seq, c.points as i64, c.last, c.alert],
        )
        .map_err(wrap)?;
        tx.execute("DELETE FROM points WHERE series = ?1 AND seq <= ?2", params![c.series, c.applied_seq]).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    /// Every checkpoint.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT series, state, applied_seq, points, last, alert FROM states ORDER BY series").map_err(|e| self.wrap(e))?;
        let rows = stmt
            .query_map([], |r| Ok(Checkpoint { series: r.get(0)?, state: r.get(1)?, applied_seq: r.get(2)?, points: r.get::<_, i64>(3)? as u64, last: r.get(4)?, alert: r.get(5)? }))
            .map_err(|e| self.wrap(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.wrap(e))
    }

    /// The logged points after their series' checkpoint, in the order they were acknowledged.
    pub fn log(&self) -> Result<Vec<Logged>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT p.seq, p.series, p.ts, p.value FROM points p LEFT JOIN states s ON s.series = p.series WHERE p.seq > COALESCE(s.applied_seq, 0) ORDER BY p.seq")
            .map_err(|e| self.wrap(e))?;
        let rows = stmt.query_map([], |r| Ok(Logged { seq: r.get(0)?, series: r.get(1)?, timestamp_ms: r.get(2)?, value: r.get(3)? })).map_err(|e| self.wrap(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.wrap(e))
    }

    /// How many points the log holds (for tests and metrics).
    pub fn log_len(&self) -> Result<i64, StoreError> {
        self.conn.query_row("SELECT COUNT(*) FROM points", [], |r| r.get(0)).optional().map(|n| n.unwrap_or(0)).map_err(|e| self.wrap(e))
    }
}
