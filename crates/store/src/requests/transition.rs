//! Taking a step on a request: the machine decides whether it is legal; this module checks the
//! step's own input, moves the clocks, and writes the row, the timeline entry, the inbox
//! notifications and the audit entry in one transaction. The row is updated only if its status
//! is still the one the decision was made on, so two people acting at once cannot both win.

use super::step_write::{self, Notice, StepWrite};
use super::writes::{Effects, pauses};
use super::{Requests, SlaEnv, Viewer, escalation, get, notifications, routing, units};
use crate::audit::Actor;
use crate::db::Db;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
use jiceng_core::requests::machine::{self, Context};
use jiceng_core::requests::sla::{Stage, hours_due, resolve_due};
use jiceng_core::requests::{Action, Rating, Status};
use sea_query::{Expr, ExprTrait};

/// What the actor supplies with a step.
#[derive(Debug, Clone, Default)]
pub struct Step {
    pub action: Option<Action>,
    /// Reason (decline, return, send back, suspend, extension), result (resolve) or comment.
    pub note: String,
    pub rating: Option<Rating>,
    pub lead_org_id: Option<i64>,
    pub assist_org_ids: Vec<i64>,
    pub days: Option<u32>,
    pub merge_into: Option<i64>,
}

fn required(note: &str, code: &'static str, what: &str) -> Result<String, DomainError> {
    let n = note.trim();
    if n.is_empty() {
        return Err(DomainError::new(code, "note", format!("请填写{what}")));
    }
    if n.chars().count() > 1000 {
        return Err(DomainError::new(
            "note_too_long",
            "note",
            "说明不超过1000字",
        ));
    }
    Ok(n.to_owned())
}

