//! Grid staff from a roster (网格员花名册): who holds which role in which grid. A person is known by
//! (grid, role, name), so importing the same roster again changes nothing and a changed phone
//! updates that one person. Checking the cells is the caller's business; this module decides per
//! row and writes all of it, audited, or nothing.

use std::collections::{HashMap, HashSet};

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::grid_staff::GridStaff;
use crate::import::{CHUNK, Diff, Given, ImportOptions, ImportOutcome, Place};
use crate::vault::Vault;
use jiceng_core::DomainError;
use jiceng_core::node::NodeKind;
use jiceng_core::org::GridRole;
use jiceng_core::people::Phone;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, IntoColumnRef, Order, Query, ReturningClause};
use serde_json::{Value, json};

/// One checked row of the roster; `phone` is [`Given::Absent`] when the file has no such column.
#[derive(Debug, Clone)]
pub struct StaffImportRow {
    pub row: u32,
    pub grid: Place,
    pub role: GridRole,
    pub name: String,
    pub phone: Given<Option<Phone>>,
}

type Key = (i64, String, String);

impl StaffImportRow {
    fn key(&self) -> Key {
        (
            self.grid.id,
            self.role.as_str().to_owned(),
            self.name.clone(),
        )
    }
}

#[derive(sqlx::FromRow)]
struct Existing {
    id: i64,
    grid_node_id: i64,
    role: String,
    name: String,
    phone_sealed: Option<String>,
    phone_masked: Option<String>,
}

/// Imports `rows` in one transaction: a (grid, role, name) not yet recorded is assigned, a known
/// one gets the row's phone when it differs and is left alone otherwise. Every row must name a
/// grid inside `scope` (else `NotFound`), and no (grid, role, name) twice.
pub async fn import(
    db: &Db,
    vault: &Vault,
    scope: &Scope,
    actor: &Actor,
    rows: Vec<StaffImportRow>,
    opts: ImportOptions,
) -> StoreResult<ImportOutcome> {
    if rows
        .iter()
        .any(|r| !scope.contains(&r.grid.path) || r.grid.kind() != NodeKind::Grid)
    {
        return Err(StoreError::NotFound);
    }
    let keys: HashSet<Key> = rows.iter().map(StaffImportRow::key).collect();
    if keys.len() != rows.len() {
        return Err(DomainError::new(
            "duplicate_staff",
            "name",
            "同一网格、同一角色的同一人在导入数据中出现了多次",
        )
        .into());
    }
    let mut tx = db.begin().await?;
    let mut grids: Vec<i64> = rows.iter().map(|r| r.grid.id).collect();
    grids.sort_unstable();
    grids.dedup();
    let mut existing = existing_by_key(&mut tx, &grids).await?;
    let mut out = ImportOutcome::default();
    let (mut creates, mut updates) = (Vec::new(), Vec::new());
    for r in rows {
        match existing.remove(&r.key()) {
            None => creates.push(r),
            Some(old) => match diff(vault, &old, &r) {
                None => out.unchanged += 1,
                Some(change) => updates.push((old, r, change)),
            },
        }
    }
    out.created = creates.len() as u64;
    out.updated = updates.len() as u64;
    if opts.dry_run {
        return Ok(out);
    }
    insert_new(&mut tx, vault, actor, creates).await?;
    update_changed(&mut tx, vault, actor, updates).await?;
    tx.commit().await?;
    out.applied = true;
    Ok(out)
}

/// The staff of these grids by (grid, role, name). Records entered twice by hand share a key;
/// the earliest stands for them, so a re-import still finds exactly one.
async fn existing_by_key(tx: &mut Tx, grids: &[i64]) -> StoreResult<HashMap<Key, Existing>> {
    let mut found = HashMap::new();
    for chunk in grids.chunks(CHUNK) {
        let rows: Vec<Existing> = tx
            .all(
                &Query::select()
                    .columns([
                        GridStaff::Id,
                        GridStaff::GridNodeId,
                        GridStaff::Role,
                        GridStaff::Name,
                        GridStaff::PhoneSealed,
                        GridStaff::PhoneMasked,
                    ])
                    .from(GridStaff::Table)
                    .and_where(Expr::col(GridStaff::GridNodeId).is_in(chunk.iter().copied()))
                    .order_by(GridStaff::Id, Order::Asc)
                    .to_owned(),
            )
            .await?;
        for r in rows {
            let key = (r.grid_node_id, r.role.clone(), r.name.clone());
            found.entry(key).or_insert(r);
        }
    }
    Ok(found)
}

