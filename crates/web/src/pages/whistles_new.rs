//! Blowing a whistle from its form: choose the place (the page reloads with the units that may
//! be summoned there), say what it is about, tick the departments, set the deadline to check in.
//! Works without JavaScript; with it, choosing the place reloads at once.

use super::requests::label;
use super::{CsrfForm, PageUser, Shell, render};
use crate::AppState;
use crate::api::whistles::viewer;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDateTime, Timelike};
use jiceng_core::node::NodeKind;
use jiceng_core::org::OrgKind;
use jiceng_core::requests::sla::{instant, local};
use jiceng_core::role::Permission;
use jiceng_store::nodes;
use jiceng_store::whistles::blow::{self, NewWhistle};
use serde::Deserialize;

/// Where a whistle can be blown: a street's or community's ground, down to a building.
const PLACES: &[NodeKind] = &[
    NodeKind::Street,
    NodeKind::Community,
    NodeKind::Grid,
    NodeKind::Estate,
    NodeKind::Building,
];

/// The `datetime-local` format, Beijing time.
const LOCAL: &str = "%Y-%m-%dT%H:%M";

/// What the form holds: every submitted pair, so a refused form comes back as it was sent.
struct Typed(Vec<(String, String)>);

impl Typed {
    fn one(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }
    fn many(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }
}

pub struct UnitChoice {
    pub id: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "whistle_new.html")]
struct NewPage {
    shell: Shell,
    places: Vec<(String, String)>,
    place_id: String,
    units: Vec<UnitChoice>,
    title: String,
    description: String,
    request_id: String,
    deadline: String,
    error_field: String,
    error: String,
}

/// The fields an error is shown beside; anything else goes to the top of the page.
const FIELDS: &[&str] = &[
    "title",
    "description",
    "place_node_id",
    "request_id",
    "unit_ids",
    "deadline_at",
];

async fn page(
    s: &AppState,
    u: &PageUser,
    typed: &Typed,
    error: Option<AppError>,
) -> Result<NewPage, AppError> {
    let scope = u.p.scope(Permission::BlowWhistle)?;
    let t = u.tr();
    let choices = nodes::choices(&s.db, &scope, PLACES, 2000).await?;
    let home =
        u.p.grants
            .iter()
            .find(|g| g.role.permits(Permission::BlowWhistle))
            .map(|g| g.node_id.to_string());
    let mut place_id = typed.one("place_node_id");
    if !choices.iter().any(|n| n.id.to_string() == place_id) {
        place_id = home
            .filter(|h| choices.iter().any(|n| n.id.to_string() == *h))
            .or_else(|| choices.first().map(|n| n.id.to_string()))
            .unwrap_or_default();
    }
    let place = choices.iter().find(|n| n.id.to_string() == place_id);
    let ticked = typed.many("unit_ids");
    let units = match place {
        Some(p) => blow::summonable(&s.db, &p.path).await?,
        None => Vec::new(),
    }
    .into_iter()
    .map(|o| UnitChoice {
        checked: ticked.contains(&o.id.to_string()),
        id: o.id.to_string(),
        label: format!(
            "{}（{}）",
            o.name,
            OrgKind::parse(&o.kind).map_or("—", |k| label!(t.lang, k))
        ),
    })
    .collect();
    let places = choices
        .iter()
        .map(|n| {
            (
                n.id.to_string(),
                format!("{}（{}）", n.name, t.kind(&n.kind)),
            )
        })
        .collect();
    // A day ahead on the hour: a usual summons, and a value the browser's picker shows whole.
    let deadline = match typed.one("deadline_at") {
        d if !d.is_empty() => d,
        _ => {
            let at = local(u.p.at + Duration::hours(25));
            at.with_minute(0)
                .and_then(|a| a.with_second(0))
                .unwrap_or(at)
                .format(LOCAL)
                .to_string()
        }
    };
    let (mut error_field, mut message) = (String::new(), String::new());
    let mut shell = u.shell("whistles.new.title", "/whistles");
    if let Some(e) = error {
        let field = e.details["field"].as_str().unwrap_or("").to_owned();
        if FIELDS.contains(&field.as_str()) {
            error_field = field;
            message = e.message;
        } else {
            shell.error = Some(e.message);
        }
    }
    Ok(NewPage {
        shell,
        places,
        place_id,
        units,
        title: typed.one("title"),
        description: typed.one("description"),
        request_id: typed.one("request_id"),
        deadline,
        error_field,
        error: message,
    })
}

#[derive(Deserialize)]
pub struct Choose {
    place_node_id: Option<String>,
    request_id: Option<String>,
    title: Option<String>,
}

pub async fn form(State(s): State<AppState>, u: PageUser, Query(q): Query<Choose>) -> Response {
    let typed = Typed(vec![
        ("place_node_id".into(), q.place_node_id.unwrap_or_default()),
        ("request_id".into(), q.request_id.unwrap_or_default()),
        ("title".into(), q.title.unwrap_or_default()),
    ]);
    match page(&s, &u, &typed, None).await {
        Ok(p) => render(&p),
        Err(e) => u.err(e).into_response(),
    }
}

fn id_of(raw: &str, field: &str, message: &str) -> Result<Option<i64>, AppError> {
    match raw {
        "" => Ok(None),
        r => r
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad_request("invalid_type", field, message)),
    }
}

async fn blow_typed(s: &AppState, u: &PageUser, typed: &Typed) -> Result<i64, AppError> {
    u.p.scope(Permission::BlowWhistle)?;
    let v = viewer(&u.p)?;
    let mut unit_ids = Vec::new();
    for raw in typed.many("unit_ids") {
        unit_ids.extend(id_of(&raw, "unit_ids", "被召集的部门不正确")?);
    }
    let deadline = NaiveDateTime::parse_from_str(&typed.one("deadline_at"), LOCAL)
        .map(instant)
        .map_err(|_| {
            AppError::bad_request(
                "invalid_deadline",
                "deadline_at",
                "请填写报到时限（日期和时间）",
            )
        })?;
    let new = NewWhistle {
        title: typed.one("title"),
        description: typed.one("description"),
        place_node_id: id_of(
            &typed.one("place_node_id"),
            "place_node_id",
            "请选择吹哨的位置",
        )?,
        request_id: id_of(&typed.one("request_id"), "request_id", "诉求编号须为整数")?,
        unit_ids,
        deadline_at: deadline,
    };
    Ok(blow::blow(&s.db, &v, &u.p.actor(), new).await?)
}

pub async fn submit(State(s): State<AppState>, f: CsrfForm<Vec<(String, String)>>) -> Response {
    let u = &f.user;
    let typed = Typed(f.form);
    match blow_typed(&s, u, &typed).await {
        Ok(id) => Redirect::to(&format!("/whistles/{id}?done=blow")).into_response(),
        Err(e) if e.status.as_u16() == 400 => {
            let status = e.status;
            match page(&s, u, &typed, Some(e)).await {
                Ok(p) => {
                    let mut resp = render(&p);
                    *resp.status_mut() = status;
                    resp
                }
                Err(e2) => u.err(e2).into_response(),
            }
        }
        Err(e) => u.err(e).into_response(),
    }
}
