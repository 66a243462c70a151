//! Submitting a request from a phone: pick the category and the place (the page reloads with the
//! category's own questions and any likely duplicates there), describe the problem, send.
//! Works without JavaScript; with it, choosing a category reloads at once and the position is
//! taken from the phone when it allows.

use super::place_labels::PlaceLabels;
use super::requests::{Row, home_grant, label, row};
use super::{CsrfForm, PageUser, Shell, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::node::NodeKind;
use jiceng_core::people::Phone;
use jiceng_core::requests::Channel;
use jiceng_core::requests::questions::{Answer, Answers, QuestionKind};
use jiceng_core::role::{Permission, Role};
use jiceng_store::nodes;
use jiceng_store::requests::categories::{self, Category};
use jiceng_store::requests::intake::{self, NewRequest};
use serde::Deserialize;

/// Where a problem can be: the kinds a resident recognises.
const PLACES: &[NodeKind] = &[
    NodeKind::Community,
    NodeKind::Grid,
    NodeKind::Estate,
    NodeKind::Building,
];

/// One of the category's questions with what has been typed so far.
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<String>,
    pub value: String,
    pub values: Vec<String>,
}

impl Field {
    pub fn checked(&self, o: &str) -> bool {
        self.values.iter().any(|v| v == o)
    }
}

pub struct Group {
    pub name: String,
    pub items: Vec<(String, String)>,
}

/// What the form holds: every submitted pair, so a refused form comes back as it was sent.
#[derive(Default)]
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

#[derive(Template)]
#[template(path = "request_new.html")]
struct NewPage {
    shell: Shell,
    groups: Vec<Group>,
    places: Vec<(String, String)>,
    category_id: String,
    place_id: String,
    hint: String,
    fields: Vec<Field>,
    hotline: bool,
    channel: String,
    description: String,
    address: String,
    requester_name: String,
    requester_phone: String,
    duplicates: Vec<Row>,
    error_field: String,
    error: String,
}

/// The channel a user's requests come in by: what the API defaults to for the same roles.
fn channel_of(u: &PageUser) -> Channel {
    match home_grant(u).map(|g| g.role) {
        Some(Role::GridWorker) => Channel::GridPatrol,
        Some(Role::Dispatcher | Role::CommunityWorker) => Channel::Hotline,
        _ => Channel::Resident,
    }
}

fn fields_of(c: &Category, typed: &Typed) -> Vec<Field> {
    c.questions
        .iter()
        .map(|q| {
            let name = format!("q.{}", q.key);
            Field {
                label: q.label.clone(),
                kind: q.kind.as_str(),
                required: q.required,
                options: q.options.clone(),
                value: typed.one(&name),
                values: typed.many(&name),
                name,
            }
        })
        .collect()
}

/// The fields an error message is shown beside; anything else goes to the top of the page.
const FIELDS: &[&str] = &[
    "category_id",
    "place_node_id",
    "answers",
    "description",
    "address",
    "requester_name",
    "requester_phone",
];

async fn page(
    s: &AppState,
    u: &PageUser,
    typed: &Typed,
    error: Option<AppError>,
) -> Result<NewPage, AppError> {
    let scope = u.p.scope(Permission::SubmitRequests)?;
    let t = u.tr();
    let cats = categories::list(&s.db, true).await?;
    let mut groups: Vec<Group> = Vec::new();
    for c in &cats {
        let item = (c.id.to_string(), c.name.clone());
        match groups.iter_mut().find(|g| g.name == c.group) {
            Some(g) => g.items.push(item),
            None => groups.push(Group {
                name: c.group.clone(),
                items: vec![item],
            }),
        }
    }
    let choices = nodes::choices(&s.db, &scope, PLACES, 2000).await?;
    let home = home_grant(u).map(|g| g.node_id.to_string());
    let mut place_id = typed.one("place_node_id");
    if !choices.iter().any(|n| n.id.to_string() == place_id) {
        place_id = home
            .filter(|h| choices.iter().any(|n| n.id.to_string() == *h))
            .or_else(|| choices.first().map(|n| n.id.to_string()))
            .unwrap_or_default();
    }
    let places = choices
        .iter()
        .map(|n| {
            (
                n.id.to_string(),
                format!("{}（{}）", n.name, t.kind(&n.kind)),
            )
        })
        .collect();
    let category_id = typed.one("category_id");
    let category = cats.iter().find(|c| c.id.to_string() == category_id);
    let mut duplicates = Vec::new();
    if let (Some(c), Ok(place)) = (category, place_id.parse::<i64>()) {
        let viewer = u.p.request_viewer();
        let rows = intake::duplicates(&s.db, &viewer, c.id, place, None).await?;
        let places =
            PlaceLabels::for_list(&s.db, &viewer, rows.iter().map(|r| r.place_path.as_str()))
                .await?;
        duplicates = rows
            .into_iter()
            .map(|r| row(u.lang, r, u.p.at, &places))
            .collect();
    }
    let channel = channel_of(u);
    let (mut error_field, mut message) = (String::new(), String::new());
    let mut shell = u.shell("requests.new.title", "/requests/new");
    if let Some(e) = error {
        let field = match e.details["field"].as_str().unwrap_or("") {
            "phone" => "requester_phone",
            "questions" => "answers",
            f => f,
        };
        if FIELDS.contains(&field) && !(field == "category_id" && category.is_none()) {
            error_field = field.to_owned();
            message = e.message;
        } else {
            shell.error = Some(e.message);
        }
    }
    Ok(NewPage {
        shell,
        groups,
        places,
        hint: category.map(|c| c.hint.clone()).unwrap_or_default(),
        fields: category.map(|c| fields_of(c, typed)).unwrap_or_default(),
        category_id: category.map(|c| c.id.to_string()).unwrap_or_default(),
        place_id,
        hotline: channel == Channel::Hotline,
        channel: label!(u.lang, channel).to_owned(),
        description: typed.one("description"),
        address: typed.one("address"),
        requester_name: typed.one("requester_name"),
        requester_phone: typed.one("requester_phone"),
        duplicates,
        error_field,
        error: message,
    })
}

