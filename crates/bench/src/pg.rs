//! S8: two app instances on one PostgreSQL — S1, S3 and S4 spread over both (as `--only`
//! selects), and no double processing: the same step sent to both instances at once succeeds
//! once, and a burst of deadlines ticked by both instances raises each event once.

use crate::city::{self, City};
use crate::client::{Budget, Http};
use crate::loop_http::{self, Created, Tokens};
use crate::report::{Report, group, ms, ratio};
use crate::server::InProcess;
use crate::sla;
use crate::{Plan, say};
use jiceng_core::calendar::Calendar;
use jiceng_store::Db;
use jiceng_store::vault::Vault;
use serde::Serialize;
use sqlx::{Connection, Executor};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A fresh database on the server `admin_url` names; dropped by [`drop_database`].
async fn create_database(admin_url: &str) -> Result<(String, String), String> {
    let name = format!(
        "jiceng_bench_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp()
    );
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .map_err(|e| format!("PostgreSQL: {e}"))?;
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .map_err(|e| format!("PostgreSQL: {e}"))?;
    let _ = conn.close().await;
    let base = admin_url
        .split('?')
        .next()
        .and_then(|u| u.rsplit_once('/'))
        .map_or(admin_url, |(b, _)| b);
    Ok((name.clone(), format!("{base}/{name}")))
}

