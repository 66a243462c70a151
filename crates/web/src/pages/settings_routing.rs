//! Routing rules (派单规则) for district administrators (`ManageRequestSetup`): the rules of the
//! territories in scope and a form to add one. The store checks the desk and the unit against
//! the territory; a refused form comes back with the message beside the field.

use super::{CsrfForm, PageUser, Shell, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::node::NodeKind;
use jiceng_core::org::OrgKind;
use jiceng_core::role::Permission;
use jiceng_store::nodes;
use jiceng_store::requests::categories;
use jiceng_store::requests::routing::{self, NewRule};
use serde::Deserialize;
use std::collections::HashMap;

/// Territories a rule may cover, and desks it may name.
const TERRITORIES: &[NodeKind] = &[NodeKind::District, NodeKind::Street, NodeKind::Community];
const DESKS: &[NodeKind] = &[NodeKind::District, NodeKind::Street];

pub struct RuleRow {
    pub id: i64,
    pub territory: String,
    pub category: String,
    pub desk: String,
    pub unit: String,
    pub auto: bool,
}

/// The add form as typed: ids as text, blank for "all" / "default" / "none".
#[derive(Deserialize, Default)]
pub struct RuleForm {
    #[serde(default)]
    pub node_id: String,
    #[serde(default)]
    pub category_id: String,
    #[serde(default)]
    pub desk_node_id: String,
    #[serde(default)]
    pub lead_org_id: String,
    #[serde(default)]
    pub auto_dispatch: Option<String>,
}

impl RuleForm {
    pub fn auto(&self) -> bool {
        self.auto_dispatch.is_some()
    }

    fn rule(&self) -> Result<NewRule, AppError> {
        fn id(raw: &str, field: &str, message: &str) -> Result<Option<i64>, AppError> {
            match raw.trim() {
                "" => Ok(None),
                v => v
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::bad_request("invalid_type", field, message)),
            }
        }
        let node_id = id(&self.node_id, "node_id", "请选择区域")?
            .ok_or_else(|| AppError::bad_request("missing_field", "node_id", "请选择区域"))?;
        // The desk choice is a named desk, or a level (`community`: 所在社区受理).
        let (desk_node_id, desk_level) = match NodeKind::parse(self.desk_node_id.trim()) {
            Some(level) => (None, Some(level)),
            None => (
                id(&self.desk_node_id, "desk_node_id", "派单中心不正确")?,
                None,
            ),
        };
        Ok(NewRule {
            node_id,
            category_id: id(&self.category_id, "category_id", "事项分类不正确")?,
            desk_node_id,
            desk_level,
            lead_org_id: id(&self.lead_org_id, "lead_org_id", "承办单位不正确")?,
            auto_dispatch: self.auto(),
        })
    }
}

#[derive(Template)]
#[template(path = "settings_routing.html")]
struct RoutingPage {
    shell: Shell,
    rules: Vec<RuleRow>,
    territories: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    desks: Vec<(String, String)>,
    units: Vec<(String, String)>,
    f: RuleForm,
    error_field: String,
    error: String,
}

/// The fields a message is shown beside; anything else goes to the top of the page.
const FIELDS: &[&str] = &[
    "node_id",
    "category_id",
    "desk_node_id",
    "desk_level",
    "lead_org_id",
];

