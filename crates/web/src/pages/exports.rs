//! Excel downloads linked from the list pages: the same files as the API's, with error pages
//! instead of JSON for a signed-in browser.

use super::PageUser;
use crate::AppState;
use crate::api::exports::{
    NodeExportQuery, OrganisationExportQuery, ResidentExportQuery, nodes_table,
    organisations_table, residents_table, users_table, xlsx,
};
use crate::error::AppError;
use crate::extract::Query;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_core::role::Permission;
use jiceng_store::residents::ResidentFilter;

fn download(u: &PageUser, r: Result<Response, AppError>) -> Response {
    r.unwrap_or_else(|e| u.err(e).into_response())
}

pub async fn residents(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<ResidentExportQuery>,
) -> Response {
    let r = async {
        let scope = u.p.scope(Permission::ViewResidents)?;
        let f = ResidentFilter {
            q: q.q,
            node_id: q.node_id,
        };
        let t = residents_table(&s, &u.p, &scope, u.p.can(Permission::ViewPhones), &f).await?;
        xlsx(&t, "居民信息.xlsx")
    }
    .await;
    download(&u, r)
}

pub async fn nodes(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<NodeExportQuery>,
) -> Response {
    let r = async {
        let scope = u.p.scope(Permission::ViewNodes)?;
        let t = nodes_table(&s, &scope, q.kind.as_deref()).await?;
        xlsx(&t, "区划与组织.xlsx")
    }
    .await;
    download(&u, r)
}

pub async fn users(State(s): State<AppState>, u: PageUser) -> Response {
    let r = async {
        let scope = u.p.scope(Permission::ViewUsers)?;
        let t = users_table(&s, &scope).await?;
        xlsx(&t, "账号与角色.xlsx")
    }
    .await;
    download(&u, r)
}

pub async fn organisations(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<OrganisationExportQuery>,
) -> Response {
    let r = async {
        let scope = u.p.scope(Permission::ViewNodes)?;
        let kind = crate::api::orgs::kind_filter(q.kind.as_deref())?;
        let t = organisations_table(&s, &scope, kind).await?;
        xlsx(&t, "组织名录.xlsx")
    }
    .await;
    download(&u, r)
}
