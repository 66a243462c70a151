//! Blowing the whistle (吹哨): a place in the whistler's territory, the units summoned to it and
//! the deadline to check in. Everything is checked before the transaction opens, so a refused
//! whistle writes nothing.

use super::{WhistleUnits, WhistleViewer, Whistles};
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::nodes::{self, Node};
use crate::orgs::Organisations;
use crate::requests::Requests;
use crate::requests::inbox::Notifications;
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
use jiceng_core::node::Tree;
use jiceng_core::org::OrgKind;
use jiceng_core::requests::sla::local;
use jiceng_core::scope::Scope;
use jiceng_core::whistle::{self, SUMMONABLE, WhistleStatus};
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use serde::Serialize;

pub struct NewWhistle {
    pub title: String,
    pub description: String,
    /// The place; `None` takes the place of `request_id`.
    pub place_node_id: Option<i64>,
    pub request_id: Option<i64>,
    pub unit_ids: Vec<i64>,
    pub deadline_at: DateTime<Utc>,
}

/// A unit a whistle at some place may summon.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Summonable {
    pub id: i64,
    pub name: String,
    pub kind: String,
    #[serde(skip)]
    pub home_path: String,
}

/// A unit fits a place when it sits at or above it (county departments serve every street) or
/// inside it (a property company of an estate in the community): the rule dispatch desks use.
fn fits(home: &str, place: &str) -> bool {
    place.starts_with(home) || home.starts_with(place)
}

fn kinds() -> Vec<&'static str> {
    SUMMONABLE.iter().map(|k| k.as_str()).collect()
}

/// The ancestors of `path` (itself included).
fn prefixes(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut acc = String::from("/");
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        acc.push_str(seg);
        acc.push('/');
        out.push(acc.clone());
    }
    out
}

/// The units a whistle at `place_path` may summon: departments first, then by name.
pub async fn summonable(db: &Db, place_path: &str) -> StoreResult<Vec<Summonable>> {
    use Organisations as O;
    db.all(
        &Query::select()
            .columns([O::Id, O::Name, O::Kind, O::HomePath])
            .from(O::Table)
            .cond_where(
                Cond::any()
                    .add(Expr::col(O::HomePath).is_in(prefixes(place_path)))
                    .add(crate::under_path(O::HomePath, place_path)),
            )
            .and_where(Expr::col(O::Kind).is_in(kinds()))
            .order_by_expr(Expr::col(O::Kind).eq("department"), Order::Desc)
            .order_by(O::Name, Order::Asc)
            .limit(500)
            .to_owned(),
    )
    .await
}

/// The summoned units, each checked: it exists, may be summoned, and fits the place.
async fn check_units(db: &Db, ids: &[i64], place: &Node) -> StoreResult<Vec<Summonable>> {
    use Organisations as O;
    let found: Vec<Summonable> = db
        .all(
            &Query::select()
                .columns([O::Id, O::Name, O::Kind, O::HomePath])
                .from(O::Table)
                .and_where(Expr::col(O::Id).is_in(ids.to_vec()))
                .to_owned(),
        )
        .await?;
    let mut out = Vec::new();
    for id in ids {
        let Some(u) = found.iter().find(|u| u.id == *id) else {
            return Err(DomainError::new(
                "unknown_unit",
                "unit_ids",
                format!("编号为 {id} 的单位不存在"),
            )
            .into());
        };
        if !OrgKind::parse(&u.kind).is_some_and(|k| SUMMONABLE.contains(&k)) {
            return Err(DomainError::new(
                "invalid_unit",
                "unit_ids",
                format!(
                    "「{}」不是可召集的单位（职能部门、驻区单位或物业服务企业）",
                    u.name
                ),
            )
            .into());
        }
        if !fits(&u.home_path, &place.path) {
            return Err(DomainError::new(
                "unit_out_of_area",
                "unit_ids",
                format!("「{}」不服务于「{}」", u.name, place.name),
            )
            .into());
        }
        out.push(u.clone());
    }
    Ok(out)
}

/// The request a whistle is about: it must exist and lie in the whistler's territory.
async fn request_place(db: &Db, scope: &Scope, id: i64) -> StoreResult<i64> {
    let row: Option<(i64, String)> = db
        .optional(
            &Query::select()
                .columns([Requests::PlaceNodeId, Requests::PlacePath])
                .from(Requests::Table)
                .and_where(Expr::col(Requests::Id).eq(id))
                .to_owned(),
        )
        .await?;
    match row {
        Some((place, path)) if scope.contains(&path) => Ok(place),
        _ => Err(DomainError::new(
            "unknown_request",
            "request_id",
            format!("诉求 #{id} 不存在或不在您的管辖范围内"),
        )
        .into()),
    }
}

