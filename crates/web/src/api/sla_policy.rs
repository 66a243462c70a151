//! The installation's time limits (办理时限: "2310" and the hour stages) and how often a
//! dissatisfied rating reopens a request.

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_core::calendar::Sla;
use jiceng_core::requests::sla::SlaPolicy;
use jiceng_core::role::Permission;
use jiceng_store::settings;
use serde::{Deserialize, Serialize};

/// Working days to resolve, by severity.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveDays {
    pub general: u32,
    pub important: u32,
    pub major: u32,
}

/// Every stage's limit, in working hours or days, and the reopen limit.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicyBody {
    /// Working hours for the desk to accept (受理), 1–48.
    pub accept_hours: u32,
    /// Working hours for the desk to dispatch (派单), 1–48.
    pub dispatch_hours: u32,
    /// Working hours for the unit to claim (接单), 1–48.
    pub claim_hours: u32,
    /// Working days to resolve (办结) by severity, 1–60 each: "2310" is 2/3/10.
    pub resolve_days: ResolveDays,
    /// How many times 不满意 sends a request back to its unit, 0–5; the next 不满意 closes it
    /// as rated.
    pub reopen_limit: u32,
}

impl From<SlaPolicy> for SlaPolicyBody {
    fn from(p: SlaPolicy) -> Self {
        Self {
            accept_hours: p.accept_hours,
            dispatch_hours: p.dispatch_hours,
            claim_hours: p.claim_hours,
            resolve_days: ResolveDays {
                general: p.resolve_days.general,
                important: p.resolve_days.important,
                major: p.resolve_days.major,
            },
            reopen_limit: p.reopen_limit,
        }
    }
}

impl From<SlaPolicyBody> for SlaPolicy {
    fn from(b: SlaPolicyBody) -> Self {
        Self {
            accept_hours: b.accept_hours,
            dispatch_hours: b.dispatch_hours,
            claim_hours: b.claim_hours,
            resolve_days: Sla {
                general: b.resolve_days.general,
                important: b.resolve_days.important,
                major: b.resolve_days.major,
            },
            reopen_limit: b.reopen_limit,
        }
    }
}

/// The time limits deadlines are computed with. Any signed-in user: units and residents are
/// held to them.
#[utoipa::path(get, path = "/api/v1/settings/sla-policy", tag = "requests",
    responses((status = 200, body = SlaPolicyBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(State(s): State<AppState>, _p: Principal) -> ApiResult<axum::Json<SlaPolicyBody>> {
    Ok(axum::Json(settings::sla_policy(&s.db).await?.into()))
}

/// Replace the time limits. District administrators (`ManageRequestSetup`), as for the category
/// catalogue; a figure out of bounds is refused as `out_of_range` naming it.
#[utoipa::path(put, path = "/api/v1/settings/sla-policy", tag = "requests",
    request_body = SlaPolicyBody,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<SlaPolicyBody>,
) -> ApiResult<StatusCode> {
    p.scope(Permission::ManageRequestSetup)?;
    settings::set_sla_policy(&s.db, &p.actor(), &b.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}
