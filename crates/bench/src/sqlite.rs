//! The SQLite run: the dataset, the references, S1–S4 against the in-process server, then
//! S5–S7 against a child `jiceng serve` (`crate::child`) and the recount.

use crate::city::{self, City};
use crate::client::Budget;
use crate::loop_http::{self, Created, Tokens};
use crate::plan::{BenchArgs, Plan};
use crate::report::{Report, group, ms, ratio};
use crate::rows::{level_rows, page_rows, recount_row, s3_target, s4_target};
use crate::stats::{self, Summary};
use crate::{child, file_mb, load, reference, say, server};
use jiceng_core::calendar::Calendar;
use jiceng_store::Db;
use jiceng_store::vault::Vault;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// What every scenario starts from: the loaded database and the references.
pub(crate) struct Base {
    pub db: Db,
    pub city: City,
    pub max_id: i64,
    pub raw_commit: Summary,
    pub point: Summary,
    /// HTTP plaintext, client side.
    pub plain: Summary,
    /// The vault key the servers share.
    pub key: String,
}

/// Builds the city, loads the history and measures the references.
async fn prepare(
    args: &BenchArgs,
    plan: &Plan,
    url: &str,
    file: &Path,
    report: &mut Report,
    t0: Instant,
) -> Result<Base, String> {
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
            "database_mb": stats::round1(file_mb(file)),
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
    let plain = plain.client.summary(plain.elapsed);
    report.detail("reference_sqlite_commit", &raw_commit);
    report.detail("reference_point_read", &point);
    report.detail("reference_http_plaintext", &plain);
    report.notes.push(format!(
        "References: raw SQLite one-row commit (WAL, synchronous=FULL, sqlx, one row per transaction, sequential) {:.0}/s, p50 {}; raw indexed point read (primary key, app read pool) p50 {}, p99 {}; HTTP plaintext (trivial axum handler, same runtime, {} clients) {:.0} req/s, p50 {} / p99 {}.",
        raw_commit.per_second,
        ms(raw_commit.p50_ms),
        ms(point.p50_ms),
        ms(point.p99_ms),
        plan.clients,
        plain.per_second,
        ms(plain.p50_ms),
        ms(plain.p99_ms)
    ));
    Ok(Base {
        db,
        city,
        max_id,
        raw_commit,
        point,
        plain,
        key: Vault::generate_key(),
    })
}

/// The SQLite scenarios `plan` selects.
pub(crate) async fn run(
    args: &BenchArgs,
    plan: &Plan,
    url: &str,
    file: &Path,
    calendar: Arc<Calendar>,
    report: &mut Report,
    t0: Instant,
) -> Result<(), String> {
    let base = prepare(args, plan, url, file, report, t0).await?;
    let mut tokens: Option<Tokens> = None;
    let mut left = Vec::new();
    if ["s1", "s2", "s3", "s4"].iter().any(|s| plan.runs(s)) {
        let vault = Vault::from_base64(&base.key).map_err(|e| e.to_string())?;
        let server =
            server::InProcess::start(base.db.clone(), vault, calendar, jiceng_jobs::SLA_TICK)
                .await?;
        let t = loop_http::sign_in(&server.http, &base.city).await?;
        left = in_process(plan, &base, &server, &t, report, t0).await;
        tokens = Some(t);
        server.stop().await;
    }
    if ["s5", "s6", "s7"].iter().any(|s| plan.runs(s)) {
        child::run(args, plan, url, file, &base, tokens, left, report, t0).await?;
    }
    if plan.runs("s4") {
        say(t0, "S4: counters against a recount");
        recount_row(report, "S4", &base.db).await?;
    }
    base.db.close().await;
    Ok(())
}

/// S1–S4 against the in-process server; returns S2's requests not yet closed, for S6.
async fn in_process(
    plan: &Plan,
    base: &Base,
    server: &server::InProcess,
    tokens: &Tokens,
    report: &mut Report,
    t0: Instant,
) -> Vec<(Created, usize)> {
    let https = [server.http.clone()];
    let mut left = Vec::new();
    if plan.runs("s1") {
        let created = s1(plan, base, &https, tokens, report, t0).await;
        if plan.runs("s2") {
            left = s2(plan, base, &https, tokens, &created, report, t0).await;
        }
    }
    if plan.runs("s3") {
        say(t0, "S3: first page of the scoped list");
        let s3 = loop_http::s3_lists(&https, tokens, plan.list_clients, plan.s3_per_level).await;
        level_rows(
            report,
            "S3",
            "scoped list, first page",
            s3,
            Some(&base.point),
            s3_target,
        );
    }
    if plan.runs("s4") {
        say(t0, "S4: dashboards");
        let s4 =
            loop_http::s4_dashboards(&https, tokens, plan.list_clients, plan.s3_per_level).await;
        level_rows(
            report,
            "S4",
            "dashboard (figures and rates)",
            s4,
            Some(&base.point),
            s4_target,
        );
        say(t0, "S4: pages");
        let pages = loop_http::pages(&https, tokens, plan.list_clients, plan.s3_per_level).await;
        page_rows(report, "S4", pages, &base.plain);
    }
    left
}

async fn s1(
    plan: &Plan,
    base: &Base,
    https: &[crate::client::Http],
    tokens: &Tokens,
    report: &mut Report,
    t0: Instant,
) -> Vec<Created> {
    say(t0, &format!("S1: creates from {} clients", plan.clients));
    let budget = |duration| Budget {
        duration,
        max_ops: u64::MAX,
    };
    let s1 = loop_http::s1_create(https, &base.city, tokens, plan.clients, budget(plan.s1)).await;
    let m = s1.outcome.client.summary(s1.outcome.elapsed);
    let sv = s1.outcome.server.summary(s1.outcome.elapsed);
    report.detail("s1_client", &m);
    report.detail("s1_server", &sv);
    let raw = base.raw_commit.per_second;
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
        format!("raw SQLite one-row commit {raw:.0}/s"),
        ratio(m.per_second, raw),
        "≥ 1.5× raw commit",
        Some(m.per_second >= 1.5 * raw && m.errors == 0),
    );

    let one = loop_http::s1_create(https, &base.city, tokens, 1, budget(plan.reference)).await;
    let o = one.outcome.client.summary(one.outcome.elapsed);
    report.detail("s1_one_client", &o);
    report.notes.push(format!(
        "S1 with one client: p50 {} per create ({:.0} creates/s): the cost of one create's transaction when nothing queues.",
        ms(o.p50_ms),
        o.per_second
    ));
    s1.created
}

async fn s2(
    plan: &Plan,
    base: &Base,
    https: &[crate::client::Http],
    tokens: &Tokens,
    created: &[Created],
    report: &mut Report,
    t0: Instant,
) -> Vec<(Created, usize)> {
    say(t0, "S2: state transitions");
    let s2 = loop_http::s2_transitions(
        https,
        tokens,
        created,
        plan.clients,
        Budget {
            duration: plan.s2,
            max_ops: u64::MAX,
        },
    )
    .await;
    let m = s2.outcome.client.summary(s2.outcome.elapsed);
    report.detail("s2_client", &m);
    let by_action: std::collections::BTreeMap<&str, Summary> = s2
        .by_action
        .iter()
        .map(|(k, v)| (*k, v.summary(s2.outcome.elapsed)))
        .collect();
    report.detail("s2_server_by_action", &by_action);
    let raw = base.raw_commit.per_second;
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
        format!("raw SQLite one-row commit {raw:.0}/s"),
        ratio(m.per_second, raw),
        "—",
        None,
    );
    s2.left
}
