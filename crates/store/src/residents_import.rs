//! Residents from a roster (花名册): thousands of rows in one transaction, keyed by the blind index
//! of the 身份证 number, so importing the same people again updates them instead of adding them
//! twice. Checking the cells is the caller's business; this module decides, per person, whether
//! to create, update or leave alone, and writes it all (with its audit entries) or nothing.

use std::collections::{HashMap, HashSet};

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::import::CHUNK;
use crate::residents::Residents;
use crate::vault::Vault;
use jiceng_core::DomainError;
use jiceng_core::household::HouseholdRelation;
use jiceng_core::people::{IdCardNo, Phone};
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, IntoColumnRef, Query, ReturningClause};
use serde_json::{Map, Value, json};

// Shared by every roster import; re-exported where residents' callers have always found them.
pub use crate::import::{ImportOptions, ImportOutcome, Place, places_by_code};

/// One checked row of the roster.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The row number the user sees in the spreadsheet, for reporting back.
    pub row: u32,
    pub name: String,
    pub id_card: IdCardNo,
    pub phone: Option<Phone>,
    pub relation: HouseholdRelation,
    pub place: Place,
    pub address: String,
}

#[derive(sqlx::FromRow)]
struct Existing {
    id: i64,
    node_id: i64,
    node_path: String,
    name: String,
    id_card_index: String,
    phone_sealed: Option<String>,
    phone_masked: Option<String>,
    household_relation: String,
    address: String,
}

/// Imports `rows` in one transaction: new 身份证 numbers are created, known ones inside `scope`
/// updated when a field differs and left alone otherwise. Each created or updated resident gets
/// an audit entry with masked identifiers only. Every row must name a place inside `scope` where
/// people live (else `NotFound`), and no 身份证 number may appear twice.
pub async fn import(
    db: &Db,
    vault: &Vault,
    scope: &Scope,
    actor: &Actor,
    rows: Vec<ImportRow>,
    opts: ImportOptions,
) -> StoreResult<ImportOutcome> {
    if rows
        .iter()
        .any(|r| !scope.contains(&r.place.path) || !r.place.may_live_here())
    {
        return Err(StoreError::NotFound);
    }
    let indexes: Vec<String> = rows
        .iter()
        .map(|r| vault.index(r.id_card.as_str()))
        .collect();
    if indexes.iter().collect::<HashSet<_>>().len() != indexes.len() {
        return Err(DomainError::new(
            "duplicate_id_card",
            "id_card_no",
            "同一身份证号在导入数据中出现了多次",
        )
        .into());
    }
    // Looked up inside the write transaction, so nobody registers one of these people between
    // the decision and the write.
    let mut tx = db.begin().await?;
    let mut existing = existing_by_index(&mut tx, &indexes).await?;
    let mut out = ImportOutcome::default();
    let (mut creates, mut updates) = (Vec::new(), Vec::new());
    for (row, index) in rows.into_iter().zip(indexes) {
        match existing.remove(&index) {
            None => creates.push((row, index)),
            Some(old) if !scope.contains(&old.node_path) => out.registered_elsewhere.push(row.row),
            Some(old) => match diff(vault, &old, &row) {
                None => out.unchanged += 1,
                Some(change) => updates.push((old, row, change)),
            },
        }
    }
    out.created = creates.len() as u64;
    out.updated = updates.len() as u64;
    let refused = opts.all_or_nothing && !out.registered_elsewhere.is_empty();
    if opts.dry_run || refused {
        // Dropping the transaction rolls it back; it has written nothing anyway.
        return Ok(out);
    }
    insert_new(&mut tx, vault, actor, creates).await?;
    update_changed(&mut tx, vault, actor, updates).await?;
    tx.commit().await?;
    out.applied = true;
    Ok(out)
}

async fn existing_by_index(
    tx: &mut Tx,
    indexes: &[String],
) -> StoreResult<HashMap<String, Existing>> {
    let mut found = HashMap::with_capacity(indexes.len());
    for chunk in indexes.chunks(CHUNK) {
        let rows: Vec<Existing> = tx
            .all(
                &Query::select()
                    .columns([
                        Residents::Id,
                        Residents::NodeId,
                        Residents::NodePath,
                        Residents::Name,
                        Residents::IdCardIndex,
                        Residents::PhoneSealed,
                        Residents::PhoneMasked,
                        Residents::HouseholdRelation,
                        Residents::Address,
                    ])
                    .from(Residents::Table)
                    .and_where(Expr::col(Residents::IdCardIndex).is_in(chunk.iter().cloned()))
                    .to_owned(),
            )
            .await?;
        found.extend(rows.into_iter().map(|r| (r.id_card_index.clone(), r)));
    }
    Ok(found)
}

