//! Residents (居民): who lives where, with 身份证 and phone sealed at rest. Reads return masked
//! identifiers; the full 身份证 number comes only from `reveal_id_card`, which is audited.

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::nodes;
use crate::vault::Vault;
use crate::{Page, scope_cond};
use chrono::{DateTime, NaiveDate, Utc};
use jiceng_core::DomainError;
use jiceng_core::household::HouseholdRelation;
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::people::{IdCardNo, Phone};
use jiceng_core::scope::Scope;
use sea_query::{Cond, Expr, ExprTrait, Iden, Order, Query, SelectStatement};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum Residents {
    Table,
    Id,
    NodeId,
    NodePath,
    Name,
    Gender,
    BirthDate,
    IdCardSealed,
    IdCardIndex,
    IdCardMasked,
    PhoneSealed,
    PhoneTail,
    PhoneMasked,
    HouseholdRelation,
    Address,
    CreatedAt,
    UpdatedAt,
}

/// A resident as stored, identifiers still sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidentRow {
    pub id: i64,
    pub node_id: i64,
    pub node_path: String,
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub id_card_masked: String,
    pub phone_sealed: Option<String>,
    pub phone_masked: Option<String>,
    pub household_relation: String,
    pub address: String,
    pub created_at: DateTime<Utc>,
}

/// A resident as shown: the phone in full only when the caller's role needs it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Resident {
    pub id: i64,
    pub node_id: i64,
    pub name: String,
    /// `male` or `female`, from the 身份证 number.
    pub gender: String,
    pub birth_date: NaiveDate,
    /// Always masked, e.g. `3717**********123X`.
    pub id_card_no: String,
    pub phone: Option<String>,
    pub household_relation: String,
    pub address: String,
    pub created_at: DateTime<Utc>,
}

impl ResidentRow {
    pub fn view(self, vault: &Vault, full_phone: bool) -> Resident {
        let phone = if full_phone {
            self.phone_sealed
                .as_deref()
                .map(|s| vault.open(s).unwrap_or_else(|_| "（无法解密）".into()))
        } else {
            self.phone_masked
        };
        Resident {
            id: self.id,
            node_id: self.node_id,
            name: self.name,
            gender: self.gender,
            birth_date: self.birth_date,
            id_card_no: self.id_card_masked,
            phone,
            household_relation: self.household_relation,
            address: self.address,
            created_at: self.created_at,
        }
    }
}

pub struct NewResident {
    pub node_id: i64,
    pub name: String,
    pub id_card: IdCardNo,
    pub phone: Option<Phone>,
    pub relation: HouseholdRelation,
    pub address: String,
}

fn select() -> SelectStatement {
    Query::select()
        .columns([
            Residents::Id,
            Residents::NodeId,
            Residents::NodePath,
            Residents::Name,
            Residents::Gender,
            Residents::BirthDate,
            Residents::IdCardMasked,
            Residents::PhoneSealed,
            Residents::PhoneMasked,
            Residents::HouseholdRelation,
            Residents::Address,
            Residents::CreatedAt,
        ])
        .from(Residents::Table)
        .to_owned()
}

/// People live at a community or anything below it in the territory tree.
pub(crate) fn may_live_at(kind: NodeKind) -> bool {
    kind.tree() == Some(Tree::Territory) && kind.rank() >= NodeKind::Community.rank()
}

