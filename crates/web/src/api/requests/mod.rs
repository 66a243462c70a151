//! The request loop over JSON: intake, lists, the detail with its timeline and the actions the
//! caller may take, the steps themselves, the catalogue and routing rules, and the inbox.

pub mod act;
pub mod inbox;
pub mod intake;
pub mod list;
pub mod photos;
pub mod rates;
pub mod setup;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use jiceng_core::requests::{Channel, Severity};
use jiceng_core::role::Permission;
use jiceng_store::requests::RequestRow;
use jiceng_store::vault::Vault;
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/request-categories",
            get(setup::categories).post(setup::create_category),
        )
        .route(
            "/api/v1/request-categories/{id}",
            put(setup::update_category),
        )
        .route(
            "/api/v1/routing-rules",
            get(setup::rules).post(setup::create_rule),
        )
        .route("/api/v1/requests", get(list::list).post(intake::submit))
        .route("/api/v1/requests/export.xlsx", get(list::export_xlsx))
        .route("/api/v1/requests/duplicates", get(intake::duplicates))
        .route("/api/v1/requests/{id}", get(act::detail))
        .route("/api/v1/requests/{id}/actions", post(act::act))
        .route(
            "/api/v1/requests/{id}/photos",
            get(photos::list)
                .post(photos::add)
                .layer(axum::extract::DefaultBodyLimit::max(6 * 1024 * 1024)),
        )
        .route("/api/v1/requests/{id}/photos/{photo_id}", get(photos::get))
        .route("/api/v1/rates", get(rates::rates))
        .route("/api/v1/notifications", get(inbox::list))
        .route("/api/v1/notifications/seen", post(inbox::seen))
}

/// A request as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub category_id: i64,
    pub category_name: String,
    /// `general`, `important`, `major`.
    pub severity: String,
    pub severity_label: String,
    /// `resident`, `grid_patrol`, `hotline`.
    pub channel: String,
    pub channel_label: String,
    pub description: String,
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    pub requester_name: String,
    /// Full only for the desk, the lead unit and roles that call residents back; else masked.
    pub requester_phone: Option<String>,
    pub place_node_id: i64,
    /// The place's path in the territory tree (`/37/3717/371722/…/`).
    pub place_path: String,
    pub place_name: String,
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub suggested_org_id: Option<i64>,
    pub lead_org_id: Option<i64>,
    pub lead_org_name: Option<String>,
    pub status: String,
    pub status_label: String,
    /// The stage whose clock runs: `accept`, `dispatch`, `claim`, `resolve`; none when stopped.
    pub stage: Option<String>,
    #[serde(serialize_with = "crate::api::time_json::iso_opt")]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::time_json::iso_opt")]
    pub warn_at: Option<DateTime<Utc>>,
    /// `green` before 80 % of the stage's time, `yellow` to the deadline, `red` after it.
    pub light: Option<String>,
    pub resolve_days: i64,
    pub extension_days: i64,
    pub extension_pending_days: Option<i64>,
    #[serde(serialize_with = "crate::api::time_json::iso")]
    pub submitted_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::time_json::iso_opt")]
    pub accepted_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::time_json::iso_opt")]
    pub dispatched_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::time_json::iso_opt")]
    pub claimed_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::time_json::iso_opt")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::time_json::iso_opt")]
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<String>,
    pub result: String,
    pub reopen_count: i64,
    pub return_count: i64,
    pub overdue_count: i64,
    pub merged_into_id: Option<i64>,
}

/// Shapes a stored request for the caller; `full_phone` when their part needs to call back.
pub fn view(r: RequestRow, vault: &Vault, full_phone: bool, now: DateTime<Utc>) -> RequestView {
    let light = r.light(now).map(|l| l.as_str().to_owned());
    let phone = if full_phone {
        r.requester_phone_sealed
            .as_deref()
            .and_then(|s| vault.open(s).ok())
    } else {
        r.requester_phone_masked.clone()
    };
    let status = r.status();
    RequestView {
        id: r.id,
        category_id: r.category_id,
        category_name: r.category_name,
        severity_label: Severity::parse(&r.severity)
            .map(|s| s.label_zh())
            .unwrap_or("")
            .to_owned(),
        severity: r.severity,
        channel_label: Channel::parse(&r.channel)
            .map(|c| c.label_zh())
            .unwrap_or("")
            .to_owned(),
        channel: r.channel,
        description: r.description,
        answers: serde_json::from_str(&r.answers_json).unwrap_or_default(),
        requester_name: r.requester_name,
        requester_phone: phone,
        place_node_id: r.place_node_id,
        place_path: r.place_path,
        place_name: r.place_name,
        address: r.address,
        longitude: r.longitude,
        latitude: r.latitude,
        suggested_org_id: r.suggested_org_id,
        lead_org_id: r.lead_org_id,
        lead_org_name: r.lead_org_name,
        status: status.as_str().to_owned(),
        status_label: status.label_zh().to_owned(),
        stage: r.stage,
        due_at: r.due_at,
        warn_at: r.warn_at,
        light,
        resolve_days: r.resolve_days,
        extension_days: r.extension_days,
        extension_pending_days: r.extension_pending_days,
        submitted_at: r.submitted_at,
        accepted_at: r.accepted_at,
        dispatched_at: r.dispatched_at,
        claimed_at: r.claimed_at,
        resolved_at: r.resolved_at,
        closed_at: r.closed_at,
        rating: r.rating,
        result: r.result,
        reopen_count: r.reopen_count,
        return_count: r.return_count,
        overdue_count: r.overdue_count,
        merged_into_id: r.merged_into_id,
    }
}

/// Whether a list shows full phones: roles that call residents back.
pub fn lists_full_phones(p: &crate::auth::Principal) -> bool {
    p.can(Permission::ViewPhones) || p.can(Permission::DispatchRequests)
}
