//! S5–S7 against a child `jiceng serve`: the mixed load (S6), the server's memory after it (S7)
//! and the burst of deadlines with a `kill -9` in the middle (S5).

use crate::loop_http::{self, Created, Tokens};
use crate::plan::{BenchArgs, Plan, S6_TIMEOUT};
use crate::report::{Report, group, ms, ratio};
use crate::server::ChildServer;
use crate::sqlite::Base;
use crate::stats::Summary;
use crate::{file_mb, mixed, say, sla};
use std::path::Path;
use std::time::Instant;

/// Starts the child, runs the scenarios `plan` selects among S5–S7, stops it. `tokens` are the
/// sessions signed in on the in-process server, if it ran; `left` S2's unfinished requests.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
    args: &BenchArgs,
    plan: &Plan,
    url: &str,
    file: &Path,
    base: &Base,
    tokens: Option<Tokens>,
    left: Vec<(Created, usize)>,
    report: &mut Report,
    t0: Instant,
) -> Result<(), String> {
    let exe = match &args.server_exe {
        Some(p) => p.clone(),
        None => std::env::current_exe().map_err(|e| e.to_string())?,
    };
    let log = args.dir.join("server.log");
    say(
        t0,
        &format!("starting `{} serve` as a child process", exe.display()),
    );
    let mut child = ChildServer::start(&exe, url, &base.key, &log).await?;
    let mem_start = child.memory_mib();
    if plan.runs("s6") {
        let tokens = match tokens {
            Some(t) => t,
            None => loop_http::sign_in(&child.http, &base.city).await?,
        };
        s6(plan, base, &child, &tokens, left, report, t0).await;
    }
    if plan.runs("s7") {
        s7(plan, file, mem_start, child.memory_mib(), report);
    }
    if plan.runs("s5") {
        s5(plan, base, &mut child, report, t0).await?;
    }
    child.stop();
    Ok(())
}

async fn s6(
    plan: &Plan,
    base: &Base,
    child: &ChildServer,
    tokens: &Tokens,
    left: Vec<(Created, usize)>,
    report: &mut Report,
    t0: Instant,
) {
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
        &base.city,
        tokens,
        left,
        base.max_id,
        plan.mixed_rate,
        plan.s6,
    )
    .await;
    let all = mixed::overall(&by_kind);
    let elapsed = by_kind.values().map(|o| o.elapsed).max().unwrap_or(plan.s6);
    let m = all.summary(elapsed);
    let shed: u64 = by_kind.values().map(|o| o.shed).sum();
    let kinds: std::collections::BTreeMap<&str, Summary> = by_kind
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
    let plain = &base.plain;
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
            ms(plain.p50_ms),
            ms(plain.p99_ms)
        ),
        ratio(m.p99_ms, plain.p99_ms),
        "p99 < 20 ms",
        Some(m.p99_ms < 20.0 && m.errors == 0 && shed == 0),
    );
}

/// `start` and `after`: (VmRSS, VmHWM) in MiB after the start and after S6.
fn s7(
    plan: &Plan,
    file: &Path,
    start: Option<(f64, f64)>,
    after: Option<(f64, f64)>,
    report: &mut Report,
) {
    let mb = |mib: f64| mib * 1024.0 * 1024.0 / 1e6;
    match (start, after) {
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
}

async fn s5(
    plan: &Plan,
    base: &Base,
    child: &mut ChildServer,
    report: &mut Report,
    t0: Instant,
) -> Result<(), String> {
    say(
        t0,
        &format!(
            "S5: {} deadlines at once, kill -9 midway",
            group(plan.burst as u64)
        ),
    );
    let s5 = sla::s5(&base.db, &base.city, child, plan.burst).await?;
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
        format!(
            "ticker period {} s (`jiceng serve`)",
            jiceng_jobs::SLA_TICK.as_secs_f64()
        ),
        "—".into(),
        "all within 2 s, 0 lost, 0 doubled",
        Some(
            all_s.is_some_and(|s| s <= 2.0)
                && i.lost == 0
                && i.doubled() == 0
                && i.wrong_counters == 0,
        ),
    );
    Ok(())
}
