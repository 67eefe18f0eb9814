//! `sev serve`: anomaly detection as a service (docs/service.md). Points arrive over HTTP or
//! Prometheus remote-write (`remote_write`) and may be spread over worker processes through
//! Redis Streams (`streams`).

pub mod remote_write;
