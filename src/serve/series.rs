//! The series the service keeps, each with its detector state, last reading and alert, and
//! the one path by which points reach them ([`Service::push`]): checked, logged durably,
//! applied in order, then acknowledged. HTTP (`api`) and recovery both go through here.

use super::alerts::{AlertState, Event, Hysteresis};
use super::detector::{DetectorError, DetectorLib, DetectorState, Output};
use super::group_commit::{GroupCommit, LogError};
use super::store::{Checkpoint, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// The longest series name.
pub const MAX_NAME_LEN: usize = 200;

/// A point and what the detector said about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub timestamp_ms: i64,
    pub value: f64,
    pub probability: f64,
    pub lower: f64,
    pub upper: f64,
    pub expected: f64,
    pub confidence: f64,
}

impl Reading {
    fn new(timestamp_ms: i64, value: f64, o: Output) -> Reading {
        Reading { timestamp_ms, value, probability: o.probability, lower: o.lower, upper: o.upper, expected: o.expected, confidence: o.confidence }
    }
}

/// What happened to one pushed point.
#[derive(Clone, Debug, PartialEq)]
pub enum Applied {
    Read(Reading),
    /// The detector refused the point (an exception); its state is unchanged.
    Failed { timestamp_ms: i64, message: String },
}

pub struct Series {
    state: DetectorState,
    pub last: Option<Reading>,
    pub points: u64,
    pub alert: AlertState,
    applied_seq: i64,
    since_checkpoint: u64,
}

