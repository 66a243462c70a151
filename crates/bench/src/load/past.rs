//! One past request, made up: its place and category, the status its age gives it, the steps
//! that led there with their times, its deadlines and the overdue events they raised.

use super::Rng;
use crate::city::City;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use jiceng_core::requests::sla::Stage;
use jiceng_core::requests::{Channel, Rating, Severity, Status};
use jiceng_store::requests::history::{PastEvent, PastRequest};

const NAMES: &[&str] = &[
    "王秀英",
    "李建国",
    "张桂兰",
    "刘志强",
    "陈玉兰",
    "杨国华",
    "赵淑珍",
    "黄海燕",
    "周文博",
    "吴凤英",
    "孙建华",
    "马丽",
    "朱晓燕",
    "胡涛",
    "郭敏",
    "何静",
];
const WHERE: &[&str] = &[
    "小区东门",
    "3号楼北侧",
    "菜市场旁",
    "学校门口",
    "幼儿园附近",
    "十字路口",
    "老年活动中心前",
    "地下车库入口",
];
const WHAT: &[&str] = &[
    "反映情况已持续多日，影响居民出行，请尽快处理",
    "群众多次反映，希望相关部门到现场查看",
    "存在安全隐患，老人孩子经过时很危险",
    "夜间尤其严重，影响周边住户休息",
    "已和物业沟通未解决，请求协调",
];
const RESULTS: &[&str] = &[
    "已到现场处置完毕，群众认可",
    "已协调责任单位整改到位",
    "已维修完成并回访",
];

const OPEN: &[(Status, u64)] = &[
    (Status::Submitted, 8),
    (Status::Accepted, 4),
    (Status::Dispatched, 15),
    (Status::Returned, 2),
    (Status::Claimed, 15),
    (Status::InProgress, 30),
    (Status::Suspended, 4),
    (Status::Resolved, 12),
    (Status::Verified, 10),
];

/// The status a request of this age has now. Almost everything from the last week is still
/// open, a fifth of the last two months, 3 % of older ones: about 5 % overall.
pub(super) fn status_for(rng: &mut Rng, age_days: i64) -> Status {
    let open_pct = match age_days {
        0..=6 => 90,
        7..=59 => 20,
        _ => 3,
    };
    if rng.percent(open_pct) {
        let w: Vec<u64> = OPEN.iter().map(|(_, w)| *w).collect();
        return OPEN[rng.weighted(&w)].0;
    }
    match rng.weighted(&[95, 3, 2]) {
        0 => Status::Closed,
        1 => Status::Declined,
        _ => Status::Withdrawn,
    }
}

