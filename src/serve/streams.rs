//! Scale-out over Redis Streams: points are spread over `P` partition streams by a stable hash
//! of their series name, so all points of a series sit in one stream in arrival order; worker
//! processes (`sev worker`, [`worker`]) share the partitions through leases, one owner per
//! partition at a time, and keep each series' detector state in Redis.
//!
//! The keys of a deployment with prefix `sev` and partition `p` carry the hash tag `{p}`, so
//! everything one commit touches lives in one Redis Cluster slot:
//!
//! | key | type | holds |
//! |---|---|---|
//! | `sev:partitions` | string | `P`, fixed by the first producer or worker |
//! | `sev:{p}:in` | stream, group `workers` | points: `series`, `ts` (ms), `value` |
//! | `sev:{p}:lease` | string with a TTL | the id of the worker that owns partition `p` |
//! | `sev:{p}:state:SERIES` | hash | `state` (the detector's saved bytes), `last` (the last stream id applied) |
//! | `sev:{p}:out` | stream | one entry per applied point, with the id of its input entry: `series`, `ts`, then `output` (`probability lower upper expected confidence`) or `error` |
//! | `sev:{p}:queued:SERIES` | string | the timestamp of the series' last point queued by `sev serve --redis` ([`front`]) |
//! | `sev:workers` | sorted set | live workers, scored by their last heartbeat (ms) |
//!
//! Exactly-once effect on at-least-once delivery: a worker writes a batch's new states, their
//! `last` ids and its outputs in one Lua script, which first checks that the worker still holds
//! the lease (a fence against a paused ex-owner) and that the outputs are newer than the output
//! stream's last entry; only then does it XACK the batch. A point redelivered after a crash has
//! an id at or below its series' `last` and is acknowledged without being applied again.

pub mod front;
pub mod worker;

use redis::{Connection, RedisError};

/// The consumer group every partition stream is read with.
pub const GROUP: &str = "workers";

/// How many partitions a deployment has unless told otherwise.
pub const DEFAULT_PARTITIONS: u32 = 16;

/// The key names of one deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub prefix: String,
    pub partitions: u32,
}

impl Layout {
    pub fn new(prefix: &str, partitions: u32) -> Layout {
        Layout { prefix: prefix.to_string(), partitions }
    }

    /// The partition of a series: FNV-1a (64 bit) of its name, modulo `P`. Stable across builds
    /// and machines, unlike std's randomly seeded hasher.
    pub fn partition_of(&self, series: &str) -> u32 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in series.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        (hash % u64::from(self.partitions.max(1))) as u32
    }

    fn tag(&self, partition: u32) -> String {
        format!("{}:{{{partition}}}", self.prefix)
    }

    pub fn partitions_key(&self) -> String {
        format!("{}:partitions", self.prefix)
    }

    pub fn input(&self, partition: u32) -> String {
        format!("{}:in", self.tag(partition))
    }

    pub fn output(&self, partition: u32) -> String {
        format!("{}:out", self.tag(partition))
    }

    pub fn lease(&self, partition: u32) -> String {
        format!("{}:lease", self.tag(partition))
    }

    pub fn state(&self, series: &str) -> String {
        format!("{}:state:{series}", self.tag(self.partition_of(series)))
    }

    /// The timestamp of the last point queued for `series` by `sev serve --redis`.
    pub fn queued(&self, series: &str) -> String {
        format!("{}:queued:{series}", self.tag(self.partition_of(series)))
    }

    pub fn workers(&self) -> String {
        format!("{}:workers", self.prefix)
    }
}

/// What can go wrong between a producer or worker and Redis. Codes E0730–E0739.
#[derive(Debug, thiserror::Error)]
pub enum StreamsError {
    #[error("cannot reach Redis at {url}: {source}")]
    Connect { url: String, source: RedisError },
    #[error("Redis refused a command: {0}")]
    Redis(#[from] RedisError),
    #[error("the deployment `{prefix}` has {found} partitions in Redis, not {wanted}; use --partitions {found} or another --prefix")]
    Partitions { prefix: String, found: u32, wanted: u32 },
    #[error("stream entry {id} of {stream} is not a point: {reason}")]
    BadEntry { stream: String, id: String, reason: String },
    #[error("cannot load the detector: {0}")]
    Detector(String),
    #[error("the stored state of {series} is not a state of this detector: {reason}")]
    State { series: String, reason: String },
    #[error("cannot install the signal handlers: {0}")]
    Signals(String),
}

impl StreamsError {
    pub fn code(&self) -> &'static str {
        match self {
            StreamsError::Connect { .. } => "E0730",
            StreamsError::Redis(_) => "E0731",
            StreamsError::Partitions { .. } => "E0732",
            StreamsError::BadEntry { .. } => "E0733",
            StreamsError::Detector(_) => "E0734",
            StreamsError::State { .. } => "E0735",
            StreamsError::Signals(_) => "E0736",
        }
    }
}

/// Opens a connection, with the URL in the error when Redis cannot be reached.
pub fn connect(url: &str) -> Result<Connection, StreamsError> {
    let connect_error = |source| StreamsError::Connect { url: url.to_string(), source };
    let client = redis::Client::open(url).map_err(connect_error)?;
    client.get_connection().map_err(connect_error)
}

