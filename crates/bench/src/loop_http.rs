//! S1–S3 over HTTP against a server: durable creates with auto-dispatch, state transitions,
//! and the scoped list's first page at community, street and district level.

use crate::city::{City, PASSWORD};
use crate::client::{Budget, Http, Outcome, closed_loop};
use crate::load::Rng;
use crate::stats::Samples;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// API tokens of the accounts the scenarios act as.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub grid_workers: Vec<String>,
    pub desks: Vec<String>,
    pub depts: Vec<String>,
    pub community: String,
    pub street: String,
    pub district: String,
}

pub async fn sign_in(http: &Http, city: &City) -> Result<Tokens, String> {
    let mut grid_workers = Vec::new();
    for (login, _) in &city.grid_workers {
        grid_workers.push(http.login(login, PASSWORD).await?);
    }
    let mut desks = Vec::new();
    for login in &city.dispatchers {
        desks.push(http.login(login, PASSWORD).await?);
    }
    let mut depts = Vec::new();
    for d in &city.depts {
        depts.push(http.login(&d.staff_login, PASSWORD).await?);
    }
    Ok(Tokens {
        grid_workers,
        desks,
        depts,
        community: http.login(&city.community_worker, PASSWORD).await?,
        street: http.login(&city.street_staff, PASSWORD).await?,
        district: http.login(&city.district_admin, PASSWORD).await?,
    })
}

/// A request the load created, with who acts on it next.
#[derive(Debug, Clone, Copy)]
pub struct Created {
    pub id: i64,
    pub street: usize,
    pub dept: usize,
}

/// The body of a new request by client `c`, the `n`-th operation of the run.
pub fn new_request(city: &City, c: usize, n: u64) -> (String, usize, usize) {
    let simple: Vec<&crate::city::Cat> = city.categories.iter().filter(|c| c.simple).collect();
    let mut rng = Rng::new(n + 1);
    let cat = simple[rng.below(simple.len())];
    let grid = &city.grids[city.grid_workers[c % city.grid_workers.len()].1];
    let body = serde_json::json!({
        "category_id": cat.id,
        "place_node_id": grid.place.id,
        "description": format!("{}：{}巡查发现问题（压测 #{n}），请尽快处理", cat.name, grid.place.name),
        "answers": {},
    })
    .to_string();
    (body, grid.street, cat.dept)
}

#[derive(Debug, Default)]
pub struct S1 {
    pub outcome: Outcome,
    pub created: Vec<Created>,
    /// Created but not dispatched at once: the routing rule did not apply.
    pub not_dispatched: u64,
}

/// S1: `clients` grid workers submit requests that a routing rule dispatches at once.
pub async fn s1_create(
    https: &[Http],
    city: &City,
    tokens: &Tokens,
    clients: usize,
    budget: Budget,
) -> S1 {
    let created = Arc::new(Mutex::new(Vec::new()));
    let missed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (hs, city2, toks) = (https.to_vec(), Arc::new(city.clone()), tokens.clone());
    let (c2, m2) = (created.clone(), missed.clone());
    let outcome = closed_loop(clients, budget, move |c, n| {
        let (h, city, toks, created, missed) = (
            hs[c % hs.len()].clone(),
            city2.clone(),
            toks.clone(),
            c2.clone(),
            m2.clone(),
        );
        async move {
            let (body, street, dept) = new_request(&city, c, n);
            let token = &toks.grid_workers[c % toks.grid_workers.len()];
            let r = h.post("/api/v1/requests", token, body).await;
            if let Ok(reply) = &r
                && reply.status == 201
            {
                let v = reply.json();
                if v["status"] != "dispatched" {
                    missed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                if let Some(id) = v["id"].as_i64() {
                    created
                        .lock()
                        .expect("lock")
                        .push(Created { id, street, dept });
                }
            }
            Some(r)
        }
    })
    .await;
    let created = std::mem::take(&mut *created.lock().expect("lock"));
    S1 {
        outcome,
        created,
        not_dispatched: missed.load(std::sync::atomic::Ordering::Relaxed),
    }
}

/// The loop a dispatched request goes through after S1, and who takes each step.
pub const STEPS: [(&str, bool); 4] = [
    ("claim", false),
    ("resolve", false),
    ("verify", true),
    ("close", true),
];

/// The body of step `step`, and the token that takes it (the desk's or the unit's).
pub fn step_call<'a>(tokens: &'a Tokens, c: &Created, step: usize) -> (String, &'a str) {
    let (action, desk) = STEPS[step];
    let token = if desk {
        &tokens.desks[c.street]
    } else {
        &tokens.depts[c.dept]
    };
    let note = if action == "resolve" {
        "已到现场处置完毕"
    } else {
        ""
    };
    (
        serde_json::json!({"action": action, "note": note}).to_string(),
        token,
    )
}

#[derive(Debug, Default)]
pub struct S2 {
    pub outcome: Outcome,
    /// Server time by action.
    pub by_action: BTreeMap<&'static str, Samples>,
    pub closed: u64,
    /// Requests not yet closed when the run ended, with their next step.
    pub left: Vec<(Created, usize)>,
}

