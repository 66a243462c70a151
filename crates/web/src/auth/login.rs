//! Sign-in shared by the login page and `POST /api/v1/auth/login`: throttle, verify, open a
//! session. Unknown logins and wrong passwords are indistinguishable in message and timing.

use super::token::{new_token, token_hash};
use super::verify_async;
use crate::AppState;
use crate::error::AppError;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use jiceng_store::sessions::{NewSession, SessionKind};
use jiceng_store::users::User;
use jiceng_store::{Actor, sessions, throttle, users};

pub struct SignedIn {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
    pub expires_at: DateTime<Utc>,
}

pub fn invalid_credentials() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "登录名或密码错误",
    )
}

pub fn throttled(minutes: i64) -> AppError {
    AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("登录失败次数过多，该账号或地址已被暂时锁定，请 {minutes} 分钟后再试"),
    )
}

pub async fn sign_in(
    state: &AppState,
    login: &str,
    password: &str,
    ip: &str,
    kind: SessionKind,
) -> Result<SignedIn, AppError> {
    let now = state.clock.now();
    // Not validated as a `Login`: a malformed name must fail exactly like an unknown one.
    let login: String = login.trim().to_lowercase().chars().take(64).collect();
    let policy = state.config.throttle;
    let (by_login, by_ip) = throttle::failures(&state.db, &login, ip, now - policy.window).await?;
    if !policy.allows(by_login, by_ip) {
        return Err(throttled(policy.window_minutes()));
    }
    let creds = users::credentials(&state.db, &login).await?;
    let ok = verify_async(
        password.to_owned(),
        creds.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    let actor = Actor {
        user_id: None,
        login: login.clone(),
        ip: Some(ip.to_owned()),
        at: now,
    };
    let creds = match creds {
        Some(c) if ok && c.active => c,
        _ => {
            throttle::record_failure(&state.db, &actor, "invalid_credentials").await?;
            // The attempt that reaches the limit already says so, so the user is not left
            // guessing why the next, correct, password is refused.
            if !policy.allows(by_login + 1, by_ip + 1) {
                return Err(throttled(policy.window_minutes()));
            }
            return Err(invalid_credentials());
        }
    };
    let grants = users::grants_of(&state.db, creds.id).await?;
    let user_path = grants
        .first()
        .map(|g| g.node_path.clone())
        .unwrap_or_else(|| jiceng_core::node::ROOT_PATH.to_owned());
    let token = new_token();
    let csrf_token = new_token();
    let ttl = match kind {
        SessionKind::Browser => state.config.session_ttl,
        SessionKind::Api => state.config.api_token_ttl,
    };
    let expires_at = now + ttl;
    let actor = Actor {
        user_id: Some(creds.id),
        ..actor
    };
    sessions::create(
        &state.db,
        &actor,
        NewSession {
            user_id: creds.id,
            kind,
            token_hash: &token_hash(&token),
            csrf_token: &csrf_token,
            expires_at,
            user_path: &user_path,
        },
    )
    .await?;
    Ok(SignedIn {
        token,
        csrf_token,
        user: users::own(&state.db, creds.id).await?,
        expires_at,
    })
}
