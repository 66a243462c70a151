//! The category catalogue (事项分类) for district administrators (`ManageRequestSetup`): the
//! list grouped as requesters see it, and one form to add or change a category with its extra
//! questions. The store checks everything; a refused form comes back as it was sent, with the
//! message beside the field. Works without JavaScript: the form has the category's questions
//! plus a few blank rows.

use super::requests::label;
use super::settings_category_form::Form;
use super::{CsrfForm, PageUser, Shell, render};
use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::extract::{PathId, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::requests::Severity;
use jiceng_core::requests::questions::QuestionKind;
use jiceng_core::requests::sla::SlaPolicy;
use jiceng_core::role::Permission;
use jiceng_store::StoreError;
use jiceng_store::requests::categories;
use serde::Deserialize;

/// The settings entries of the navigation, (href, label key): district administrators only.
pub fn nav_entries(p: &Principal) -> Vec<(&'static str, &'static str)> {
    if p.can(Permission::ManageRequestSetup) {
        vec![
            ("/settings/categories", "nav.setup_categories"),
            ("/settings/routing", "nav.setup_routing"),
            ("/settings/sla", "nav.setup_sla"),
        ]
    } else {
        Vec::new()
    }
}

/// "按默认时限：2/3/10" with the installation's own figures (a district may have changed 2310).
fn default_days(u: &PageUser, policy: &SlaPolicy) -> String {
    let d = policy.resolve_days;
    let t = u.tr();
    format!(
        "{}：{}/{}/{}",
        t.s("setup.days.default"),
        d.general,
        d.important,
        d.major
    )
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub severity: &'static str,
    pub days: String,
    pub questions: usize,
    pub active: bool,
}

pub struct Group {
    pub name: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "settings_categories.html")]
struct ListPage {
    shell: Shell,
    groups: Vec<Group>,
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<i64>,
}

pub async fn list(State(s): State<AppState>, u: PageUser, Query(q): Query<Saved>) -> Response {
    let r = async {
        u.p.scope(Permission::ManageRequestSetup)?;
        let cats = categories::list(&s.db, false).await?;
        Ok::<_, AppError>((cats, s.sla_env().await?.policy))
    }
    .await;
    let (cats, policy) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    let t = u.tr();
    let mut shell = u.shell("setup.categories.title", "/settings/categories");
    shell.flash = q
        .saved
        .and_then(|id| cats.iter().find(|c| c.id == id))
        .map(|c| format!("{}「{}」", t.s("setup.category.saved"), c.name));
    let default = default_days(&u, &policy);
    let mut groups: Vec<Group> = Vec::new();
    for c in cats {
        let row = Row {
            id: c.id,
            severity: label!(u.lang, c.severity()),
            days: c
                .resolve_days
                .map_or_else(|| default.clone(), |d| format!("{d} {}", t.s("setup.days"))),
            questions: c.questions.len(),
            active: c.active,
            name: c.name,
            code: c.code,
        };
        let name = match c.group.as_str() {
            "" => t.s("setup.group.none").to_owned(),
            g => g.to_owned(),
        };
        match groups.iter_mut().find(|g| g.name == name) {
            Some(g) => g.rows.push(row),
            None => groups.push(Group {
                name,
                rows: vec![row],
            }),
        }
    }
    render(&ListPage { shell, groups })
}

#[derive(Template)]
#[template(path = "settings_category.html")]
struct FormPage {
    shell: Shell,
    action: String,
    f: Form,
    severities: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    groups: Vec<String>,
    default_days: String,
    error_field: String,
    error: String,
}

/// The fields a message is shown beside; anything else goes to the top of the page.
const FIELDS: &[&str] = &[
    "code",
    "name",
    "group",
    "severity",
    "resolve_days",
    "hint",
    "questions",
];

