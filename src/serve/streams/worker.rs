//! One worker process of the Redis scale-out (`sev worker`): it heartbeats into the workers'
//! set, holds leases on its fair share (⌈P / live workers⌉) of the partitions, and for each
//! partition it owns applies the points in stream order to the series' detector states.
//!
//! Taking over a partition first claims every entry still pending in its group (XAUTOCLAIM with
//! no idle time, so a dead owner's unacknowledged entries are processed before any new one);
//! the lease guarantees nobody else is reading it, because new entries are read only through
//! the fenced script [`READ`] (an ex-owner that was paused past its lease gets none). States live in Redis and are cached in
//! memory only while the lease is held. Each batch is committed by the fenced Lua script
//! [`COMMIT`] and acknowledged afterwards; see the parent module for why this applies each
//! point exactly once.

use super::{GROUP, Layout, StreamsError, parse_id};
use crate::serve::detector::{DetectorLib, DetectorState, Output};
use redis::Connection;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Writes a batch if this worker still owns the partition. KEYS: lease, output stream, then the
/// state hash of each touched series. ARGV: worker id, lease ms, number of states, then per
/// state its last id and bytes, then per output: id, series, ts, field, text.
/// Returns 1 when written, 0 when the lease is lost, -1 when the outputs are not newer than
/// the output stream (they were written before).
const COMMIT: &str = r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local function id_of(s)
  local dash = string.find(s, '-', 1, true)
  return tonumber(string.sub(s, 1, dash - 1)), tonumber(string.sub(s, dash + 1))
end
local n = tonumber(ARGV[3])
local first = 4 + 2 * n
if ARGV[first] then
  local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
  if #top > 0 then
    local ams, aseq = id_of(ARGV[first])
    local bms, bseq = id_of(top[1][1])
    if ams < bms or (ams == bms and aseq <= bseq) then return -1 end
  end
end
for i = 1, n do
  redis.call('HSET', KEYS[2 + i], 'last', ARGV[2 + 2 * i], 'state', ARGV[3 + 2 * i])
end
local i = first
while i <= #ARGV do
  redis.call('XADD', KEYS[2], ARGV[i], 'series', ARGV[i + 1], 'ts', ARGV[i + 2], ARGV[i + 3], ARGV[i + 4])
  i = i + 5
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"#;

/// Extends a lease only for its holder.
const RENEW: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"#;

/// Reads new entries of a partition only for the holder of its lease, so a worker that lost
/// the lease (paused past it) cannot take entries that the new owner would then never see.
/// KEYS: lease, input stream. ARGV: worker id, count, group. Returns 0 when the lease is lost,
/// 1 when there is nothing new, else the XREADGROUP reply.
const READ: &str = r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local reply = redis.call('XREADGROUP', 'GROUP', ARGV[3], ARGV[1], 'COUNT', ARGV[2], 'STREAMS', KEYS[2], '>')
if not reply then return 1 end
return reply
"#;

/// Deletes a lease only for its holder.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

/// How a worker runs.
#[derive(Clone, Debug)]
pub struct Settings {
    pub layout: Layout,
    /// This worker's consumer name and lease value; unique among live workers.
    pub name: String,
    /// A lease not renewed for this long passes to another worker.
    pub lease_ms: u64,
    /// Entries read per partition per round.
    pub batch: usize,
}

/// What a worker did before it stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub applied: u64,
    pub faults: u64,
    pub duplicates: u64,
    pub malformed: u64,
    pub claimed: u64,
    pub partitions_taken: u64,
}

struct Series {
    state: DetectorState,
    last: Option<(u64, u64)>,
}

/// The cache of one owned partition.
#[derive(Default)]
struct Owned {
    series: HashMap<String, Series>,
}

/// One computed output, waiting for its commit.
struct Pending {
    id: String,
    series: String,
    timestamp_ms: i64,
    result: Result<Output, String>,
}

pub struct Worker {
    con: Connection,
    settings: Settings,
    detector: DetectorLib,
    owned: BTreeMap<u32, Owned>,
    stats: Stats,
    commit: redis::Script,
    renew: redis::Script,
    release: redis::Script,
    read: redis::Script,
}

impl Worker {
    pub fn new(con: Connection, settings: Settings, detector: DetectorLib) -> Worker {
        Worker {
            con,
            settings,
            detector,
            owned: BTreeMap::new(),
            stats: Stats::default(),
            commit: redis::Script::new(COMMIT),
            renew: redis::Script::new(RENEW),
            release: redis::Script::new(RELEASE),
            read: redis::Script::new(READ),
        }
    }

