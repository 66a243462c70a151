//! `jiceng bench`: the request loop under load at a realistic dataset size, every scenario
//! printed next to a reference the harness measures in the same run on the same machine (raw
//! SQLite commit at the app's durability setting, raw indexed point read, HTTP plaintext on the
//! same stack, raw PostgreSQL insert), as a markdown table and JSON. See docs/BENCHMARKS.md.

mod child;
pub mod city;
pub mod client;
pub mod load;
pub mod loop_http;
pub mod mixed;
pub mod pg;
pub mod plan;
pub mod reference;
pub mod report;
pub mod rows;
pub mod server;
pub mod sla;
mod sqlite;
pub mod stats;

pub use crate::plan::{BenchArgs, Plan, S6_TIMEOUT};
use crate::report::Report;
pub use crate::rows::{level_rows, recount_row, s3_target, s4_target};
use jiceng_core::calendar::Calendar;
use std::sync::Arc;
use std::time::Instant;

/// A progress line on stderr, with the time since the start.
pub fn say(t0: Instant, msg: &str) {
    let s = t0.elapsed().as_secs();
    eprintln!("[{:02}:{:02}] {msg}", s / 60, s % 60);
}

fn file_mb(path: &std::path::Path) -> f64 {
    ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len() as f64 / 1e6)
        .sum()
}

/// Runs the benchmark and prints the table; `calendar` is the one `serve` would use.
pub async fn run(args: BenchArgs, calendar: Calendar) -> Result<(), String> {
    let t0 = Instant::now();
    let plan = Plan::from_args(&args);
    std::fs::create_dir_all(&args.dir).map_err(|e| format!("{}: {e}", args.dir.display()))?;
    let file = args.dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let url = format!("sqlite://{}", file.display());
    let mut report = Report::new(plan.mode, plan.requests, plan.clients, &args.dir);
    let calendar = Arc::new(calendar);
    if let Some(only) = plan.only_note() {
        report.notes.push(format!(
            "Only {only} (`--only`); the dataset and the references always run."
        ));
    }
    let result = sqlite::run(&args, &plan, &url, &file, calendar.clone(), &mut report, t0).await;
    if let Err(e) = &result {
        report.notes.push(format!("SQLite scenarios stopped: {e}"));
    }
    let pg_url = args.pg.clone().or_else(|| {
        std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
    });
    match pg_url {
        _ if !plan.runs_pg() => {}
        Some(u) => {
            if let Err(e) = pg::s8(&u, &plan, calendar, &mut report, t0).await {
                report.notes.push(format!("S8 (PostgreSQL) failed: {e}"));
            }
        }
        None => report.row(
            "S8",
            "PostgreSQL, 2 instances",
            "skipped: no PostgreSQL (set JICENG_BENCH_PG or TEST_DATABASE_URL)".into(),
            "—".into(),
            "—".into(),
            "no double processing",
            None,
        ),
    }
    report.total_seconds = crate::stats::round1(t0.elapsed().as_secs_f64());
    let md = report.markdown();
    println!("\n{md}");
    if let Some(p) = &args.markdown {
        std::fs::write(p, &md).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    if let Some(p) = &args.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        eprintln!("JSON: {}", p.display());
    }
    if !args.keep {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        for f in [
            "raw-commit.db",
            "raw-commit.db-wal",
            "raw-commit.db-shm",
            "server.log",
        ] {
            let _ = std::fs::remove_file(args.dir.join(f));
        }
        let _ = std::fs::remove_dir(&args.dir);
    }
    result
}
