//! Latency samples and their summary. Every sample is kept (a million `u32` microseconds is
//! 4 MB), so percentiles are exact rather than bucketed.

use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Default, Clone)]
pub struct Samples {
    us: Vec<u32>,
    pub errors: u64,
}

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.us.push(d.as_micros().min(u128::from(u32::MAX)) as u32);
    }
    pub fn push_us(&mut self, us: u64) {
        self.us.push(us.min(u64::from(u32::MAX)) as u32);
    }
    pub fn merge(&mut self, other: Samples) {
        self.us.extend(other.us);
        self.errors += other.errors;
    }
    pub fn len(&self) -> usize {
        self.us.len()
    }
    pub fn is_empty(&self) -> bool {
        self.us.is_empty()
    }

    /// Count, rate over `elapsed`, and percentiles in milliseconds.
    pub fn summary(&self, elapsed: Duration) -> Summary {
        let mut v = self.us.clone();
        v.sort_unstable();
        let pct = |p: f64| -> f64 {
            if v.is_empty() {
                return 0.0;
            }
            let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
            f64::from(v[i.min(v.len() - 1)]) / 1000.0
        };
        let secs = elapsed.as_secs_f64().max(1e-9);
        Summary {
            count: v.len() as u64,
            errors: self.errors,
            seconds: round3(secs),
            per_second: round1(v.len() as f64 / secs),
            p50_ms: round3(pct(50.0)),
            p90_ms: round3(pct(90.0)),
            p99_ms: round3(pct(99.0)),
            max_ms: round3(v.last().map_or(0.0, |m| f64::from(*m) / 1000.0)),
            mean_ms: round3(if v.is_empty() {
                0.0
            } else {
                v.iter().map(|x| f64::from(*x)).sum::<f64>() / v.len() as f64 / 1000.0
            }),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub count: u64,
    pub errors: u64,
    pub seconds: f64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_taken_from_the_sorted_samples() {
        let mut s = Samples::default();
        for ms in (1..=100).rev() {
            s.push(Duration::from_millis(ms));
        }
        s.errors = 2;
        let m = s.summary(Duration::from_secs(2));
        assert_eq!(m.count, 100);
        assert_eq!(m.errors, 2);
        assert_eq!(m.per_second, 50.0);
        assert_eq!(m.p50_ms, 51.0);
        assert_eq!(m.p99_ms, 99.0);
        assert_eq!(m.max_ms, 100.0);
        assert_eq!(m.mean_ms, 50.5);
        assert_eq!(
            Samples::default().summary(Duration::from_secs(1)).p99_ms,
            0.0
        );
    }
}
