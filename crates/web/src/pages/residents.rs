//! Resident pages: search within scope, register, and the audited reveal of a full 身份证 number.

use super::place_labels::PlaceLabels;
use super::{CsrfForm, PageUser, Pager, Shell, render};
use crate::AppState;
use crate::api::residents::{CreateResident, parse_new};
use crate::error::AppError;
use crate::extract::{PathId, Query};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::household::HouseholdRelation;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Permission;
use jiceng_store::residents::{self, Resident, ResidentFilter};
use jiceng_store::{Page, nodes};
use serde::Deserialize;

/// A resident with labels for the page.
pub struct Shown {
    pub id: i64,
    pub node_id: i64,
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub id_card_no: String,
    pub phone: String,
    pub relation: String,
    pub address: String,
}

fn shown(u: &PageUser, r: Resident) -> Shown {
    let t = u.tr();
    let relation = HouseholdRelation::parse(&r.household_relation)
        .map(|h| match u.lang {
            super::i18n::Lang::Zh => h.label_zh(),
            super::i18n::Lang::En => h.label_en(),
        })
        .unwrap_or("—");
    Shown {
        id: r.id,
        node_id: r.node_id,
        gender: t.s(&format!("residents.gender.{}", r.gender)).to_owned(),
        name: r.name,
        birth_date: r.birth_date.to_string(),
        id_card_no: r.id_card_no,
        phone: r.phone.unwrap_or_default(),
        relation: relation.to_owned(),
        address: r.address,
    }
}

#[derive(Template)]
#[template(path = "residents.html")]
struct ListPage {
    shell: Shell,
    q: String,
    items: Vec<Shown>,
    pager: Pager,
    can_create: bool,
}

#[derive(Deserialize)]
pub struct ListQ {
    q: Option<String>,
    page: Option<u64>,
    page_size: Option<u64>,
}

pub async fn list(State(s): State<AppState>, u: PageUser, Query(q): Query<ListQ>) -> Response {
    let page = Page::new(q.page, q.page_size);
    let f = ResidentFilter {
        q: q.q.clone(),
        node_id: None,
    };
    let r = async {
        let scope = u.p.scope(Permission::ViewResidents)?;
        let (rows, total) = residents::list(&s.db, &s.vault, &scope, &f, page).await?;
        // "10号楼1单元502室" alone says nothing to a street or the district: the estate, grid
        // and community come first, from below where the reader stands.
        let places =
            PlaceLabels::within(&s.db, &scope, rows.iter().map(|r| r.node_path.as_str())).await?;
        let addresses: Vec<String> = rows
            .iter()
            .map(|r| places.of(&r.node_path, &r.address))
            .collect();
        Ok::<_, AppError>((rows, total, addresses))
    }
    .await;
    let (rows, total, addresses) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    let full = u.p.can(Permission::ViewPhones);
    let qs = q.q.clone().unwrap_or_default();
    let base = format!("/residents?q={}&", urlencoding::encode(&qs));
    render(&ListPage {
        shell: u.shell("residents.title", "/residents"),
        items: rows
            .into_iter()
            .zip(addresses)
            .map(|(r, address)| Shown {
                address,
                ..shown(&u, r.view(&s.vault, full))
            })
            .collect(),
        pager: Pager::new(&base, page, total),
        q: qs,
        can_create: u.p.can(Permission::ManageResidents),
    })
}

#[derive(Template)]
#[template(path = "resident.html")]
struct DetailPage {
    shell: Shell,
    r: Shown,
    place: String,
    can_reveal: bool,
    revealed: Option<String>,
}

async fn detail(
    s: &AppState,
    u: &PageUser,
    id: i64,
    revealed: Option<String>,
) -> Result<DetailPage, AppError> {
    let scope = u.p.scope(Permission::ViewResidents)?;
    let row = residents::get(&s.db, &scope, id).await?;
    let place = PlaceLabels::whole(&s.db, [row.node_path.as_str()])
        .await?
        .of(&row.node_path, "");
    let can_reveal =
        u.p.scope(Permission::RevealIdCard)
            .is_ok_and(|sc| sc.contains(&row.node_path));
    Ok(DetailPage {
        shell: u.shell("residents.title", "/residents"),
        r: shown(u, row.view(&s.vault, u.p.can(Permission::ViewPhones))),
        place,
        can_reveal,
        revealed,
    })
}

