//! Routing rules (category × territory → desk, suggested lead unit, auto-dispatch) and the
//! default when no rule covers a place: the desk of the street (else district) above it.

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};
use crate::nodes::{self, Node, Nodes};
use crate::orgs::Organisations;
use crate::scope_cond;
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
use jiceng_core::node::NodeKind;
use jiceng_core::requests::routing::{self as rules, Rule};
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum RoutingRules {
    Table,
    Id,
    CategoryId,
    NodeId,
    NodePath,
    DeskNodeId,
    DeskPath,
    DeskLevel,
    LeadOrgId,
    AutoDispatch,
    CreatedAt,
}

/// `Deserialize` reads it packed (`Db::all_packed3`).
#[derive(Debug, Clone, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RoutingRule {
    pub id: i64,
    pub category_id: Option<i64>,
    pub node_id: i64,
    pub node_path: String,
    pub desk_node_id: Option<i64>,
    pub desk_path: Option<String>,
    /// `community`: the community above each request's place receives it (分级响应).
    pub desk_level: Option<String>,
    pub lead_org_id: Option<i64>,
    #[serde(deserialize_with = "crate::packed::flag")]
    pub auto_dispatch: bool,
    #[serde(deserialize_with = "crate::time_text::utc")]
    pub created_at: DateTime<Utc>,
}

impl RoutingRule {
    fn rule(&self) -> Rule {
        Rule {
            id: self.id,
            category_id: self.category_id,
            node_path: self.node_path.clone(),
            desk_path: self.desk_path.clone(),
            desk_level: self.desk_level.as_deref().and_then(NodeKind::parse),
            lead_org_id: self.lead_org_id,
            auto_dispatch: self.auto_dispatch,
        }
    }
}

fn select() -> sea_query::SelectStatement {
    use RoutingRules as R;
    Query::select()
        .columns([
            R::Id,
            R::CategoryId,
            R::NodeId,
            R::NodePath,
            R::DeskNodeId,
            R::DeskPath,
            R::DeskLevel,
            R::LeadOrgId,
            R::AutoDispatch,
            R::CreatedAt,
        ])
        .from(R::Table)
        .to_owned()
}

/// Rules for territories inside `scope`.
pub async fn list(db: &Db, scope: &Scope) -> StoreResult<Vec<RoutingRule>> {
    db.all(
        &select()
            .cond_where(scope_cond(scope, RoutingRules::NodePath))
            .order_by(RoutingRules::NodePath, Order::Asc)
            .order_by(RoutingRules::Id, Order::Asc)
            .to_owned(),
    )
    .await
}

pub struct NewRule {
    pub category_id: Option<i64>,
    pub node_id: i64,
    /// `None`: the default desk above each place.
    pub desk_node_id: Option<i64>,
    /// Instead of a named desk: the nearest node of this kind above each place (one of
    /// `DESK_LEVELS`).
    pub desk_level: Option<NodeKind>,
    pub lead_org_id: Option<i64>,
    pub auto_dispatch: bool,
}