/// The fields that differ, as masked before/after objects for the audit log; `None` if none do.
fn diff(vault: &Vault, old: &Existing, new: &ImportRow) -> Option<(Value, Value)> {
    let (mut before, mut after) = (Map::new(), Map::new());
    let mut note = |field: &str, was: Value, now: Value| {
        if was != now {
            before.insert(field.to_owned(), was);
            after.insert(field.to_owned(), now);
        }
    };
    note("name", json!(old.name), json!(new.name));
    note("node_id", json!(old.node_id), json!(new.place.id));
    note(
        "household_relation",
        json!(old.household_relation),
        json!(new.relation.as_str()),
    );
    note("address", json!(old.address), json!(new.address));
    // Phones are sealed with a random nonce, so only the opened values compare. One that no
    // longer opens (a changed key) is replaced.
    let old_phone = old.phone_sealed.as_deref().map(|s| vault.open(s).ok());
    let new_phone = new.phone.as_ref().map(|p| Some(p.as_str().to_owned()));
    if old_phone != new_phone {
        before.insert("phone".into(), json!(old.phone_masked));
        after.insert("phone".into(), json!(new.phone.as_ref().map(Phone::masked)));
    }
    (!after.is_empty()).then_some((Value::Object(before), Value::Object(after)))
}

fn gender(id: &IdCardNo) -> &'static str {
    if id.is_male() { "male" } else { "female" }
}

async fn insert_new(
    tx: &mut Tx,
    vault: &Vault,
    actor: &Actor,
    creates: Vec<(ImportRow, String)>,
) -> StoreResult<()> {
    for chunk in creates.chunks(CHUNK) {
        let mut q = Query::insert()
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
            .returning(ReturningClause::Columns(vec![
                Residents::Id.into_column_ref(),
                Residents::IdCardIndex.into_column_ref(),
            ]))
            .to_owned();
        for (r, index) in chunk {
            q.values_panic([
                r.place.id.into(),
                r.place.path.clone().into(),
                r.name.clone().into(),
                gender(&r.id_card).into(),
                r.id_card.birth_date().into(),
                vault.seal(r.id_card.as_str()).into(),
                index.clone().into(),
                r.id_card.masked().into(),
                r.phone.as_ref().map(|p| vault.seal(p.as_str())).into(),
                r.phone.as_ref().map(|p| p.tail4().to_owned()).into(),
                r.phone.as_ref().map(Phone::masked).into(),
                r.relation.as_str().into(),
                r.address.clone().into(),
                actor.at.into(),
                actor.at.into(),
            ]);
        }
        let ids: HashMap<String, i64> = tx
            .all::<(i64, String)>(&q)
            .await
            .map_err(id_card_conflict)?
            .into_iter()
            .map(|(id, index)| (index, id))
            .collect();
        let changes = chunk
            .iter()
            .map(|(r, index)| Change {
                action: "resident.create",
                object_type: "resident",
                object_id: ids.get(index).copied().unwrap_or_default().to_string(),
                object_path: &r.place.path,
                before: None,
                // Personal identifiers stay out of the log: masked forms only.
                after: Some(json!({
                    "name": r.name, "node_id": r.place.id, "id_card_no": r.id_card.masked(),
                    "phone": r.phone.as_ref().map(Phone::masked),
                    "household_relation": r.relation.as_str(), "via": "import",
                })),
            })
            .collect();
        audit::record_many(tx, actor, changes).await?;
    }
    Ok(())
}

async fn update_changed(
    tx: &mut Tx,
    vault: &Vault,
    actor: &Actor,
    updates: Vec<(Existing, ImportRow, (Value, Value))>,
) -> StoreResult<()> {
    let mut changes = Vec::with_capacity(updates.len());
    for (old, r, (before, after)) in &updates {
        tx.execute(
            &Query::update()
                .table(Residents::Table)
                .values([
                    (Residents::NodeId, r.place.id.into()),
                    (Residents::NodePath, r.place.path.clone().into()),
                    (Residents::Name, r.name.clone().into()),
                    (
                        Residents::PhoneSealed,
                        r.phone.as_ref().map(|p| vault.seal(p.as_str())).into(),
                    ),
                    (
                        Residents::PhoneTail,
                        r.phone.as_ref().map(|p| p.tail4().to_owned()).into(),
                    ),
                    (
                        Residents::PhoneMasked,
                        r.phone.as_ref().map(Phone::masked).into(),
                    ),
                    (Residents::HouseholdRelation, r.relation.as_str().into()),
                    (Residents::Address, r.address.clone().into()),
                    (Residents::UpdatedAt, actor.at.into()),
                ])
                .and_where(Expr::col(Residents::Id).eq(old.id))
                .to_owned(),
        )
        .await?;
        let mut after = after.clone();
        if let Value::Object(m) = &mut after {
            m.insert("via".into(), json!("import"));
        }
        changes.push(Change {
            action: "resident.update",
            object_type: "resident",
            object_id: old.id.to_string(),
            // Under the new place: a move shows to the auditors of where the person lives now.
            object_path: &r.place.path,
            before: Some(before.clone()),
            after: Some(after),
        });
    }
    audit::record_many(tx, actor, changes).await
}

/// Another writer registered one of these people after the lookup (PostgreSQL only: SQLite has
/// one writer). The whole import is refused like a single registration would be.
fn id_card_conflict(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { .. } => StoreError::Conflict {
            field: "id_card_no",
        },
        other => other,
    }
}
