//! Latency samples and their percentiles (nearest rank, so every reported value is a
//! latency that was actually observed).

use std::future::Future;
use std::time::{Duration, Instant};

/// Observed latencies of one operation.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    values: Vec<Duration>,
}

/// p50, p99 and max of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub n: usize,
}

impl Samples {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            values: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, d: Duration) {
        self.values.push(d);
    }

    pub fn extend(&mut self, other: &Samples) {
        self.values.extend_from_slice(&other.values);
    }

    /// Times one awaited operation and records it; returns the operation's output.
    pub async fn time<T, F: Future<Output = T>>(&mut self, op: F) -> T {
        let started = Instant::now();
        let out = op.await;
        self.push(started.elapsed());
        out
    }

    /// The nearest-rank `p` percentile (0.95 is p95); `None` when nothing was measured.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let mut v = self.values.clone();
        v.sort_unstable();
        let n = v.len();
        (n > 0).then(|| v[((p * n as f64).ceil() as usize).clamp(1, n) - 1])
    }

    /// Nearest-rank percentiles; `None` when nothing was measured.
    pub fn summary(&self) -> Option<Summary> {
        let mut v = self.values.clone();
        v.sort_unstable();
        let n = v.len();
        let rank = |p: f64| v[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
        (n > 0).then(|| Summary {
            p50: rank(0.50),
            p99: rank(0.99),
            max: v[n - 1],
            n,
        })
    }
}

/// A duration the way the table shows it: µs below 1 ms, ms below 10 s, else s.
pub fn fmt_duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.1} µs")
    } else if us < 10_000_000.0 {
        format!("{:.2} ms", us / 1_000.0)
    } else {
        format!("{:.1} s", us / 1_000_000.0)
    }
}

/// Bytes as MiB with two decimals.
pub fn fmt_bytes(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::default();
        for i in 1..=100 {
            s.push(Duration::from_micros(i));
        }
        let sum = s.summary().expect("100 samples");
        assert_eq!(sum.p50, Duration::from_micros(50));
        assert_eq!(sum.p99, Duration::from_micros(99));
        assert_eq!(sum.max, Duration::from_micros(100));
        assert_eq!(sum.n, 100);
        assert!(Samples::default().summary().is_none());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(fmt_duration(Duration::from_nanos(12_340)), "12.3 µs");
        assert_eq!(fmt_duration(Duration::from_micros(4_560)), "4.56 ms");
    }
}
