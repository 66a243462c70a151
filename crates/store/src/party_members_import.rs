//! Party members from a roster (党员花名册): each row names a registered resident by 身份证 number
//! and the organisation they belong to. A resident is a member once, so importing the same roster
//! again changes nothing, and a changed row updates that one membership. Checking the cells is the
//! caller's business; this module decides per member and writes all of it, audited, or nothing.

use std::collections::{HashMap, HashSet};

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::import::{CHUNK, Diff, Given, ImportOptions, ImportOutcome, Place};
use crate::party_members::PartyMembers;
use crate::residents::Residents;
use crate::scope_cond;
use crate::vault::Vault;
use chrono::NaiveDate;
use jiceng_core::DomainError;
use jiceng_core::node::Tree;
use jiceng_core::org::{ManagementMode, MemberCategory};
use jiceng_core::people::IdCardNo;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, IntoColumnRef, Query, ReturningClause};
use serde_json::{Value, json};

/// A resident registered inside the caller's scope, found by 身份证 number. Only
/// [`residents_by_id_card`] makes one, so a row cannot name a person the caller was never shown.
#[derive(Debug, Clone)]
pub struct Registered {
    id: i64,
    name: String,
    path: String,
}

impl Registered {
    pub fn id(&self) -> i64 {
        self.id
    }
    /// The name as registered, to compare with the roster's.
    pub fn name(&self) -> &str {
        &self.name
    }
}

#[derive(sqlx::FromRow)]
struct RegisteredRow {
    id: i64,
    name: String,
    node_path: String,
    id_card_index: String,
}

/// The residents registered in `scope` with these 身份证 numbers, by number (`IdCardNo::as_str`),
/// found through the blind index. Numbers of people registered elsewhere are absent, exactly like
/// numbers nobody registered: the caller learns nothing about places outside their scope.
pub async fn residents_by_id_card(
    db: &Db,
    vault: &Vault,
    scope: &Scope,
    ids: &[IdCardNo],
) -> StoreResult<HashMap<String, Registered>> {
    let by_index: HashMap<String, &str> = ids
        .iter()
        .map(|id| (vault.index(id.as_str()), id.as_str()))
        .collect();
    let indexes: Vec<&String> = by_index.keys().collect();
    let mut found = HashMap::with_capacity(indexes.len());
    for chunk in indexes.chunks(CHUNK) {
        let rows: Vec<RegisteredRow> = db
            .all(
                &Query::select()
                    .columns([
                        Residents::Id,
                        Residents::Name,
                        Residents::NodePath,
                        Residents::IdCardIndex,
                    ])
                    .from(Residents::Table)
                    .cond_where(scope_cond(scope, Residents::NodePath))
                    .and_where(
                        Expr::col(Residents::IdCardIndex).is_in(chunk.iter().map(|i| i.as_str())),
                    )
                    .to_owned(),
            )
            .await?;
        for r in rows {
            if let Some(id) = by_index.get(&r.id_card_index) {
                let person = Registered {
                    id: r.id,
                    name: r.name,
                    path: r.node_path,
                };
                found.insert((*id).to_owned(), person);
            }
        }
    }
    Ok(found)
}

/// One checked row of the roster. The optional columns are [`Given::Absent`] when the file has
/// no such column.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub row: u32,
    pub resident: Registered,
    /// A node of the organisation tree: branch, group, general branch, committee…
    pub org: Place,
    pub category: MemberCategory,
    pub management_mode: Given<ManagementMode>,
    pub member_household: Given<bool>,
    pub building_captain: Given<bool>,
    pub joined_on: Given<Option<NaiveDate>>,
}

#[derive(sqlx::FromRow)]
struct Existing {
    id: i64,
    resident_id: i64,
    org_node_id: i64,
    org_path: String,
    category: String,
    management_mode: String,
    member_household: bool,
    building_captain: bool,
    joined_on: Option<NaiveDate>,
}

/// The values a row writes: its own cells, and for columns the file lacks what is stored (or
/// the defaults, 双管 and 否, for a new member).
struct Values {
    category: &'static str,
    mode: &'static str,
    household: bool,
    captain: bool,
    joined_on: Option<NaiveDate>,
}

