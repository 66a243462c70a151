//! `jiceng`: serve the platform, migrate, create the first administrator, back up.

mod commands;
mod config;
mod demo;
mod demo_city;
mod demo_gen;
mod demo_history;
mod demo_requests;
mod demo_whistles;
mod keys;
mod open311_cmd;

use clap::{Parser, Subcommand};
use commands::{connect, create_admin, import_divisions, read_password, redact};
use config::{DEFAULT_DATABASE_URL, DEFAULT_LISTEN, FileConfig, pick};
use jiceng_core::calendar::Calendar;
use jiceng_core::clock::{Clock, SystemClock};
use jiceng_store::Db;
use jiceng_store::users;
use jiceng_web::{AppState, WebConfig};
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
    /// Holiday calendar (TOML, the format of data/calendar/cn-holidays.toml) to use instead of
    /// the built-in one, e.g. with next year's State Council notice added.
    #[arg(long, global = true, env = "JICENG_CALENDAR")]
    calendar: Option<PathBuf>,
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
        /// Requests in the year of history (over 200,000 by default).
        #[arg(long, default_value_t = 220_000)]
        requests: usize,
    },
    /// Measure the request loop under load at a realistic size (docs/BENCHMARKS.md).
    Bench(jiceng_bench::BenchArgs),
    /// Create or update the database schema, then exit.
    Migrate,
    /// Recount every figure of docs/RATES.md from the records and compare with the counters
    /// (exit code 1 on any difference); `--rebuild` replaces the counters with the recount.
    Recount {
        #[arg(long)]
        rebuild: bool,
    },
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
    /// Open311 GeoReport v2: API keys of integrating systems (docs/OPEN311.md).
    Open311 {
        #[command(subcommand)]
        command: open311_cmd::Open311Command,
    },
    /// Working-day arithmetic on the holiday calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print the date N working days after DATE (DATE itself does not count).
    AddWorkingDays {
        /// The start date, e.g. 2026-09-30.
        #[arg(value_parser = parse_date)]
        date: chrono::NaiveDate,
        /// How many working days.
        n: u32,
    },
}

/// A YYYY-MM-DD date, with the error in Chinese.
fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("日期「{s}」无效，应形如 2026-09-30"))
}

/// The built-in calendar, or the file given by `--calendar` / `JICENG_CALENDAR`, checked.
fn load_calendar(path: Option<&std::path::Path>) -> Result<Calendar, String> {
    match path {
        None => Ok(Calendar::shipped()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("无法读取日历文件 {}：{e}", p.display()))?;
            Calendar::from_toml(&text).map_err(|e| format!("日历文件 {} 有误：{e}", p.display()))
        }
    }
}

/// Warns when `year` is missing from the calendar: its deadlines then count weekends only.
fn warn_uncovered(calendar: &Calendar, year: i32) {
    if !calendar.covers(year) {
        eprintln!(
            "注意：日历中没有 {year} 年的节假日安排，该年只按周末计算工作日。请用 --calendar 提供补充后的日历文件。"
        );
    }
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
    let calendar = load_calendar(cli.calendar.as_deref())?;
    match cli.command {
        Command::Serve {
            listen,
            secure_cookies,
        } => {
            let listen = pick(listen, file.listen.clone(), DEFAULT_LISTEN);
            let secure = secure_cookies.or(file.secure_cookies).unwrap_or(false);
            let vault = keys::load(&url, id_key)?;
            let db = connect(&url).await?;
            serve_db(db, vault, calendar, &url, &listen, secure, || {}).await
        }
        Command::Demo {
            county,
            dir,
            listen,
            no_serve,
            residents_per_grid,
            requests,
        } => {
            let url = demo::fresh_file(&dir)?;
            let vault = keys::load(&url, None)?;
            let db = connect(&url).await?;
            let size = demo_city::DemoSize {
                residents_per_grid,
                streets: None,
                requests,
            };
            let logins = demo::build(&db, &vault, &county, size).await?;
            if no_serve {
                demo::print_logins(&format!("http://{listen}"), &logins);
                return Ok(());
            }
            serve_db(db, vault, calendar, &url, &listen, false, || {
                demo::print_logins(&format!("http://{listen}"), &logins)
            })
            .await
        }
        Command::Bench(args) => jiceng_bench::run(args, calendar).await,
        Command::Open311 { command } => open311_cmd::run(&url, command).await,
        Command::Recount { rebuild } => commands::recount(&connect(&url).await?, rebuild).await,
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
        Command::Calendar {
            command: CalendarCommand::AddWorkingDays { date, n },
        } => {
            let due = calendar.add_working_days(date, n);
            for year in chrono::Datelike::year(&date)..=chrono::Datelike::year(&due) {
                warn_uncovered(&calendar, year);
            }
            println!("{due}");
            Ok(())
        }
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

/// Serves `db`; `ready` runs once the port is bound, to print what the user needs next.
async fn serve_db(
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
    // Deadlines are checked every `SLA_TICK` (a second) — one query on the small partial index of
    // unflagged deadlines — so an overdue event is raised within about a second (bench S5 wants 2 s).
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

#[cfg(test)]
mod tests {
    use super::redact;
    use super::{CalendarCommand, Cli, Command};
    use clap::Parser;

    #[test]
    fn calendar_add_working_days_parses_its_arguments() {
        let cli =
            Cli::try_parse_from(["jiceng", "calendar", "add-working-days", "2026-09-30", "2"])
                .unwrap();
        let Command::Calendar {
            command: CalendarCommand::AddWorkingDays { date, n },
        } = cli.command
        else {
            panic!("wrong command");
        };
        assert_eq!(date.to_string(), "2026-09-30");
        assert_eq!(n, 2);
        let c = super::load_calendar(None).unwrap();
        assert_eq!(c.add_working_days(date, n).to_string(), "2026-10-09");
    }

    #[test]
    fn a_bad_date_is_refused_in_chinese() {
        let e = Cli::try_parse_from(["jiceng", "calendar", "add-working-days", "2026-02-30", "2"])
            .err()
            .expect("refused")
            .to_string();
        assert!(
            e.contains("日期「2026-02-30」无效，应形如 2026-09-30"),
            "{e}"
        );
        assert!(
            Cli::try_parse_from(["jiceng", "calendar", "add-working-days", "2026-09-30", "-1"])
                .is_err()
        );
    }

    #[test]
    fn an_edited_calendar_file_is_checked() {
        let dir = std::env::temp_dir().join(format!("jiceng-cal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(
            &good,
            format!(
                "{}\n[2027]\nholidays = [2027-01-01]\n",
                jiceng_core::calendar::SHIPPED_TOML
            ),
        )
        .unwrap();
        let c = super::load_calendar(Some(&good)).unwrap();
        assert!(c.covers(2026) && c.covers(2027));
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "[2027]\nholidays = [2026-12-31]\n").unwrap();
        let e = super::load_calendar(Some(&bad)).unwrap_err();
        assert!(e.contains("bad.toml") && e.contains("不在该年内"), "{e}");
        let e = super::load_calendar(Some(&dir.join("missing.toml"))).unwrap_err();
        assert!(e.contains("无法读取日历文件"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn passwords_never_reach_the_terminal() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("sqlite://./a.db"), "sqlite://./a.db");
    }
}
