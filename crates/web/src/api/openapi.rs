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
        super::nodes::get, super::nodes::list, super::nodes::create, super::nodes::move_to,
        super::orgs::anchor, super::orgs::anchors, super::orgs::list, super::orgs::create,
        super::orgs::staff, super::orgs::assign, super::orgs::get_norm, super::orgs::put_norm,
        super::party_members::list, super::party_members::create, super::party_members::export_xlsx,
        super::coverage::table, super::coverage::list, super::coverage::list_xlsx,
        super::users::get, super::users::list, super::users::create,
        super::residents::list, super::residents::get, super::residents::create, super::residents::reveal_id_card,
        super::residents_import::template, super::residents_import::import, super::residents_import::report,
        super::party_members_import::template, super::party_members_import::import, super::party_members_import::report,
        super::grid_staff_import::template, super::grid_staff_import::import, super::grid_staff_import::report,
        super::orgs_import::template, super::orgs_import::import, super::orgs_import::report,
        super::places_import::template, super::places_import::import, super::places_import::report,
        super::exports::residents_xlsx, super::exports::nodes_xlsx, super::exports::users_xlsx,
        super::exports::organisations_xlsx,
        super::audit::list, super::audit::export_xlsx, super::audit::export_csv,
        super::calendar::year, super::sla_policy::get, super::sla_policy::put,
        super::requests::setup::categories, super::requests::setup::create_category, super::requests::setup::update_category,
        super::requests::setup::rules, super::requests::setup::create_rule,
        super::requests::intake::submit, super::requests::intake::duplicates,
        super::requests::list::list, super::requests::list::export_xlsx,
        super::requests::act::detail, super::requests::act::act,
        super::requests::photos::add, super::requests::photos::list, super::requests::photos::get,
        super::requests::inbox::list, super::requests::inbox::seen, super::requests::rates::rates,
        super::whistles::list, super::whistles::detail, super::whistles::steps::blow,
        super::whistles::steps::summonable, super::whistles::steps::check_in, super::whistles::steps::rate,
        super::whistles::steps::close, super::whistles::ranking::ranking,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags((name = "auth", description = "登录与账号"), (name = "nodes", description = "区划与组织节点"),
        (name = "organisations", description = "党组织对应、各类组织、网格员、党员"),
        (name = "coverage", description = "覆盖情况"),
        (name = "users", description = "用户与角色"),
        (name = "residents", description = "居民"), (name = "audit", description = "审计日志"),
        (name = "calendar", description = "工作日历（节假日与调休）"),
        (name = "requests", description = "诉求：点单、派单、接单、办结、评价"),
        (name = "whistles", description = "吹哨报到：吹哨、部门报到、评价、排名"))
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