async fn place_of(db: &Db, scope: &Scope, id: i64) -> StoreResult<Node> {
    let unknown = || {
        DomainError::new(
            "unknown_place",
            "place_node_id",
            "位置不存在或不在您的管辖范围内",
        )
    };
    let node = match nodes::get(db, scope, id).await {
        Err(StoreError::NotFound) => return Err(unknown().into()),
        other => other?,
    };
    if node.tree != Tree::Territory.as_str() {
        return Err(DomainError::new(
            "invalid_place",
            "place_node_id",
            "吹哨位置须为街道、社区、网格、小区或楼栋",
        )
        .into());
    }
    Ok(node)
}

/// One inbox entry about a whistle, for a unit's staff or one user. Whistles share the request
/// inbox (`notifications`, with no request and the whistle's id, which the inbox links to) so
/// staff read one list of messages.
pub(crate) async fn notify(
    tx: &mut Tx,
    whistle: i64,
    org: Option<i64>,
    user: Option<i64>,
    kind: &str,
    message: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    use Notifications as N;
    tx.execute(
        &Query::insert()
            .into_table(N::Table)
            .columns([
                N::WhistleId,
                N::OrgId,
                N::UserId,
                N::Kind,
                N::Message,
                N::CreatedAt,
            ])
            .values_panic([
                whistle.into(),
                org.into(),
                user.into(),
                kind.into(),
                message.into(),
                at.into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Blows a whistle at a place in the viewer's territory (`BlowWhistle`), summoning `unit_ids`.
pub async fn blow(
    db: &Db,
    viewer: &WhistleViewer,
    actor: &Actor,
    new: NewWhistle,
) -> StoreResult<i64> {
    let scope = viewer.whistles.as_ref().ok_or(StoreError::Forbidden)?;
    let now = actor.at;
    let title = whistle::check_title(&new.title)?;
    let description = whistle::check_note(&new.description, "description", 2000, None)?;
    let ids = whistle::check_units(&new.unit_ids)?;
    whistle::check_deadline(now, new.deadline_at)?;
    let from_request = match new.request_id {
        Some(r) => Some(request_place(db, scope, r).await?),
        None => None,
    };
    let place_id = new
        .place_node_id
        .or(from_request)
        .ok_or_else(|| DomainError::new("missing_place", "place_node_id", "请选择吹哨的位置"))?;
    let place = place_of(db, scope, place_id).await?;
    let units = check_units(db, &ids, &place).await?;

    let mut tx = db.begin().await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(Whistles::Table)
                .columns([
                    Whistles::Title,
                    Whistles::Description,
                    Whistles::PlaceNodeId,
                    Whistles::PlacePath,
                    Whistles::RequestId,
                    Whistles::WhistlerUserId,
                    Whistles::WhistlerName,
                    Whistles::WhistlerUnit,
                    Whistles::DeadlineAt,
                    Whistles::Status,
                    Whistles::CreatedAt,
                ])
                .values_panic([
                    title.clone().into(),
                    description.into(),
                    place.id.into(),
                    place.path.clone().into(),
                    new.request_id.into(),
                    viewer.user_id.into(),
                    viewer.name.clone().into(),
                    viewer.unit.clone().into(),
                    new.deadline_at.into(),
                    WhistleStatus::Open.as_str().into(),
                    now.into(),
                ])
                .returning_col(Whistles::Id)
                .to_owned(),
        )
        .await?;
    let mut q = Query::insert();
    q.into_table(WhistleUnits::Table)
        .columns([WhistleUnits::WhistleId, WhistleUnits::OrgId]);
    for u in &units {
        q.values_panic([id.into(), u.id.into()]);
    }
    tx.execute(&q).await?;
    let due = local(new.deadline_at).format("%m月%d日 %H:%M");
    let message = format!(
        "吹哨：{title}（{}，{}），请于 {due} 前报到（#{id}）",
        place.name, viewer.unit
    );
    for u in &units {
        notify(&mut tx, id, Some(u.id), None, "whistle", &message, now).await?;
    }
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "whistle.blow",
            object_type: "whistle",
            object_id: id.to_string(),
            object_path: &place.path,
            before: None,
            after: Some(serde_json::json!({
                "title": title, "place": place.name, "request_id": new.request_id,
                "units": units.iter().map(|u| u.name.clone()).collect::<Vec<_>>(),
                "deadline_at": new.deadline_at,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_fits_the_places_below_it_and_the_place_it_sits_in() {
        let grid = "/371722/371722001/371722001001/371722001001G01/";
        assert!(fits("/371722/", grid), "a county department");
        assert!(
            fits(grid, "/371722/371722001/"),
            "a company inside the street"
        );
        assert!(!fits("/371722/371722002/", grid), "another street");
    }
}