/// Adds a rule for a territory inside `scope`. The desk must be the territory or above it (a
/// street or district desk serves the places below it); auto-dispatch needs a lead unit.
pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    new: NewRule,
) -> StoreResult<RoutingRule> {
    let node = nodes::get(db, scope, new.node_id).await?;
    check_desk_level(&new)?;
    let desk = match new.desk_node_id {
        None => None,
        Some(d) => Some(
            nodes::by_ids(db, vec![d])
                .await?
                .pop()
                .ok_or(StoreError::NotFound)?,
        ),
    };
    if desk
        .as_ref()
        .is_some_and(|d| !node.path.starts_with(&d.path))
    {
        return Err(DomainError::new(
            "invalid_desk",
            "desk_node_id",
            "派单中心须为该区域本身或其上级",
        )
        .into());
    }
    // Without a desk of its own, units are checked against the territory the rule covers.
    let desk_path = desk.as_ref().map_or(node.path.clone(), |d| d.path.clone());
    if let Some(c) = new.category_id {
        super::categories::get(db, c).await?;
    }
    if let Some(org) = new.lead_org_id {
        lead_unit_fits(db, org, &desk_path).await?;
    } else if new.auto_dispatch {
        return Err(
            DomainError::new("missing_lead_unit", "lead_org_id", "自动派单须指定承办单位").into(),
        );
    }
    let mut tx = db.begin().await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(RoutingRules::Table)
                .columns([
                    RoutingRules::CategoryId,
                    RoutingRules::NodeId,
                    RoutingRules::NodePath,
                    RoutingRules::DeskNodeId,
                    RoutingRules::DeskPath,
                    RoutingRules::DeskLevel,
                    RoutingRules::LeadOrgId,
                    RoutingRules::AutoDispatch,
                    RoutingRules::CreatedAt,
                ])
                .values_panic([
                    new.category_id.into(),
                    node.id.into(),
                    node.path.clone().into(),
                    desk.as_ref().map(|d| d.id).into(),
                    desk.as_ref().map(|d| d.path.clone()).into(),
                    new.desk_level.map(NodeKind::as_str).into(),
                    new.lead_org_id.into(),
                    new.auto_dispatch.into(),
                    actor.at.into(),
                ])
                .returning_col(RoutingRules::Id)
                .to_owned(),
        )
        .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "routing_rule.create",
            object_type: "routing_rule",
            object_id: id.to_string(),
            object_path: &node.path,
            before: None,
            after: Some(serde_json::json!({
                "category_id": new.category_id, "desk": desk.as_ref().map(|d| d.name.clone()),
                "desk_level": new.desk_level.map(NodeKind::as_str),
                "lead_org_id": new.lead_org_id, "auto_dispatch": new.auto_dispatch,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    db.optional(
        &select()
            .and_where(Expr::col(RoutingRules::Id).eq(id))
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// A rule names a desk or a level, not both, and the level must be one requests can go to.
/// A place with no node of that level above it keeps the default desk.
fn check_desk_level(new: &NewRule) -> StoreResult<()> {
    let Some(level) = new.desk_level else {
        return Ok(());
    };
    if new.desk_node_id.is_some() {
        return Err(DomainError::new(
            "desk_conflict",
            "desk_level",
            "指定派单中心与受理层级只能选一项",
        )
        .into());
    }
    if !rules::DESK_LEVELS.contains(&level) {
        return Err(DomainError::new(
            "invalid_desk_level",
            "desk_level",
            format!("受理层级不能为「{}」", level.label_zh()),
        )
        .into());
    }
    Ok(())
}

/// A unit may lead requests of a desk when it sits at or above the desk (county departments
/// serve every street) or inside the desk's territory (a community's property company).
pub(crate) async fn lead_unit_fits(db: &Db, org_id: i64, desk_path: &str) -> StoreResult<String> {
    let row: Option<(String, String)> = db
        .optional(
            &Query::select()
                .columns([Organisations::Name, Organisations::HomePath])
                .from(Organisations::Table)
                .and_where(Expr::col(Organisations::Id).eq(org_id))
                .to_owned(),
        )
        .await?;
    let Some((name, home)) = row else {
        return Err(DomainError::new("unknown_unit", "lead_org_id", "承办单位不存在").into());
    };
    if desk_path.starts_with(&home) || home.starts_with(desk_path) {
        Ok(name)
    } else {
        Err(DomainError::new(
            "unit_out_of_area",
            "lead_org_id",
            format!("「{name}」不在本派单中心的服务范围内"),
        )
        .into())
    }
}

/// Where a request goes.
#[derive(Debug, Clone)]
pub struct Route {
    pub desk_path: String,
    pub suggested_org_id: Option<i64>,
    pub auto_dispatch: bool,
}

/// The routing rules set on node `place_id` or any node above it (its candidates).
pub(crate) fn rules_along(engine: Engine, place_id: i64) -> sea_query::SelectStatement {
    let line = Query::select()
        .column(Nodes::Path)
        .from(Nodes::Table)
        .and_where(nodes::ids_up_from(engine, place_id, "id"))
        .to_owned();
    select()
        .and_where(Expr::col(RoutingRules::NodePath).in_subquery(line))
        .to_owned()
}

/// Routes a request of `category_id` at `place`, given the nodes from the place up (`line`,
/// `nodes::line_up`) and the rules set on them (`rules_along`), both read with the request's
/// other inputs in one call.
pub(crate) fn route(
    category_id: i64,
    place: &Node,
    line: &[Node],
    candidates: &[RoutingRule],
) -> Route {
    let rules: Vec<Rule> = candidates.iter().map(RoutingRule::rule).collect();
    let chosen = rules::choose(&rules, category_id, &place.path);
    let desk = match chosen.and_then(|r| r.desk_path.clone()) {
        Some(d) => d,
        None => desk_above(place, line, chosen.and_then(|r| r.desk_level)),
    };
    Route {
        desk_path: desk,
        suggested_org_id: chosen.and_then(|r| r.lead_org_id),
        auto_dispatch: chosen.is_some_and(|r| r.auto_dispatch && r.lead_org_id.is_some()),
    }
}

/// The node of kind `level` above a place (the place itself included), else the street (else
/// district) above it: whose dispatchers receive its requests.
fn desk_above(place: &Node, line: &[Node], level: Option<NodeKind>) -> String {
    let deepest = |k: NodeKind| {
        line.iter()
            .filter(|n| n.kind == k.as_str())
            .max_by_key(|n| n.path.len())
            .map(|n| n.path.clone())
    };
    level
        .and_then(deepest)
        .or_else(|| deepest(NodeKind::Street))
        .or_else(|| deepest(NodeKind::District))
        .unwrap_or_else(|| place.path.clone())
}

/// A unit a desk can dispatch to.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct UnitChoice {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

/// Units that may lead requests of the desk at `desk_path` (see `lead_unit_fits`): departments
/// first, then by name.
pub async fn candidate_units(db: &Db, desk_path: &str) -> StoreResult<Vec<UnitChoice>> {
    let above = jiceng_core::node::ancestor_paths(desk_path);
    db.all(
        &Query::select()
            .columns([Organisations::Id, Organisations::Name, Organisations::Kind])
            .from(Organisations::Table)
            .cond_where(
                sea_query::Cond::any()
                    .add(Expr::col(Organisations::HomePath).is_in(above))
                    .add(crate::under_path(Organisations::HomePath, desk_path)),
            )
            .and_where(Expr::col(Organisations::Kind).is_in([
                "department",
                "property_company",
                "resident_unit",
            ]))
            .order_by_expr(Expr::col(Organisations::Kind).eq("department"), Order::Desc)
            .order_by(Organisations::Name, Order::Asc)
            .limit(500)
            .to_owned(),
    )
    .await
}
