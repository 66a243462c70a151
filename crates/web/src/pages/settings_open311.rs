//! `/settings/open311`: the API keys of systems that submit requests over Open311 (district
//! administrators, `ManageRequestSetup`). A new key is shown once, on the answer to the form that
//! created it; only its hash is kept.

use super::{CsrfForm, PageUser, Shell, render};
use crate::AppState;
use crate::api::audit::show_time;
use crate::error::AppError;
use crate::extract::PathId;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiceng_core::node::NodeKind;
use jiceng_core::role::Permission;
use jiceng_store::{nodes, open311};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/open311", get(show).post(create))
        .route("/settings/open311/{id}/revoke", post(revoke))
}

/// A row of the key list.
struct KeyRow {
    id: i64,
    name: String,
    node: String,
    created_by: String,
    created_at: String,
    revoked_at: Option<String>,
}

#[derive(Template)]
#[template(path = "settings_open311.html")]
struct KeysPage {
    shell: Shell,
    keys: Vec<KeyRow>,
    nodes: Vec<(String, String)>,
    form: NewKeyForm,
    /// The key just issued, shown this once.
    issued: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NewKeyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    node_id: String,
}

/// Where a system may submit into: divisions down to communities (grids are reached with an
/// `address_id`).
const KEY_KINDS: &[NodeKind] = &[NodeKind::District, NodeKind::Street, NodeKind::Community];

async fn page(
    s: &AppState,
    u: &PageUser,
    form: NewKeyForm,
    issued: Option<String>,
    error: Option<String>,
) -> Result<KeysPage, AppError> {
    let scope = u.p.scope(Permission::ManageRequestSetup)?;
    let t = u.tr();
    let keys = open311::list(&s.db, &scope)
        .await?
        .into_iter()
        .map(|k| KeyRow {
            id: k.id,
            name: k.name,
            node: k.node_name,
            created_by: k.created_by,
            created_at: show_time(k.created_at),
            revoked_at: k.revoked_at.map(show_time),
        })
        .collect();
    let nodes = nodes::choices(&s.db, &scope, KEY_KINDS, 2000)
        .await?
        .into_iter()
        .map(|n| {
            let depth = n.path.matches('/').count().saturating_sub(2);
            (
                n.id.to_string(),
                format!("{}{}（{}）", "　".repeat(depth), n.name, t.kind(&n.kind)),
            )
        })
        .collect();
    let mut shell = u.shell("open311.title", "/settings/open311");
    shell.error = error;
    Ok(KeysPage {
        shell,
        keys,
        nodes,
        form,
        issued,
    })
}

pub async fn show(State(s): State<AppState>, u: PageUser) -> Response {
    match page(&s, &u, NewKeyForm::default(), None, None).await {
        Ok(p) => render(&p),
        Err(e) => u.err(e).into_response(),
    }
}

pub async fn create(State(s): State<AppState>, f: CsrfForm<NewKeyForm>) -> Response {
    let u = &f.user;
    let result = async {
        let scope = u.p.scope(Permission::ManageRequestSetup)?;
        let node_id: i64 = f
            .form
            .node_id
            .trim()
            .parse()
            .map_err(|_| AppError::bad_request("invalid_type", "node_id", "请选择接入范围"))?;
        let issued =
            crate::open311::keys::issue(&s.db, &scope, &u.p.actor(), &f.form.name, node_id).await?;
        Ok::<_, AppError>(issued.secret)
    }
    .await;
    let (form, issued, error, status) = match result {
        Ok(secret) => (NewKeyForm::default(), Some(secret), None, None),
        Err(e) if matches!(e.status.as_u16(), 400 | 404) => {
            (f.form, None, Some(e.message), Some(e.status))
        }
        Err(e) => return u.err(e).into_response(),
    };
    match page(&s, u, form, issued, error).await {
        Ok(p) => {
            let mut r = render(&p);
            if let Some(st) = status {
                *r.status_mut() = st;
            }
            // The key is on this page and nowhere else: no cache may keep a copy.
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            r
        }
        Err(e) => u.err(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn revoke(State(s): State<AppState>, PathId(id): PathId, f: CsrfForm<Empty>) -> Response {
    let u = &f.user;
    let r = async {
        let scope = u.p.scope(Permission::ManageRequestSetup)?;
        open311::revoke(&s.db, &scope, &u.p.actor(), id).await?;
        Ok::<_, AppError>(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to("/settings/open311").into_response(),
        Err(e) => u.err(e).into_response(),
    }
}