fn values(r: &MemberRow, old: Option<&Existing>) -> Values {
    let mode = r.management_mode.or_else(|| {
        old.and_then(|o| ManagementMode::parse(&o.management_mode))
            .unwrap_or(ManagementMode::Dual)
    });
    Values {
        category: r.category.as_str(),
        mode: mode.as_str(),
        household: r
            .member_household
            .or(old.is_some_and(|o| o.member_household)),
        captain: r
            .building_captain
            .or(old.is_some_and(|o| o.building_captain)),
        joined_on: r.joined_on.or(old.and_then(|o| o.joined_on)),
    }
}

fn date(d: Option<NaiveDate>) -> Value {
    json!(d.map(|d| d.to_string()))
}

/// Imports `rows` in one transaction: residents without a membership become members, members
/// of an organisation inside `scope` are updated when a field differs and left alone otherwise.
/// A member of an organisation outside `scope` is reported, never moved. Every row must name a
/// resident and an organisation inside `scope` (else `NotFound`), and no resident twice.
pub async fn import(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    rows: Vec<MemberRow>,
    opts: ImportOptions,
) -> StoreResult<ImportOutcome> {
    let outside = |r: &MemberRow| {
        !scope.contains(&r.resident.path)
            || !scope.contains(&r.org.path)
            || r.org.tree() != Some(Tree::Org)
    };
    if rows.iter().any(outside) {
        return Err(StoreError::NotFound);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.resident.id).collect();
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err(DomainError::new(
            "duplicate_resident",
            "id_card_no",
            "同一居民在导入数据中出现了多次",
        )
        .into());
    }
    // Read inside the write transaction, so nobody enrols one of these people in between.
    let mut tx = db.begin().await?;
    let mut existing = existing_by_resident(&mut tx, &ids).await?;
    let mut out = ImportOutcome::default();
    let (mut creates, mut updates) = (Vec::new(), Vec::new());
    for r in rows {
        match existing.remove(&r.resident.id) {
            None => creates.push(r),
            Some(old) if !scope.contains(&old.org_path) => out.registered_elsewhere.push(r.row),
            Some(old) => match diff(&old, &r) {
                None => out.unchanged += 1,
                Some(change) => updates.push((old, r, change)),
            },
        }
    }
    out.created = creates.len() as u64;
    out.updated = updates.len() as u64;
    let refused = opts.all_or_nothing && !out.registered_elsewhere.is_empty();
    if opts.dry_run || refused {
        return Ok(out);
    }
    insert_new(&mut tx, actor, creates).await?;
    update_changed(&mut tx, actor, updates).await?;
    tx.commit().await?;
    out.applied = true;
    Ok(out)
}

async fn existing_by_resident(tx: &mut Tx, ids: &[i64]) -> StoreResult<HashMap<i64, Existing>> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<Existing> = tx
            .all(
                &Query::select()
                    .columns([
                        PartyMembers::Id,
                        PartyMembers::ResidentId,
                        PartyMembers::OrgNodeId,
                        PartyMembers::OrgPath,
                        PartyMembers::Category,
                        PartyMembers::ManagementMode,
                        PartyMembers::MemberHousehold,
                        PartyMembers::BuildingCaptain,
                        PartyMembers::JoinedOn,
                    ])
                    .from(PartyMembers::Table)
                    .and_where(Expr::col(PartyMembers::ResidentId).is_in(chunk.iter().copied()))
                    .to_owned(),
            )
            .await?;
        found.extend(rows.into_iter().map(|r| (r.resident_id, r)));
    }
    Ok(found)
}

fn diff(old: &Existing, r: &MemberRow) -> Option<(Value, Value)> {
    let v = values(r, Some(old));
    let mut d = Diff::default();
    d.note("org_node_id", json!(old.org_node_id), json!(r.org.id));
    d.note("category", json!(old.category), json!(v.category));
    d.note("management_mode", json!(old.management_mode), json!(v.mode));
    d.note(
        "member_household",
        json!(old.member_household),
        json!(v.household),
    );
    d.note(
        "building_captain",
        json!(old.building_captain),
        json!(v.captain),
    );
    d.note("joined_on", date(old.joined_on), date(v.joined_on));
    d.finish()
}