async fn form_page(
    s: &AppState,
    u: &PageUser,
    id: Option<i64>,
    f: Form,
    error: Option<AppError>,
) -> Result<Response, AppError> {
    let mut groups: Vec<String> = categories::list(&s.db, false)
        .await?
        .into_iter()
        .map(|c| c.group)
        .filter(|g| !g.is_empty())
        .collect();
    groups.dedup();
    let title = match id {
        None => "setup.category.new",
        Some(_) => "setup.category.edit",
    };
    let mut shell = u.shell(title, "/settings/categories");
    let (mut error_field, mut message, mut status) = (String::new(), String::new(), StatusCode::OK);
    if let Some(e) = error {
        status = e.status;
        match e.details["field"].as_str().filter(|f| FIELDS.contains(f)) {
            Some(field) => (error_field, message) = (field.to_owned(), e.message),
            None => shell.error = Some(e.message),
        }
    }
    let mut resp = render(&FormPage {
        shell,
        action: id.map_or_else(
            || "/settings/categories/new".to_owned(),
            |id| format!("/settings/categories/{id}"),
        ),
        f: f.padded(),
        severities: Severity::ALL
            .iter()
            .map(|v| (v.as_str(), label!(u.lang, v)))
            .collect(),
        kinds: QuestionKind::ALL
            .iter()
            .map(|k| (k.as_str(), label!(u.lang, k)))
            .collect(),
        groups,
        default_days: default_days(u, &s.sla_env().await?.policy),
        error_field,
        error: message,
    });
    if resp.status() == StatusCode::OK {
        *resp.status_mut() = status;
    }
    Ok(resp)
}

pub async fn new_form(State(s): State<AppState>, u: PageUser) -> Response {
    let r = async {
        u.p.scope(Permission::ManageRequestSetup)?;
        form_page(&s, &u, None, Form::blank(), None).await
    };
    r.await.unwrap_or_else(|e| u.err(e).into_response())
}

pub async fn edit_form(State(s): State<AppState>, u: PageUser, PathId(id): PathId) -> Response {
    let r = async {
        u.p.scope(Permission::ManageRequestSetup)?;
        let c = categories::get(&s.db, id).await?;
        form_page(&s, &u, Some(id), Form::of(&c), None).await
    };
    r.await.unwrap_or_else(|e| u.err(e).into_response())
}

/// A unique code or name already taken, named in the field it belongs to (the store only
/// knows which unique column was hit; `code` and `name` are the table's only ones).
fn taken(field: &str, f: &Form) -> AppError {
    let (field, message) = match field {
        "code" => ("code", format!("分类代码「{}」已被使用", f.code.trim())),
        _ => ("name", format!("分类名称「{}」已被使用", f.name.trim())),
    };
    AppError::new(StatusCode::CONFLICT, "already_exists", message).field(field)
}

async fn save(s: &AppState, u: &PageUser, id: Option<i64>, f: &Form) -> Result<i64, AppError> {
    u.p.scope(Permission::ManageRequestSetup)?;
    let input = f.input()?;
    let actor = u.p.actor();
    let saved = match id {
        None => categories::create(&s.db, &actor, input).await,
        Some(id) => categories::update(&s.db, &actor, id, input).await,
    };
    match saved {
        Ok(c) => Ok(c.id),
        Err(StoreError::Conflict { field }) => Err(taken(field, f)),
        Err(e) => Err(e.into()),
    }
}

async fn submit(s: AppState, id: Option<i64>, f: CsrfForm<Vec<(String, String)>>) -> Response {
    let u = &f.user;
    let form = Form::parse(f.form);
    match save(&s, u, id, &form).await {
        Ok(id) => Redirect::to(&format!("/settings/categories?saved={id}")).into_response(),
        Err(e) if matches!(e.status.as_u16(), 400 | 409) => form_page(&s, u, id, form, Some(e))
            .await
            .unwrap_or_else(|e| u.err(e).into_response()),
        Err(e) => u.err(e).into_response(),
    }
}

pub async fn create(State(s): State<AppState>, f: CsrfForm<Vec<(String, String)>>) -> Response {
    submit(s, None, f).await
}

pub async fn update(
    State(s): State<AppState>,
    PathId(id): PathId,
    f: CsrfForm<Vec<(String, String)>>,
) -> Response {
    submit(s, Some(id), f).await
}
