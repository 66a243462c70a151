//! One demo request's life, step by step on the working-day calendar: accepted and dispatched
//! within hours, sometimes returned, usually resolved in time (about one in seven late), rated
//! by callback, about one in fifteen reopened after a dissatisfied rating, and about a third of
//! those closed dissatisfied after their second handling. A life that reaches
//! "now" stops there, with its running stage's clock — the open requests of the demo.

use crate::demo_gen::Rng;
use crate::demo_requests::{DemoCategory, Place};
use chrono::{DateTime, TimeDelta, Utc};
use jiceng_core::calendar::{Calendar, OfficeHours};
use jiceng_core::requests::sla::{Due, SlaPolicy, Stage, hours_due, instant, local, resolve_due};
use jiceng_core::requests::{Channel, Rating, Status};
use jiceng_store::requests::history::{PastEvent, PastRequest};

pub struct Life<'a> {
    pub cal: &'a Calendar,
    pub office: &'a OfficeHours,
    pub policy: &'a SlaPolicy,
    pub now: DateTime<Utc>,
}

impl Life<'_> {
    /// `minutes` of working time after `t`.
    fn after(&self, t: DateTime<Utc>, minutes: u64) -> DateTime<Utc> {
        let d = TimeDelta::minutes(minutes as i64);
        instant(self.cal.add_working_time(local(t), d, self.office))
    }
    fn working_minutes(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> u64 {
        let d = self
            .cal
            .working_time_between(local(a), local(b), self.office);
        d.num_minutes().max(1) as u64
    }
}

/// The request being lived, and who acts on it.
struct Walk {
    r: PastRequest,
    stage_due: Option<(Stage, Due)>,
    desk: (String, String),
    unit: (String, String),
    requester: String,
    now: DateTime<Utc>,
}

enum Who {
    Requester,
    Desk,
    Unit,
}

impl Walk {
    /// Takes a step at `at`, unless that is after now (then the walk has ended).
    fn step(
        &mut self,
        at: DateTime<Utc>,
        who: Who,
        action: &'static str,
        to: Status,
        note: &str,
    ) -> bool {
        if at > self.now {
            return false;
        }
        if let Some((stage, due)) = self.stage_due
            && at > due.due
        {
            self.r.overdue.push((stage, due.due));
        }
        let (actor_name, actor_unit) = match who {
            Who::Requester => (self.requester.clone(), String::new()),
            Who::Desk => self.desk.clone(),
            Who::Unit => self.unit.clone(),
        };
        self.r.events.push(PastEvent {
            at,
            actor_user_id: None,
            actor_name,
            actor_unit,
            action,
            from: Some(self.r.status),
            to: (to != self.r.status).then_some(to),
            note: note.to_owned(),
        });
        self.r.status = to;
        self.stage_due = None;
        true
    }

    fn clock(&mut self, stage: Stage, due: Due) {
        self.stage_due = Some((stage, due));
    }

    /// The request as it stands: a running clock when the walk stopped in an open stage.
    fn finish(mut self) -> PastRequest {
        if let Some((stage, due)) = self.stage_due {
            self.r.stage = Some(stage);
            self.r.due_at = Some(due.due);
            self.r.warn_at = Some(due.warn);
            if due.due <= self.now {
                self.r.overdue.push((stage, due.due));
            }
        }
        self.r
    }
}

const RESULTS: &[&str] = &[
    "已现场处理完毕，群众认可",
    "已协调相关单位整改到位",
    "已安排维修，恢复正常",
    "已清理完毕，并建立长效巡查机制",
    "经调解双方达成一致",
];

pub fn live(
    l: &Life<'_>,
    rng: &mut Rng,
    cat: &DemoCategory,
    place: &Place<'_>,
    submitted: DateTime<Utc>,
    requester: String,
    text: &str,
) -> PastRequest {
    let channel = match rng.range(0, 99) {
        0..=49 => Channel::Resident,
        50..=84 => Channel::GridPatrol,
        _ => Channel::Hotline,
    };
    let days = l.policy.resolve_days(
        cat.category.severity(),
        cat.category.resolve_days.map(|d| d as u32),
    );
    let (desk_path, desk_name) = if cat.community_desk {
        (place.community.path.as_str(), place.community.name.as_str())
    } else {
        (place.desk_path, place.desk_name)
    };
    let r = PastRequest {
        category_id: cat.category.id,
        severity: cat.category.severity(),
        channel,
        description: format!("{}{}", place.grid.name, text),
        requester_user_id: None,
        requester_name: requester.clone(),
        place_node_id: place.grid.id,
        place_path: place.grid.path.clone(),
        desk_path: desk_path.to_owned(),
        lead_org_id: None,
        status: Status::Submitted,
        stage: None,
        due_at: None,
        warn_at: None,
        resolve_days: i64::from(days),
        submitted_at: submitted,
        accepted_at: None,
        dispatched_at: None,
        claimed_at: None,
        resolved_at: None,
        closed_at: None,
        rating: None,
        result: String::new(),
        reopen_count: 0,
        return_count: 0,
        overdue: Vec::new(),
        events: Vec::new(),
    };
    let mut w = Walk {
        r,
        stage_due: None,
        desk: ("值班派单员".into(), format!("{desk_name}派单中心")),
        unit: ("承办人".into(), cat.lead_name.clone()),
        requester,
        now: l.now,
    };
    w.r.events.push(PastEvent {
        at: submitted,
        actor_user_id: None,
        actor_name: w.requester.clone(),
        actor_unit: String::new(),
        action: "submit",
        from: None,
        to: Some(Status::Submitted),
        note: channel.label_zh().into(),
    });
    w.clock(
        Stage::Accept,
        hours_due(l.cal, l.office, submitted, l.policy.accept_hours),
    );
    run(l, rng, cat, &mut w, days);
    w.finish()
}

