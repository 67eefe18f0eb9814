//! `sev serve`: anomaly detection as a service (docs/service.md). Detectors compiled by
//! `sev build --lib` are hosted per series (`detector`); points arrive over HTTP or Prometheus
//! remote-write (`remote_write`) and leave as probabilities, Prometheus metrics and
//! Alertmanager webhooks.

pub mod detector;
pub mod remote_write;
pub mod streams;
