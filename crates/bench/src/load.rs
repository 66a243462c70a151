//! Two years of history for the synthetic city, bulk-loaded through
//! `jiceng_store::requests::history` (multi-row inserts, one transaction per batch): about 5 %
//! of requests still open, the rest closed (a few declined or withdrawn), each with its whole
//! timeline, its lead unit and the overdue events its passed deadlines raised. Open requests'
//! deadlines lie at least a day ahead or already passed (and flagged), so nothing the history
//! holds falls due while the scenarios run.

mod past;
mod rng;

pub use past::past_request;
pub use rng::Rng;

use crate::city::City;
use chrono::{SubsecRound, Utc};
use jiceng_store::requests::history::{self, PastRequest};
use jiceng_store::{Actor, Db};
use std::time::Instant;

/// Requests per transaction.
pub const BATCH: usize = 5_000;

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Loaded {
    pub requests: u64,
    pub seconds: f64,
    pub per_second: f64,
}

/// Loads `n` past requests; `progress` is told the count after every batch.
pub async fn load(
    db: &Db,
    city: &City,
    n: u64,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> Result<Loaded, String> {
    let t = Instant::now();
    let now = Utc::now().trunc_subsecs(6);
    let actor = Actor::system("bench", now);
    let mut rng = Rng::new(seed);
    let mut done = 0;
    while done < n {
        let take = (n - done).min(BATCH as u64);
        let batch: Vec<PastRequest> = (done..done + take)
            .map(|i| past_request(city, &mut rng, i, n, now))
            .collect();
        history::insert(db, &actor, &batch)
            .await
            .map_err(|e| format!("loading history: {e}"))?;
        done += take;
        progress(done);
    }
    let secs = t.elapsed().as_secs_f64();
    Ok(Loaded {
        requests: n,
        seconds: crate::stats::round1(secs),
        per_second: crate::stats::round1(n as f64 / secs.max(1e-9)),
    })
}

#[cfg(test)]
mod tests {
    use super::past::{path_to, status_for};
    use super::*;
    use jiceng_core::requests::Status;

    #[test]
    fn every_path_starts_with_submission_and_ends_in_its_status() {
        for s in Status::ALL {
            let p = path_to(*s);
            assert_eq!(p[0].0, "submit");
            assert_eq!(p.last().unwrap().2, *s, "{s:?}");
            for w in p.windows(2) {
                assert_eq!(w[1].1, Some(w[0].2), "{s:?}: steps chain");
            }
        }
    }

    #[test]
    fn about_five_percent_stay_open() {
        let mut rng = Rng::new(7);
        let n = 200_000;
        let open = (0..n)
            .filter(|i| {
                let age = 730 - (*i * 730 / n);
                status_for(&mut rng, age).is_open()
            })
            .count();
        let pct = open as f64 * 100.0 / n as f64;
        assert!((3.5..7.0).contains(&pct), "{pct:.1} % open");
    }
}
