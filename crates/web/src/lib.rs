//! Jiceng over HTTP: the JSON API under `/api/v1` (with its OpenAPI document) and the
//! server-rendered zh-CN pages. `app(state)` is the seam the binary and the tests use.

pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
pub mod open311;
pub mod pages;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use jiceng_core::clock::Clock;
use jiceng_core::throttle::ThrottlePolicy;
use jiceng_store::Db;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

pub use error::AppError;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`: on whenever the site is served over HTTPS.
    pub secure_cookies: bool,
    pub session_ttl: chrono::Duration,
    pub api_token_ttl: chrono::Duration,
    pub throttle: ThrottlePolicy,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_ttl: chrono::Duration::hours(12),
            api_token_ttl: chrono::Duration::days(30),
            throttle: ThrottlePolicy::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Seals and opens personal identifiers at rest.
    pub vault: jiceng_store::vault::Vault,
    pub clock: Arc<dyn Clock>,
    /// Working days, holidays and 调休 make-up days; deadlines are computed on it.
    pub calendar: Arc<jiceng_core::calendar::Calendar>,
    pub config: Arc<WebConfig>,
}

impl AppState {
    /// The calendar, office hours and limits requests are timed with; the limits are an
    /// installation setting (`sla_policy`) defaulting to "2310".
    pub async fn sla_env(&self) -> Result<jiceng_store::requests::SlaEnv<'_>, AppError> {
        let policy = jiceng_store::settings::sla_policy(&self.db).await?;
        Ok(jiceng_store::requests::SlaEnv {
            calendar: &self.calendar,
            office: Default::default(),
            policy,
        })
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api::router())
        .nest("/open311", open311::router())
        .merge(pages::router())
        .fallback(pages::error::not_found_fallback)
        // Enforced by the body extractors, so a route can raise it (roster imports do) and an
        // oversized body is refused with our error envelope or page rather than bare text.
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// 200 when the database answers, 503 otherwise: what a load balancer should probe.
async fn healthz(State(s): State<AppState>) -> (StatusCode, &'static str) {
    match s.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
