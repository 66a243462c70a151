//! S6: a mixed load at a fixed arrival rate against `jiceng serve` — new requests, steps on
//! open ones, list pages at the three levels, request details — with latency counted from
//! each arrival's scheduled instant.

use crate::city::City;
use crate::client::{Http, Outcome, Reply, open_loop};
use crate::load::Rng;
use crate::loop_http::{Created, STEPS, Tokens, new_request, step_call};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// (kind, weight in percent).
pub const MIX: &[(&str, u64)] = &[
    ("create", 10),
    ("step", 25),
    ("list_community", 25),
    ("list_street", 15),
    ("list_district", 5),
    ("detail", 20),
];

struct Shared {
    http: Http,
    city: City,
    tokens: Tokens,
    queue: Mutex<VecDeque<(Created, usize)>>,
    max_id: i64,
}

async fn one(s: Arc<Shared>, n: u64) -> (&'static str, Result<Reply, String>) {
    let mut rng = Rng::new(n.wrapping_mul(7919) + 13);
    let w: Vec<u64> = MIX.iter().map(|(_, w)| *w).collect();
    let mut kind = MIX[rng.weighted(&w)].0;
    if kind == "step" {
        let next = s.queue.lock().expect("lock").pop_front();
        if let Some((c, step)) = next {
            let (body, token) = step_call(&s.tokens, &c, step);
            let r = s
                .http
                .post(&format!("/api/v1/requests/{}/actions", c.id), token, body)
                .await;
            if matches!(&r, Ok(reply) if reply.ok()) && step + 1 < STEPS.len() {
                s.queue.lock().expect("lock").push_front((c, step + 1));
            }
            return (kind, r);
        }
        kind = "create";
    }
    let r = match kind {
        "create" => {
            let c = rng.below(s.tokens.grid_workers.len());
            let (body, street, dept) = new_request(&s.city, c, n + 1_000_000_000);
            let r = s
                .http
                .post("/api/v1/requests", &s.tokens.grid_workers[c], body)
                .await;
            if let Ok(reply) = &r
                && let Some(id) = reply.json()["id"].as_i64()
            {
                s.queue
                    .lock()
                    .expect("lock")
                    .push_back((Created { id, street, dept }, 0));
            }
            r
        }
        "list_community" => s.http.get("/api/v1/requests", &s.tokens.community).await,
        "list_street" => s.http.get("/api/v1/requests", &s.tokens.street).await,
        "list_district" => s.http.get("/api/v1/requests", &s.tokens.district).await,
        _ => {
            let id = rng.range(1, s.max_id.max(1));
            s.http
                .get(&format!("/api/v1/requests/{id}"), &s.tokens.district)
                .await
        }
    };
    (kind, r)
}

/// Runs the mix at `rate` arrivals per second for `duration`. `pending` are requests left
/// half-way by S2, taken first by the "step" share.
pub async fn s6(
    http: &Http,
    city: &City,
    tokens: &Tokens,
    pending: Vec<(Created, usize)>,
    max_id: i64,
    rate: f64,
    duration: Duration,
) -> BTreeMap<&'static str, Outcome> {
    let shared = Arc::new(Shared {
        http: http.clone(),
        city: city.clone(),
        tokens: tokens.clone(),
        queue: Mutex::new(pending.into()),
        max_id,
    });
    open_loop(rate, duration, 512, move |n| one(shared.clone(), n)).await
}

/// All kinds together.
pub fn overall(by_kind: &BTreeMap<&'static str, Outcome>) -> crate::stats::Samples {
    let mut all = crate::stats::Samples::default();
    for o in by_kind.values() {
        all.merge(o.client.clone());
    }
    all
}

/// The failures of all kinds together, by their commonest cause.
pub fn errors_note(by_kind: &BTreeMap<&'static str, Outcome>) -> String {
    let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
    let mut total = 0;
    for o in by_kind.values() {
        total += o.client.errors;
        for (k, n) in &o.error_kinds {
            *kinds.entry(k.as_str()).or_default() += n;
        }
    }
    match kinds.iter().max_by_key(|(_, n)| **n) {
        None => String::new(),
        Some((kind, _)) => format!("; **{total} errors** (mostly {kind})"),
    }
}