/// The phone is the only field besides the key. Sealed values carry a random nonce, so they are
/// compared opened; one that no longer opens (a changed key) is replaced.
fn diff(vault: &Vault, old: &Existing, r: &StaffImportRow) -> Option<(Value, Value)> {
    let Given::Cell(new) = &r.phone else {
        return None;
    };
    let was = old.phone_sealed.as_deref().map(|s| vault.open(s).ok());
    let now = new.as_ref().map(|p| Some(p.as_str().to_owned()));
    let mut d = Diff::default();
    if was != now {
        d.force(
            "phone",
            json!(old.phone_masked),
            json!(new.as_ref().map(Phone::masked)),
        );
    }
    d.finish()
}

async fn insert_new(
    tx: &mut Tx,
    vault: &Vault,
    actor: &Actor,
    creates: Vec<StaffImportRow>,
) -> StoreResult<()> {
    for chunk in creates.chunks(CHUNK) {
        let mut q = Query::insert()
            .into_table(GridStaff::Table)
            .columns([
                GridStaff::GridNodeId,
                GridStaff::GridPath,
                GridStaff::Role,
                GridStaff::Name,
                GridStaff::PhoneSealed,
                GridStaff::PhoneMasked,
                GridStaff::CreatedAt,
                GridStaff::UpdatedAt,
            ])
            .returning(ReturningClause::Columns(vec![
                GridStaff::Id.into_column_ref(),
                GridStaff::GridNodeId.into_column_ref(),
                GridStaff::Role.into_column_ref(),
                GridStaff::Name.into_column_ref(),
            ]))
            .to_owned();
        for r in chunk {
            let phone = r.phone.clone().or(None);
            q.values_panic([
                r.grid.id.into(),
                r.grid.path.clone().into(),
                r.role.as_str().into(),
                r.name.clone().into(),
                phone.as_ref().map(|p| vault.seal(p.as_str())).into(),
                phone.as_ref().map(Phone::masked).into(),
                actor.at.into(),
                actor.at.into(),
            ]);
        }
        let ids: HashMap<Key, i64> = tx
            .all::<(i64, i64, String, String)>(&q)
            .await?
            .into_iter()
            .map(|(id, grid, role, name)| ((grid, role, name), id))
            .collect();
        let changes = chunk
            .iter()
            .map(|r| Change {
                action: "grid_staff.assign",
                object_type: "grid_staff",
                object_id: ids.get(&r.key()).copied().unwrap_or_default().to_string(),
                object_path: &r.grid.path,
                before: None,
                after: Some(json!({
                    "grid_node_id": r.grid.id, "role": r.role.as_str(), "name": r.name,
                    "phone": r.phone.clone().or(None).as_ref().map(Phone::masked), "via": "import",
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
    updates: Vec<(Existing, StaffImportRow, (Value, Value))>,
) -> StoreResult<()> {
    let mut changes = Vec::with_capacity(updates.len());
    for (old, r, (before, after)) in &updates {
        let phone = r.phone.clone().or(None);
        tx.execute(
            &Query::update()
                .table(GridStaff::Table)
                .values([
                    (
                        GridStaff::PhoneSealed,
                        phone.as_ref().map(|p| vault.seal(p.as_str())).into(),
                    ),
                    (
                        GridStaff::PhoneMasked,
                        phone.as_ref().map(Phone::masked).into(),
                    ),
                    (GridStaff::UpdatedAt, actor.at.into()),
                ])
                .and_where(Expr::col(GridStaff::Id).eq(old.id))
                .to_owned(),
        )
        .await?;
        changes.push(Change {
            action: "grid_staff.update",
            object_type: "grid_staff",
            object_id: old.id.to_string(),
            object_path: &r.grid.path,
            before: Some(before.clone()),
            after: Some(after.clone()),
        });
    }
    audit::record_many(tx, actor, changes).await
}