/// Registers a resident at a node inside `scope`. One row per 身份证: a second registration of
/// the same number is a conflict on `id_card_no`.
pub async fn create(
    db: &Db,
    vault: &Vault,
    scope: &Scope,
    actor: &Actor,
    new: NewResident,
) -> StoreResult<ResidentRow> {
    let node = nodes::get(db, scope, new.node_id).await?;
    if !NodeKind::parse(&node.kind).is_some_and(may_live_at) {
        return Err(DomainError::new(
            "invalid_place",
            "node_id",
            "居民须登记在社区及以下的网格、小区、楼栋或户",
        )
        .into());
    }
    let index = vault.index(new.id_card.as_str());
    let mut tx = db.begin().await?;
    let gender = if new.id_card.is_male() {
        "male"
    } else {
        "female"
    };
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(Residents::Table)
                .columns([
                    Residents::NodeId,
                    Residents::NodePath,
                    Residents::Name,
                    Residents::Gender,
                    Residents::BirthDate,
                    Residents::IdCardSealed,
                    Residents::IdCardIndex,
                    Residents::IdCardMasked,
                    Residents::PhoneSealed,
                    Residents::PhoneTail,
                    Residents::PhoneMasked,
                    Residents::HouseholdRelation,
                    Residents::Address,
                    Residents::CreatedAt,
                    Residents::UpdatedAt,
                ])
                .values_panic([
                    node.id.into(),
                    node.path.clone().into(),
                    new.name.clone().into(),
                    gender.into(),
                    new.id_card.birth_date().into(),
                    vault.seal(new.id_card.as_str()).into(),
                    index.into(),
                    new.id_card.masked().into(),
                    new.phone.as_ref().map(|p| vault.seal(p.as_str())).into(),
                    new.phone.as_ref().map(|p| p.tail4().to_owned()).into(),
                    new.phone.as_ref().map(|p| p.masked()).into(),
                    new.relation.as_str().into(),
                    new.address.clone().into(),
                    actor.at.into(),
                    actor.at.into(),
                ])
                .returning_col(Residents::Id)
                .to_owned(),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Conflict {
                field: "id_card_no",
            },
            other => other,
        })?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "resident.create",
            object_type: "resident",
            object_id: id.to_string(),
            object_path: &node.path,
            before: None,
            // Personal identifiers stay out of the log: masked forms only.
            after: Some(serde_json::json!({
                "name": new.name, "node_id": node.id, "id_card_no": new.id_card.masked(),
                "phone": new.phone.as_ref().map(|p| p.masked()), "household_relation": new.relation.as_str(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, scope, id).await
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> StoreResult<ResidentRow> {
    db.optional(
        &select()
            .cond_where(scope_cond(scope, Residents::NodePath))
            .and_where(Expr::col(Residents::Id).eq(id))
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// Search within scope. `q` matches the name or address (contains), a phone's last four digits,
/// or a masked 身份证 as shown on screen; a full 身份证 number finds its holder.
#[derive(Debug, Clone, Default)]
pub struct ResidentFilter {
    pub q: Option<String>,
    pub node_id: Option<i64>,
}

pub async fn list(
    db: &Db,
    vault: &Vault,
    scope: &Scope,
    f: &ResidentFilter,
    page: Page,
) -> StoreResult<(Vec<ResidentRow>, i64)> {
    let mut cond = scope_cond(scope, Residents::NodePath);
    if let Some(node_id) = f.node_id {
        let node = nodes::get(db, scope, node_id).await?;
        cond = cond.add(crate::under_path(Residents::NodePath, &node.path));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let mut any = Cond::any()
            .add(Expr::col(Residents::Name).like(format!("%{}%", escape_like(q))))
            .add(Expr::col(Residents::Address).like(format!("%{}%", escape_like(q))));
        if q.len() == 4 && q.bytes().all(|b| b.is_ascii_digit()) {
            any = any.add(Expr::col(Residents::PhoneTail).eq(q));
        }
        if q.contains('*') {
            any = any.add(Expr::col(Residents::IdCardMasked).eq(q.to_ascii_uppercase()));
        }
        if let Ok(id) = IdCardNo::parse(q, Utc::now().date_naive()) {
            any = any.add(Expr::col(Residents::IdCardIndex).eq(vault.index(id.as_str())));
        }
        cond = cond.add(any);
    }
    let total = db
        .scalar(
            &Query::select()
                .expr(Expr::col(Residents::Id).count())
                .from(Residents::Table)
                .cond_where(cond.clone())
                .to_owned(),
        )
        .await?;
    let rows = db
        .all(
            &select()
                .cond_where(cond)
                .order_by(Residents::NodePath, Order::Asc)
                .order_by(Residents::Id, Order::Asc)
                .offset(page.offset())
                .limit(page.size)
                .to_owned(),
        )
        .await?;
    Ok((rows, total))
}

/// `%` and `_` typed by a user are literal characters, not wildcards. sea-query adds no ESCAPE
/// clause, so they are dropped instead: names and addresses do not contain them.
fn escape_like(q: &str) -> String {
    q.replace(['%', '_', '\\'], "")
}

/// The full 身份证 number, for a role that needs it. The reveal itself is written to the audit log
/// (who saw whose number, when), in the same transaction as nothing else: it is the write.
pub async fn reveal_id_card(
    db: &Db,
    vault: &Vault,
    scope: &Scope,
    actor: &Actor,
    id: i64,
) -> StoreResult<String> {
    let row = get(db, scope, id).await?;
    let sealed: Option<(String,)> = db
        .optional(
            &Query::select()
                .column(Residents::IdCardSealed)
                .from(Residents::Table)
                .and_where(Expr::col(Residents::Id).eq(id))
                .to_owned(),
        )
        .await?;
    let sealed = sealed.ok_or(StoreError::NotFound)?.0;
    let full = vault
        .open(&sealed)
        .map_err(|e| StoreError::Config(e.to_string()))?;
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "resident.view_id_card",
            object_type: "resident",
            object_id: id.to_string(),
            object_path: &row.node_path,
            before: None,
            after: Some(serde_json::json!({"name": row.name, "id_card_no": row.id_card_masked})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(full)
}
