//! `jiceng`: serve the platform, migrate, create the first administrator, back up.

mod config;
mod demo;
mod demo_city;
mod demo_gen;
mod keys;

use clap::{Parser, Subcommand};
use config::{DEFAULT_DATABASE_URL, DEFAULT_LISTEN, FileConfig, pick};
use jiceng_core::account::{Login, NewPassword};
use jiceng_core::clock::{Clock, SystemClock};
use jiceng_core::role::Role;
use jiceng_store::users::{self, Authority, NewUser};
use jiceng_store::{Actor, Db};
use jiceng_web::{AppState, WebConfig};
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "jiceng",
    version,
    about = "基层治理平台 Jiceng — 党建引领城市基层治理"
)]
struct Cli {
    /// Database: sqlite://PATH (default sqlite://./jiceng-data/jiceng.db) or postgres://…
    #[arg(long, global = true, env = "JICENG_DATABASE_URL")]
    database_url: Option<String>,
    /// Optional TOML configuration file (keys: database_url, listen, secure_cookies).
    #[arg(long, global = true, env = "JICENG_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, env = "JICENG_LISTEN")]
        listen: Option<String>,
        /// Mark cookies Secure (serve behind HTTPS).
        #[arg(long, env = "JICENG_SECURE_COOKIES")]
        secure_cookies: Option<bool>,
    },
    /// Build a fresh demo database with a real county, print one login per role, and serve it.
    Demo {
        /// County code of one of the eight shipped counties (default 371722, 单县).
        #[arg(long, default_value = "371722")]
        county: String,
        /// Where the demo database lives; it is rebuilt on every run.
        #[arg(long, default_value = "./jiceng-demo")]
        dir: PathBuf,
        #[arg(long, env = "JICENG_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: String,
        /// Only build the database.
        #[arg(long)]
        no_serve: bool,
        /// About how many residents each grid gets (60 gives 单县 over 100,000).
        #[arg(long, default_value_t = 60)]
        residents_per_grid: usize,
    },
    /// Create or update the database schema, then exit.
    Migrate,
    /// Administer accounts from the server's shell.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print a new random key for JICENG_ID_KEY (PostgreSQL deployments).
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Write a consistent copy of the SQLite database to FILE, even while the server runs.
    Backup { file: PathBuf },
    /// Import reference data.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Print a new key (base64 of 32 random bytes).
    Generate,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import one county's streets/towns and committees from statistical division files: the
    /// one-file format (code,name,level,parent_code) or the national files (gzip accepted).
    Divisions {
        /// The county (district) code, 6 digits, e.g. 371722 for 单县.
        #[arg(long)]
        county: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a district administrator at the root of the trees.
    Create {
        #[arg(long)]
        login: String,
        /// The password; if omitted, the first line of standard input is read.
        #[arg(long)]
        password: Option<String>,
        #[arg(long, default_value = "系统管理员")]
        name: String,
    },
}

fn main() -> std::process::ExitCode {
    let filter = std::env::var("JICENG_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    for k in config::unknown_env_keys(std::env::vars().map(|(k, _)| k)) {
        tracing::warn!(
            "未知的环境变量 {k}（可用：{}）",
            config::KNOWN_ENV.join(", ")
        );
    }
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let file = match &cli.config {
        Some(p) => FileConfig::load(p)?,
        None => FileConfig::default(),
    };
    let url = pick(
        cli.database_url.clone(),
        file.database_url.clone(),
        DEFAULT_DATABASE_URL,
    );
    // Secrets come from the environment or the file, never from flags (visible in `ps`).
    let id_key = std::env::var("JICENG_ID_KEY").ok().or(file.id_key.clone());
    match cli.command {
        Command::Serve {
            listen,
            secure_cookies,
        } => {
            let listen = pick(listen, file.listen.clone(), DEFAULT_LISTEN);
            let secure = secure_cookies.or(file.secure_cookies).unwrap_or(false);
            let vault = keys::load(&url, id_key)?;
            let db = connect(&url).await?;
            serve_db(db, vault, &url, &listen, secure, || {}).await
        }
        Command::Demo {
            county,
            dir,
            listen,
            no_serve,
            residents_per_grid,
        } => {
            let url = demo::fresh_file(&dir)?;
            let vault = keys::load(&url, None)?;
            let db = connect(&url).await?;
            let size = demo_city::DemoSize {
                residents_per_grid,
                streets: None,
            };
            let logins = demo::build(&db, &vault, &county, size).await?;
            if no_serve {
                demo::print_logins(&format!("http://{listen}"), &logins);
                return Ok(());
            }
            serve_db(db, vault, &url, &listen, false, || {
                demo::print_logins(&format!("http://{listen}"), &logins)
            })
            .await
        }
        Command::Migrate => {
            connect(&url).await?;
            println!("数据库结构已更新到最新版本：{}", redact(&url));
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    login,
                    password,
                    name,
                },
        } => {
            let password = match password {
                Some(p) => p,
                None => read_password()?,
            };
            create_admin(&url, &login, &password, &name).await
        }
        Command::Import {
            command: ImportCommand::Divisions { county, files },
        } => import_divisions(&url, &county, &files).await,
        Command::Key {
            command: KeyCommand::Generate,
        } => {
            println!("{}", jiceng_store::vault::Vault::generate_key());
            Ok(())
        }
        Command::Backup { file: out } => {
            let db = Db::open(&url).await.map_err(|e| e.to_string())?;
            if out.exists() {
                return Err(format!("{} 已存在，请指定新文件", out.display()));
            }
            let dest = out.to_string_lossy().into_owned();
            db.backup_to(&dest).await.map_err(|e| e.to_string())?;
            println!("已备份到 {}", out.display());
            if let Some(k) = keys::key_file_for(&url).filter(|k| k.exists()) {
                println!(
                    "证件号密钥不在数据库中：请把 {} 与备份放在一起保管。",
                    k.display()
                );
            }
            Ok(())
        }
    }
}

