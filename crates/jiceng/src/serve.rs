//! `jiceng serve` (and the demo's server): the background jobs, the router on its port, a clean
//! stop on Ctrl-C or SIGTERM.

use crate::calendar_file::warn_uncovered;
use crate::commands::redact;
use jiceng_core::calendar::Calendar;
use jiceng_core::clock::{Clock, SystemClock};
use jiceng_store::Db;
use jiceng_store::users;
use jiceng_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;

/// Serves `db`; `ready` runs once the port is bound, to print what the user needs next.
pub(crate) async fn serve_db(
    db: Db,
    vault: jiceng_store::vault::Vault,
    calendar: Calendar,
    url: &str,
    listen: &str,
    secure_cookies: bool,
    ready: impl FnOnce(),
) -> Result<(), String> {
    let addr: SocketAddr = listen
        .parse()
        .map_err(|_| format!("监听地址 {listen} 无效，应形如 127.0.0.1:8080"))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    warn_uncovered(
        &calendar,
        chrono::Datelike::year(
            &clock
                .now()
                .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")),
        ),
    );
    let housekeeping = jiceng_jobs::spawn_housekeeping(
        db.clone(),
        clock.clone(),
        std::time::Duration::from_secs(300),
    );
    // Deadlines are checked every `SLA_TICK` (half a second) — one query on the small partial
    // index of unflagged deadlines — so an overdue event is raised soon after (bench S5 wants 2 s).
    let sla_ticker =
        jiceng_jobs::spawn_sla_ticker(db.clone(), clock.clone(), jiceng_jobs::SLA_TICK);
    let seeded = jiceng_store::requests::categories::seed_if_empty(
        &db,
        &jiceng_store::Actor::system("seed", clock.now()),
    )
    .await
    .map_err(|e| e.to_string())?;
    if seeded > 0 {
        println!("已载入诉求分类目录：{seeded} 类（可在“诉求分类”中修改）");
    }
    let state = AppState {
        db: db.clone(),
        vault,
        clock,
        calendar: Arc::new(calendar),
        config: Arc::new(WebConfig {
            secure_cookies,
            ..WebConfig::default()
        }),
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("无法监听 {addr}：{e}"))?;
    println!("Jiceng 基层治理平台已启动：http://{addr}");
    println!("数据库：{}（{}）", redact(url), db.engine().name());
    if users::count(&db).await.map_err(|e| e.to_string())? == 0 {
        println!("尚无任何账号。请在另一个终端创建第一个管理员，然后用浏览器登录：");
        println!("  cargo run --release -- admin create --login admin");
        println!("  （或 jiceng admin create --login admin --password '至少8位含字母数字'）");
    }
    ready();
    let app = jiceng_web::app(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("服务器错误：{e}"));
    housekeeping.abort();
    sla_ticker.abort();
    db.close().await;
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("正在停止服务");
}
