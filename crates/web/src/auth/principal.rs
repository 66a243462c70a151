//! The signed-in user, extracted once per request from the session cookie or a bearer token.
//! `Principal::scope` is the single place where a permission becomes a `Scope` for the store.

use super::token::{constant_time_eq, token_hash};
use super::{CSRF_HEADER, SESSION_COOKIE};
use crate::AppState;
use crate::error::AppError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use jiceng_core::role::Permission;
use jiceng_core::scope::{Grant, Scope};
use jiceng_store::requests::Viewer;
use jiceng_store::users::User;
use jiceng_store::{Actor, sessions};
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub grants: Vec<Grant>,
    pub session_id: i64,
    pub csrf_token: String,
    pub ip: String,
    /// The request's time, from the app clock: one "now" per request.
    pub at: DateTime<Utc>,
}

impl Principal {
    /// The subtrees where this user may do `p`; `forbidden` when they may do it nowhere.
    /// Objects outside the returned scope are reported by the store as not found.
    pub fn scope(&self, p: Permission) -> Result<Scope, AppError> {
        Scope::for_permission(&self.grants, p).ok_or_else(AppError::forbidden)
    }

    pub fn can(&self, p: Permission) -> bool {
        self.grants.iter().any(|g| g.role.permits(p))
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            login: self.user.login.clone(),
            ip: Some(self.ip.clone()),
            at: self.at,
        }
    }

    /// The user as the request loop sees them: where they see requests by place, which desks
    /// they run, and the unit they act for. Built here so visibility is decided in one place.
    pub fn request_viewer(&self) -> Viewer {
        Viewer {
            user_id: self.user.id,
            name: self.user.display_name.clone(),
            unit: self.unit(),
            places: Scope::for_permission(&self.grants, Permission::ViewRequests),
            desks: Scope::for_permission(&self.grants, Permission::DispatchRequests),
            unit_id: self
                .user
                .organisation_id
                .filter(|_| self.can(Permission::HandleRequests)),
            supervises: Scope::for_permission(&self.grants, Permission::SuperviseRequests),
        }
    }

    /// Where the user's first role sits: the scope of audit entries about the user themself.
    pub fn home_path(&self) -> &str {
        self.grants
            .first()
            .map(|g| g.node_path.as_str())
            .unwrap_or(jiceng_core::node::ROOT_PATH)
    }

    /// The unit shown in the top bar: the account's unit, else the node of the first role.
    pub fn unit(&self) -> String {
        if !self.user.unit_name.is_empty() {
            return self.user.unit_name.clone();
        }
        self.grants
            .first()
            .map(|g| g.node_name.clone())
            .unwrap_or_default()
    }
}

pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The client's address, for throttling and the audit log.
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let t = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))?;
    Some(t.trim().to_owned())
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(p) = parts.extensions.get::<Principal>() {
            return Ok(p.clone());
        }
        let (token, via_cookie) = match bearer(parts) {
            Some(t) => (t, false),
            None => {
                let jar = CookieJar::from_headers(&parts.headers);
                let t = jar
                    .get(SESSION_COOKIE)
                    .map(|c| c.value().to_owned())
                    .ok_or_else(AppError::unauthenticated)?;
                (t, true)
            }
        };
        let now = state.clock.now();
        // One query for the session, its user and the user's roles, on every request: nothing
        // is cached, so signing out, a deactivated account or a changed role holds at once on
        // every instance sharing the database.
        let (session, user, grants) = sessions::signed_in(&state.db, &token_hash(&token), now)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        // A cookie is sent by the browser on its own; a state-changing API call riding on it must
        // also carry the CSRF token that only our pages know.
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if via_cookie && unsafe_method && parts.uri.path().starts_with("/api/") {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent, &session.csrf_token) {
                return Err(AppError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "csrf_failed",
                    "页面已过期，请刷新后重试",
                ));
            }
        }
        if !user.active {
            return Err(AppError::unauthenticated());
        }
        let p = Principal {
            user,
            grants,
            session_id: session.id,
            csrf_token: session.csrf_token,
            ip: client_ip(parts),
            at: now,
        };
        parts.extensions.insert(p.clone());
        Ok(p)
    }
}