/// Why a push was refused (nothing of it was logged or applied).
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the service keeps at most {0} series")]
    TooManySeries(usize),
    #[error("point {index}: timestamp {timestamp_ms} is not after the series' last point ({last_ms})")]
    OutOfOrder { index: usize, timestamp_ms: i64, last_ms: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Detector(#[from] DetectorError),
}

/// Service-wide counters for `/metrics`.
#[derive(Default)]
pub struct Counters {
    pub points: AtomicU64,
    pub failed_points: AtomicU64,
}

pub struct Service {
    pub lib: DetectorLib,
    series: RwLock<BTreeMap<String, Arc<Mutex<Series>>>>,
    store: Mutex<Store>,
    log: GroupCommit,
    pub max_series: usize,
    pub rule: Hysteresis,
    checkpoint_every: u64,
    pub counters: Counters,
}

/// Whether `name` may name a series: 1–200 of `A–Z a–z 0–9 _ . : -`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= MAX_NAME_LEN && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.:-".contains(&b))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Service {
    /// The service over `store`, with every series recovered: checkpoints loaded, then the log
    /// after them replayed (alerts it changes are not sent again).
    pub fn recover(lib: DetectorLib, store: Store, max_series: usize, rule: Hysteresis, checkpoint_every: u64) -> Result<Service, PushError> {
        let checkpoints = store.checkpoints()?;
        let log = store.log()?;
        let service = Service { lib, series: RwLock::new(BTreeMap::new()), store: Mutex::new(store), log: GroupCommit::default(), max_series, rule, checkpoint_every: checkpoint_every.max(1), counters: Counters::default() };
        {
            let mut map = service.series.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            for c in checkpoints {
                let state = service.lib.load_state(&c.state)?;
                let last = c.last.as_deref().and_then(|t| serde_json::from_str(t).ok());
                let alert = serde_json::from_str(&c.alert).unwrap_or_default();
                let series = Series { state, last, points: c.points, alert, applied_seq: c.applied_seq, since_checkpoint: 0 };
                map.insert(c.series, Arc::new(Mutex::new(series)));
            }
        }
        for point in log {
            let entry = service.entry(&point.series, true)?;
            let mut series = lock(&entry);
            service.apply(&point.series, &mut series, point.seq, point.timestamp_ms, point.value);
        }
        Ok(service)
    }

    /// The series called `name`, created if `create` and there is room.
    fn entry(&self, name: &str, create: bool) -> Result<Arc<Mutex<Series>>, PushError> {
        if let Some(s) = self.series.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(name) {
            return Ok(Arc::clone(s));
        }
        let mut map = self.series.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = map.get(name) {
            return Ok(Arc::clone(s));
        }
        if !create || map.len() >= self.max_series {
            return Err(PushError::TooManySeries(self.max_series));
        }
        let series = Series { state: self.lib.new_state()?, last: None, points: 0, alert: AlertState::default(), applied_seq: 0, since_checkpoint: 0 };
        let entry = Arc::new(Mutex::new(series));
        map.insert(name.to_string(), Arc::clone(&entry));
        Ok(entry)
    }

    /// Feeds one logged point to the detector; the alert event it caused, if any.
    fn apply(&self, name: &str, series: &mut Series, seq: i64, timestamp_ms: i64, value: f64) -> (Applied, Option<Event>) {
        series.applied_seq = seq;
        series.points += 1;
        series.since_checkpoint += 1;
        match series.state.update(timestamp_ms, value) {
            Ok(output) => {
                let reading = Reading::new(timestamp_ms, value, output);
                let event = series.alert.observe(&self.rule, name, timestamp_ms, reading.probability);
                series.last = Some(reading.clone());
                (Applied::Read(reading), event)
            }
            Err(e) => {
                self.counters.failed_points.fetch_add(1, Ordering::Relaxed);
                (Applied::Failed { timestamp_ms, message: e.to_string() }, None)
            }
        }
    }

    /// Pushes a batch of points (timestamps increasing, after the series' last) to a series:
    /// logged durably, then applied. What each point gave, and the alert events to send.
    pub fn push(&self, name: &str, points: &[(i64, f64)]) -> Result<(Vec<Applied>, Vec<Event>), PushError> {
        let entry = self.entry(name, true)?;
        let mut series = lock(&entry);
        let mut previous = series.last.as_ref().map(|r| r.timestamp_ms);
        for (index, (ts, _)) in points.iter().enumerate() {
            if let Some(last_ms) = previous.filter(|last| *ts <= *last) {
                return Err(PushError::OutOfOrder { index, timestamp_ms: *ts, last_ms });
            }
            previous = Some(*ts);
        }
        let seqs = self.log.append(&self.store, name, points)?;
        let mut applied = Vec::with_capacity(points.len());
        let mut events = Vec::new();
        for (seq, (ts, value)) in seqs.iter().zip(points) {
            let (result, event) = self.apply(name, &mut series, *seq, *ts, *value);
            applied.push(result);
            events.extend(event);
        }
        self.counters.points.fetch_add(points.len() as u64, Ordering::Relaxed);
        if series.since_checkpoint >= self.checkpoint_every {
            self.write_checkpoint(name, &mut series)?;
        }
        Ok((applied, events))
    }

    fn write_checkpoint(&self, name: &str, series: &mut Series) -> Result<(), PushError> {
        let checkpoint = Checkpoint {
            series: name.to_string(),
            state: series.state.save()?,
            applied_seq: series.applied_seq,
            points: series.points,
            last: series.last.as_ref().and_then(|r| serde_json::to_string(r).ok()),
            alert: serde_json::to_string(&series.alert).unwrap_or_default(),
        };
        lock(&self.store).checkpoint(&checkpoint)?;
        series.since_checkpoint = 0;
        Ok(())
    }

    /// Checkpoints every series with points since its last checkpoint (at shutdown).
    pub fn checkpoint_all(&self) -> Result<(), PushError> {
        for (name, entry) in self.entries() {
            let mut series = lock(&entry);
            if series.since_checkpoint > 0 {
                self.write_checkpoint(&name, &mut series)?;
            }
        }
        Ok(())
    }

    fn entries(&self) -> Vec<(String, Arc<Mutex<Series>>)> {
        let map = self.series.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.iter().map(|(k, v)| (k.clone(), Arc::clone(v))).collect()
    }

    /// The names of the series accepted by `visible`, in order.
    pub fn names(&self, visible: impl Fn(&str) -> bool) -> Vec<String> {
        let map = self.series.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.keys().filter(|k| visible(k)).cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.series.read().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A series' point count, last reading and alert (None: no such series).
    pub fn snapshot(&self, name: &str) -> Option<(u64, Option<Reading>, AlertState)> {
        let entry = self.series.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(name).cloned()?;
        let series = lock(&entry);
        Some((series.points, series.last.clone(), series.alert.clone()))
    }

    /// Every series accepted by `visible` with its last reading and alert, for `/metrics`.
    pub fn readings(&self, visible: impl Fn(&str) -> bool) -> Vec<(String, Option<Reading>, bool)> {
        self.entries()
            .into_iter()
            .filter(|(name, _)| visible(name))
            .map(|(name, entry)| {
                let series = lock(&entry);
                (name, series.last.clone(), series.alert.firing)
            })
            .collect()
    }
}
