//! One request in full (timeline, units, what the caller may do next) and taking a step on it.

use super::{RequestView, lists_full_phones, view};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, PathId};
use axum::extract::State;
use jiceng_core::requests::machine::{self, Context};
use jiceng_core::requests::{Action, Party, Rating};
use jiceng_store::requests::routing::{UnitChoice, candidate_units};
use jiceng_store::requests::timeline::{self, TimelineEntry};
use jiceng_store::requests::transition::{self, Step};
use jiceng_store::requests::{self, RequestUnit};
use serde::{Deserialize, Serialize};

/// An action the caller may take now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Available {
    pub action: String,
    pub label: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RequestDetail {
    pub request: RequestView,
    pub units: Vec<RequestUnit>,
    pub timeline: Vec<TimelineEntry>,
    /// What the caller is to this request: `requester`, `desk`, `lead_unit`, `assist_unit`.
    pub parties: Vec<String>,
    pub actions: Vec<Available>,
    /// For the desk: units it can dispatch to.
    pub dispatch_units: Vec<UnitChoice>,
}

pub(crate) async fn load(s: &AppState, p: &Principal, id: i64) -> Result<RequestDetail, AppError> {
    let viewer = p.request_viewer();
    let r = requests::get(&s.db, &viewer, id).await?;
    let units = requests::units(&s.db, id).await?;
    let assisting: Vec<i64> = units
        .iter()
        .filter(|u| u.role == "assist")
        .map(|u| u.org_id)
        .collect();
    let parties = viewer.parties(&r, &assisting);
    let ctx = Context {
        requester_has_account: r.requester_user_id.is_some(),
        extension_pending: r.extension_pending_days.is_some(),
        // Decides only where a 不满意 leads, not whether rating is offered: no need to read the
        // policy for the list of actions.
        reopens_spent: false,
    };
    let actions = machine::available(r.status(), &parties, ctx)
        .into_iter()
        .map(|a| Available {
            action: a.as_str().into(),
            label: a.label_zh().into(),
        })
        .collect();
    let desk = parties.contains(&Party::Desk);
    let dispatch_units = if desk {
        candidate_units(&s.db, &r.desk_path).await?
    } else {
        Vec::new()
    };
    let full = desk || parties.contains(&Party::LeadUnit) || lists_full_phones(p);
    let timeline = timeline::of(&s.db, id).await?;
    Ok(RequestDetail {
        request: view(r, &s.vault, full, p.at),
        units,
        timeline,
        parties: parties.iter().map(|p| p.as_str().to_owned()).collect(),
        actions,
        dispatch_units,
    })
}

/// A request with its units, timeline and the actions the caller may take. Visible to its
/// requester, to staff whose scope covers its place (`ViewRequests`), to its desk
/// (`DispatchRequests`) and to the units on it (`HandleRequests`); 404 to anyone else.
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests", params(("id" = i64, Path)),
    responses((status = 200, body = RequestDetail), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn detail(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
) -> ApiResult<axum::Json<RequestDetail>> {
    Ok(axum::Json(load(&s, &p, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActRequest {
    /// `accept`, `decline`, `dispatch`, `claim`, `return`, `start`, `resolve`, `verify`,
    /// `send_back`, `rate`, `close`, `withdraw`, `suspend`, `resume`, `request_extension`,
    /// `approve_extension`, `reject_extension`, `merge`, `note`.
    pub action: String,
    /// The reason, result or comment; required for decline, return, resolve, send back,
    /// suspend, extension requests and rejections, and notes.
    #[serde(default)]
    pub note: String,
    /// For `rate`: `satisfied`, `fairly_satisfied`, `dissatisfied` (reopens to the lead unit).
    pub rating: Option<String>,
    /// For `dispatch`: the lead unit (defaults to the routing rule's suggestion).
    pub lead_org_id: Option<i64>,
    /// For `dispatch`: assisting units (协办).
    #[serde(default)]
    pub assist_org_ids: Vec<i64>,
    /// For `request_extension`: working days, 1–30.
    pub days: Option<u32>,
    /// For `merge`: the request this one duplicates.
    pub merge_into: Option<i64>,
}

/// Take a step. Who may take which step from which state is the state machine's table
/// (`docs/REQUESTS.md`); a step not allowed now is 409 `transition_not_allowed`, a step that is
/// someone else's is 403 `not_your_step`, and in both cases nothing changes.
#[utoipa::path(post, path = "/api/v1/requests/{id}/actions", tag = "requests", params(("id" = i64, Path)),
    request_body = ActRequest,
    responses((status = 200, body = RequestDetail), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn act(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
    Json(req): Json<ActRequest>,
) -> ApiResult<axum::Json<RequestDetail>> {
    let action = Action::parse(&req.action)
        .ok_or_else(|| AppError::bad_request("invalid_action", "action", "未知的办理操作"))?;
    let rating = match req
        .rating
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(raw) => Some(Rating::parse(raw).ok_or_else(|| {
            AppError::bad_request("invalid_rating", "rating", "评价须为满意、基本满意或不满意")
        })?),
    };
    let env = s.sla_env().await?;
    let step = Step {
        action: Some(action),
        note: req.note,
        rating,
        lead_org_id: req.lead_org_id,
        assist_org_ids: req.assist_org_ids,
        days: req.days,
        merge_into: req.merge_into,
    };
    transition::act(&s.db, &env, &p.request_viewer(), &p.actor(), id, step).await?;
    Ok(axum::Json(load(&s, &p, id).await?))
}
