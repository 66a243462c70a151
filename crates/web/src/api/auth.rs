//! Sign-in for API clients, and the caller's own account.

use crate::AppState;
use crate::auth::login::{invalid_credentials, sign_in};
use crate::auth::principal::ClientIp;
use crate::auth::{Principal, hash_async, verify_async};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use jiceng_core::account::NewPassword;
use jiceng_core::scope::Grant;
use jiceng_store::sessions;
use jiceng_store::sessions::SessionKind;
use jiceng_store::users::{self, User};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// Sign in and get a bearer token. Open to anyone. Five failures on one login within 15 minutes
/// lock it (429); unknown logins and wrong passwords get the same answer.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> ApiResult<axum::Json<LoginResponse>> {
    let s = sign_in(&state, &req.login, &req.password, &ip, SessionKind::Api).await?;
    Ok(axum::Json(LoginResponse {
        token: s.token,
        expires_at: s.expires_at,
        user: s.user,
    }))
}

/// End the current session or token. Any signed-in user.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn logout(State(state): State<AppState>, p: Principal) -> ApiResult<StatusCode> {
    sessions::delete(
        &state.db,
        &p.actor(),
        p.session_id,
        p.user.id,
        p.home_path(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub role: String,
    pub role_label: String,
    pub node_id: i64,
    pub node_name: String,
}

impl From<&Grant> for GrantView {
    fn from(g: &Grant) -> Self {
        Self {
            role: g.role.as_str().to_owned(),
            role_label: g.role.label_zh().to_owned(),
            node_id: g.node_id,
            node_name: g.node_name.clone(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user: User,
    pub unit: String,
    /// The roles held and where: the union of these subtrees is the caller's scope.
    pub grants: Vec<GrantView>,
}

/// The caller's account, unit and roles. Any signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(p: Principal) -> axum::Json<Me> {
    axum::Json(Me {
        unit: p.unit(),
        grants: p.grants.iter().map(GrantView::from).collect(),
        user: p.user,
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password; every other session of the account ends. Any signed-in user.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    p: Principal,
    Json(req): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    change_own_password(&state, &p, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shared with the password page.
pub async fn change_own_password(
    state: &AppState,
    p: &Principal,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let new = NewPassword::parse(new, "new_password")?;
    let creds = users::credentials_by_id(&state.db, p.user.id).await?;
    if !verify_async(current.to_owned(), Some(creds.password_hash)).await {
        return Err(AppError {
            details: serde_json::json!({"field": "current_password"}),
            message: "当前密码不正确".into(),
            ..invalid_credentials()
        });
    }
    let hash = hash_async(new.expose().to_owned()).await;
    users::set_password(
        &state.db,
        &p.actor(),
        p.user.id,
        hash,
        Some(p.session_id),
        p.home_path(),
    )
    .await?;
    Ok(())
}