fn run(l: &Life<'_>, rng: &mut Rng, cat: &DemoCategory, w: &mut Walk, days: u32) {
    let mut t = l.after(w.r.submitted_at, rng.range(5, 110));
    if rng.chance(2) {
        if w.step(
            t,
            Who::Desk,
            "decline",
            Status::Declined,
            "不属于受理范围，已告知诉求人其他渠道",
        ) {
            w.r.closed_at = Some(t);
        }
        return;
    }
    if !w.step(t, Who::Desk, "accept", Status::Accepted, "") {
        return;
    }
    let accepted = t;
    w.r.accepted_at = Some(t);
    w.clock(
        Stage::Dispatch,
        hours_due(l.cal, l.office, t, l.policy.dispatch_hours),
    );
    if rng.chance(1) {
        t = l.after(t, rng.range(10, 200));
        if w.step(t, Who::Requester, "withdraw", Status::Withdrawn, "") {
            w.r.closed_at = Some(t);
        }
        return;
    }
    let mut returned = rng.chance(4);
    loop {
        t = l.after(t, rng.range(5, 150));
        if !w.step(t, Who::Desk, "dispatch", Status::Dispatched, "") {
            return;
        }
        w.r.dispatched_at = Some(t);
        w.r.lead_org_id = Some(cat.lead_org_id);
        w.clock(
            Stage::Claim,
            hours_due(l.cal, l.office, t, l.policy.claim_hours),
        );
        if !returned {
            break;
        }
        returned = false;
        t = l.after(t, rng.range(20, 240));
        if !w.step(
            t,
            Who::Unit,
            "return",
            Status::Returned,
            "涉及其他部门职责，请协调",
        ) {
            return;
        }
        w.r.return_count += 1;
        w.clock(
            Stage::Dispatch,
            hours_due(l.cal, l.office, t, l.policy.dispatch_hours),
        );
    }
    t = l.after(t, rng.range(10, 270));
    if !w.step(t, Who::Unit, "claim", Status::Claimed, "") {
        return;
    }
    w.r.claimed_at = Some(t);
    let mut due = resolve_due(l.cal, l.office, accepted, days, &[]);
    w.clock(Stage::Resolve, due);
    // Rated after each handling; 不满意 reopens it while the policy allows, then closes it.
    for round in 0..=l.policy.reopen_limit {
        let span = l.working_minutes(t, due.due);
        t = if rng.chance(86) {
            l.after(t, rng.range(span / 10 + 1, span * 9 / 10 + 1))
        } else {
            l.after(due.due, rng.range(30, 900))
        };
        let result = *rng.pick(RESULTS);
        if !w.step(t, Who::Unit, "resolve", Status::Resolved, result) {
            return;
        }
        w.r.resolved_at = Some(t);
        w.r.result = result.into();
        t = l.after(t, rng.range(20, 300));
        if !w.step(t, Who::Desk, "verify", Status::Verified, "") {
            return;
        }
        t = l.after(t, rng.range(30, 900));
        // One in fifteen dissatisfied at first; of those handled again, about a third still are.
        let rating = match (round, rng.range(0, 99)) {
            (0, 0..=79) | (_, 0..=39) => Rating::Satisfied,
            (0, 80..=92) | (_, 40..=64) => Rating::FairlySatisfied,
            _ => Rating::Dissatisfied,
        };
        let reopens = rating.reopens() && !l.policy.reopens_spent(w.r.reopen_count);
        let to = if reopens {
            Status::InProgress
        } else {
            Status::Closed
        };
        if !w.step(t, Who::Desk, "rate", to, rating.label_zh()) {
            return;
        }
        w.r.rating = Some(rating);
        if !reopens {
            w.r.closed_at = Some(t);
            return;
        }
        w.r.reopen_count += 1;
        due = resolve_due(l.cal, l.office, t, days, &[]);
        w.clock(Stage::Resolve, due);
    }
}
