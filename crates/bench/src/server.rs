//! The servers under test. In-process: the real router (`jiceng_web::app`) with the SLA ticker
//! and housekeeping that `jiceng serve` runs, on a port of its own, plus a layer that reports
//! the time spent inside the router in a response header. As a child: the real `jiceng serve`
//! binary, for what only a separate process shows honestly (its memory, a `kill -9`).

use crate::client::{Http, SERVER_TIME};
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use jiceng_core::calendar::Calendar;
use jiceng_core::clock::{Clock, SystemClock};
use jiceng_store::Db;
use jiceng_store::vault::Vault;
use jiceng_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

async fn server_time(req: Request, next: Next) -> Response {
    let t = Instant::now();
    let mut res = next.run(req).await;
    let us = t.elapsed().as_micros() as u64;
    res.headers_mut().insert(SERVER_TIME, HeaderValue::from(us));
    res
}

pub struct InProcess {
    pub http: Http,
    serve: JoinHandle<()>,
    jobs: Vec<JoinHandle<()>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl InProcess {
    /// Serves `db` on 127.0.0.1 with an ephemeral port; the SLA ticker runs every `tick`.
    pub async fn start(
        db: Db,
        vault: Vault,
        calendar: Arc<Calendar>,
        tick: Duration,
    ) -> Result<Self, String> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let jobs = vec![
            jiceng_jobs::spawn_housekeeping(db.clone(), clock.clone(), Duration::from_secs(300)),
            jiceng_jobs::spawn_sla_ticker(db.clone(), clock.clone(), tick),
        ];
        let state = AppState {
            db,
            vault,
            clock,
            calendar,
            config: Arc::new(WebConfig::default()),
        };
        let app = jiceng_web::app(state)
            .layer(axum::middleware::from_fn(server_time))
            .into_make_service_with_connect_info::<SocketAddr>();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serve = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        let http = Http::new(&format!("http://{addr}"));
        http.wait_healthy(Duration::from_secs(10)).await?;
        Ok(Self {
            http,
            serve,
            jobs,
            stop: Some(tx),
        })
    }

    pub async fn stop(mut self) {
        for j in &self.jobs {
            j.abort();
        }
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.serve).await;
        self.serve.abort();
    }
}

/// "HTTP plaintext on the same stack": a trivial axum handler on the same runtime, port and
/// connection handling as the app, for the ceiling of what the stack and the client can do.
pub async fn plaintext() -> Result<(Http, JoinHandle<()>), String> {
    let app = axum::Router::new()
        .route("/plaintext", axum::routing::get(|| async { "ok" }))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .layer(axum::middleware::from_fn(server_time))
        .into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let h = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((Http::new(&format!("http://{addr}")), h))
}

/// `jiceng serve` in a child process.
pub struct ChildServer {
    pub http: Http,
    child: Child,
    exe: PathBuf,
    url: String,
    port: u16,
    key: String,
    log: PathBuf,
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl ChildServer {
    /// Starts `exe serve` on `url` and waits until it answers `/healthz`.
    pub async fn start(exe: &Path, url: &str, key: &str, log: &Path) -> Result<Self, String> {
        let port = free_port()?;
        let mut s = Self {
            http: Http::new(&format!("http://127.0.0.1:{port}")),
            child: spawn(exe, url, port, key, log)?,
            exe: exe.to_owned(),
            url: url.to_owned(),
            port,
            key: key.to_owned(),
            log: log.to_owned(),
        };
        if let Err(e) = s.http.wait_healthy(Duration::from_secs(60)).await {
            s.kill();
            return Err(format!("{e}; see {}", log.display()));
        }
        Ok(s)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`: no shutdown hook runs, open transactions are lost.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the same server again on the same port; returns how long until it answered.
    pub async fn restart(&mut self) -> Result<Duration, String> {
        let t = Instant::now();
        self.child = spawn(&self.exe, &self.url, self.port, &self.key, &self.log)?;
        self.http.wait_healthy(Duration::from_secs(60)).await?;
        Ok(t.elapsed())
    }

    /// Resident and peak memory of the server process (VmRSS, VmHWM), in MiB.
    pub fn memory_mib(&self) -> Option<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let field = |name: &str| -> Option<f64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(crate::stats::round1(kb / 1024.0))
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    pub fn stop(mut self) {
        self.kill();
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(exe: &Path, url: &str, port: u16, key: &str, log: &Path) -> Result<Child, String> {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    Command::new(exe)
        .args([
            "--database-url",
            url,
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("JICENG_ID_KEY", key)
        .env("JICENG_LOG", "warn")
        .env_remove("JICENG_CONFIG")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", exe.display()))
}