async fn connect(url: &str) -> Result<Db, String> {
    Db::connect(url)
        .await
        .map_err(|e| format!("无法打开数据库 {}：{e}", redact(url)))
}

/// The URL without its password, for messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn read_password() -> Result<String, String> {
    eprintln!("请输入密码（一行）：");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("无法读取密码：{e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn create_admin(url: &str, login: &str, password: &str, name: &str) -> Result<(), String> {
    let login = Login::parse(login).map_err(|e| e.message)?;
    let password = NewPassword::parse(password, "password").map_err(|e| e.message)?;
    let db = connect(url).await?;
    let new = NewUser {
        login,
        display_name: name.trim().to_owned(),
        unit_name: String::new(),
        password_hash: jiceng_web::auth::hash_async(password.expose().to_owned()).await,
        grants: vec![(Role::DistrictAdmin, ROOT_NODE_ID)],
    };
    let actor = Actor::system("cli", SystemClock.now());
    let user = users::create(&db, Authority::Operator, &actor, new)
        .await
        .map_err(|e| match e {
            jiceng_store::StoreError::Conflict { .. } => "该登录名已存在".to_owned(),
            other => other.to_string(),
        })?;
    println!(
        "已创建管理员 {}（区级管理员，范围：全域）。现在可以在浏览器中登录。",
        user.login
    );
    Ok(())
}

async fn import_divisions(url: &str, county: &str, files: &[PathBuf]) -> Result<(), String> {
    let county = jiceng_core::division::DivisionCode::parse(county).map_err(|e| e.message)?;
    if county.as_str().len() != 6 {
        return Err(format!(
            "--county 应为 6 位区县代码，收到 {}",
            county.as_str()
        ));
    }
    let mut all = Vec::new();
    for f in files {
        all.extend(jiceng_io::divisions::read_file(f).map_err(|e| e.to_string())?);
    }
    let list = jiceng_io::divisions::for_county(all, &county).map_err(|e| e.to_string())?;
    let streets = list.iter().filter(|d| d.code.as_str().len() == 9).count();
    let committees = list.iter().filter(|d| d.code.as_str().len() == 12).count();
    let db = connect(url).await?;
    let pairs: Vec<_> = list.into_iter().map(|d| (d.code, d.name)).collect();
    let actor = Actor::system("import", SystemClock.now());
    let r = jiceng_store::divisions::import(&db, &actor, &pairs)
        .await
        .map_err(|e| match e {
            jiceng_store::StoreError::Domain(d) => d.message,
            other => other.to_string(),
        })?;
    println!(
        "区县 {}：街道/乡镇 {streets} 个，社区/村 {committees} 个；新建 {}，更名 {}，未变 {}",
        county.as_str(),
        r.created,
        r.renamed,
        r.unchanged
    );
    Ok(())
}

/// The root node, created by the first migration on both engines.
const ROOT_NODE_ID: i64 = 1;

/// Serves `db`; `ready` runs once the port is bound, to print what the user needs next.
async fn serve_db(
    db: Db,
    vault: jiceng_store::vault::Vault,
    url: &str,
    listen: &str,
    secure_cookies: bool,
    ready: impl FnOnce(),
) -> Result<(), String> {
    let addr: SocketAddr = listen
        .parse()
        .map_err(|_| format!("监听地址 {listen} 无效，应形如 127.0.0.1:8080"))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let housekeeping = jiceng_jobs::spawn_housekeeping(
        db.clone(),
        clock.clone(),
        std::time::Duration::from_secs(300),
    );
    let state = AppState {
        db: db.clone(),
        vault,
        clock,
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

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_the_terminal() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("sqlite://./a.db"), "sqlite://./a.db");
    }
}
