//! The request state machine. Every transition names the states it leaves from, the state it
//! goes to, and the parties who may take it; `docs/REQUESTS.md` draws the same table.
//!
//! A *party* is what the acting user is to this particular request (its requester, the dispatch
//! desk that owns it, its lead unit, an assisting unit). The store works out the parties from
//! the user's roles and scope; this module only decides whether the move is legal.

use super::Rating;
use crate::DomainError;

labelled!(Status {
    Submitted = "submitted", "待受理", "Submitted";
    Accepted = "accepted", "待派单", "Accepted";
    Declined = "declined", "不予受理", "Declined";
    Dispatched = "dispatched", "待接单", "Dispatched";
    Returned = "returned", "已退单", "Returned";
    Claimed = "claimed", "已接单", "Claimed";
    InProgress = "in_progress", "办理中", "In progress";
    Suspended = "suspended", "已挂起", "Suspended";
    Resolved = "resolved", "待核查", "Resolved";
    Verified = "verified", "待评价", "Verified";
    Closed = "closed", "已办结", "Closed";
    Withdrawn = "withdrawn", "已撤回", "Withdrawn";
    Merged = "merged", "已合并", "Merged";
});

impl Status {
    /// Still in somebody's queue. The open set is what the partial indexes cover.
    pub const OPEN: &'static [Status] = &[
        Status::Submitted,
        Status::Accepted,
        Status::Dispatched,
        Status::Returned,
        Status::Claimed,
        Status::InProgress,
        Status::Suspended,
        Status::Resolved,
        Status::Verified,
    ];

    /// Waiting for the dispatch desk: to accept, to dispatch (again), to verify, to close. With
    /// a pending extension request, these make a desk's queue (the index `requests_desk_queue`
    /// spells them in this order).
    pub const AT_DESK: &'static [Status] = &[
        Status::Submitted,
        Status::Accepted,
        Status::Returned,
        Status::Resolved,
        Status::Verified,
    ];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

labelled!(Party {
    Requester = "requester", "诉求人", "Requester";
    Desk = "desk", "派单中心", "Dispatch desk";
    LeadUnit = "lead_unit", "承办单位", "Lead unit";
    AssistUnit = "assisting_unit", "协办单位", "Assisting unit";
    Supervisor = "supervisor", "督办人", "Supervisor";
});

labelled!(Action {
    Accept = "accept", "受理", "Accept";
    Decline = "decline", "不予受理", "Decline";
    Dispatch = "dispatch", "派单", "Dispatch";
    Claim = "claim", "接单", "Claim";
    Return = "return", "退单", "Return";
    Start = "start", "开始办理", "Start work";
    Resolve = "resolve", "办结反馈", "Resolve";
    Verify = "verify", "核查通过", "Verify";
    SendBack = "send_back", "核查退回", "Send back";
    Rate = "rate", "评价", "Rate";
    Close = "close", "回访结案", "Close";
    Withdraw = "withdraw", "撤回", "Withdraw";
    Suspend = "suspend", "挂起", "Suspend";
    Resume = "resume", "恢复办理", "Resume";
    RequestExtension = "request_extension", "申请延期", "Request extension";
    ApproveExtension = "approve_extension", "批准延期", "Approve extension";
    RejectExtension = "reject_extension", "驳回延期", "Reject extension";
    Merge = "merge", "合并", "Merge";
    Note = "note", "办理记录", "Note";
    Supervise = "supervise", "督办", "Supervise";
    Escalate = "escalate", "呼叫上级", "Escalate";
});

use Party::{AssistUnit, Desk, LeadUnit, Requester, Supervisor};
use Status::*;

/// One row of the transition table. `to: None` keeps the status (extensions, notes).
pub struct Rule {
    pub action: Action,
    pub from: &'static [Status],
    pub to: Option<Status>,
    pub by: &'static [Party],
}

const BEFORE_CLAIM: &[Status] = &[Submitted, Accepted, Dispatched, Returned];
const WORKING: &[Status] = &[Claimed, InProgress];
const HELD: &[Status] = &[Dispatched, Claimed, InProgress, Suspended];

