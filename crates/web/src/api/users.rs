//! Staff and resident accounts.

use super::{PageQuery, Paged};
use crate::AppState;
use crate::auth::{Principal, hash_async};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, PathId, Query};
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_core::account::{Login, NewPassword, parse_display_name};
use jiceng_core::role::{Permission, Role};
use jiceng_store::Page;
use jiceng_store::users::{self, Authority, NewUser, User};
use serde::Deserialize;

/// One account. Needs `ViewUsers`; accounts holding no role inside the caller's scope are 404.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
) -> ApiResult<axum::Json<User>> {
    let scope = p.scope(Permission::ViewUsers)?;
    Ok(axum::Json(users::get(&s.db, &scope, id).await?))
}

/// Accounts holding a role inside the caller's scope, by login. Needs `ViewUsers`.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery),
    responses((status = 200, body = Paged<User>)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<PageQuery>,
) -> ApiResult<Paged<User>> {
    let scope = p.scope(Permission::ViewUsers)?;
    let page = Page::new(q.page, q.page_size);
    let (items, total) = users::list(&s.db, &scope, page).await?;
    Ok(Paged {
        items,
        total,
        total_exact: true,
        page: page.page,
        page_size: page.size,
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub role: String,
    pub node_id: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub login: String,
    pub display_name: String,
    #[serde(default)]
    pub unit_name: String,
    pub password: String,
    pub grants: Vec<GrantRequest>,
}

/// A create-account request with every field checked; the password is not hashed yet.
pub struct ParsedUser {
    pub login: Login,
    pub display_name: String,
    pub password: NewPassword,
    pub grants: Vec<(Role, i64)>,
}

/// Checks every field, naming the one at fault.
pub fn parse_new_user(req: &CreateUser) -> Result<ParsedUser, AppError> {
    let login = Login::parse(&req.login)?;
    let display_name = parse_display_name(&req.display_name)?;
    let password = NewPassword::parse(&req.password, "password")?;
    let mut grants = Vec::new();
    for (i, g) in req.grants.iter().enumerate() {
        let role = Role::parse(&g.role).ok_or_else(|| {
            AppError::bad_request("invalid_role", &format!("grants[{i}].role"), "角色不存在")
        })?;
        grants.push((role, g.node_id));
    }
    Ok(ParsedUser {
        login,
        display_name,
        password,
        grants,
    })
}

/// Create an account with roles at nodes. Needs `ManageUsers` at or above every node granted;
/// only a district admin may grant `district_admin` or `auditor`.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = User), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    p: Principal,
    Json(req): Json<CreateUser>,
) -> ApiResult<(StatusCode, axum::Json<User>)> {
    p.scope(Permission::ManageUsers)?;
    let user = create_user(&s, &p, &req).await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

/// Shared with the account page.
pub async fn create_user(s: &AppState, p: &Principal, req: &CreateUser) -> Result<User, AppError> {
    let parsed = parse_new_user(req)?;
    let new = NewUser {
        login: parsed.login,
        display_name: parsed.display_name,
        unit_name: req.unit_name.trim().to_owned(),
        password_hash: hash_async(parsed.password.expose().to_owned()).await,
        grants: parsed.grants,
    };
    Ok(users::create(&s.db, Authority::User(&p.grants), &p.actor(), new).await?)
}