async fn insert_new(tx: &mut Tx, actor: &Actor, creates: Vec<MemberRow>) -> StoreResult<()> {
    for chunk in creates.chunks(CHUNK) {
        let mut q = Query::insert()
            .into_table(PartyMembers::Table)
            .columns([
                PartyMembers::ResidentId,
                PartyMembers::ResidentPath,
                PartyMembers::OrgNodeId,
                PartyMembers::OrgPath,
                PartyMembers::Category,
                PartyMembers::ManagementMode,
                PartyMembers::MemberHousehold,
                PartyMembers::BuildingCaptain,
                PartyMembers::JoinedOn,
                PartyMembers::CreatedAt,
                PartyMembers::UpdatedAt,
            ])
            .returning(ReturningClause::Columns(vec![
                PartyMembers::Id.into_column_ref(),
                PartyMembers::ResidentId.into_column_ref(),
            ]))
            .to_owned();
        for r in chunk {
            let v = values(r, None);
            q.values_panic([
                r.resident.id.into(),
                r.resident.path.clone().into(),
                r.org.id.into(),
                r.org.path.clone().into(),
                v.category.into(),
                v.mode.into(),
                v.household.into(),
                v.captain.into(),
                v.joined_on.into(),
                actor.at.into(),
                actor.at.into(),
            ]);
        }
        let ids: HashMap<i64, i64> = tx
            .all::<(i64, i64)>(&q)
            .await
            .map_err(|e| match e {
                // Another writer enrolled one of them after the lookup (PostgreSQL only).
                StoreError::Conflict { .. } => StoreError::Conflict {
                    field: "id_card_no",
                },
                other => other,
            })?
            .into_iter()
            .map(|(id, resident)| (resident, id))
            .collect();
        let changes = chunk
            .iter()
            .map(|r| {
                let v = values(r, None);
                Change {
                    action: "party_member.create",
                    object_type: "party_member",
                    object_id: ids
                        .get(&r.resident.id)
                        .copied()
                        .unwrap_or_default()
                        .to_string(),
                    object_path: &r.org.path,
                    before: None,
                    after: Some(json!({
                        "resident_id": r.resident.id, "name": r.resident.name,
                        "org_node_id": r.org.id, "category": v.category, "management_mode": v.mode,
                        "member_household": v.household, "building_captain": v.captain,
                        "joined_on": date(v.joined_on), "via": "import",
                    })),
                }
            })
            .collect();
        audit::record_many(tx, actor, changes).await?;
    }
    Ok(())
}

async fn update_changed(
    tx: &mut Tx,
    actor: &Actor,
    updates: Vec<(Existing, MemberRow, (Value, Value))>,
) -> StoreResult<()> {
    let mut changes = Vec::with_capacity(updates.len());
    for (old, r, (before, after)) in &updates {
        let v = values(r, Some(old));
        tx.execute(
            &Query::update()
                .table(PartyMembers::Table)
                .values([
                    (PartyMembers::ResidentPath, r.resident.path.clone().into()),
                    (PartyMembers::OrgNodeId, r.org.id.into()),
                    (PartyMembers::OrgPath, r.org.path.clone().into()),
                    (PartyMembers::Category, v.category.into()),
                    (PartyMembers::ManagementMode, v.mode.into()),
                    (PartyMembers::MemberHousehold, v.household.into()),
                    (PartyMembers::BuildingCaptain, v.captain.into()),
                    (PartyMembers::JoinedOn, v.joined_on.into()),
                    (PartyMembers::UpdatedAt, actor.at.into()),
                ])
                .and_where(Expr::col(PartyMembers::Id).eq(old.id))
                .to_owned(),
        )
        .await?;
        changes.push(Change {
            action: "party_member.update",
            object_type: "party_member",
            object_id: old.id.to_string(),
            // Under the organisation it now belongs to, like a new membership.
            object_path: &r.org.path,
            before: Some(before.clone()),
            after: Some(after.clone()),
        });
    }
    audit::record_many(tx, actor, changes).await
}
