//! Prometheus metrics in the text exposition format: requests and latency per route (by the
//! matched path, never the raw URL, so ids do not make new series), and, read from the house at
//! each scrape, claims by status, open alerts and cases, the age of the lists, cycle durations.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
pub const LATENCY_BUCKETS_S: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Upper bounds of the cycle-duration buckets, in seconds.
pub const CYCLE_BUCKETS_S: [f64; 8] = [0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0];
/// Most (method, route) series kept: routes are a fixed set, so this is only a safety net.
pub const SERIES_MAX: usize = 1_000;

#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: Vec<u64>,
    sum_s: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], seconds: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; bounds.len()];
        }
        for (i, bound) in bounds.iter().enumerate() {
            if seconds <= *bound {
                self.counts[i] += 1;
            }
        }
        self.sum_s += seconds;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, bound) in bounds.iter().enumerate() {
            let n = self.counts.get(i).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum_s);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Debug, Default)]
struct Series {
    /// Requests by status code.
    by_status: BTreeMap<u16, u64>,
    latency: Histogram,
}

/// The server's own counters.
#[derive(Debug, Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), Series>>,
    cycles: Mutex<Histogram>,
}

/// Escapes a label value.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Counts one request of `route` (the matched path) answered with `status` after `elapsed`.
    pub fn request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut routes = self
            .routes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (method.to_owned(), route.to_owned());
        if routes.len() >= SERIES_MAX && !routes.contains_key(&key) {
            return;
        }
        let series = routes.entry(key).or_default();
        *series.by_status.entry(status).or_default() += 1;
        series
            .latency
            .observe(&LATENCY_BUCKETS_S, elapsed.as_secs_f64());
    }

    /// Records how long a cycle run took.
    pub fn cycle(&self, elapsed: Duration) {
        self.cycles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .observe(&CYCLE_BUCKETS_S, elapsed.as_secs_f64());
    }

    /// The server's counters, in the text format.
    pub fn render(&self, out: &mut String) {
        let routes = self
            .routes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        out.push_str("# HELP clearhouse_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE clearhouse_http_requests_total counter\n");
        for ((method, route), series) in routes.iter() {
            for (status, n) in &series.by_status {
                let _ = writeln!(
                    out,
                    "clearhouse_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    label(method),
                    label(route)
                );
            }
        }
        out.push_str("# HELP clearhouse_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE clearhouse_http_request_duration_seconds histogram\n");
        for ((method, route), series) in routes.iter() {
            let labels = format!("method=\"{}\",route=\"{}\"", label(method), label(route));
            series.latency.render(
                out,
                "clearhouse_http_request_duration_seconds",
                &labels,
                &LATENCY_BUCKETS_S,
            );
        }
        drop(routes);
        out.push_str("# HELP clearhouse_cycle_duration_seconds Time a cycle run took.\n");
        out.push_str("# TYPE clearhouse_cycle_duration_seconds histogram\n");
        self.cycles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .render(
                out,
                "clearhouse_cycle_duration_seconds",
                "",
                &CYCLE_BUCKETS_S,
            );
    }
}

/// One gauge family with one label.
pub fn gauge(out: &mut String, name: &str, help: &str, label_name: &str, values: &[(String, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (value_label, v) in values {
        let _ = writeln!(out, "{name}{{{label_name}=\"{}\"}} {v}", label(value_label));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_has_every_series_and_bucket() {
        let m = Metrics::default();
        m.request("GET", "/api/v1/claims/{id}", 200, Duration::from_millis(3));
        m.request("GET", "/api/v1/claims/{id}", 404, Duration::from_millis(30));
        let mut out = String::new();
        m.render(&mut out);
        assert!(out.contains(
            "clearhouse_http_requests_total{method=\"GET\",route=\"/api/v1/claims/{id}\",status=\"404\"} 1"
        ));
        assert!(out.contains("le=\"0.005\"} 1\n"), "{out}");
        assert!(out.contains("le=\"+Inf\"} 2\n"), "{out}");
        assert!(out.contains("clearhouse_cycle_duration_seconds_count{} 0"));
    }
}