/// Takes `step` on request `id` as `viewer`. Returns the new status.
pub async fn act(
    db: &Db,
    env: &SlaEnv<'_>,
    viewer: &Viewer,
    actor: &Actor,
    id: i64,
    step: Step,
) -> StoreResult<Status> {
    let action = step
        .action
        .ok_or_else(|| DomainError::new("invalid_action", "action", "未知的办理操作"))?;
    let r = get(db, viewer, id).await?;
    let on = units(db, id).await?;
    let assisting: Vec<i64> = on
        .iter()
        .filter(|u| u.role == "assist")
        .map(|u| u.org_id)
        .collect();
    let parties = viewer.parties(&r, &assisting);
    let ctx = Context {
        requester_has_account: r.requester_user_id.is_some(),
        extension_pending: r.extension_pending_days.is_some(),
        reopens_spent: env.policy.reopens_spent(r.reopen_count),
    };
    let from = r.status();
    let to = machine::next(from, action, step.rating, &parties, ctx)?;
    let now = actor.at;
    let accepted = r.accepted_at.unwrap_or(r.submitted_at);
    let days = u32::try_from(r.resolve_days + r.extension_days).unwrap_or(0);
    let resolve_clock = |ps: &[(DateTime<Utc>, DateTime<Utc>)]| {
        resolve_due(env.calendar, &env.office, accepted, days, ps)
    };
    let mut note = step.note.trim().to_owned();
    let mut data = None;
    let mut notes: Vec<Notice> = Vec::new();
    let what = notifications::what(id, &r.category_name);
    let fx = match action {
        Action::Accept => {
            let due = hours_due(env.calendar, &env.office, now, env.policy.dispatch_hours);
            Effects::new()
                .set(Requests::AcceptedAt, now)
                .clock(Some(Stage::Dispatch), Some(due))
        }
        Action::Decline | Action::Withdraw => {
            if action == Action::Decline {
                note = required(&note, "missing_reason", "不予受理的理由")?;
            }
            Effects::new()
                .set(Requests::ClosedAt, now)
                .clock(None, None)
        }
        Action::Dispatch => {
            let lead = step.lead_org_id.or(r.suggested_org_id).ok_or_else(|| {
                DomainError::new("missing_lead_unit", "lead_org_id", "请选择承办单位")
            })?;
            let lead_name = routing::lead_unit_fits(db, lead, &r.desk_path).await?;
            let mut names = Vec::new();
            for a in &step.assist_org_ids {
                names.push(routing::lead_unit_fits(db, *a, &r.desk_path).await?);
            }
            data = Some(serde_json::json!({"lead": lead_name, "assist": names}));
            notes.push(notifications::dispatched(lead, &what));
            for a in &step.assist_org_ids {
                notes.push((Some(*a), None, None, "assist", format!("协办：{what}")));
            }
            Effects::dispatch(env, now, lead)
        }
        Action::Claim => Effects::new().set(Requests::ClaimedAt, now).clock(
            Some(Stage::Resolve),
            Some(resolve_clock(&pauses(db, id, now).await?)),
        ),
        Action::Return => {
            note = required(&note, "missing_reason", "退单理由")?;
            notes.push(notifications::returned(&r.desk_path, &what, &note));
            let due = hours_due(env.calendar, &env.office, now, env.policy.dispatch_hours);
            Effects::new()
                .set(Requests::LeadOrgId, None::<i64>)
                .set(
                    Requests::ReturnCount,
                    Expr::col(Requests::ReturnCount).add(1),
                )
                .clock(Some(Stage::Dispatch), Some(due))
        }
        Action::Resolve => {
            note = required(&note, "missing_result", "办理结果")?;
            notes.push(notifications::resolved(&r.desk_path, &what));
            Effects::new()
                .set(Requests::ResolvedAt, now)
                .set(Requests::Result, note.clone())
                .clock(None, None)
        }
        Action::Verify => {
            if let Some(u) = r.requester_user_id {
                notes.push(notifications::rate(u, &what));
            }
            Effects::new()
        }
        Action::SendBack => {
            note = required(&note, "missing_reason", "核查退回的理由")?;
            notes.push((
                r.lead_org_id,
                None,
                None,
                "sent_back",
                format!("核查退回：{what}：{note}"),
            ));
            Effects::new().clock(
                Some(Stage::Resolve),
                Some(resolve_clock(&pauses(db, id, now).await?)),
            )
        }
        Action::Rate => {
            let rating = step.rating.expect("the machine requires a rating");
            let mut said = serde_json::json!({"rating": rating.as_str()});
            let fx = Effects::new().set(Requests::Rating, rating.as_str());
            let fx = if to == Status::InProgress {
                notes.push(notifications::reopened(r.lead_org_id, &what));
                // A reopened request gets a fresh resolve clock from now.
                let due = resolve_due(env.calendar, &env.office, now, days, &[]);
                fx.set(
                    Requests::ReopenCount,
                    Expr::col(Requests::ReopenCount).add(1),
                )
                .clock(Some(Stage::Resolve), Some(due))
            } else {
                if rating.reopens() {
                    // Dissatisfied again after the re-handling the policy allows: closed as
                    // rated, and the unit and the desk are told it counts against them.
                    said["reopens_spent"] = r.reopen_count.into();
                    notes.extend(notifications::closed_dissatisfied(
                        r.lead_org_id,
                        &r.desk_path,
                        &what,
                        r.reopen_count,
                    ));
                }
                fx.set(Requests::ClosedAt, now).clock(None, None)
            };
            data = Some(said);
            fx
        }
        Action::Close => Effects::new()
            .set(Requests::ClosedAt, now)
            .clock(None, None),
        Action::Suspend => {
            note = required(&note, "missing_reason", "挂起的理由")?;
            Effects::new()
                .set(Requests::SuspendedAt, now)
                .clock(None, None)
        }
        Action::Resume => {
            let mut ps = pauses(db, id, now).await?;
            if ps.is_empty() {
                ps.push((r.claimed_at.unwrap_or(now), now));
            }
            Effects::new()
                .set(Requests::SuspendedAt, None::<DateTime<Utc>>)
                .clock(Some(Stage::Resolve), Some(resolve_clock(&ps)))
        }
        Action::RequestExtension => {
            let d = step.days.filter(|d| (1..=30).contains(d)).ok_or_else(|| {
                DomainError::new("invalid_days", "days", "延期天数须为1至30个工作日")
            })?;
            note = required(&note, "missing_reason", "延期理由")?;
            data = Some(serde_json::json!({"days": d}));
            notes.push((
                None,
                Some(r.desk_path.clone()),
                None,
                "extension",
                format!("延期申请：{what}，{d}个工作日"),
            ));
            Effects::new().set(Requests::ExtensionPendingDays, i64::from(d))
        }
        Action::ApproveExtension => {
            let d = r.extension_pending_days.unwrap_or(0);
            data = Some(serde_json::json!({"days": d}));
            notes.push((
                r.lead_org_id,
                None,
                None,
                "extension_approved",
                format!("延期已批准：{what}，{d}个工作日"),
            ));
            let fx = Effects::new()
                .set(Requests::ExtensionPendingDays, None::<i64>)
                .set(
                    Requests::ExtensionDays,
                    Expr::col(Requests::ExtensionDays).add(d),
                );
            if from == Status::Suspended {
                fx
            } else {
                let longer = u32::try_from(r.resolve_days + r.extension_days + d).unwrap_or(0);
                let due = resolve_due(
                    env.calendar,
                    &env.office,
                    accepted,
                    longer,
                    &pauses(db, id, now).await?,
                );
                fx.clock(Some(Stage::Resolve), Some(due))
            }
        }
        Action::RejectExtension => {
            note = required(&note, "missing_reason", "驳回理由")?;
            notes.push((
                r.lead_org_id,
                None,
                None,
                "extension_rejected",
                format!("延期被驳回：{what}"),
            ));
            Effects::new().set(Requests::ExtensionPendingDays, None::<i64>)
        }
        Action::Merge => {
            let into = step.merge_into.filter(|t| *t != id).ok_or_else(|| {
                DomainError::new("invalid_merge", "merge_into", "请选择要合并到的诉求")
            })?;
            let target = get(db, viewer, into).await.map_err(|_| {
                DomainError::new("invalid_merge", "merge_into", "要合并到的诉求不存在")
            })?;
            if !target.status().is_open() || target.category_id != r.category_id {
                return Err(DomainError::new(
                    "invalid_merge",
                    "merge_into",
                    "只能合并到同类、未办结的诉求",
                )
                .into());
            }
            data = Some(serde_json::json!({"into": into}));
            Effects::new()
                .set(Requests::MergedIntoId, into)
                .set(Requests::ClosedAt, now)
                .clock(None, None)
        }
        Action::Supervise => {
            note = required(&note, "missing_note", "督办意见")?;
            let to_unit = format!("督办：{what}：{note}");
            notes.push((r.lead_org_id, None, None, "supervised", to_unit));
            escalation::supervise()
        }
        Action::Escalate => {
            note = required(&note, "missing_reason", "呼叫上级的理由")?;
            let (fx, up) = escalation::escalate(db, env, &r, now).await?;
            data = Some(serde_json::json!({"to": up.name}));
            let msg = format!("下级呼叫：{what}：{note}");
            notes.push((None, Some(up.path), None, "escalated", msg));
            fx
        }
        Action::Start | Action::Note => Effects::new(),
    };
    if action == Action::Note && note.is_empty() {
        return Err(DomainError::new("missing_note", "note", "请填写办理记录").into());
    }
    let units = (action == Action::Dispatch).then(|| {
        let lead = step.lead_org_id.or(r.suggested_org_id).unwrap_or_default();
        (lead, step.assist_org_ids.clone())
    });
    step_write::write(
        db,
        StepWrite {
            id,
            from,
            to,
            action,
            now,
            fx,
            units,
            submitted_at: r.submitted_at,
            merge_into: step.merge_into,
            viewer: viewer.clone(),
            actor: actor.clone(),
            note,
            data,
            notes,
            place_path: r.place_path.clone(),
        },
    )
    .await
}
