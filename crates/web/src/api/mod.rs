//! The JSON API, `/api/v1`. Each handler's first line asks the principal for the scope of one
//! permission; its doc comment states that permission and becomes the OpenAPI description.

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod coverage;
pub mod exports;
pub mod grid_staff_import;
pub mod nodes;
pub mod openapi;
pub mod orgs;
pub mod orgs_import;
pub mod party_members;
pub mod party_members_import;
pub mod places_import;
pub mod requests;
pub mod residents;
pub mod residents_import;
pub mod residents_roster;
pub mod roster;
pub mod sla_policy;
pub mod time_json;
pub mod users;
pub mod whistles;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/me/password", post(auth::change_password))
        .route("/api/v1/calendar/{year}", get(calendar::year))
        .route("/api/v1/nodes", get(nodes::list).post(nodes::create))
        .route("/api/v1/nodes/{id}", get(nodes::get))
        .route(
            "/api/v1/nodes/{id}/anchors",
            get(orgs::anchors).post(orgs::anchor),
        )
        .route("/api/v1/organisations", get(orgs::list).post(orgs::create))
        .route(
            "/api/v1/grids/{id}/staff",
            get(orgs::staff).post(orgs::assign),
        )
        .route(
            "/api/v1/settings/staffing-norm",
            get(orgs::get_norm).put(orgs::put_norm),
        )
        .route(
            "/api/v1/settings/sla-policy",
            get(sla_policy::get).put(sla_policy::put),
        )
        .route(
            "/api/v1/party-members",
            get(party_members::list).post(party_members::create),
        )
        .route("/api/v1/coverage", get(coverage::table))
        .route("/api/v1/coverage/list", get(coverage::list))
        .route(
            "/api/v1/coverage/list/export.xlsx",
            get(coverage::list_xlsx),
        )
        .route(
            "/api/v1/party-members/export.xlsx",
            get(party_members::export_xlsx),
        )
        .route("/api/v1/users", get(users::list).post(users::create))
        .route("/api/v1/users/{id}", get(users::get))
        .route(
            "/api/v1/residents",
            get(residents::list).post(residents::create),
        )
        .route(
            "/api/v1/residents/template.xlsx",
            get(residents_import::template),
        )
        .route(
            "/api/v1/residents/import",
            post(residents_import::import).layer(roster::file_limit()),
        )
        .route(
            "/api/v1/residents/import/report.xlsx",
            post(residents_import::report).layer(roster::file_limit()),
        )
        .route(
            "/api/v1/residents/export.xlsx",
            get(exports::residents_xlsx),
        )
        .route(
            "/api/v1/party-members/template.xlsx",
            get(party_members_import::template),
        )
        .route(
            "/api/v1/party-members/import",
            post(party_members_import::import).layer(roster::file_limit()),
        )
        .route(
            "/api/v1/party-members/import/report.xlsx",
            post(party_members_import::report).layer(roster::file_limit()),
        )
        .route(
            "/api/v1/grid-staff/template.xlsx",
            get(grid_staff_import::template),
        )
        .route(
            "/api/v1/grid-staff/import",
            post(grid_staff_import::import).layer(roster::file_limit()),
        )
        .route(
            "/api/v1/grid-staff/import/report.xlsx",
            post(grid_staff_import::report).layer(roster::file_limit()),
        )
        .route(
            "/api/v1/organisations/template.xlsx",
            get(orgs_import::template),
        )
        .route(
            "/api/v1/organisations/import",
            post(orgs_import::import).layer(roster::file_limit()),
        )
        .route(
            "/api/v1/organisations/import/report.xlsx",
            post(orgs_import::report).layer(roster::file_limit()),
        )
        .route(
            "/api/v1/organisations/export.xlsx",
            get(exports::organisations_xlsx),
        )
        .route("/api/v1/places/template.xlsx", get(places_import::template))
        .route(
            "/api/v1/places/import",
            post(places_import::import).layer(roster::file_limit()),
        )
        .route(
            "/api/v1/places/import/report.xlsx",
            post(places_import::report).layer(roster::file_limit()),
        )
        .route("/api/v1/nodes/export.xlsx", get(exports::nodes_xlsx))
        .route("/api/v1/users/export.xlsx", get(exports::users_xlsx))
        .route("/api/v1/residents/{id}", get(residents::get))
        .route(
            "/api/v1/residents/{id}/reveal-id-card",
            post(residents::reveal_id_card),
        )
        .merge(requests::router())
        .merge(whistles::router())
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/audit/export.xlsx", get(audit::export_xlsx))
        .route("/api/v1/audit/export.csv", get(audit::export_csv))
        .fallback(api_not_found)
}

async fn api_not_found() -> crate::AppError {
    crate::AppError::new(
        axum::http::StatusCode::NOT_FOUND,
        "no_such_endpoint",
        "接口不存在",
    )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Items per page, 1–500 (default 50).
    pub page_size: Option<u64>,
}

/// A page of items and the total count matching the filters.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// False when `total` is a lower bound: a long list whose exact count no counter holds
    /// (the general request list beyond 1,000); page on while pages come back full.
    pub total_exact: bool,
    pub page: u64,
    pub page_size: u64,
}

/// A page answers as JSON written into one buffer sized for it (about 1 KB an item), where
/// `axum::Json` grows a buffer from 128 bytes through `BytesMut` a token at a time: writing a
/// request list's page was a tenth of the call's CPU (bench S3).
impl<T: Serialize> axum::response::IntoResponse for Paged<T> {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{HeaderValue, header};
        let mut buf = Vec::with_capacity(256 + 1024 * self.items.len());
        match serde_json::to_writer(&mut buf, &self) {
            Ok(()) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                buf,
            )
                .into_response(),
            Err(e) => {
                tracing::error!("page not serialisable: {e}");
                crate::error::AppError::internal().into_response()
            }
        }
    }
}