async fn drop_database(admin_url: &str, name: &str) {
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin_url).await {
        let _ = conn
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .await;
        let _ = conn.close().await;
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Race {
    pub requests: usize,
    pub exactly_once: usize,
    pub twice: usize,
    pub never: usize,
}

/// The same claim sent to both instances at the same moment, for each of `created`.
async fn claim_race(a: &Http, b: &Http, tokens: &Tokens, created: &[Created]) -> Race {
    let mut race = Race {
        requests: created.len(),
        ..Race::default()
    };
    let mut tasks = Vec::new();
    for c in created {
        let (a, b, token, id) = (a.clone(), b.clone(), tokens.depts[c.dept].clone(), c.id);
        tasks.push(tokio::spawn(async move {
            let body = serde_json::json!({"action": "claim"}).to_string();
            let path = format!("/api/v1/requests/{id}/actions");
            let (x, y) = tokio::join!(
                a.post(&path, &token, body.clone()),
                b.post(&path, &token, body)
            );
            [x, y]
                .iter()
                .filter(|r| matches!(r, Ok(r) if r.ok()))
                .count()
        }));
    }
    for t in tasks {
        match t.await.unwrap_or(0) {
            1 => race.exactly_once += 1,
            0 => race.never += 1,
            _ => race.twice += 1,
        }
    }
    race
}

/// Runs S8 on a fresh database on `admin_url`, and drops it afterwards.
pub async fn s8(
    admin_url: &str,
    plan: &Plan,
    calendar: Arc<Calendar>,
    report: &mut Report,
    t0: Instant,
) -> Result<(), String> {
    let (name, url) = create_database(admin_url).await?;
    let result = run(&url, plan, calendar, report, t0).await;
    drop_database(admin_url, &name).await;
    result
}

async fn run(
    url: &str,
    plan: &Plan,
    calendar: Arc<Calendar>,
    report: &mut Report,
    t0: Instant,
) -> Result<(), String> {
    let n = plan.pg_requests;
    say(
        t0,
        &format!(
            "S8: PostgreSQL, building the city and {} requests",
            group(n)
        ),
    );
    let a = Db::connect(url).await.map_err(|e| e.to_string())?;
    let b = Db::open(url).await.map_err(|e| e.to_string())?;
    let city: City = city::build(&a, city::Shape::for_requests(n), plan.clients).await?;
    let loaded = crate::load::load(&a, &city, n, 2, |_| {}).await?;
    report.detail("s8_dataset", loaded);
    let raw = crate::reference::pg_insert(url, plan.reference).await?;
    report.detail("reference_pg_insert", &raw);
    let vault = Vault::from_base64(&Vault::generate_key()).map_err(|e| e.to_string())?;
    let tick = jiceng_jobs::SLA_TICK;
    let sa = InProcess::start(a.clone(), vault.clone(), calendar.clone(), tick).await?;
    let sb = InProcess::start(b.clone(), vault, calendar, tick).await?;
    let https = [sa.http.clone(), sb.http.clone()];
    let tokens = loop_http::sign_in(&https[0], &city).await?;

    let created = if plan.runs_on_pg("s1") {
        s1(plan, &https, &city, &tokens, &raw, report, t0).await
    } else {
        Vec::new()
    };
    if plan.runs_on_pg("s3") {
        say(t0, "S8: lists over both instances");
        let s3 = loop_http::s3_lists(&https, &tokens, plan.list_clients, plan.s8_list).await;
        crate::level_rows(
            report,
            "S8·S3",
            "PostgreSQL: first page",
            s3,
            None,
            crate::s3_target,
        );
    }
    if plan.runs_on_pg("s4") {
        say(t0, "S8: dashboards over both instances");
        let s4 = loop_http::s4_dashboards(&https, &tokens, plan.list_clients, plan.s8_list).await;
        crate::level_rows(
            report,
            "S8·S4",
            "PostgreSQL: dashboard",
            s4,
            None,
            crate::s4_target,
        );
    }
    if plan.runs("s8") {
        once(plan, &a, &city, &https, &tokens, &created, report, t0).await?;
    }
    if plan.runs_on_pg("s4") {
        crate::recount_row(report, "S8·S4", &a).await?;
    }
    sa.stop().await;
    sb.stop().await;
    a.close().await;
    b.close().await;
    Ok(())
}

/// S8·S1: creates with clients alternating between the instances.
async fn s1(
    plan: &Plan,
    https: &[Http],
    city: &City,
    tokens: &Tokens,
    raw: &crate::stats::Summary,
    report: &mut Report,
    t0: Instant,
) -> Vec<Created> {
    say(t0, "S8: creates over both instances");
    let s1 = loop_http::s1_create(
        https,
        city,
        tokens,
        plan.clients,
        Budget {
            duration: plan.s8_create,
            max_ops: u64::MAX,
        },
    )
    .await;
    let m = s1.outcome.client.summary(s1.outcome.elapsed);
    report.detail("s8_s1", &m);
    report.row(
        "S8·S1",
        "PostgreSQL, 2 instances: durable create with auto-dispatch",
        format!(
            "{:.0} creates/s; p50 {} / p99 {}{}",
            m.per_second,
            ms(m.p50_ms),
            ms(m.p99_ms),
            s1.outcome.errors_note()
        ),
        format!("raw PostgreSQL one-row insert {:.0}/s", raw.per_second),
        ratio(m.per_second, raw.per_second),
        "—",
        None,
    );
    s1.created
}

/// S8·once: the same claim to both instances at once, and a burst ticked by both.
#[allow(clippy::too_many_arguments)]
async fn once(
    plan: &Plan,
    a: &Db,
    city: &City,
    https: &[Http; 2],
    tokens: &Tokens,
    created: &[Created],
    report: &mut Report,
    t0: Instant,
) -> Result<(), String> {
    say(t0, "S8: double processing");
    let sample: Vec<Created> = created.iter().take(200).copied().collect();
    let race = claim_race(&https[0], &https[1], tokens, &sample).await;
    let burst = sla::plant(a, city, plan.pg_burst, Duration::from_secs(2)).await?;
    let done = sla::wait_all(a, &burst, Duration::from_secs(60)).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let integ = sla::integrity(a, &burst).await?;
    let ok =
        race.twice == 0 && integ.lost == 0 && integ.doubled() == 0 && integ.wrong_counters == 0;
    report.row(
        "S8·once",
        "PostgreSQL: no double processing",
        format!(
            "same claim sent to both instances at once: {}/{} succeeded exactly once, {} twice; {} deadlines ticked by both: {} raised, {} lost, {} doubled{}",
            race.exactly_once,
            race.requests,
            race.twice,
            group(burst.count() as u64),
            group(integ.raised as u64),
            integ.lost,
            integ.doubled(),
            if done.is_some() { "" } else { " (not all within 60 s)" }
        ),
        "—".into(),
        "—".into(),
        "no double processing",
        Some(ok),
    );
    report.detail("s8_claim_race", &race);
    report.detail("s8_sla", &integ);
    Ok(())
}
