//! Alerts with hysteresis, sent as Alertmanager webhooks (payload version 4), so an existing
//! Alertmanager setup (or anything that takes its webhooks) can route them.
//!
//! Per series, an alert *fires* on the first point whose anomaly probability reaches `up`; its
//! confidence is that probability, raised to the highest seen while it stays open. It
//! *resolves* only after `calm` consecutive points below `down`, so a flapping signal raises
//! one alert, not one per peak (the rules of detector 3, docs/anomaly.md). Each change is one
//! POST whose top-level and alert `status` is `firing` or `resolved`; the alert's labels are
//! `alertname="SevAnomaly"` and `series`, its annotations `probability`, `confidence` and
//! `summary`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const ALERT_NAME: &str = "SevAnomaly";

/// The hysteresis rule.
#[derive(Clone, Copy, Debug)]
pub struct Hysteresis {
    pub up: f64,
    pub down: f64,
    pub calm: u32,
}

/// A series' alert, saved with its checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertState {
    pub firing: bool,
    pub confidence: f64,
    pub started_ms: i64,
    calm_run: u32,
}

/// An alert that fired or resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub series: String,
    pub resolved: bool,
    /// The probability of the point that changed the alert.
    pub probability: f64,
    pub confidence: f64,
    pub starts_ms: i64,
    pub ends_ms: Option<i64>,
}

impl AlertState {
    /// Takes one point's probability; the event, when the alert fired or resolved.
    pub fn observe(&mut self, rule: &Hysteresis, series: &str, timestamp_ms: i64, probability: f64) -> Option<Event> {
        if !self.firing {
            if probability < rule.up {
                return None;
            }
            *self = AlertState { firing: true, confidence: probability, started_ms: timestamp_ms, calm_run: 0 };
            return Some(self.event(series, probability, None));
        }
        self.confidence = self.confidence.max(probability);
        self.calm_run = if probability < rule.down { self.calm_run + 1 } else { 0 };
        if self.calm_run < rule.calm {
            return None;
        }
        self.firing = false;
        self.calm_run = 0;
        Some(self.event(series, probability, Some(timestamp_ms)))
    }

    fn event(&self, series: &str, probability: f64, ends_ms: Option<i64>) -> Event {
        Event { series: series.to_string(), resolved: ends_ms.is_some(), probability, confidence: self.confidence, starts_ms: self.started_ms, ends_ms }
    }
}

/// The webhook body Alertmanager would send for `event` (version 4).
pub fn webhook(event: &Event, external_url: &str) -> serde_json::Value {
    let status = if event.resolved { "resolved" } else { "firing" };
    let labels = serde_json::json!({"alertname": ALERT_NAME, "series": event.series});
    let annotations = serde_json::json!({
        "probability": format!("{}", event.probability),
        "confidence": format!("{}", event.confidence),
        "summary": format!("series {} is anomalous (probability {:.3}, confidence {:.3})", event.series, event.probability, event.confidence),
    });
    let alert = serde_json::json!({
        "status": status,
        "labels": labels,
        "annotations": annotations,
        "startsAt": rfc3339(event.starts_ms),
        // Alertmanager's zero time for an alert still firing.
        "endsAt": event.ends_ms.map_or_else(|| "0001-01-01T00:00:00Z".to_string(), rfc3339),
        "generatorURL": external_url,
        "fingerprint": fingerprint(&event.series),
    });
    serde_json::json!({
        "version": "4",
        "groupKey": format!("{{}}:{{alertname=\"{ALERT_NAME}\", series={:?}}}", event.series),
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "sev",
        "groupLabels": labels,
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": external_url,
        "alerts": [alert],
    })
}

/// 16 hex digits identifying the alert of a series (stable across restarts).
fn fingerprint(series: &str) -> String {
    let digest = Sha256::digest(format!("{ALERT_NAME}\0{series}").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// `2024-01-01T00:05:00.000Z` for milliseconds since 1970 (UTC, proleptic Gregorian).
pub fn rfc3339(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let (h, m, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

/// Howard Hinnant's `civil_from_days`: the date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// POSTs `body` as JSON to an `http://` URL (a small HTTP/1.1 client: alerts go to a local
/// Alertmanager or relay); Ok when the answer is 2xx.
pub async fn post_json(url: &str, body: &serde_json::Value) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only http:// alert URLs are supported"))?;
    let (authority, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    let payload = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    let request = format!("POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nUser-Agent: sev-serve\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", payload.len());
    let connect = tokio::net::TcpStream::connect(authority);
    let mut stream = tokio::time::timeout(std::time::Duration::from_secs(5), connect).await.map_err(|_| format!("{url}: connection timed out"))?.map_err(|e| format!("{url}: {e}"))?;
    stream.write_all(request.as_bytes()).await.map_err(|e| format!("{url}: {e}"))?;
    stream.write_all(&payload).await.map_err(|e| format!("{url}: {e}"))?;
    let mut head = [0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut head)).await.map_err(|_| format!("{url}: no answer"))?.map_err(|e| format!("{url}: {e}"))?;
    let status_line = String::from_utf8_lossy(&head[..n]);
    let code = status_line.split_whitespace().nth(1).unwrap_or("");
    if code.starts_with('2') { Ok(()) } else { Err(format!("{url} answered {}", status_line.lines().next().unwrap_or("nothing"))) }
}

/// Starts the task that delivers events in order, retrying each up to five times.
pub fn spawn_sender(url: String, external_url: String) -> tokio::sync::mpsc::UnboundedSender<Event> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            let body = webhook(&event, &external_url);
            for attempt in 0..5u32 {
                match post_json(&url, &body).await {
                    Ok(()) => break,
                    Err(e) => {
                        eprintln!("sev serve: alert for {} not delivered (attempt {}): {e}", event.series, attempt + 1);
                        tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await;
                    }
                }
            }
        }
    });
    tx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flapping_signal_raises_one_alert_that_resolves_after_the_calm_run() {
        let rule = Hysteresis { up: 0.5, down: 0.1, calm: 3 };
        let mut state = AlertState::default();
        let ps = [0.0, 0.9, 0.3, 0.95, 0.05, 0.05, 0.6, 0.05, 0.05, 0.05, 0.7];
        let events: Vec<(usize, Event)> = ps.iter().enumerate().filter_map(|(i, p)| state.observe(&rule, "s", i as i64 * 1000, *p).map(|e| (i, e))).collect();
        assert_eq!(events.len(), 3, "{events:?}");
        assert_eq!((events[0].0, events[0].1.resolved, events[0].1.confidence), (1, false, 0.9));
        assert_eq!((events[1].0, events[1].1.resolved, events[1].1.confidence, events[1].1.ends_ms), (9, true, 0.95, Some(9000)));
        assert_eq!((events[2].0, events[2].1.resolved), (10, false));
    }

    #[test]
    fn timestamps_are_rfc3339_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_704_067_500_123), "2024-01-01T00:05:00.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