    /// Runs until `stop` is set, then hands its partitions back.
    pub fn run(mut self, stop: &AtomicBool) -> Result<Stats, StreamsError> {
        super::prepare(&mut self.con, &self.settings.layout)?;
        let rebalance_every = Duration::from_millis((self.settings.lease_ms / 4).max(10));
        let mut last_balance: Option<Instant> = None;
        while !stop.load(Ordering::Relaxed) {
            if last_balance.is_none_or(|t| t.elapsed() >= rebalance_every) {
                self.balance()?;
                last_balance = Some(Instant::now());
            }
            self.read_round(rebalance_every)?;
        }
        self.leave()?;
        Ok(self.stats)
    }

    /// Heartbeat, renew, then give back or take leases to reach the fair share.
    fn balance(&mut self) -> Result<(), StreamsError> {
        let live = self.heartbeat()?;
        let partitions = self.settings.layout.partitions;
        let share = partitions.div_ceil(live.max(1)) as usize;
        self.renew_leases()?;
        while self.owned.len() > share {
            let Some((&partition, _)) = self.owned.last_key_value() else { break };
            self.give_back(partition)?;
        }
        let start = self.start_partition();
        for step in 0..partitions {
            if self.owned.len() >= share {
                break;
            }
            let partition = (start + step) % partitions;
            if !self.owned.contains_key(&partition) && self.try_lease(partition)? {
                self.take_over(partition)?;
            }
        }
        Ok(())
    }

    /// Records this worker as alive; the number of workers alive (this one included).
    fn heartbeat(&mut self) -> Result<u32, StreamsError> {
        let (secs, micros): (u64, u64) = redis::cmd("TIME").query(&mut self.con)?;
        let now = secs * 1000 + micros / 1000;
        let key = self.settings.layout.workers();
        let alive_since = now.saturating_sub(2 * self.settings.lease_ms);
        let (live,): (u32,) = redis::pipe()
            .cmd("ZADD").arg(&key).arg(now).arg(&self.settings.name).ignore()
            .cmd("ZREMRANGEBYSCORE").arg(&key).arg("-inf").arg(format!("({alive_since}")).ignore()
            .cmd("ZCARD").arg(&key)
            .query(&mut self.con)?;
        Ok(live)
    }

    fn renew_leases(&mut self) -> Result<(), StreamsError> {
        let partitions: Vec<u32> = self.owned.keys().copied().collect();
        for partition in partitions {
            let kept: i64 = self
                .renew
                .key(self.settings.layout.lease(partition))
                .arg(&self.settings.name)
                .arg(self.settings.lease_ms)
                .invoke(&mut self.con)?;
            if kept == 0 {
                self.owned.remove(&partition);
            }
        }
        Ok(())
    }

    /// Where this worker starts looking for free partitions, so workers spread out.
    fn start_partition(&self) -> u32 {
        let probe = Layout::new("", self.settings.layout.partitions);
        probe.partition_of(&self.settings.name)
    }

    fn try_lease(&mut self, partition: u32) -> Result<bool, StreamsError> {
        let got: Option<String> = redis::cmd("SET")
            .arg(self.settings.layout.lease(partition))
            .arg(&self.settings.name)
            .arg("NX")
            .arg("PX")
            .arg(self.settings.lease_ms)
            .query(&mut self.con)?;
        Ok(got.is_some())
    }

    fn give_back(&mut self, partition: u32) -> Result<(), StreamsError> {
        self.owned.remove(&partition);
        let _: i64 = self.release.key(self.settings.layout.lease(partition)).arg(&self.settings.name).invoke(&mut self.con)?;
        Ok(())
    }

    /// Starts owning a partition: every entry still pending in the group is claimed and
    /// processed in id order before new entries are read.
    fn take_over(&mut self, partition: u32) -> Result<(), StreamsError> {
        self.owned.insert(partition, Owned::default());
        self.stats.partitions_taken += 1;
        let stream = self.settings.layout.input(partition);
        let mut cursor = "0-0".to_string();
        loop {
            let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
                .arg(&stream)
                .arg(GROUP)
                .arg(&self.settings.name)
                .arg(0)
                .arg(&cursor)
                .arg("COUNT")
                .arg(self.settings.batch)
                .query(&mut self.con)?;
            self.stats.claimed += reply.claimed.len() as u64;
            if !reply.claimed.is_empty() && !self.process(partition, &reply.claimed)? {
                return Ok(());
            }
            if reply.next_stream_id == "0-0" {
                return Ok(());
            }
            cursor = reply.next_stream_id;
        }
    }

