//! `jiceng bench`: the request loop under load at a realistic dataset size, every scenario
//! printed next to a reference the harness measures in the same run on the same machine (raw
//! SQLite commit at the app's durability setting, raw indexed point read, HTTP plaintext on the
//! same stack, raw PostgreSQL insert), as a markdown table and JSON. See docs/BENCHMARKS.md.

pub mod city;
pub mod client;
pub mod load;
pub mod loop_http;
pub mod mixed;
pub mod pg;
pub mod reference;
pub mod report;
pub mod server;
pub mod sla;
pub mod stats;

use crate::client::Budget;
use crate::report::{Report, group, ms, ratio};
use jiceng_core::calendar::Calendar;
use jiceng_store::Db;
use jiceng_store::vault::Vault;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `jiceng bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Requests in the dataset (default 1,000,000; 20,000 with --quick).
    #[arg(long)]
    pub requests: Option<u64>,
    /// A short run of about a minute: 20,000 requests and short durations.
    #[arg(long)]
    pub quick: bool,
    /// Also write the results as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write the markdown table to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Where the benchmark database is built; removed afterwards unless --keep.
    #[arg(long, default_value = "./jiceng-bench")]
    pub dir: PathBuf,
    /// Keep the benchmark database.
    #[arg(long)]
    pub keep: bool,
    /// Concurrent HTTP clients for S1 and S2.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Arrivals per second of the mixed load (S6). The default is several times the peak a
    /// district with a million requests sees (docs/BENCHMARKS.md).
    #[arg(long, default_value_t = 50.0)]
    pub mixed_rate: f64,
    /// A PostgreSQL server for S8 (a database is created on it and dropped afterwards);
    /// TEST_DATABASE_URL is used when this is not given. Without either, S8 is skipped.
    #[arg(long, env = "JICENG_BENCH_PG", value_name = "URL")]
    pub pg: Option<String>,
    /// Requests in the PostgreSQL dataset (default: as many as for SQLite, at most 100,000).
    #[arg(long)]
    pub pg_requests: Option<u64>,
    /// The `jiceng` binary S5–S7 start as a server (default: this executable).
    #[arg(long, value_name = "FILE")]
    pub server_exe: Option<PathBuf>,
}

/// Sizes and durations of one run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mode: &'static str,
    pub requests: u64,
    pub clients: usize,
    /// Clients for the latency scenarios (S3): one per core.
    pub list_clients: usize,
    pub reference: Duration,
    pub s1: Duration,
    pub s2: Duration,
    pub s3_per_level: Duration,
    pub s6: Duration,
    pub mixed_rate: f64,
    pub burst: usize,
    pub pg_requests: u64,
    pub pg_burst: usize,
    pub s8_create: Duration,
    pub s8_list: Duration,
}

impl Plan {
    pub fn from_args(a: &BenchArgs) -> Self {
        let secs = Duration::from_secs;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let requests = a
            .requests
            .unwrap_or(if a.quick { 20_000 } else { 1_000_000 });
        let mode = match (a.quick, a.requests.is_some()) {
            (true, false) => "quick",
            (false, false) => "default",
            _ => "custom",
        };
        let q = a.quick;
        Self {
            mode,
            requests,
            clients: a.clients.max(1),
            list_clients: cores,
            reference: if q { secs(3) } else { secs(5) },
            s1: if q { secs(8) } else { secs(20) },
            s2: if q { secs(8) } else { secs(20) },
            s3_per_level: if q { secs(3) } else { secs(5) },
            s6: if q { secs(15) } else { secs(120) },
            mixed_rate: a.mixed_rate,
            burst: 10_000,
            pg_requests: a.pg_requests.unwrap_or(requests.min(100_000)),
            pg_burst: if q { 2_000 } else { 10_000 },
            s8_create: if q { secs(5) } else { secs(15) },
            s8_list: if q { secs(2) } else { secs(3) },
        }
    }
}

/// How long an S6 call may take before it counts as failed: the load must end on time.
pub const S6_TIMEOUT: Duration = Duration::from_secs(10);

/// Targets of S3 in milliseconds of server time, by level.
pub fn s3_target(level: &str) -> f64 {
    match level {
        "community" => 1.0,
        "street" => 2.0,
        _ => 5.0,
    }
}

/// One row per level of a latency scenario (S3, S4, and the same on PostgreSQL), judged on the
/// median server time.
pub fn level_rows(
    report: &mut Report,
    id: &str,
    what: &str,
    levels: Vec<loop_http::S3Level>,
    point: Option<&stats::Summary>,
    target: impl Fn(&str) -> f64,
) {
    let noun = if id.ends_with("S4") {
        "counted"
    } else {
        "visible"
    };
    for l in levels {
        let s = l.outcome.server.summary(l.outcome.elapsed);
        let c = l.outcome.client.summary(l.outcome.elapsed);
        let t = target(l.level);
        let (reference, r) = match point {
            Some(p) => (
                format!("raw point read p50 {}", ms(p.p50_ms)),
                ratio(s.p50_ms, p.p50_ms),
            ),
            None => ("—".to_owned(), "—".to_owned()),
        };
        report.row(
            &format!("{id} {}", l.level),
            &format!("{what}, {} level", l.level),
            format!(
                "server p50 {} / p99 {}; client p50 {}; {} {noun}{}",
                ms(s.p50_ms),
                ms(s.p99_ms),
                ms(c.p50_ms),
                group(l.visible.max(0) as u64),
                l.outcome.errors_note()
            ),
            reference,
            r,
            &format!("< {t} ms server (p50)"),
            Some(c.count > 0 && s.p50_ms < t && c.errors == 0),
        );
        report.detail(
            &format!("{}_{}", id.to_lowercase().replace('·', "_"), l.level),
            serde_json::json!({"server": s, "client": c, noun: l.visible}),
        );
    }
}

/// S4's second half: every counter against a recount of the records.
pub async fn recount_row(report: &mut Report, id: &str, db: &Db) -> Result<(), String> {
    let t = Instant::now();
    let diff = jiceng_store::requests::figures::recount(db)
        .await
        .map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    report.detail(
        &format!("{}_recount", id.to_lowercase().replace('·', "_")),
        serde_json::json!({"differences": diff.len(), "seconds": stats::round1(secs)}),
    );
    report.row(
        &format!("{id} recount"),
        "dashboard counters = recount of the records, after every scenario above",
        format!(
            "{} differences (recount took {secs:.1} s){}",
            diff.len(),
            diff.first()
                .map(|m| format!(
                    "; first: {} {} {} {} counted {} recounted {}",
                    m.kind, m.key, m.month, m.metric, m.counted, m.recounted
                ))
                .unwrap_or_default()
        ),
        "—".into(),
        "—".into(),
        "0 differences",
        Some(diff.is_empty()),
    );
    Ok(())
}

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
    let result = run_sqlite(&args, &plan, &url, &file, calendar.clone(), &mut report, t0).await;
    if let Err(e) = &result {
        report.notes.push(format!("SQLite scenarios stopped: {e}"));
    }
    let pg_url = args.pg.clone().or_else(|| {
        std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
    });
    match pg_url {
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

#[allow(clippy::too_many_arguments)]
async fn run_sqlite(
    args: &BenchArgs,
    plan: &Plan,
    url: &str,
    file: &std::path::Path,
    calendar: Arc<Calendar>,
    report: &mut Report,
    t0: Instant,
) -> Result<(), String> {
    let db = Db::connect(url).await.map_err(|e| e.to_string())?;
    let shape = city::Shape::for_requests(plan.requests);
    say(
        t0,
        &format!(
            "building the city: {} streets × {} communities × {} grids",
            shape.streets, shape.communities_per_street, shape.grids_per_community
        ),
    );
    let city = city::build(&db, shape, plan.clients).await?;
    say(
        t0,
        &format!("loading {} requests of history", group(plan.requests)),
    );
    let step = (plan.requests / 10).max(load::BATCH as u64);
    let mut next = step;
    let loaded = load::load(&db, &city, plan.requests, 1, |done| {
        if done >= next {
            say(t0, &format!("  {} loaded", group(done)));
            next += step;
        }
    })
    .await?;
    report.detail(
        "dataset",
        serde_json::json!({
            "loaded": loaded,
            "streets": city.streets.len(),
            "communities": city.communities.len(),
            "grids": city.grids.len(),
            "categories": city.categories.len(),
            "departments": city.depts.len(),
            "database_mb": crate::stats::round1(file_mb(file)),
        }),
    );
    report.notes.push(format!(
        "Dataset: {} requests over two years (about 5 % open) with their timelines, {} grids in {} communities of {} streets, loaded in {:.0} s ({:.0} requests/s); database {:.0} MB.",
        group(plan.requests),
        city.grids.len(),
        city.communities.len(),
        city.streets.len(),
        loaded.seconds,
        loaded.per_second,
        file_mb(file)
    ));
    let max_id = db
        .scalar(
            &sea_query::Query::select()
                .expr(sea_query::Expr::cust("MAX(id)"))
                .from(sea_query::Alias::new("requests"))
                .to_owned(),
        )
        .await
        .map_err(|e| e.to_string())?;

    say(
        t0,
        "references: raw SQLite commit, raw point read, HTTP plaintext",
    );
    let raw_commit = reference::sqlite_commit(&args.dir, plan.reference).await?;
    let point = reference::point_read(&db, max_id, plan.reference).await?;
    let plain = reference::plaintext(plan.clients, plan.reference).await?;
    let plain_s = plain.client.summary(plain.elapsed);
    report.detail("reference_sqlite_commit", &raw_commit);
    report.detail("reference_point_read", &point);
    report.detail("reference_http_plaintext", &plain_s);
    report.notes.push(format!(
        "References: raw SQLite one-row commit (WAL, synchronous=FULL, sqlx, one row per transaction, sequential) {:.0}/s, p50 {}; raw indexed point read (primary key, app read pool) p50 {}, p99 {}; HTTP plaintext (trivial axum handler, same runtime, {} clients) {:.0} req/s, p50 {} / p99 {}.",
        raw_commit.per_second,
        ms(raw_commit.p50_ms),
        ms(point.p50_ms),
        ms(point.p99_ms),
        plan.clients,
        plain_s.per_second,
        ms(plain_s.p50_ms),
        ms(plain_s.p99_ms)
    ));

    let key = Vault::generate_key();
    let vault = Vault::from_base64(&key).map_err(|e| e.to_string())?;
    let server =
        server::InProcess::start(db.clone(), vault, calendar, Duration::from_secs(5)).await?;
    let https = [server.http.clone()];
    let tokens = loop_http::sign_in(&server.http, &city).await?;

    say(t0, &format!("S1: creates from {} clients", plan.clients));
    let s1 = loop_http::s1_create(
        &https,
        &city,
        &tokens,
        plan.clients,
        Budget {
            duration: plan.s1,
            max_ops: u64::MAX,
        },
    )
    .await;
    let m = s1.outcome.client.summary(s1.outcome.elapsed);
    let sv = s1.outcome.server.summary(s1.outcome.elapsed);
    report.detail("s1_client", &m);
    report.detail("s1_server", &sv);
    report.row(
        "S1",
        &format!(
            "durable create with auto-dispatch, HTTP, {} clients",
            plan.clients
        ),
        format!(
            "{:.0} creates/s; p50 {} / p99 {} (server p50 {}){}{}",
            m.per_second,
            ms(m.p50_ms),
            ms(m.p99_ms),
            ms(sv.p50_ms),
            s1.outcome.errors_note(),
            if s1.not_dispatched > 0 {
                format!("; **{} not auto-dispatched**", s1.not_dispatched)
            } else {
                String::new()
            }
        ),
        format!("raw SQLite one-row commit {:.0}/s", raw_commit.per_second),
        ratio(m.per_second, raw_commit.per_second),
        "≥ 1.5× raw commit",
        Some(m.per_second >= 1.5 * raw_commit.per_second && m.errors == 0),
    );

    let one = loop_http::s1_create(
        &https,
        &city,
        &tokens,
        1,
        Budget {
            duration: plan.reference,
            max_ops: u64::MAX,
        },
    )
    .await;
    let o = one.outcome.client.summary(one.outcome.elapsed);
    report.detail("s1_one_client", &o);
    report.notes.push(format!(
        "S1 with one client: p50 {} per create ({:.0} creates/s): the cost of one create's transaction when nothing queues.",
        ms(o.p50_ms),
        o.per_second
    ));

    say(t0, "S2: state transitions");
    let s2 = loop_http::s2_transitions(
        &https,
        &tokens,
        &s1.created,
        plan.clients,
        Budget {
            duration: plan.s2,
            max_ops: u64::MAX,
        },
    )
    .await;
    let m = s2.outcome.client.summary(s2.outcome.elapsed);
    report.detail("s2_client", &m);
    let by_action: std::collections::BTreeMap<&str, stats::Summary> = s2
        .by_action
        .iter()
        .map(|(k, v)| (*k, v.summary(s2.outcome.elapsed)))
        .collect();
    report.detail("s2_server_by_action", &by_action);
    report.row(
        "S2",
        "state transitions (claim, resolve, verify, close), HTTP",
        format!(
            "{:.0} steps/s; p50 {} / p99 {}; {} requests closed{}",
            m.per_second,
            ms(m.p50_ms),
            ms(m.p99_ms),
            group(s2.closed),
            s2.outcome.errors_note()
        ),
        format!("raw SQLite one-row commit {:.0}/s", raw_commit.per_second),
        ratio(m.per_second, raw_commit.per_second),
        "—",
        None,
    );

    say(t0, "S3: first page of the scoped list");
    let s3 = loop_http::s3_lists(&https, &tokens, plan.list_clients, plan.s3_per_level).await;
    level_rows(
        report,
        "S3",
        "scoped list, first page",
        s3,
        Some(&point),
        s3_target,
    );
    say(t0, "S4: dashboards");
    let s4 = loop_http::s4_dashboards(&https, &tokens, plan.list_clients, plan.s3_per_level).await;
    level_rows(
        report,
        "S4",
        "dashboard (figures and rates)",
        s4,
        Some(&point),
        |_| 1.0,
    );
    server.stop().await;

    let exe = match &args.server_exe {
        Some(p) => p.clone(),
        None => std::env::current_exe().map_err(|e| e.to_string())?,
    };
    let log = args.dir.join("server.log");
    say(
        t0,
        &format!("starting `{} serve` as a child process", exe.display()),
    );
    let mut child = server::ChildServer::start(&exe, url, &key, &log).await?;
    let mem_start = child.memory_mib();

    say(
        t0,
        &format!(
            "S6: mixed load, {:.0} arrivals/s for {} s",
            plan.mixed_rate,
            plan.s6.as_secs()
        ),
    );
    let by_kind = mixed::s6(
        &child.http.clone().with_timeout(S6_TIMEOUT),
        &city,
        &tokens,
        s2.left,
        max_id,
        plan.mixed_rate,
        plan.s6,
    )
    .await;
    let all = mixed::overall(&by_kind);
    let elapsed = by_kind.values().map(|o| o.elapsed).max().unwrap_or(plan.s6);
    let m = all.summary(elapsed);
    let shed: u64 = by_kind.values().map(|o| o.shed).sum();
    let kinds: std::collections::BTreeMap<&str, stats::Summary> = by_kind
        .iter()
        .filter(|(k, _)| **k != "shed")
        .map(|(k, o)| (*k, o.client.summary(o.elapsed)))
        .collect();
    let worst = kinds
        .iter()
        .max_by(|a, b| a.1.p99_ms.total_cmp(&b.1.p99_ms))
        .map(|(k, s)| format!("; slowest kind {k}: p99 {}", ms(s.p99_ms)))
        .unwrap_or_default();
    report.detail("s6_overall", &m);
    report.detail("s6_by_kind", &kinds);
    report.row(
        "S6",
        &format!(
            "mixed load, {} s at {:.0} arrivals/s, `jiceng serve`",
            plan.s6.as_secs(),
            plan.mixed_rate
        ),
        format!(
            "p50 {} / p99 {} (client, from scheduled arrival); {:.1} successful/s{}{}{}",
            ms(m.p50_ms),
            ms(m.p99_ms),
            m.per_second,
            worst,
            mixed::errors_note(&by_kind),
            if shed > 0 {
                format!("; **{shed} shed**")
            } else {
                String::new()
            }
        ),
        format!(
            "HTTP plaintext p50 {} / p99 {}",
            ms(plain_s.p50_ms),
            ms(plain_s.p99_ms)
        ),
        ratio(m.p99_ms, plain_s.p99_ms),
        "p99 < 20 ms",
        Some(m.p99_ms < 20.0 && m.errors == 0 && shed == 0),
    );

    let mem_after = child.memory_mib();
    let mb = |mib: f64| mib * 1024.0 * 1024.0 / 1e6;
    match (mem_start, mem_after) {
        (Some((start, _)), Some((rss, peak))) => {
            report.detail(
                "s7",
                serde_json::json!({"rss_after_start_mb": mb(start), "rss_after_s6_mb": mb(rss), "peak_mb": mb(peak)}),
            );
            report.row(
                "S7",
                &format!("server RSS at {} requests", group(plan.requests)),
                format!(
                    "{:.0} MB after S6 (peak {:.0} MB; {:.0} MB after start)",
                    mb(rss),
                    mb(peak),
                    mb(start)
                ),
                format!("database file {:.0} MB", file_mb(file)),
                "—".into(),
                "< 200 MB",
                Some(mb(peak) < 200.0),
            );
        }
        _ => report
            .notes
            .push("S7: could not read /proc/<pid>/status".into()),
    }

    say(
        t0,
        &format!(
            "S5: {} deadlines at once, kill -9 midway",
            group(plan.burst as u64)
        ),
    );
    let s5 = sla::s5(&db, &city, &mut child, plan.burst).await?;
    child.stop();
    report.detail("s5", &s5);
    let i = &s5.integrity;
    let all_s = s5.all_raised_s;
    report.row(
        "S5",
        "SLA burst, server killed (-9) midway and restarted",
        format!(
            "{} deadlines: first event +{:.1} s; killed at +{:.1} s with {} raised; restarted in {:.1} s; all raised {}; lost {}, doubled {}{}",
            group(i.deadlines as u64),
            s5.first_seen_s,
            s5.killed_at_s,
            group(s5.raised_at_kill as u64),
            s5.restart_s,
            all_s.map_or("**not within 60 s**".into(), |s| format!("+{s:.1} s")),
            i.lost,
            i.doubled(),
            if i.wrong_counters > 0 {
                format!("; **{} wrong counters**", i.wrong_counters)
            } else {
                String::new()
            }
        ),
        "ticker period 5 s (`jiceng serve`)".into(),
        "—".into(),
        "all within 2 s, 0 lost, 0 doubled",
        Some(
            all_s.is_some_and(|s| s <= 2.0)
                && i.lost == 0
                && i.doubled() == 0
                && i.wrong_counters == 0,
        ),
    );
    say(t0, "S4: counters against a recount");
    recount_row(report, "S4", &db).await?;
    db.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: BenchArgs,
    }

    fn plan(argv: &[&str]) -> Plan {
        let cli =
            Cli::try_parse_from(std::iter::once("bench").chain(argv.iter().copied())).unwrap();
        Plan::from_args(&cli.args)
    }

    #[test]
    fn quick_is_small_and_the_default_is_a_million() {
        let q = plan(&["--quick"]);
        assert_eq!(
            (q.mode, q.requests, q.pg_requests),
            ("quick", 20_000, 20_000)
        );
        let d = plan(&[]);
        assert_eq!(
            (d.mode, d.requests, d.pg_requests),
            ("default", 1_000_000, 100_000)
        );
        assert_eq!(d.s6, Duration::from_secs(120));
        let c = plan(&["--requests", "5000", "--mixed-rate", "20"]);
        assert_eq!((c.mode, c.requests, c.mixed_rate), ("custom", 5_000, 20.0));
    }

    #[test]
    fn s3_targets_follow_the_level() {
        assert_eq!(s3_target("community"), 1.0);
        assert_eq!(s3_target("street"), 2.0);
        assert_eq!(s3_target("district"), 5.0);
    }
}
