//! Organisations from a roster (组织名录): owners' committees, property companies, resident units…
//! An organisation is known by (kind, name, home node), so importing the same roster again
//! changes nothing; a changed row updates its credit code and contact and adds the estates it
//! newly serves (links are only ever added here: a roster listing fewer estates is more often
//! incomplete than a record of a contract ending).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::import::{CHUNK, Diff, Given, ImportOptions, ImportOutcome, Place};
use crate::orgs::{OrganisationServes, Organisations};
use jiceng_core::DomainError;
use jiceng_core::node::Tree;
use jiceng_core::org::OrgKind;
use jiceng_core::people::Phone;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, IntoColumnRef, Query, ReturningClause};
use serde_json::{Value, json};

/// One checked row of the roster; optional columns are [`Given::Absent`] when the file has none.
#[derive(Debug, Clone)]
pub struct OrgImportRow {
    pub row: u32,
    pub kind: OrgKind,
    pub name: String,
    pub home: Place,
    /// 统一社会信用代码, checked; "" for none.
    pub credit_code: Given<String>,
    pub contact_name: String,
    pub contact_phone: Given<Option<Phone>>,
    /// Territory nodes it serves; links missing from the record are added.
    pub serves: Vec<Place>,
}

type Key = (i64, String, String);

impl OrgImportRow {
    fn key(&self) -> Key {
        (
            self.home.id,
            self.kind.as_str().to_owned(),
            self.name.clone(),
        )
    }
}

#[derive(sqlx::FromRow)]
struct Existing {
    id: i64,
    kind: String,
    name: String,
    home_node_id: i64,
    credit_code: String,
    contact_name: String,
    contact_phone: String,
}

/// The values a row writes: its cells, and what is stored for the columns the file lacks.
struct Values {
    credit_code: String,
    contact_phone: String,
}

fn values(r: &OrgImportRow, old: Option<&Existing>) -> Values {
    let stored = |f: fn(&Existing) -> &String| old.map(f).cloned().unwrap_or_default();
    Values {
        credit_code: r.credit_code.clone().or_else(|| stored(|o| &o.credit_code)),
        contact_phone: match &r.contact_phone {
            Given::Absent => stored(|o| &o.contact_phone),
            Given::Cell(p) => p
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
        },
    }
}

/// Contact numbers may be someone's own mobile: the audit log holds them masked.
fn masked(phone: &str) -> Value {
    json!(Phone::parse(phone).ok().map(|p| p.masked()))
}

/// Imports `rows` in one transaction: new (kind, name, home) are registered with the places they
/// serve, known ones updated when a field differs or a served place is new, and left alone
/// otherwise. Every row's home and served places must lie inside `scope` (else `NotFound`), and no
/// organisation may appear twice.
pub async fn import(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    rows: Vec<OrgImportRow>,
    opts: ImportOptions,
) -> StoreResult<ImportOutcome> {
    let outside = |r: &OrgImportRow| {
        !scope.contains(&r.home.path)
            || r.serves
                .iter()
                .any(|p| !scope.contains(&p.path) || p.tree() != Some(Tree::Territory))
    };
    if rows.iter().any(outside) {
        return Err(StoreError::NotFound);
    }
    if rows
        .iter()
        .map(OrgImportRow::key)
        .collect::<HashSet<_>>()
        .len()
        != rows.len()
    {
        return Err(DomainError::new(
            "duplicate_organisation",
            "name",
            "同一组织在导入数据中出现了多次",
        )
        .into());
    }
    let mut tx = db.begin().await?;
    let homes: Vec<i64> = rows
        .iter()
        .map(|r| r.home.id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut existing = existing_by_key(&mut tx, &homes).await?;
    let ids: Vec<i64> = existing.values().map(|o| o.id).collect();
    let mut served = serves_of(&mut tx, &ids).await?;
    let mut out = ImportOutcome::default();
    let (mut creates, mut updates) = (Vec::new(), Vec::new());
    for r in rows {
        match existing.remove(&r.key()) {
            None => creates.push(r),
            Some(old) => {
                let had = served.remove(&old.id).unwrap_or_default();
                match diff(&old, &had, &r) {
                    None => out.unchanged += 1,
                    Some(change) => updates.push(Update {
                        old,
                        had,
                        row: r,
                        change,
                    }),
                }
            }
        }
    }
    out.created = creates.len() as u64;
    out.updated = updates.len() as u64;
    if opts.dry_run {
        return Ok(out);
    }
    insert_new(&mut tx, actor, creates).await?;
    update_changed(&mut tx, actor, updates).await?;
    tx.commit().await?;
    out.applied = true;
    Ok(out)
}

async fn existing_by_key(tx: &mut Tx, homes: &[i64]) -> StoreResult<HashMap<Key, Existing>> {
    let mut found = HashMap::new();
    for chunk in homes.chunks(CHUNK) {
        let rows: Vec<Existing> = tx
            .all(
                &Query::select()
                    .columns([
                        Organisations::Id,
                        Organisations::Kind,
                        Organisations::Name,
                        Organisations::HomeNodeId,
                        Organisations::CreditCode,
                        Organisations::ContactName,
                        Organisations::ContactPhone,
                    ])
                    .from(Organisations::Table)
                    .and_where(Expr::col(Organisations::HomeNodeId).is_in(chunk.iter().copied()))
                    .to_owned(),
            )
            .await?;
        found.extend(
            rows.into_iter()
                .map(|o| ((o.home_node_id, o.kind.clone(), o.name.clone()), o)),
        );
    }
    Ok(found)
}

/// The places each of these organisations serves, by organisation.
async fn serves_of(tx: &mut Tx, ids: &[i64]) -> StoreResult<HashMap<i64, BTreeSet<i64>>> {
    let mut found: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i64, i64)> = tx
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
        for (org, node) in rows {
            found.entry(org).or_default().insert(node);
        }
    }
    Ok(found)
}