/// The whole machine. `Rate` is listed with its closing target; a dissatisfied rating goes to
/// `InProgress` instead while reopenings are left (see [`next`]).
pub const RULES: &[Rule] = &[
    rule(Action::Accept, &[Submitted], Some(Accepted), &[Desk]),
    rule(Action::Decline, &[Submitted], Some(Declined), &[Desk]),
    rule(
        Action::Dispatch,
        &[Accepted, Returned],
        Some(Dispatched),
        &[Desk],
    ),
    rule(Action::Claim, &[Dispatched], Some(Claimed), &[LeadUnit]),
    rule(Action::Return, &[Dispatched], Some(Returned), &[LeadUnit]),
    rule(Action::Start, &[Claimed], Some(InProgress), &[LeadUnit]),
    rule(Action::Resolve, WORKING, Some(Resolved), &[LeadUnit]),
    rule(Action::Verify, &[Resolved], Some(Verified), &[Desk]),
    rule(Action::SendBack, &[Resolved], Some(InProgress), &[Desk]),
    // The desk records the rating from its callback (回访) when the requester has no account.
    rule(Action::Rate, &[Verified], Some(Closed), &[Requester, Desk]),
    rule(Action::Close, &[Verified], Some(Closed), &[Desk]),
    rule(
        Action::Withdraw,
        BEFORE_CLAIM,
        Some(Withdrawn),
        &[Requester],
    ),
    rule(Action::Suspend, WORKING, Some(Suspended), &[Desk]),
    rule(Action::Resume, &[Suspended], Some(InProgress), &[Desk]),
    rule(Action::RequestExtension, WORKING, None, &[LeadUnit]),
    rule(
        Action::ApproveExtension,
        &[Claimed, InProgress, Suspended],
        None,
        &[Desk],
    ),
    rule(
        Action::RejectExtension,
        &[Claimed, InProgress, Suspended],
        None,
        &[Desk],
    ),
    rule(Action::Merge, &[Submitted, Accepted], Some(Merged), &[Desk]),
    rule(
        Action::Note,
        Status::OPEN,
        None,
        &[Desk, LeadUnit, AssistUnit],
    ),
    // 督办: the desk or a supervising office presses the unit holding the request.
    rule(Action::Supervise, HELD, None, &[Desk, Supervisor]),
    // 分级响应: a desk that cannot handle a request calls the level above (community → street
    // → district) before dispatching it; the desk above accepts it afresh.
    rule(
        Action::Escalate,
        &[Submitted, Accepted, Returned],
        Some(Submitted),
        &[Desk],
    ),
];

const fn rule(
    action: Action,
    from: &'static [Status],
    to: Option<Status>,
    by: &'static [Party],
) -> Rule {
    Rule {
        action,
        from,
        to,
        by,
    }
}

/// What the caller knows about the request besides its status.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The requester signed in to submit it (else the desk rates on their behalf).
    pub requester_has_account: bool,
    /// An extension request is waiting for the desk.
    pub extension_pending: bool,
    /// The request has been reopened as often as the policy allows
    /// (`SlaPolicy::reopen_limit`): a dissatisfied rating now closes it, as 不满意. Without a
    /// limit every 不满意 reopened, so no request could end dissatisfied and 满意率 tended to
    /// 100 %; hotlines re-handle once and then close the request as rated.
    pub reopens_spent: bool,
}

pub fn rule_for(action: Action) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.action == action)
        .expect("every action has a rule")
}

/// The status after `action`, taken by someone who is `parties` to a request in `status`, or
/// why it is refused. Nothing is decided by the caller: the rating decides between closing and
/// reopening, and the context decides who rates and whether extensions can be decided.
pub fn next(
    status: Status,
    action: Action,
    rating: Option<Rating>,
    parties: &[Party],
    ctx: Context,
) -> Result<Status, DomainError> {
    let r = rule_for(action);
    if !r.from.contains(&status) {
        return Err(DomainError::new(
            "transition_not_allowed",
            "action",
            format!(
                "当前状态为「{}」，不能{}",
                status.label_zh(),
                action.label_zh()
            ),
        ));
    }
    let mut allowed: Vec<Party> = r.by.to_vec();
    if action == Action::Rate && ctx.requester_has_account {
        allowed.retain(|p| *p == Requester);
    }
    if !parties.iter().any(|p| allowed.contains(p)) {
        let who: Vec<&str> = allowed.iter().map(|p| p.label_zh()).collect();
        return Err(DomainError::new(
            "not_your_step",
            "action",
            format!("「{}」须由{}办理", action.label_zh(), who.join("或")),
        ));
    }
    match action {
        Action::RequestExtension if ctx.extension_pending => Err(DomainError::new(
            "extension_pending",
            "action",
            "已有延期申请待审批",
        )),
        Action::ApproveExtension | Action::RejectExtension if !ctx.extension_pending => Err(
            DomainError::new("no_extension_pending", "action", "没有待审批的延期申请"),
        ),
        Action::Rate => match rating {
            None => Err(DomainError::new("missing_rating", "rating", "请选择评价")),
            Some(r) if r.reopens() && !ctx.reopens_spent => Ok(InProgress),
            Some(_) => Ok(Closed),
        },
        _ => Ok(r.to.unwrap_or(status)),
    }
}

/// The actions `parties` may take now, in table order: what the detail page offers as buttons.
pub fn available(status: Status, parties: &[Party], ctx: Context) -> Vec<Action> {
    RULES
        .iter()
        .filter(|r| {
            let rating = (r.action == Action::Rate).then_some(Rating::Satisfied);
            next(status, r.action, rating, parties, ctx).is_ok()
        })
        .map(|r| r.action)
        .collect()
}

#[cfg(test)]
mod tests;
