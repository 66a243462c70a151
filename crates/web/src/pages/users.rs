//! Account pages: list, detail, and creating an account with a role at a node.

use super::{CsrfForm, PageUser, Pager, Shell, render};
use crate::AppState;
use crate::api::audit::show_time;
use crate::api::users::{CreateUser, GrantRequest, create_user};
use crate::error::AppError;
use crate::extract::{PathId, Query};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::node::NodeKind;
use jiceng_core::role::{Permission, Role};
use jiceng_store::users::{self, User};
use jiceng_store::{Page, nodes};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    shell: Shell,
    items: Vec<(User, String)>,
    pager: Pager,
    can_create: bool,
}

#[derive(Deserialize)]
pub struct PageQ {
    page: Option<u64>,
    page_size: Option<u64>,
}

pub async fn list(State(s): State<AppState>, u: PageUser, Query(q): Query<PageQ>) -> Response {
    let page = Page::new(q.page, q.page_size);
    let r = async {
        let scope = u.p.scope(Permission::ViewUsers)?;
        Ok::<_, AppError>(users::list(&s.db, &scope, page).await?)
    }
    .await;
    match r {
        Ok((items, total)) => render(&UsersPage {
            shell: u.shell("users.title", "/users"),
            items: items
                .into_iter()
                .map(|x| {
                    let c = show_time(x.created_at);
                    (x, c)
                })
                .collect(),
            pager: Pager::new("/users?", page, total),
            can_create: u.p.can(Permission::ManageUsers),
        }),
        Err(e) => u.err(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    shell: Shell,
    user: User,
    created: String,
    grants: Vec<(String, String)>,
}

pub async fn show(State(s): State<AppState>, u: PageUser, PathId(id): PathId) -> Response {
    let r = async {
        let scope = u.p.scope(Permission::ViewUsers)?;
        let user = users::get(&s.db, &scope, id).await?;
        let grants = users::grants_of(&s.db, id).await?;
        Ok::<_, AppError>((user, grants))
    }
    .await;
    match r {
        Ok((user, grants)) => {
            let t = u.tr();
            render(&UserPage {
                shell: u.shell("users.title", "/users"),
                created: show_time(user.created_at),
                user,
                grants: grants
                    .iter()
                    .map(|g| (t.role(g.role).to_owned(), g.node_name.clone()))
                    .collect(),
            })
        }
        Err(e) => u.err(e).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct NewUserForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    unit_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    node_id: String,
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct NewUserPage {
    shell: Shell,
    form: NewUserForm,
    roles: Vec<(&'static str, &'static str)>,
    nodes: Vec<(String, String)>,
}

/// Down to grids: roles are granted at divisions, grids and organisations, not at single homes.
const GRANTABLE_KINDS: &[NodeKind] = &[
    NodeKind::Root,
    NodeKind::Province,
    NodeKind::City,
    NodeKind::District,
    NodeKind::Street,
    NodeKind::Community,
    NodeKind::Grid,
    NodeKind::WorkingCommittee,
    NodeKind::Committee,
    NodeKind::SectorCommittee,
    NodeKind::TowerCommittee,
    NodeKind::JointCommittee,
    NodeKind::GeneralBranch,
    NodeKind::ParkGeneralBranch,
    NodeKind::Branch,
];

async fn new_page(
    s: &AppState,
    u: &PageUser,
    form: NewUserForm,
    error: Option<String>,
) -> Result<NewUserPage, AppError> {
    let scope = u.p.scope(Permission::ManageUsers)?;
    let t = u.tr();
    let roles = Role::ALL
        .iter()
        .filter(|r| u.p.grants.iter().any(|g| g.role.may_grant(**r)))
        .map(|r| (r.as_str(), t.role(*r)))
        .collect();
    let nodes = nodes::choices(&s.db, &scope, GRANTABLE_KINDS, 2000)
        .await?
        .into_iter()
        .filter(|n| {
            u.p.grants.iter().any(|g| {
                g.role.permits(Permission::ManageUsers) && n.path.starts_with(&g.node_path)
            })
        })
        .map(|n| {
            let depth = n.path.matches('/').count().saturating_sub(2);
            (
                n.id.to_string(),
                format!("{}{}（{}）", "　".repeat(depth), n.name, t.kind(&n.kind)),
            )
        })
        .collect();
    let mut shell = u.shell("users.new", "/users");
    shell.error = error;
    Ok(NewUserPage {
        shell,
        form,
        roles,
        nodes,
    })
}

pub async fn new_form(State(s): State<AppState>, u: PageUser) -> Response {
    match new_page(&s, &u, NewUserForm::default(), None).await {
        Ok(p) => render(&p),
        Err(e) => u.err(e).into_response(),
    }
}

pub async fn create(State(s): State<AppState>, f: CsrfForm<NewUserForm>) -> Response {
    let u = &f.user;
    let form = f.form;
    let result = async {
        u.p.scope(Permission::ManageUsers)?;
        let node_id: i64 = form
            .node_id
            .trim()
            .parse()
            .map_err(|_| AppError::bad_request("invalid_type", "node_id", "请选择授权节点"))?;
        let req = CreateUser {
            login: form.login.clone(),
            display_name: form.display_name.clone(),
            unit_name: form.unit_name.clone(),
            password: form.password.clone(),
            grants: vec![GrantRequest {
                role: form.role.clone(),
                node_id,
            }],
        };
        create_user(&s, &u.p, &req).await
    }
    .await;
    match result {
        Ok(user) => Redirect::to(&format!("/users/{}", user.id)).into_response(),
        // Input the user can correct re-shows the form with their values; scope errors do not.
        Err(e) if matches!(e.status.as_u16(), 400 | 403 | 409) => {
            let status = e.status;
            match new_page(&s, u, form, Some(e.message)).await {
                Ok(p) => {
                    let mut r = render(&p);
                    *r.status_mut() = status;
                    r
                }
                Err(e2) => u.err(e2).into_response(),
            }
        }
        Err(e) => u.err(e).into_response(),
    }
}