fn diff(old: &Existing, had: &BTreeSet<i64>, r: &OrgImportRow) -> Option<(Value, Value)> {
    let v = values(r, Some(old));
    let mut d = Diff::default();
    d.note("credit_code", json!(old.credit_code), json!(v.credit_code));
    d.note(
        "contact_name",
        json!(old.contact_name),
        json!(r.contact_name),
    );
    if old.contact_phone != v.contact_phone {
        d.force(
            "contact_phone",
            masked(&old.contact_phone),
            masked(&v.contact_phone),
        );
    }
    let all: BTreeSet<i64> = had
        .iter()
        .copied()
        .chain(r.serves.iter().map(|p| p.id))
        .collect();
    d.note("serves", json!(had), json!(all));
    d.finish()
}

/// Records (organisation, place) links; callers pass only those not recorded yet.
async fn link(
    tx: &mut Tx,
    actor: &Actor,
    links: impl IntoIterator<Item = (i64, i64)>,
) -> StoreResult<()> {
    let links: Vec<(i64, i64)> = links.into_iter().collect();
    for chunk in links.chunks(CHUNK) {
        let mut q = Query::insert()
            .into_table(OrganisationServes::Table)
            .columns([
                OrganisationServes::OrganisationId,
                OrganisationServes::NodeId,
                OrganisationServes::CreatedAt,
            ])
            .to_owned();
        for (org, node) in chunk {
            q.values_panic([(*org).into(), (*node).into(), actor.at.into()]);
        }
        tx.execute(&q).await?;
    }
    Ok(())
}

async fn insert_new(tx: &mut Tx, actor: &Actor, creates: Vec<OrgImportRow>) -> StoreResult<()> {
    for chunk in creates.chunks(CHUNK) {
        let mut q = Query::insert()
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
            .returning(ReturningClause::Columns(vec![
                Organisations::Id.into_column_ref(),
                Organisations::HomeNodeId.into_column_ref(),
                Organisations::Kind.into_column_ref(),
                Organisations::Name.into_column_ref(),
            ]))
            .to_owned();
        for r in chunk {
            let v = values(r, None);
            q.values_panic([
                r.kind.as_str().into(),
                r.name.clone().into(),
                r.home.id.into(),
                r.home.path.clone().into(),
                v.credit_code.into(),
                r.contact_name.clone().into(),
                v.contact_phone.into(),
                actor.at.into(),
                actor.at.into(),
            ]);
        }
        let ids: HashMap<Key, i64> = tx
            .all::<(i64, i64, String, String)>(&q)
            .await
            .map_err(|e| match e {
                // Another writer registered one of them after the lookup (PostgreSQL only).
                StoreError::Conflict { .. } => StoreError::Conflict { field: "name" },
                other => other,
            })?
            .into_iter()
            .map(|(id, home, kind, name)| ((home, kind, name), id))
            .collect();
        let id_of = |r: &OrgImportRow| ids.get(&r.key()).copied().unwrap_or_default();
        let links = chunk
            .iter()
            .flat_map(|r| r.serves.iter().map(move |p| (id_of(r), p.id)))
            .collect::<BTreeSet<_>>();
        link(tx, actor, links).await?;
        let changes = chunk
            .iter()
            .map(|r| {
                let v = values(r, None);
                Change {
                    action: "organisation.create",
                    object_type: "organisation",
                    object_id: id_of(r).to_string(),
                    object_path: &r.home.path,
                    before: None,
                    after: Some(json!({
                        "kind": r.kind.as_str(), "name": r.name, "home_node_id": r.home.id,
                        "credit_code": v.credit_code, "contact_name": r.contact_name,
                        "contact_phone": masked(&v.contact_phone),
                        "serves": r.serves.iter().map(|p| p.id).collect::<BTreeSet<_>>(),
                        "via": "import",
                    })),
                }
            })
            .collect();
        audit::record_many(tx, actor, changes).await?;
    }
    Ok(())
}

/// A known organisation whose row differs: the record, the places it serves, the row, and the
/// before/after summary for the audit log.
struct Update {
    old: Existing,
    had: BTreeSet<i64>,
    row: OrgImportRow,
    change: (Value, Value),
}

async fn update_changed(tx: &mut Tx, actor: &Actor, updates: Vec<Update>) -> StoreResult<()> {
    let mut changes = Vec::with_capacity(updates.len());
    let mut links = BTreeSet::new();
    for Update {
        old,
        had,
        row: r,
        change: (before, after),
    } in &updates
    {
        let v = values(r, Some(old));
        tx.execute(
            &Query::update()
                .table(Organisations::Table)
                .values([
                    (Organisations::CreditCode, v.credit_code.into()),
                    (Organisations::ContactName, r.contact_name.clone().into()),
                    (Organisations::ContactPhone, v.contact_phone.into()),
                    (Organisations::UpdatedAt, actor.at.into()),
                ])
                .and_where(Expr::col(Organisations::Id).eq(old.id))
                .to_owned(),
        )
        .await?;
        links.extend(
            r.serves
                .iter()
                .filter(|p| !had.contains(&p.id))
                .map(|p| (old.id, p.id)),
        );
        changes.push(Change {
            action: "organisation.update",
            object_type: "organisation",
            object_id: old.id.to_string(),
            object_path: &r.home.path,
            before: Some(before.clone()),
            after: Some(after.clone()),
        });
    }
    link(tx, actor, links).await?;
    audit::record_many(tx, actor, changes).await
}