    /// Reads new entries of every owned partition through the fenced [`READ`] and processes
    /// them; when there was nothing new anywhere, waits up to `wait` for a new entry.
    fn read_round(&mut self, wait: Duration) -> Result<(), StreamsError> {
        if self.owned.is_empty() {
            std::thread::sleep(wait);
            return Ok(());
        }
        let mut any = false;
        let partitions: Vec<u32> = self.owned.keys().copied().collect();
        for partition in partitions {
            match self.read_new(partition)? {
                None => {
                    self.owned.remove(&partition);
                }
                Some(entries) if entries.is_empty() => {}
                Some(entries) => {
                    any = true;
                    self.process(partition, &entries)?;
                }
            }
        }
        if !any {
            self.wait_for_entries(wait)?;
        }
        Ok(())
    }

    /// New entries of a partition delivered to this worker; `None` if its lease is lost.
    fn read_new(&mut self, partition: u32) -> Result<Option<Vec<StreamId>>, StreamsError> {
        let layout = &self.settings.layout;
        let reply: redis::Value = self
            .read
            .key(layout.lease(partition))
            .key(layout.input(partition))
            .arg(&self.settings.name)
            .arg(self.settings.batch)
            .arg(GROUP)
            .invoke(&mut self.con)?;
        match reply {
            redis::Value::Int(0) => Ok(None),
            redis::Value::Int(_) => Ok(Some(Vec::new())),
            other => {
                let read: StreamReadReply = redis::from_redis_value(other).map_err(redis::RedisError::from)?;
                Ok(Some(read.keys.into_iter().flat_map(|key| key.ids).collect()))
            }
        }
    }

    /// Blocks (without taking anything) until an owned partition gets an entry or `wait` ends.
    fn wait_for_entries(&mut self, wait: Duration) -> Result<(), StreamsError> {
        let layout = &self.settings.layout;
        let streams: Vec<String> = self.owned.keys().map(|&p| layout.input(p)).collect();
        if streams.is_empty() {
            std::thread::sleep(wait);
            return Ok(());
        }
        let mut block = redis::cmd("XREAD");
        block.arg("COUNT").arg(1).arg("BLOCK").arg(wait.as_millis() as u64).arg("STREAMS").arg(&streams);
        for _ in &streams {
            block.arg("$");
        }
        let _: redis::Value = block.query(&mut self.con)?;
        Ok(())
    }

    /// Applies a batch of one partition, commits it and acknowledges it. `false` when the
    /// lease turned out to be lost (nothing written, nothing acknowledged).
    fn process(&mut self, partition: u32, entries: &[StreamId]) -> Result<bool, StreamsError> {
        let stream = self.settings.layout.input(partition);
        let mut outputs = Vec::new();
        for entry in entries {
            if let Some(output) = self.apply(partition, &stream, entry)? {
                outputs.push(output);
            }
        }
        if !outputs.is_empty() && !self.commit(partition, &outputs)? {
            self.owned.remove(&partition);
            return Ok(false);
        }
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        let mut pipe = redis::pipe();
        pipe.cmd("XACK").arg(&stream).arg(GROUP).arg(&ids).ignore();
        // Entries are applied in id order under the lease, so every entry before this batch's
        // last one is acknowledged now: the stream keeps only what may still be needed.
        if let Some(last) = ids.last() {
            pipe.cmd("XTRIM").arg(&stream).arg("MINID").arg(*last).ignore();
        }
        let () = pipe.query(&mut self.con)?;
        Ok(true)
    }

    /// Feeds one entry to its series' state, unless it was applied before.
    fn apply(&mut self, partition: u32, stream: &str, entry: &StreamId) -> Result<Option<Pending>, StreamsError> {
        // A deleted or trimmed entry comes back with no fields: nothing to apply.
        if entry.map.is_empty() {
            return Ok(None);
        }
        // An entry that is not a point (written by something else) can never be applied: it is
        // reported and acknowledged, so it cannot stop the partition.
        let (point, id) = match point_of(stream, entry) {
            Ok(found) => found,
            Err(e) => {
                eprintln!("warning[{}]: {e}; skipped", e.code());
                self.stats.malformed += 1;
                return Ok(None);
            }
        };
        let series = self.series(partition, &point.series)?;
        if series.last.is_some_and(|last| id <= last) {
            self.stats.duplicates += 1;
            return Ok(None);
        }
        let result = series.state.update(point.timestamp_ms, point.value).map_err(|e| e.to_string());
        series.last = Some(id);
        match result {
            Ok(_) => self.stats.applied += 1,
            Err(_) => self.stats.faults += 1,
        }
        Ok(Some(Pending { id: entry.id.clone(), series: point.series, timestamp_ms: point.timestamp_ms, result }))
    }