async fn page(
    s: &AppState,
    u: &PageUser,
    f: RuleForm,
    error: Option<AppError>,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let scope = u.p.scope(Permission::ManageRequestSetup)?;
    let t = u.tr();
    let rules = routing::list(&s.db, &scope).await?;
    let cats = categories::list(&s.db, false).await?;
    // Units that may lead requests somewhere in scope: at or above a scope root, or inside it.
    let mut units = Vec::new();
    for root in scope.prefixes() {
        for c in routing::candidate_units(&s.db, root).await? {
            if !units
                .iter()
                .any(|(id, _, _): &(i64, String, String)| *id == c.id)
            {
                units.push((c.id, c.name, c.kind));
            }
        }
    }
    let mut ids: Vec<i64> = rules.iter().map(|r| r.node_id).collect();
    ids.extend(rules.iter().filter_map(|r| r.desk_node_id));
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = nodes::by_ids(&s.db, ids)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    let rows = rules
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            territory: name_of(r.node_id),
            category: r.category_id.map_or_else(
                || t.s("setup.rule.all_categories").to_owned(),
                |c| {
                    cats.iter()
                        .find(|x| x.id == c)
                        .map_or_else(|| format!("#{c}"), |x| x.name.clone())
                },
            ),
            desk: match (r.desk_node_id, r.desk_level.as_deref()) {
                (Some(d), _) => name_of(d),
                (None, Some(_)) => t.s("setup.rule.desk_community").to_owned(),
                (None, None) => t.s("setup.rule.desk_default").to_owned(),
            },
            unit: r.lead_org_id.map_or_else(
                || t.s("setup.rule.no_unit").to_owned(),
                |o| {
                    units
                        .iter()
                        .find(|(id, _, _)| *id == o)
                        .map_or_else(|| format!("#{o}"), |(_, n, _)| n.clone())
                },
            ),
            auto: r.auto_dispatch,
        })
        .collect();
    let node_choices = |kinds: &'static [NodeKind], limit| {
        let scope = &scope;
        async move {
            Ok::<_, AppError>(
                nodes::choices(&s.db, scope, kinds, limit)
                    .await?
                    .into_iter()
                    .map(|n| {
                        (
                            n.id.to_string(),
                            format!("{}（{}）", n.name, t.kind(&n.kind)),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
        }
    };
    let territories = node_choices(TERRITORIES, 2000).await?;
    let desks = node_choices(DESKS, 500).await?;
    let unit_label = |kind: &str| match OrgKind::parse(kind) {
        Some(k) => super::requests::label!(u.lang, k),
        None => "",
    };
    let mut shell = u.shell("setup.routing.title", "/settings/routing");
    shell.flash = flash;
    let (mut error_field, mut message, mut status) = (String::new(), String::new(), StatusCode::OK);
    if let Some(e) = error {
        status = e.status;
        match e.details["field"].as_str().filter(|f| FIELDS.contains(f)) {
            Some(field) => (error_field, message) = (field.to_owned(), e.message),
            None => shell.error = Some(e.message),
        }
    }
    let mut resp = render(&RoutingPage {
        shell,
        rules: rows,
        territories,
        categories: cats
            .iter()
            .filter(|c| c.active || c.id.to_string() == f.category_id)
            .map(|c| (c.id.to_string(), format!("{} · {}", c.group, c.name)))
            .collect(),
        desks,
        units: units
            .iter()
            .map(|(id, name, kind)| (id.to_string(), format!("{name}（{}）", unit_label(kind))))
            .collect(),
        f,
        error_field,
        error: message,
    });
    if resp.status() == StatusCode::OK {
        *resp.status_mut() = status;
    }
    Ok(resp)
}

#[derive(Deserialize)]
pub struct Added {
    added: Option<String>,
}

pub async fn show(State(s): State<AppState>, u: PageUser, Query(q): Query<Added>) -> Response {
    let flash = q.added.map(|_| u.tr().s("setup.rule.added").to_owned());
    page(&s, &u, RuleForm::default(), None, flash)
        .await
        .unwrap_or_else(|e| u.err(e).into_response())
}

pub async fn create(State(s): State<AppState>, f: CsrfForm<RuleForm>) -> Response {
    let u = &f.user;
    let r = async {
        let scope = u.p.scope(Permission::ManageRequestSetup)?;
        let new = f.form.rule()?;
        Ok::<_, AppError>(routing::create(&s.db, &scope, &u.p.actor(), new).await?)
    }
    .await;
    match r {
        Ok(_) => Redirect::to("/settings/routing?added=1").into_response(),
        Err(e) if e.status == StatusCode::BAD_REQUEST => page(&s, u, f.form, Some(e), None)
            .await
            .unwrap_or_else(|e| u.err(e).into_response()),
        Err(e) => u.err(e).into_response(),
    }
}
