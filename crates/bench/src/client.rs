//! The load side: a plain HTTP/1.1 client (hyper-util, already in the tree), a closed-loop
//! driver (N clients, each waiting for its answer before sending the next request) and an
//! open-loop driver (arrivals on a fixed schedule; latency counted from the scheduled instant,
//! so a slow server cannot hide its queue by slowing the client down).

use crate::stats::Samples;
use axum::body::Bytes;
use axum::http::{Method, Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The header the in-process server adds: microseconds spent inside the router.
pub const SERVER_TIME: &str = "x-bench-server-us";

#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    pub base: String,
    /// A call taking longer fails with "timeout" (and the connection is dropped).
    timeout: Duration,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Bytes,
    /// Time inside the server's router, when the server reports it.
    pub server_us: Option<u64>,
    pub elapsed: Duration,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Http {
    pub fn new(base: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(1024)
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
            timeout: Duration::from_secs(30),
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<Reply, String> {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(s) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from(s))),
            None => b.body(Full::new(Bytes::new())),
        }
        .map_err(|e| e.to_string())?;
        let t = Instant::now();
        let call = async {
            let res = self.client.request(req).await.map_err(|e| e.to_string())?;
            let status = res.status().as_u16();
            let server_us = res
                .headers()
                .get(SERVER_TIME)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok());
            let body = res
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok(Reply {
                status,
                body,
                server_us,
                elapsed: t.elapsed(),
            })
        };
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| format!("timeout after {} s", self.timeout.as_secs()))?
    }

    /// A GET as the holder of `token`; signed out when it is empty.
    pub async fn get(&self, path: &str, token: &str) -> Result<Reply, String> {
        let token = (!token.is_empty()).then_some(token);
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: String) -> Result<Reply, String> {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Signs in and returns the API token.
    pub async fn login(&self, login: &str, password: &str) -> Result<String, String> {
        let body = serde_json::json!({"login": login, "password": password}).to_string();
        let r = self
            .call(Method::POST, "/api/v1/auth/login", None, Some(body))
            .await?;
        if !r.ok() {
            return Err(format!("login {login}: {} {}", r.status, r.text()));
        }
        r.json()["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("login {login}: no token in {}", r.text()))
    }

    /// Waits until `/healthz` answers 200.
    pub async fn wait_healthy(&self, timeout: Duration) -> Result<(), String> {
        let until = Instant::now() + timeout;
        loop {
            if let Ok(r) = self.call(Method::GET, "/healthz", None, None).await
                && r.status == 200
            {
                return Ok(());
            }
            if Instant::now() > until {
                return Err(format!("{} did not become healthy", self.base));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// What a driver measured: client-side latency, server-side time when reported, and answers
/// by status code. Errors (transport failures and non-2xx answers) are counted, not timed.
#[derive(Debug, Default)]
pub struct Outcome {
    pub client: Samples,
    pub server: Samples,
    pub statuses: BTreeMap<u16, u64>,
    pub elapsed: Duration,
    /// Arrivals an open-loop driver could not start because too many were in flight.
    pub shed: u64,
    /// One failure message, to show what went wrong.
    pub first_error: Option<String>,
    /// Failures by kind: `HTTP <status>` or the transport error (e.g. a timeout).
    pub error_kinds: BTreeMap<String, u64>,
}

impl Outcome {
    fn record(&mut self, r: &Result<Reply, String>, latency: Duration) {
        match r {
            Ok(reply) => {
                *self.statuses.entry(reply.status).or_default() += 1;
                if reply.ok() {
                    self.client.push(latency);
                    if let Some(us) = reply.server_us {
                        self.server.push_us(us);
                    }
                } else {
                    self.client.errors += 1;
                    *self
                        .error_kinds
                        .entry(format!("HTTP {}", reply.status))
                        .or_default() += 1;
                    if self.first_error.is_none() {
                        self.first_error = Some(format!("{} {}", reply.status, reply.text()));
                    }
                }
            }
            Err(e) => {
                self.client.errors += 1;
                let kind: String = e.chars().take(60).collect();
                *self.error_kinds.entry(kind).or_default() += 1;
                if self.first_error.is_none() {
                    self.first_error = Some(e.clone());
                }
            }
        }
    }

    fn merge(&mut self, o: Outcome) {
        self.client.merge(o.client);
        self.server.merge(o.server);
        for (k, v) in o.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        self.shed += o.shed;
        if self.first_error.is_none() {
            self.first_error = o.first_error;
        }
        for (k, v) in o.error_kinds {
            *self.error_kinds.entry(k).or_default() += v;
        }
    }

    /// "; **N errors** (mostly: timeout after 10 s)", or nothing.
    pub fn errors_note(&self) -> String {
        match self.error_kinds.iter().max_by_key(|(_, n)| **n) {
            None => String::new(),
            Some((kind, _)) => format!("; **{} errors** (mostly {kind})", self.client.errors),
        }
    }
}

/// How long a closed-loop run lasts: until `duration` passes or `max_ops` operations started.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub duration: Duration,
    pub max_ops: u64,
}

/// `clients` tasks, each calling `op(client, n)` in a loop until the budget is spent or `op`
/// returns `None` (no more work).
pub async fn closed_loop<F, Fut>(clients: usize, budget: Budget, op: F) -> Outcome
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<Result<Reply, String>>> + Send,
{
    let op = Arc::new(op);
    let started = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let until = t0 + budget.duration;
    let mut tasks = Vec::with_capacity(clients);
    for c in 0..clients {
        let op = op.clone();
        let started = started.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Outcome::default();
            while Instant::now() < until {
                let n = started.fetch_add(1, Ordering::Relaxed);
                if n >= budget.max_ops {
                    break;
                }
                let t = Instant::now();
                let Some(r) = op(c, n).await else { break };
                out.record(&r, t.elapsed());
            }
            out
        }));
    }
    let mut all = Outcome::default();
    for t in tasks {
        if let Ok(o) = t.await {
            all.merge(o);
        }
    }
    all.elapsed = t0.elapsed();
    all
}

/// Arrivals at `rate` per second for `duration`; `op(n)` says what kind of operation it ran
/// and how it went. At most `max_in_flight` run at once; arrivals beyond that are shed and
/// counted. Latency is measured from each arrival's scheduled instant.
pub async fn open_loop<F, Fut>(
    rate: f64,
    duration: Duration,
    max_in_flight: usize,
    op: F,
) -> BTreeMap<&'static str, Outcome>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = (&'static str, Result<Reply, String>)> + Send + 'static,
{
    let op = Arc::new(op);
    let sem = Arc::new(tokio::sync::Semaphore::new(max_in_flight));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(&'static str, Outcome)>();
    let t0 = tokio::time::Instant::now();
    let total = (rate * duration.as_secs_f64()).round() as u64;
    let mut shed = 0;
    for n in 0..total {
        let at = t0 + Duration::from_secs_f64(n as f64 / rate);
        tokio::time::sleep_until(at).await;
        let Ok(permit) = sem.clone().try_acquire_owned() else {
            shed += 1;
            continue;
        };
        let op = op.clone();
        let tx = tx.clone();
        let scheduled = at.into_std();
        tokio::spawn(async move {
            let (kind, r) = op(n).await;
            let mut o = Outcome::default();
            o.record(&r, scheduled.elapsed());
            let _ = tx.send((kind, o));
            drop(permit);
        });
    }
    drop(tx);
    let mut by_kind: BTreeMap<&'static str, Outcome> = BTreeMap::new();
    while let Some((k, o)) = rx.recv().await {
        by_kind.entry(k).or_default().merge(o);
    }
    let elapsed = t0.elapsed();
    for o in by_kind.values_mut() {
        o.elapsed = elapsed;
    }
    if shed > 0 {
        by_kind.entry("shed").or_default().shed = shed;
    }
    by_kind
}
