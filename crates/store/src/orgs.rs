//! Links between the two trees (a party organisation covers territory nodes) and the
//! organisations beside the party tree (owners' committees, property companies, …).

use std::collections::HashMap;

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::nodes::{self, Node, Nodes};
use crate::{Page, scope_cond};
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::org::OrgKind;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum OrgAnchors {
    Table,
    OrgNodeId,
    TerritoryNodeId,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Organisations {
    Table,
    Id,
    Kind,
    Name,
    HomeNodeId,
    HomePath,
    CreditCode,
    ContactName,
    ContactPhone,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum OrganisationServes {
    Table,
    OrganisationId,
    NodeId,
    CreatedAt,
}

fn tree_of(n: &Node) -> Option<Tree> {
    NodeKind::parse(&n.kind).and_then(|k| k.tree())
}

/// Anchors a party organisation to a territory node it covers (支部建在网格上). Both must lie in
/// `scope`; anchoring twice is a no-op.
pub async fn anchor(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    org_id: i64,
    territory_id: i64,
) -> StoreResult<()> {
    let org = nodes::get(db, scope, org_id).await?;
    let place = nodes::get(db, scope, territory_id).await?;
    if tree_of(&org) != Some(Tree::Org) || tree_of(&place) != Some(Tree::Territory) {
        return Err(DomainError::new(
            "invalid_anchor",
            "territory_node_id",
            "须将党组织对应到区划、网格或小区等地域节点",
        )
        .into());
    }
    let exists = anchored_to(db, org.id)
        .await?
        .iter()
        .any(|n| n.id == place.id);
    if exists {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table(OrgAnchors::Table)
            .columns([
                OrgAnchors::OrgNodeId,
                OrgAnchors::TerritoryNodeId,
                OrgAnchors::CreatedAt,
            ])
            .values_panic([org.id.into(), place.id.into(), actor.at.into()])
            .to_owned(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "org.anchor",
            object_type: "node",
            object_id: org.id.to_string(),
            object_path: &org.path,
            before: None,
            after: Some(serde_json::json!({"covers": place.id, "name": place.name})),
        },
    )
    .await?;
    tx.commit().await
}

/// The territory nodes a party organisation covers.
pub async fn anchored_to(db: &Db, org_id: i64) -> StoreResult<Vec<Node>> {
    db.all(
        &nodes::select()
            .and_where(
                Expr::col((Nodes::Table, Nodes::Id)).in_subquery(
                    Query::select()
                        .column(OrgAnchors::TerritoryNodeId)
                        .from(OrgAnchors::Table)
                        .and_where(Expr::col(OrgAnchors::OrgNodeId).eq(org_id))
                        .to_owned(),
                ),
            )
            .order_by(Nodes::Path, Order::Asc)
            .to_owned(),
    )
    .await
}

/// The party organisations covering a territory node, within `scope`.
pub async fn anchored_at(db: &Db, scope: &Scope, territory_id: i64) -> StoreResult<Vec<Node>> {
    db.all(
        &nodes::select()
            .cond_where(scope_cond(scope, Nodes::Path))
            .and_where(
                Expr::col((Nodes::Table, Nodes::Id)).in_subquery(
                    Query::select()
                        .column(OrgAnchors::OrgNodeId)
                        .from(OrgAnchors::Table)
                        .and_where(Expr::col(OrgAnchors::TerritoryNodeId).eq(territory_id))
                        .to_owned(),
                ),
            )
            .order_by(Nodes::Path, Order::Asc)
            .to_owned(),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Organisation {
    pub id: i64,
    /// `owners_committee`, `property_company`, `resident_unit`, `department`, `new_org`, `volunteer_team`.
    pub kind: String,
    pub name: String,
    /// Where it is registered: it is visible to users whose scope covers this node.
    pub home_node_id: i64,
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub created_at: DateTime<Utc>,
}

pub struct NewOrganisation {
    pub kind: OrgKind,
    pub name: String,
    pub home_node_id: i64,
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// Places it serves (estates for property companies and owners' committees).
    pub serves: Vec<i64>,
}

fn org_select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            Organisations::Id,
            Organisations::Kind,
            Organisations::Name,
            Organisations::HomeNodeId,
            Organisations::CreditCode,
            Organisations::ContactName,
            Organisations::ContactPhone,
            Organisations::CreatedAt,
        ])
        .from(Organisations::Table)
        .to_owned()
}

pub async fn create_organisation(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    new: NewOrganisation,
) -> StoreResult<Organisation> {
    let home = nodes::get(db, scope, new.home_node_id).await?;
    let mut served = Vec::new();
    for id in &new.serves {
        let n = nodes::get(db, scope, *id).await?;
        if tree_of(&n) != Some(Tree::Territory) {
            return Err(DomainError::new(
                "invalid_place",
                "serves",
                "服务对象须为小区、楼栋等地域节点",
            )
            .into());
        }
        served.push(n);
    }
    let mut tx = db.begin().await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(Organisations::Table)
                .columns([
                    Organisations::Kind,
                    Organisations::Name,
                    Organisations::HomeNodeId,
                    Organisations::HomePath,
                    Organisations::CreditCode,
                    Organisations::ContactName,
                    Organisations::ContactPhone,
                    Organisations::CreatedAt,
                    Organisations::UpdatedAt,
                ])
                .values_panic([
                    new.kind.as_str().into(),
                    new.name.clone().into(),
                    home.id.into(),
                    home.path.clone().into(),
                    new.credit_code.clone().into(),
                    new.contact_name.clone().into(),
                    new.contact_phone.clone().into(),
                    actor.at.into(),
                    actor.at.into(),
                ])
                .returning_col(Organisations::Id)
                .to_owned(),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Conflict { field: "name" },
            other => other,
        })?;
    for n in &served {
        tx.execute(
            &Query::insert()
                .into_table(OrganisationServes::Table)
                .columns([
                    OrganisationServes::OrganisationId,
                    OrganisationServes::NodeId,
                    OrganisationServes::CreatedAt,
                ])
                .values_panic([id.into(), n.id.into(), actor.at.into()])
                .to_owned(),
        )
        .await?;
    }
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "organisation.create",
            object_type: "organisation",
            object_id: id.to_string(),
            object_path: &home.path,
            before: None,
            after: Some(serde_json::json!({
                "kind": new.kind.as_str(), "name": new.name, "home_node_id": home.id,
                "serves": served.iter().map(|n| n.id).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    get_organisation(db, scope, id).await
}

pub async fn get_organisation(db: &Db, scope: &Scope, id: i64) -> StoreResult<Organisation> {
    db.optional(
        &org_select()
            .cond_where(scope_cond(scope, Organisations::HomePath))
            .and_where(Expr::col(Organisations::Id).eq(id))
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

pub async fn list_organisations(
    db: &Db,
    scope: &Scope,
    kind: Option<OrgKind>,
    page: Page,
) -> StoreResult<(Vec<Organisation>, i64)> {
    let mut cond = scope_cond(scope, Organisations::HomePath);
    if let Some(k) = kind {
        cond = cond.add(Expr::col(Organisations::Kind).eq(k.as_str()));
    }
    let total = db
        .scalar(
            &Query::select()
                .expr(Expr::col(Organisations::Id).count())
                .from(Organisations::Table)
                .cond_where(cond.clone())
                .to_owned(),
        )
        .await?;
    let items = db
        .all(
            &org_select()
                .cond_where(cond)
                .order_by(Organisations::Kind, Order::Asc)
                .order_by(Organisations::Name, Order::Asc)
                .offset(page.offset())
                .limit(page.size)
                .to_owned(),
        )
        .await?;
    Ok((items, total))
}

/// The organisations serving a place, within scope.
pub async fn serving(db: &Db, scope: &Scope, node_id: i64) -> StoreResult<Vec<Organisation>> {
    db.all(
        &org_select()
            .cond_where(scope_cond(scope, Organisations::HomePath))
            .and_where(
                Expr::col(Organisations::Id).in_subquery(
                    Query::select()
                        .column(OrganisationServes::OrganisationId)
                        .from(OrganisationServes::Table)
                        .and_where(Expr::col(OrganisationServes::NodeId).eq(node_id))
                        .to_owned(),
                ),
            )
            .order_by(Organisations::Kind, Order::Asc)
            .to_owned(),
    )
    .await
}

/// The places each of these organisations serves, by organisation, as far as they lie in
/// `scope`: an organisation registered at a street may serve estates of communities the reader
/// does not oversee.
pub async fn served_places(
    db: &Db,
    scope: &Scope,
    org_ids: &[i64],
) -> StoreResult<HashMap<i64, Vec<Node>>> {
    let mut found: HashMap<i64, Vec<Node>> = HashMap::new();
    for chunk in org_ids.chunks(crate::import::CHUNK) {
        let rows: Vec<(i64, i64)> = db
            .all(
                &Query::select()
                    .columns([
                        OrganisationServes::OrganisationId,
                        OrganisationServes::NodeId,
                    ])
                    .from(OrganisationServes::Table)
                    .and_where(
                        Expr::col(OrganisationServes::OrganisationId).is_in(chunk.iter().copied()),
                    )
                    .to_owned(),
            )
            .await?;
        let places: HashMap<i64, Node> = db
            .all::<Node>(
                &nodes::select()
                    .cond_where(scope_cond(scope, Nodes::Path))
                    .and_where(Expr::col(Nodes::Id).is_in(rows.iter().map(|r| r.1)))
                    .to_owned(),
            )
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
        for (org, node) in rows {
            if let Some(n) = places.get(&node) {
                found.entry(org).or_default().push(n.clone());
            }
        }
    }
    for places in found.values_mut() {
        places.sort_by(|a, b| a.code.cmp(&b.code));
    }
    Ok(found)
}