#[derive(Deserialize)]
pub struct Choose {
    category_id: Option<String>,
    place_node_id: Option<String>,
}

pub async fn form(State(s): State<AppState>, u: PageUser, Query(q): Query<Choose>) -> Response {
    let typed = Typed(vec![
        ("category_id".into(), q.category_id.unwrap_or_default()),
        ("place_node_id".into(), q.place_node_id.unwrap_or_default()),
    ]);
    match page(&s, &u, &typed, None).await {
        Ok(p) => render(&p),
        Err(e) => u.err(e).into_response(),
    }
}

fn id_of(raw: &str, field: &str, message: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::bad_request("missing_field", field, message))
}

/// Coordinates from the phone, when both came and are numbers; the store checks the range.
fn coordinate(raw: &str) -> Option<f64> {
    raw.parse::<f64>().ok().filter(|x| x.is_finite())
}

async fn submit_typed(s: &AppState, u: &PageUser, typed: &Typed) -> Result<i64, AppError> {
    let scope = u.p.scope(Permission::SubmitRequests)?;
    let category_id = id_of(&typed.one("category_id"), "category_id", "请选择诉求分类")?;
    let place = id_of(
        &typed.one("place_node_id"),
        "place_node_id",
        "请选择问题发生的网格、小区或楼栋",
    )?;
    let category = categories::get(&s.db, category_id)
        .await
        .map_err(|_| AppError::bad_request("unknown_category", "category_id", "诉求分类不存在"))?;
    let mut answers = Answers::new();
    for q in &category.questions {
        let name = format!("q.{}", q.key);
        let a = match q.kind {
            QuestionKind::Multi => Answer::Many(typed.many(&name)),
            _ => Answer::Text(typed.one(&name)),
        };
        answers.insert(q.key.clone(), a);
    }
    let channel = channel_of(u);
    let hotline = channel == Channel::Hotline;
    let phone = match typed.one("requester_phone").as_str() {
        "" => None,
        raw if hotline => Some(Phone::parse(raw)?),
        _ => None,
    };
    let (lon, lat) = (
        coordinate(&typed.one("longitude")),
        coordinate(&typed.one("latitude")),
    );
    let (lon, lat) = if lon.is_some() && lat.is_some() {
        (lon, lat)
    } else {
        (None, None)
    };
    let new = NewRequest {
        category_id,
        channel,
        description: typed.one("description"),
        answers,
        place_node_id: Some(place),
        home_node_id: home_grant(u).map(|g| g.node_id),
        address: typed.one("address"),
        longitude: lon,
        latitude: lat,
        requester_name: if hotline {
            typed.one("requester_name")
        } else {
            String::new()
        },
        requester_phone: phone,
    };
    let env = s.sla_env().await?;
    let viewer = u.p.request_viewer();
    Ok(
        intake::submit(&s.db, &env, &s.vault, &scope, &viewer, &u.p.actor(), new)
            .await?
            .id,
    )
}

pub async fn submit(State(s): State<AppState>, f: CsrfForm<Vec<(String, String)>>) -> Response {
    let u = &f.user;
    let typed = Typed(f.form);
    match submit_typed(&s, u, &typed).await {
        Ok(id) => Redirect::to(&format!("/requests/{id}?done=submit")).into_response(),
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