/// Records `P` on first use and checks it afterwards; creates every partition's group.
pub fn prepare(con: &mut Connection, layout: &Layout) -> Result<(), StreamsError> {
    let _: Option<String> = redis::cmd("SET").arg(layout.partitions_key()).arg(layout.partitions).arg("NX").query(con)?;
    let stored: String = redis::cmd("GET").arg(layout.partitions_key()).query(con)?;
    let found = stored.parse::<u32>().unwrap_or(0);
    if found != layout.partitions {
        return Err(StreamsError::Partitions { prefix: layout.prefix.clone(), found, wanted: layout.partitions });
    }
    for partition in 0..layout.partitions {
        create_group(con, &layout.input(partition))?;
    }
    Ok(())
}

fn create_group(con: &mut Connection, stream: &str) -> Result<(), StreamsError> {
    let created: Result<(), RedisError> =
        redis::cmd("XGROUP").arg("CREATE").arg(stream).arg(GROUP).arg("0").arg("MKSTREAM").query(con);
    match created {
        Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
        other => Ok(other?),
    }
}

/// One point bound for a partition stream.
#[derive(Clone, Debug, PartialEq)]
pub struct PointIn<'a> {
    pub series: &'a str,
    pub timestamp_ms: i64,
    pub value: f64,
}

/// Appends points to their partitions' streams in one round trip; returns their stream ids.
pub fn push(con: &mut Connection, layout: &Layout, points: &[PointIn<'_>]) -> Result<Vec<String>, StreamsError> {
    let mut pipe = redis::pipe();
    for point in points {
        pipe.cmd("XADD")
            .arg(layout.input(layout.partition_of(point.series)))
            .arg("*")
            .arg("series")
            .arg(point.series)
            .arg("ts")
            .arg(point.timestamp_ms)
            .arg("value")
            .arg(point.value.to_string());
    }
    Ok(pipe.query(con)?)
}

/// A detector's answer to one point as stored in an output stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// The id of the input entry (and of the output entry).
    pub id: String,
    pub series: String,
    pub timestamp_ms: i64,
    /// `probability lower upper expected confidence` as written, or the detector's fault.
    pub result: Result<String, String>,
}

/// Every output of every partition, in stream order per partition.
pub fn read_outputs(con: &mut Connection, layout: &Layout) -> Result<Vec<Applied>, StreamsError> {
    let mut all = Vec::new();
    for partition in 0..layout.partitions {
        let stream = layout.output(partition);
        let reply: redis::streams::StreamRangeReply = redis::cmd("XRANGE").arg(&stream).arg("-").arg("+").query(con)?;
        for entry in reply.ids {
            all.push(applied_of(&stream, entry)?);
        }
    }
    Ok(all)
}

fn applied_of(stream: &str, entry: redis::streams::StreamId) -> Result<Applied, StreamsError> {
    let bad = |reason: &str| StreamsError::BadEntry { stream: stream.to_string(), id: entry.id.clone(), reason: reason.to_string() };
    let series: String = entry.get("series").ok_or_else(|| bad("no `series` field"))?;
    let ts: String = entry.get("ts").ok_or_else(|| bad("no `ts` field"))?;
    let timestamp_ms = ts.parse().map_err(|_| bad("`ts` is not an integer"))?;
    let result = match (entry.get::<String>("output"), entry.get::<String>("error")) {
        (Some(output), _) => Ok(output),
        (None, Some(error)) => Err(error),
        (None, None) => return Err(bad("neither `output` nor `error`")),
    };
    Ok(Applied { id: entry.id.clone(), series, timestamp_ms, result })
}

/// A stream id `MS-SEQ` as a pair that orders like Redis orders ids.
pub fn parse_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_stable_and_spread() {
        let layout = Layout::new("sev", 16);
        // FNV-1a 64 of "cpu" is 0x..., fixed forever: a change would re-map stored series.
        assert_eq!(layout.partition_of("cpu"), layout.partition_of("cpu"));
        assert_eq!(layout.partition_of(""), (0xcbf2_9ce4_8422_2325u64 % 16) as u32);
        let used: std::collections::BTreeSet<u32> = (0..200).map(|i| layout.partition_of(&format!("s{i}"))).collect();
        assert_eq!(used.len(), 16);
    }

    #[test]
    fn keys_of_one_partition_share_a_hash_tag() {
        let layout = Layout::new("sev", 4);
        let p = layout.partition_of("cpu{host=\"a\"}");
        let tag = format!("sev:{{{p}}}:");
        for key in [layout.input(p), layout.output(p), layout.lease(p), layout.state("cpu{host=\"a\"}"), layout.queued("cpu{host=\"a\"}")] {
            assert!(key.starts_with(&tag), "{key}");
        }
    }

    #[test]
    fn stream_ids_order_numerically() {
        assert!(parse_id("10-0") > parse_id("9-5"));
        assert!(parse_id("5-10") > parse_id("5-9"));
        assert_eq!(parse_id("x-1"), None);
    }
}
