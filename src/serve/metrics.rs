//! `/metrics` in the Prometheus text exposition format 0.0.4: per series the last anomaly
//! probability, predictive band, expected value, confidence and alert state; per service the
//! points ingested, the series count and a histogram of push latencies.

use super::series::Service;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0];

/// A histogram of push request durations (cumulative when written).
#[derive(Default)]
pub struct Latency {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Latency {
    pub fn observe(&self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A float as Go's ParseFloat reads it.
fn number(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else {
        format!("{x}")
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The exposition of the series `visible` lets through, and of the service.
pub fn render(service: &Service, latency: &Latency, visible: impl Fn(&str) -> bool) -> String {
    let readings = service.readings(visible);
    let mut out = String::new();
    type Field = fn(&super::series::Reading) -> f64;
    let per_series: [(&str, &str, Field); 5] = [
        ("sev_anomaly_probability", "Probability that the last point of the series is anomalous.", |r| r.probability),
        ("sev_predictive_lower", "Lower end of the predictive band the last point was judged against.", |r| r.lower),
        ("sev_predictive_upper", "Upper end of the predictive band the last point was judged against.", |r| r.upper),
        ("sev_expected_value", "The value the detector expected for the last point.", |r| r.expected),
        ("sev_confidence", "The detector's confidence after the last point.", |r| r.confidence),
    ];
    for (name, help, field) in per_series {
        family(&mut out, name, "gauge", help);
        for (series, reading, _) in &readings {
            if let Some(r) = reading {
                let _ = writeln!(out, "{name}{{series=\"{}\"}} {}", escape(series), number(field(r)));
            }
        }
    }
    family(&mut out, "sev_alert_firing", "gauge", "1 while the series' anomaly alert is firing.");
    for (series, _, firing) in &readings {
        let _ = writeln!(out, "sev_alert_firing{{series=\"{}\"}} {}", escape(series), u8::from(*firing));
    }
    family(&mut out, "sev_points_ingested_total", "counter", "Points acknowledged by the service.");
    let _ = writeln!(out, "sev_points_ingested_total {}", service.counters.points.load(Ordering::Relaxed));
    family(&mut out, "sev_points_failed_total", "counter", "Points the detector refused (an exception).");
    let _ = writeln!(out, "sev_points_failed_total {}", service.counters.failed_points.load(Ordering::Relaxed));
    family(&mut out, "sev_series", "gauge", "Series kept by the service.");
    let _ = writeln!(out, "sev_series {}", service.len());
    family(&mut out, "sev_push_duration_seconds", "histogram", "Time to log, apply and answer a push request.");
    let mut cumulative = 0;
    for (bound, count) in BUCKETS.iter().zip(&latency.counts) {
        cumulative += count.load(Ordering::Relaxed);
        let _ = writeln!(out, "sev_push_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}");
    }
    let total = latency.count.load(Ordering::Relaxed);
    let _ = writeln!(out, "sev_push_duration_seconds_bucket{{le=\"+Inf\"}} {total}");
    let _ = writeln!(out, "sev_push_duration_seconds_sum {}", latency.sum_micros.load(Ordering::Relaxed) as f64 / 1e6);
    let _ = writeln!(out, "sev_push_duration_seconds_count {total}");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_values_are_escaped() {
        assert_eq!(super::escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(super::number(f64::INFINITY), "+Inf");
        assert_eq!(super::number(0.25), "0.25");
    }
}
