//! Server-rendered pages: the shell (left navigation, top bar with unit and scope), zh-CN first
//! with an English switch. Forms carry the session's CSRF token; `CsrfForm` checks it.

pub mod account;
pub mod audit;
mod audit_change;
pub mod board_scrub;
pub mod coverage;
pub mod dashboard;
pub mod dashboard_charts;
pub mod error;
pub mod exports;
pub mod home;
pub mod i18n;
pub mod i18n_audit;
pub mod i18n_dashboard;
pub mod i18n_open311;
pub mod i18n_requests;
pub mod i18n_rosters;
pub mod i18n_setup;
pub mod i18n_whistles;
mod lang;
pub mod login;
pub mod node_links;
pub mod nodes;
pub mod organisations;
mod page_user;
mod pager;
pub mod party_members;
pub mod place_labels;
pub mod public_board;
pub mod requests;
pub mod requests_act;
pub mod requests_detail;
pub mod requests_inbox;
pub mod requests_new;
pub mod requests_photos;
pub mod residents;
pub mod roster_import;
pub mod settings_categories;
pub mod settings_category_form;
pub mod settings_open311;
pub mod settings_routing;
pub mod settings_sla;
mod shell;
pub mod trees;
pub mod users;
pub mod whistles;
pub mod whistles_detail;
pub mod whistles_new;

pub use lang::{NextQuery, lang_of, safe_next};
pub use page_user::{CsrfForm, PageUser};
pub use pager::Pager;
pub use shell::{NavGroup, NavItem, Shell};

use crate::AppState;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use error::PageError;
pub use i18n::{Lang, Tr};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(lang::switch_lang))
        .route("/static/app.css", get(css))
        .route("/static/import.js", get(import_js))
        .route("/nodes", get(nodes::roots))
        .route("/nodes/{id}", get(nodes::show).post(nodes::create_child))
        .route("/nodes/{id}/anchors", post(node_links::anchor))
        .route("/nodes/{id}/move", post(nodes::move_node))
        .route("/nodes/{id}/staff", post(node_links::staff))
        .route("/nodes/{id}/members", post(node_links::enrol))
        .route("/trees", get(trees::show))
        .route("/coverage", get(coverage::show))
        .route("/coverage/list", get(coverage::list))
        .route("/coverage/list/export.xlsx", get(coverage::list_xlsx))
        .route("/party-members", get(party_members::list))
        .route("/party-members/export.xlsx", get(party_members::export))
        .route("/residents", get(residents::list))
        .route(
            "/residents/new",
            get(residents::new_form).post(residents::create),
        )
        // Import form, upload, report and template of every roster.
        .merge(roster_import::routes())
        .merge(settings_open311::routes())
        .route("/organisations", get(organisations::list))
        .route("/organisations/export.xlsx", get(exports::organisations))
        .route("/residents/export.xlsx", get(exports::residents))
        .route("/nodes/export.xlsx", get(exports::nodes))
        .route("/users/export.xlsx", get(exports::users))
        .route("/residents/{id}", get(residents::show))
        .route("/residents/{id}/reveal", post(residents::reveal))
        .route("/users", get(users::list))
        .route("/users/new", get(users::new_form).post(users::create))
        .route("/users/{id}", get(users::show))
        .route("/requests", get(requests::list))
        .route("/requests/export.xlsx", get(requests::export))
        .route(
            "/requests/new",
            get(requests_new::form).post(requests_new::submit),
        )
        .route("/requests/{id}", get(requests_detail::show))
        .route("/requests/{id}/act", post(requests_act::act))
        .route(
            "/requests/{id}/photos",
            post(requests_photos::upload)
                .layer(axum::extract::DefaultBodyLimit::max(6 * 1024 * 1024)),
        )
        .route("/notifications", get(requests_inbox::show))
        .merge(dashboard::routes())
        // The public board: no sign-in (it never shows personal data).
        .route("/public/board", get(public_board::show))
        .route("/settings/categories", get(settings_categories::list))
        .route(
            "/settings/categories/new",
            get(settings_categories::new_form).post(settings_categories::create),
        )
        .route(
            "/settings/categories/{id}",
            get(settings_categories::edit_form).post(settings_categories::update),
        )
        .route(
            "/settings/sla",
            get(settings_sla::show).post(settings_sla::save),
        )
        .route(
            "/settings/routing",
            get(settings_routing::show).post(settings_routing::create),
        )
        .merge(whistles::routes())
        .route("/audit", get(audit::list))
        .route("/audit/export.xlsx", get(audit::export_xlsx))
        .route("/audit/export.csv", get(audit::export_csv))
        .route(
            "/account/password",
            get(account::form).post(account::submit),
        )
}

/// Renders a template to a response; a template error is a logged 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            PageError::new(AppError::internal(), Lang::Zh).into_response()
        }
    }
}

async fn import_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/import.js"),
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}
