//! `jiceng`: serve the platform, migrate, create the first administrator, back up.

mod calendar_file;
mod cli;
mod commands;
mod config;
mod demo;
mod demo_city;
mod demo_gen;
mod demo_history;
mod demo_logins;
mod demo_own;
mod demo_requests;
mod demo_scale;
mod demo_whistles;
mod keys;
mod open311_cmd;
mod serve;

use calendar_file::{load_calendar, warn_uncovered};
use clap::Parser;
use cli::{AdminCommand, CalendarCommand, Cli, Command, ImportCommand, KeyCommand};
use commands::{connect, create_admin, import_divisions, read_password, redact};
use config::{DEFAULT_DATABASE_URL, DEFAULT_LISTEN, FileConfig, pick};
use jiceng_store::Db;
use serve::serve_db;

// glibc's allocator spent a tenth of every thread's time in malloc and free under load
// (bench S1, S3 profiles); mimalloc keeps per-thread free lists.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
            scale,
            seed,
            residents_per_grid,
            requests,
        } => {
            // The demo rebuilds its database from scratch: never the one a flag, the environment
            // or the configuration names, which may hold real records.
            if cli.database_url.is_some() || file.database_url.is_some() {
                println!(
                    "演示总是在 {} 中新建嵌入式 SQLite 数据库，不使用 --database-url、JICENG_DATABASE_URL 或配置文件指定的数据库。",
                    dir.display()
                );
            }
            let url = demo::fresh_file(&dir)?;
            let vault = keys::load(&url, None)?;
            let db = connect(&url).await?;
            let size = scale.size(seed, residents_per_grid, requests);
            let logins = demo::build(&db, &vault, &county, scale, size).await?;
            if no_serve {
                demo_logins::print_logins(&format!("http://{listen}"), &logins);
                return Ok(());
            }
            serve_db(db, vault, calendar, &url, &listen, false, || {
                demo_logins::print_logins(&format!("http://{listen}"), &logins)
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