pub async fn show(State(s): State<AppState>, u: PageUser, PathId(id): PathId) -> Response {
    match detail(&s, &u, id, None).await {
        Ok(p) => render(&p),
        Err(e) => u.err(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

/// Shows the full number once, on this response only; the reveal is audited by the store.
pub async fn reveal(State(s): State<AppState>, PathId(id): PathId, f: CsrfForm<Empty>) -> Response {
    let u = &f.user;
    let r = async {
        let scope = u.p.scope(Permission::RevealIdCard)?;
        let full = residents::reveal_id_card(&s.db, &s.vault, &scope, &u.p.actor(), id).await?;
        detail(&s, u, id, Some(full)).await
    }
    .await;
    match r {
        Ok(p) => {
            let mut resp = render(&p);
            // A page holding a full ID number must not linger in caches.
            resp.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                "no-store".parse().expect("valid"),
            );
            resp
        }
        Err(e) => u.err(e).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_card_no: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    household_relation: String,
    #[serde(default)]
    node_id: String,
    #[serde(default)]
    address: String,
}

#[derive(Template)]
#[template(path = "resident_new.html")]
struct NewPage {
    shell: Shell,
    form: NewForm,
    relations: Vec<(&'static str, &'static str)>,
    places: Vec<(String, String)>,
}

const PLACES: &[NodeKind] = &[
    NodeKind::Community,
    NodeKind::Grid,
    NodeKind::Estate,
    NodeKind::Courtyard,
    NodeKind::OfficeTower,
    NodeKind::Park,
    NodeKind::Building,
    NodeKind::Entrance,
    NodeKind::Household,
];

async fn new_page(
    s: &AppState,
    u: &PageUser,
    form: NewForm,
    error: Option<String>,
) -> Result<NewPage, AppError> {
    let scope = u.p.scope(Permission::ManageResidents)?;
    let t = u.tr();
    let places = nodes::choices(&s.db, &scope, PLACES, 2000)
        .await?
        .into_iter()
        .map(|n| {
            (
                n.id.to_string(),
                format!("{}（{}）", n.name, t.kind(&n.kind)),
            )
        })
        .collect();
    let relations = HouseholdRelation::ALL
        .iter()
        .map(|r| {
            (
                r.as_str(),
                match u.lang {
                    super::i18n::Lang::Zh => r.label_zh(),
                    super::i18n::Lang::En => r.label_en(),
                },
            )
        })
        .collect();
    let mut shell = u.shell("residents.new", "/residents");
    shell.error = error;
    Ok(NewPage {
        shell,
        form,
        relations,
        places,
    })
}

pub async fn new_form(State(s): State<AppState>, u: PageUser) -> Response {
    match new_page(&s, &u, NewForm::default(), None).await {
        Ok(p) => render(&p),
        Err(e) => u.err(e).into_response(),
    }
}

pub async fn create(State(s): State<AppState>, f: CsrfForm<NewForm>) -> Response {
    let u = &f.user;
    let form = f.form;
    let r = async {
        let scope = u.p.scope(Permission::ManageResidents)?;
        let node_id = form.node_id.trim().parse().map_err(|_| {
            AppError::bad_request("invalid_type", "node_id", "请选择居住的网格、小区或楼栋")
        })?;
        let req = CreateResident {
            node_id,
            name: form.name.clone(),
            id_card_no: form.id_card_no.clone(),
            phone: Some(form.phone.clone()),
            household_relation: Some(form.household_relation.clone()),
            address: form.address.clone(),
        };
        let new = parse_new(&req, u.p.at.date_naive())?;
        Ok::<_, AppError>(residents::create(&s.db, &s.vault, &scope, &u.p.actor(), new).await?)
    }
    .await;
    match r {
        Ok(row) => Redirect::to(&format!("/residents/{}", row.id)).into_response(),
        Err(e) if matches!(e.status.as_u16(), 400 | 409) => {
            let status = e.status;
            match new_page(&s, u, form, Some(e.message)).await {
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