    /// The cached state of a series, loaded from Redis (or fresh) on first use.
    fn series(&mut self, partition: u32, name: &str) -> Result<&mut Series, StreamsError> {
        let owned = self.owned.entry(partition).or_default();
        if !owned.series.contains_key(name) {
            let (bytes, last): (Option<Vec<u8>>, Option<String>) =
                redis::cmd("HMGET").arg(self.settings.layout.state(name)).arg("state").arg("last").query(&mut self.con)?;
            let state = match bytes {
                Some(bytes) => self.detector.load_state(&bytes),
                None => self.detector.new_state(),
            }
            .map_err(|e| StreamsError::State { series: name.to_string(), reason: e.to_string() })?;
            let last = last.as_deref().and_then(parse_id);
            owned.series.insert(name.to_string(), Series { state, last });
        }
        owned.series.get_mut(name).ok_or_else(|| StreamsError::State { series: name.to_string(), reason: "not cached".into() })
    }

    /// Writes the touched states and the outputs in one fenced script; `false` if the lease
    /// is lost or the outputs were already written.
    fn commit(&mut self, partition: u32, outputs: &[Pending]) -> Result<bool, StreamsError> {
        let layout = &self.settings.layout;
        let mut touched: Vec<&str> = outputs.iter().map(|o| o.series.as_str()).collect();
        touched.sort_unstable();
        touched.dedup();
        let mut invocation = self.commit.key(layout.lease(partition));
        invocation.key(layout.output(partition));
        invocation.arg(&self.settings.name).arg(self.settings.lease_ms).arg(touched.len());
        let owned = self.owned.get(&partition);
        for name in &touched {
            let series = owned.and_then(|o| o.series.get(*name));
            let series = series.ok_or_else(|| StreamsError::State { series: name.to_string(), reason: "not cached".into() })?;
            let bytes = series.state.save().map_err(|e| StreamsError::State { series: name.to_string(), reason: e.to_string() })?;
            let last = series.last.map(|(ms, seq)| format!("{ms}-{seq}")).unwrap_or_default();
            invocation.key(layout.state(name));
            invocation.arg(last).arg(bytes);
        }
        for output in outputs {
            let (field, text) = match &output.result {
                Ok(o) => ("output", format!("{} {} {} {} {}", o.probability, o.lower, o.upper, o.expected, o.confidence)),
                Err(message) => ("error", message.clone()),
            };
            invocation.arg(&output.id).arg(&output.series).arg(output.timestamp_ms).arg(field).arg(text);
        }
        let written: i64 = invocation.invoke(&mut self.con)?;
        Ok(written == 1)
    }

    /// Gives every lease back and leaves the workers' set, so others take over at once.
    fn leave(&mut self) -> Result<(), StreamsError> {
        let partitions: Vec<u32> = self.owned.keys().copied().collect();
        for partition in partitions {
            self.give_back(partition)?;
        }
        let _: i64 = redis::cmd("ZREM").arg(self.settings.layout.workers()).arg(&self.settings.name).query(&mut self.con)?;
        Ok(())
    }
}

struct PointOut {
    series: String,
    timestamp_ms: i64,
    value: f64,
}

fn point_of(stream: &str, entry: &StreamId) -> Result<(PointOut, (u64, u64)), StreamsError> {
    let bad = |reason: &str| StreamsError::BadEntry { stream: stream.to_string(), id: entry.id.clone(), reason: reason.to_string() };
    let series: String = entry.get("series").ok_or_else(|| bad("no `series` field"))?;
    let ts: String = entry.get("ts").ok_or_else(|| bad("no `ts` field"))?;
    let value: String = entry.get("value").ok_or_else(|| bad("no `value` field"))?;
    let timestamp_ms = ts.parse().map_err(|_| bad("`ts` is not an integer"))?;
    let value = value.parse().map_err(|_| bad("`value` is not a number"))?;
    let id = parse_id(&entry.id).ok_or_else(|| bad("its id is not a stream id"))?;
    Ok((PointOut { series, timestamp_ms, value }, id))
}
