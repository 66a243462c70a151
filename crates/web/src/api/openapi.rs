//! The OpenAPI 3 document, built from the handlers' annotations.

use crate::error::ErrorBody;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Jiceng 基层治理平台 API", description = "党建引领城市基层治理。错误统一为 {code, message, details}。"),
    paths(
        super::auth::login, super::auth::logout, super::auth::me, super::auth::change_password,
        super::nodes::get, super::nodes::list, super::nodes::create,
        super::users::get, super::users::list, super::users::create,
        super::residents::list, super::residents::get, super::residents::create, super::residents::reveal_id_card,
        super::audit::list, super::audit::export_xlsx, super::audit::export_csv,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags((name = "auth", description = "登录与账号"), (name = "nodes", description = "区划与组织节点"),
        (name = "users", description = "用户与角色"),
        (name = "residents", description = "居民"), (name = "audit", description = "审计日志"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI 3 document of this API. Public.
pub async fn document() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}