/// The path a request took to reach `status`, as (action, from, to).
pub(super) fn path_to(status: Status) -> Vec<(&'static str, Option<Status>, Status)> {
    use Status::*;
    let mut p = vec![("submit", None, Submitted)];
    let main: &[(&'static str, Status, Status)] = &[
        ("accept", Submitted, Accepted),
        ("dispatch", Accepted, Dispatched),
        ("claim", Dispatched, Claimed),
    ];
    let upto = |p: &mut Vec<_>, n: usize| {
        for (a, f, t) in &main[..n] {
            p.push((*a, Some(*f), *t));
        }
    };
    match status {
        Submitted => {}
        Accepted => upto(&mut p, 1),
        Dispatched => upto(&mut p, 2),
        Returned => {
            upto(&mut p, 2);
            p.push(("return", Some(Dispatched), Returned));
        }
        Claimed => upto(&mut p, 3),
        InProgress | Suspended => {
            upto(&mut p, 3);
            p.push(("start", Some(Claimed), InProgress));
            if status == Suspended {
                p.push(("suspend", Some(InProgress), Suspended));
            }
        }
        Resolved | Verified | Closed => {
            upto(&mut p, 3);
            p.push(("resolve", Some(Claimed), Resolved));
            if status != Resolved {
                p.push(("verify", Some(Resolved), Verified));
            }
            if status == Closed {
                p.push(("rate", Some(Verified), Closed));
            }
        }
        Declined => p.push(("decline", Some(Submitted), Declined)),
        Withdrawn => p.push(("withdraw", Some(Submitted), Withdrawn)),
        Merged => p.push(("merge", Some(Submitted), Merged)),
    }
    p
}

/// Request `i` of `n`, submitted in order over the two years before `now`.
pub fn past_request(city: &City, rng: &mut Rng, i: u64, n: u64, now: DateTime<Utc>) -> PastRequest {
    let span = Duration::days(730).num_seconds();
    let offset = (i as f64 / n.max(1) as f64 * span as f64) as i64;
    let submitted = (now - Duration::seconds(span) + Duration::seconds(offset)
        - Duration::minutes(rng.range(60, 600)))
    .trunc_subsecs(6);
    let age_days = (now - submitted).num_days();
    let grid = &city.grids[rng.below(city.grids.len())];
    let cat = &city.categories[rng.below(city.categories.len())];
    let dept = &city.depts[cat.dept];
    let status = status_for(rng, age_days);
    let steps = path_to(status);
    let cap = now - Duration::minutes(1);
    let mut at = submitted;
    let mut events = Vec::with_capacity(steps.len() + 1);
    let (mut accepted, mut dispatched, mut claimed, mut resolved, mut closed) =
        (None, None, None, None, None);
    let mut result = String::new();
    for (action, from, to) in &steps {
        let gap = match *action {
            "submit" => 0,
            "accept" | "decline" | "withdraw" => rng.range(5, 120),
            "dispatch" | "return" => rng.range(5, 60),
            "claim" | "start" | "suspend" => rng.range(10, 240),
            "resolve" => rng.range(60, 4 * 24 * 60),
            "verify" => rng.range(60, 24 * 60),
            _ => rng.range(60, 48 * 60),
        };
        at = (at + Duration::minutes(gap)).min(cap);
        let by_unit = matches!(*action, "claim" | "start" | "resolve" | "return");
        let note = if *action == "resolve" {
            result = RESULTS[rng.below(RESULTS.len())].to_owned();
            result.clone()
        } else {
            String::new()
        };
        match to {
            Status::Accepted => accepted = Some(at),
            Status::Dispatched => dispatched = Some(at),
            Status::Claimed => claimed = Some(at),
            Status::Resolved => resolved = Some(at),
            Status::Closed | Status::Declined | Status::Withdrawn => closed = Some(at),
            _ => {}
        }
        events.push(PastEvent {
            at,
            actor_user_id: None,
            actor_name: if by_unit { "承办人" } else { "派单员" }.to_owned(),
            actor_unit: if by_unit {
                dept.name.clone()
            } else {
                String::new()
            },
            action,
            from: *from,
            to: Some(*to),
            note,
        });
    }
    let stage = Stage::of(status);
    let mut overdue = Vec::new();
    let (mut due_at, mut warn_at) = (None, None);
    if let Some(s) = stage {
        // Three in four running deadlines lie ahead (at least a day); the rest passed.
        let due = if rng.percent(75) {
            now + Duration::minutes(rng.range(24 * 60, 8 * 24 * 60))
        } else {
            let d = (now - Duration::minutes(rng.range(60, 20 * 24 * 60))).max(at);
            overdue.push((s, d));
            d
        };
        let due = due.trunc_subsecs(6);
        due_at = Some(due);
        warn_at = Some(due - Duration::hours(4));
    } else if status == Status::Closed && rng.percent(8) {
        // Some finished late: the resolve deadline passed before the result came.
        if let (Some(a), Some(r)) = (accepted, resolved) {
            overdue.push((Stage::Resolve, a + (r - a) / 2));
        }
    }
    if !overdue.is_empty() {
        let (s, d) = overdue[0];
        let pos = events.iter().position(|e| e.at > d).unwrap_or(events.len());
        events.insert(
            pos,
            PastEvent {
                at: d,
                actor_user_id: None,
                actor_name: "系统（时限监控）".into(),
                actor_unit: String::new(),
                action: "overdue",
                from: None,
                to: None,
                note: format!("{}超期", s.label_zh()),
            },
        );
    }
    let rating = (status == Status::Closed).then(|| match rng.weighted(&[85, 12, 3]) {
        0 => Rating::Satisfied,
        _ => Rating::FairlySatisfied,
    });
    let channel = match rng.weighted(&[50, 35, 15]) {
        0 => Channel::Hotline,
        1 => Channel::GridPatrol,
        _ => Channel::Resident,
    };
    let description = format!(
        "{}：{}{}{}",
        cat.name,
        grid.place.name,
        WHERE[rng.below(WHERE.len())],
        WHAT[rng.below(WHAT.len())]
    );
    PastRequest {
        category_id: cat.id,
        severity: Severity::parse(&cat.severity).unwrap_or(Severity::General),
        channel,
        description,
        requester_user_id: None,
        requester_name: NAMES[rng.below(NAMES.len())].to_owned(),
        place_node_id: grid.place.id,
        place_path: grid.place.path.clone(),
        desk_path: city.streets[grid.street].path.clone(),
        lead_org_id: dispatched.map(|_| dept.id),
        status,
        stage,
        due_at,
        warn_at,
        resolve_days: cat.resolve_days,
        submitted_at: submitted,
        accepted_at: accepted,
        dispatched_at: dispatched,
        claimed_at: claimed,
        resolved_at: resolved,
        closed_at: closed,
        rating,
        result,
        reopen_count: i64::from(status == Status::Closed && rng.percent(3)),
        return_count: i64::from(status == Status::Returned),
        overdue,
        events,
    }
}
