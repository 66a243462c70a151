//! The organisations list (组织名录): owners' committees, property companies and the other
//! organisations registered in the caller's scope, with the places they serve; filtered by kind,
//! exported to Excel, and imported from a roster by those who manage nodes.

use super::i18n::Lang;
use super::{PageUser, Pager, Shell, render};
use crate::AppState;
use crate::api::exports::org_lines;
use crate::api::orgs::kind_filter;
use crate::api::roster::Roster;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_core::org::OrgKind;
use jiceng_core::role::Permission;
use jiceng_store::{Page, orgs};
use serde::Deserialize;

/// One organisation as the table shows it.
pub struct Shown {
    pub kind: &'static str,
    pub name: String,
    pub home_id: Option<i64>,
    pub home: String,
    pub credit_code: String,
    pub contact: String,
    pub phone: String,
    /// (node id, name) of each place served inside the scope.
    pub serves: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct ListPage {
    shell: Shell,
    /// (identifier, label) of every kind, for the filter.
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    items: Vec<Shown>,
    pager: Pager,
    can_import: bool,
}

#[derive(Deserialize)]
pub struct ListQ {
    kind: Option<String>,
    page: Option<u64>,
    page_size: Option<u64>,
}

fn label(lang: Lang, k: OrgKind) -> &'static str {
    match lang {
        Lang::Zh => k.label_zh(),
        Lang::En => k.label_en(),
    }
}

pub async fn list(State(s): State<AppState>, u: PageUser, Query(q): Query<ListQ>) -> Response {
    let page = Page::new(q.page, q.page_size);
    let r = async {
        let scope = u.p.scope(Permission::ViewNodes)?;
        let kind = kind_filter(q.kind.as_deref())?;
        let (items, total) = orgs::list_organisations(&s.db, &scope, kind, page).await?;
        let lines = org_lines(&s, &scope, items).await?;
        Ok::<_, AppError>((kind, lines, total))
    }
    .await;
    let (kind, lines, total) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    let items = lines
        .into_iter()
        .map(|l| Shown {
            kind: OrgKind::parse(&l.org.kind).map_or("—", |k| label(u.lang, k)),
            name: l.org.name,
            home_id: l.home.as_ref().map(|n| n.id),
            home: l.home.map(|n| n.name).unwrap_or_default(),
            credit_code: l.org.credit_code,
            contact: l.org.contact_name,
            phone: l.org.contact_phone,
            serves: l.serves.into_iter().map(|n| (n.id, n.name)).collect(),
        })
        .collect();
    let kind = kind.map_or("", OrgKind::as_str).to_owned();
    render(&ListPage {
        shell: u.shell("organisations.title", "/organisations"),
        kinds: OrgKind::ALL
            .iter()
            .map(|k| (k.as_str(), label(u.lang, *k)))
            .collect(),
        pager: Pager::new(&format!("/organisations?kind={kind}&"), page, total),
        kind,
        items,
        can_import: u.p.can(Roster::Organisations.permission()),
    })
}