/// S2: the requests S1 created are claimed and resolved by their unit, verified and closed by
/// their desk. Each client takes the request at the head of a shared queue and puts it back at
/// the head with its next step, so requests run through their loop while the rest wait, as on a
/// desk working through its queue.
pub async fn s2_transitions(
    https: &[Http],
    tokens: &Tokens,
    created: &[Created],
    clients: usize,
    budget: Budget,
) -> S2 {
    let queue: Arc<Mutex<VecDeque<(Created, usize)>>> =
        Arc::new(Mutex::new(created.iter().map(|c| (*c, 0)).collect()));
    let by_action: Arc<Mutex<BTreeMap<&'static str, Samples>>> = Arc::default();
    let closed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (hs, toks, q2, b2, cl2) = (
        https.to_vec(),
        tokens.clone(),
        queue.clone(),
        by_action.clone(),
        closed.clone(),
    );
    let outcome = closed_loop(clients, budget, move |c, _| {
        let (h, toks, queue, by_action, closed) = (
            hs[c % hs.len()].clone(),
            toks.clone(),
            q2.clone(),
            b2.clone(),
            cl2.clone(),
        );
        async move {
            let (c, step) = queue.lock().expect("lock").pop_front()?;
            let (body, token) = step_call(&toks, &c, step);
            let r = h
                .post(&format!("/api/v1/requests/{}/actions", c.id), token, body)
                .await;
            if let Ok(reply) = &r
                && reply.ok()
            {
                if let Some(us) = reply.server_us {
                    by_action
                        .lock()
                        .expect("lock")
                        .entry(STEPS[step].0)
                        .or_default()
                        .push_us(us);
                }
                if step + 1 < STEPS.len() {
                    queue.lock().expect("lock").push_front((c, step + 1));
                } else {
                    closed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            Some(r)
        }
    })
    .await;
    let by_action = std::mem::take(&mut *by_action.lock().expect("lock"));
    let left = queue.lock().expect("lock").drain(..).collect();
    S2 {
        outcome,
        by_action,
        closed: closed.load(std::sync::atomic::Ordering::Relaxed),
        left,
    }
}

/// The three levels of S3: (label, token).
pub fn s3_levels(t: &Tokens) -> [(&'static str, String); 3] {
    [
        ("community", t.community.clone()),
        ("street", t.street.clone()),
        ("district", t.district.clone()),
    ]
}

#[derive(Debug)]
pub struct S3Level {
    pub level: &'static str,
    pub outcome: Outcome,
    /// `total` of the list: how many requests the level sees.
    pub visible: i64,
    /// The size of the first answer's body.
    pub bytes: usize,
}

/// S3: the first page of `GET /api/v1/requests` as a community worker, street staff and a
/// district administrator, each from `clients` clients for `per_level`.
pub async fn s3_lists(
    https: &[Http],
    tokens: &Tokens,
    clients: usize,
    per_level: Duration,
) -> Vec<S3Level> {
    let mut out = by_level(
        https,
        s3_levels(tokens),
        clients,
        per_level,
        "/api/v1/requests",
    )
    .await;
    // And a street dispatch desk's own work list, which reads the open requests by their
    // partial index (it read the whole table while that index went unused).
    if let Some(desk) = tokens.desks.first() {
        let queue = [(S3_QUEUE, desk.clone())];
        let path = "/api/v1/requests?view=queue";
        out.extend(by_level(https, queue, clients, per_level, path).await);
    }
    out
}

/// The label of S3's row for a street desk's queue.
pub const S3_QUEUE: &str = "street desk queue";

/// S4: the dashboard's figures and rates (`GET /api/v1/rates`: the place at the top of the
/// caller's scope and a ranked row per place under it) at the same three levels.
pub async fn s4_dashboards(
    https: &[Http],
    tokens: &Tokens,
    clients: usize,
    per_level: Duration,
) -> Vec<S3Level> {
    by_level(
        https,
        s3_levels(tokens),
        clients,
        per_level,
        "/api/v1/rates",
    )
    .await
}

/// The label of the public board's row.
pub const BOARD: &str = "public board";

/// The pages people open, HTML rather than the JSON behind them (a page of 1.5–3.8 s once hid
/// behind a JSON of 0.5 ms): the dashboard page at the three levels — its figures, the
/// by-category chart, the rankings, the heat map and twelve months of trend — and the public
/// board of everywhere, which anyone may open.
pub async fn pages(
    https: &[Http],
    tokens: &Tokens,
    clients: usize,
    per_level: Duration,
) -> Vec<S3Level> {
    let mut out = by_level(https, s3_levels(tokens), clients, per_level, "/dashboard").await;
    // Signed out: the board reads no session.
    let anyone = [(BOARD, String::new())];
    out.extend(by_level(https, anyone, clients, per_level, "/public/board").await);
    out
}

async fn by_level<const N: usize>(
    https: &[Http],
    levels: [(&'static str, String); N],
    clients: usize,
    per_level: Duration,
    path: &'static str,
) -> Vec<S3Level> {
    let mut out = Vec::new();
    for (level, token) in levels {
        let first = https[0].get(path, &token).await;
        let bytes = first.as_ref().map(|r| r.body.len()).unwrap_or(0);
        let visible = match first {
            Ok(r) if r.ok() => {
                let v = r.json();
                // A list's total, or the dashboard's count of submitted requests.
                v["total"].as_i64().unwrap_or_else(|| {
                    v["total"]["figures"]
                        .as_array()
                        .and_then(|f| f.iter().find(|x| x["metric"] == "submitted"))
                        .and_then(|x| x["value"].as_i64())
                        .unwrap_or(-1)
                })
            }
            _ => -1,
        };
        let hs = https.to_vec();
        let outcome = closed_loop(
            clients,
            Budget {
                duration: per_level,
                max_ops: u64::MAX,
            },
            move |c, _| {
                let (h, token) = (hs[c % hs.len()].clone(), token.clone());
                async move { Some(h.get(path, &token).await) }
            },
        )
        .await;
        out.push(S3Level {
            level,
            outcome,
            visible,
            bytes,
        });
    }
    out
}
