//! The category catalogue and routing rules.

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, PathId};
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::requests::Severity;
use jiceng_core::requests::questions::Question;
use jiceng_core::role::Permission;
use jiceng_store::requests::categories::{self, Category, CategoryInput};
use jiceng_store::requests::routing::{self, NewRule, RoutingRule};
use serde::Deserialize;

/// The category catalogue, active categories first. Any signed-in user (residents choose from it).
#[utoipa::path(get, path = "/api/v1/request-categories", tag = "requests",
    responses((status = 200, body = Vec<Category>)), security(("bearer" = [])))]
pub async fn categories(
    State(s): State<AppState>,
    _p: Principal,
) -> ApiResult<axum::Json<Vec<Category>>> {
    Ok(axum::Json(categories::list(&s.db, false).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub group: String,
    /// `general` (一般), `important` (重要), `major` (重大).
    pub severity: String,
    /// Working days to resolve; omitted: the 2310 default for the severity.
    pub resolve_days: Option<u32>,
    #[serde(default)]
    pub hint: String,
    /// Extra questions: `{key, label, kind: text|number|date|single|multi, required, options}`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<Question>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn input(b: CategoryBody) -> Result<CategoryInput, AppError> {
    Ok(CategoryInput {
        severity: Severity::parse(&b.severity).ok_or_else(|| {
            AppError::bad_request(
                "invalid_severity",
                "severity",
                "紧急程度须为一般、重要或重大",
            )
        })?,
        code: b.code,
        name: b.name,
        group: b.group,
        resolve_days: b.resolve_days,
        hint: b.hint,
        questions: b.questions,
        active: b.active,
    })
}

/// Add a category. Needs `ManageRequestSetup` (district administrators).
#[utoipa::path(post, path = "/api/v1/request-categories", tag = "requests", request_body = CategoryBody,
    responses((status = 201, body = Category), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_category(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<CategoryBody>,
) -> ApiResult<(StatusCode, axum::Json<Category>)> {
    p.scope(Permission::ManageRequestSetup)?;
    let c = categories::create(&s.db, &p.actor(), input(b)?).await?;
    Ok((StatusCode::CREATED, axum::Json(c)))
}

/// Change a category (requests already submitted keep their deadlines). Needs `ManageRequestSetup`.
#[utoipa::path(put, path = "/api/v1/request-categories/{id}", tag = "requests", params(("id" = i64, Path)),
    request_body = CategoryBody,
    responses((status = 200, body = Category), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_category(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
    Json(b): Json<CategoryBody>,
) -> ApiResult<axum::Json<Category>> {
    p.scope(Permission::ManageRequestSetup)?;
    Ok(axum::Json(
        categories::update(&s.db, &p.actor(), id, input(b)?).await?,
    ))
}

/// Routing rules for territories in the caller's scope. Needs `ViewRequests` or `ManageRequestSetup`.
#[utoipa::path(get, path = "/api/v1/routing-rules", tag = "requests",
    responses((status = 200, body = Vec<RoutingRule>)), security(("bearer" = [])))]
pub async fn rules(
    State(s): State<AppState>,
    p: Principal,
) -> ApiResult<axum::Json<Vec<RoutingRule>>> {
    let scope = p
        .scope(Permission::ManageRequestSetup)
        .or_else(|_| p.scope(Permission::ViewRequests))?;
    Ok(axum::Json(routing::list(&s.db, &scope).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// Omitted: every category.
    pub category_id: Option<i64>,
    /// The territory covered.
    pub node_id: i64,
    /// The desk receiving the requests: the territory or a node above it. Omitted: the street
    /// (else district) above each request's place.
    pub desk_node_id: Option<i64>,
    /// Instead of a named desk, `community`: the community above each request's place receives
    /// it (分级响应; it can call the street when it cannot settle it).
    pub desk_level: Option<String>,
    pub lead_org_id: Option<i64>,
    #[serde(default)]
    pub auto_dispatch: bool,
}

/// Add a routing rule. Needs `ManageRequestSetup` over the territory.
#[utoipa::path(post, path = "/api/v1/routing-rules", tag = "requests", request_body = RuleBody,
    responses((status = 201, body = RoutingRule), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_rule(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<RuleBody>,
) -> ApiResult<(StatusCode, axum::Json<RoutingRule>)> {
    let scope = p.scope(Permission::ManageRequestSetup)?;
    let desk_level = match b.desk_level.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(NodeKind::parse(raw).ok_or_else(|| {
            AppError::bad_request("invalid_desk_level", "desk_level", "受理层级不正确")
        })?),
    };
    let new = NewRule {
        category_id: b.category_id,
        node_id: b.node_id,
        desk_node_id: b.desk_node_id,
        desk_level,
        lead_org_id: b.lead_org_id,
        auto_dispatch: b.auto_dispatch,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(routing::create(&s.db, &scope, &p.actor(), new).await?),
    ))
}
