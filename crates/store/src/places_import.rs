//! Places from a roster (网格、小区、楼栋…): grids, estates, courtyards, office towers, parks,
//! buildings, entrances and households created below a community. A place is known by (parent,
//! kind, name), so importing the same roster again changes nothing. A row's parent may be a place
//! an earlier row of the same file creates, so a community is laid out — grids, estates,
//! buildings — in one file; codes left empty are derived as a single creation derives them.

use std::collections::{HashMap, HashSet};

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::import::{CHUNK, ImportOptions, ImportOutcome, Place};
use crate::nodes::{CodePlan, Nodes, code_letter, plan_code};
use jiceng_core::DomainError;
use jiceng_core::node::{NodeCode, NodeKind, Tree};
use jiceng_core::org::GridType;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, IntoColumnRef, Query, ReturningClause};
use serde_json::json;

mod plan;
use plan::{Child, Children, Create};

/// The kinds a places roster creates: those whose codes are derived below a community.
pub const PLACE_KINDS: [NodeKind; 8] = [
    NodeKind::Grid,
    NodeKind::Estate,
    NodeKind::Courtyard,
    NodeKind::OfficeTower,
    NodeKind::Park,
    NodeKind::Building,
    NodeKind::Entrance,
    NodeKind::Household,
];

/// May a place of `kind` be created under a node of `parent`: a community, or a place below one
/// ranking above it? Districts and streets get their places through their communities.
pub fn fits_under(kind: NodeKind, parent: NodeKind) -> bool {
    code_letter(kind).is_some()
        && (parent == NodeKind::Community || code_letter(parent).is_some())
        && kind.may_hang_under(parent)
}

/// The parent a row names by code.
#[derive(Debug, Clone)]
pub enum Parent {
    /// A node inside the caller's scope.
    Known(Place),
    /// A code no node in scope has: a place an earlier row of this file creates, or nothing.
    InFile(String),
}

/// One checked row of the roster.
#[derive(Debug, Clone)]
pub struct PlaceImportRow {
    pub row: u32,
    pub parent: Parent,
    pub kind: NodeKind,
    pub name: String,
    /// A full code or a suffix of the parent's; `None`: the next free number of the level.
    pub code: Option<NodeCode>,
    /// Grids only; `None`: 居民网格 for a new grid, whatever is stored for a known one.
    pub subtype: Option<GridType>,
}

/// Why a row cannot be written, found against the records (the roster module words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The parent code is neither a node in scope nor a place created by another row.
    ParentUnknown(String),
    /// The parent is the place of row `row`, which cannot be created itself.
    ParentFailed { code: String, row: u32 },
    /// The kind cannot hang under the parent's kind.
    Misplaced { parent: NodeKind },
    /// The code belongs to another node already, or to the place of row `by_row` of the file.
    CodeTaken { code: String, by_row: Option<u32> },
    /// The place exists (same parent, kind and name) under another code.
    CodeDiffers { stored: String },
    /// The grid exists with another grid type; an import never changes one.
    SubtypeDiffers { stored: GridType },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceIssue {
    pub row: u32,
    pub problem: Problem,
}

/// A code given for a place of `kind` under `parent`, as it is stored: a suffix (`G01`) gets the
/// parent's code in front. `None` for a kind that is not a place.
pub fn code_as_stored(parent: &str, kind: NodeKind, code: &NodeCode) -> Option<String> {
    match plan_code(parent, kind, Some(code)) {
        Ok(CodePlan::Given(c)) if code_letter(kind).is_some() => Some(c.as_str().to_owned()),
        _ => None,
    }
}

/// Imports `rows` in one transaction: each (parent, kind, name) not yet recorded is created, a
/// known one left as it is. Parents come before their children whatever the order of the file
/// (a child ranks below its parent), and a row whose parent cannot be created fails with it.
/// Every known parent must lie inside `scope` (else `NotFound`). With `all_or_nothing`, any
/// problem and nothing is written.
pub async fn import(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    rows: Vec<PlaceImportRow>,
    opts: ImportOptions,
) -> StoreResult<(ImportOutcome, Vec<PlaceIssue>)> {
    let outside =
        |r: &PlaceImportRow| matches!(&r.parent, Parent::Known(p) if !scope.contains(&p.path));
    if rows.iter().any(outside) {
        return Err(StoreError::NotFound);
    }
    let not_a_place = |r: &PlaceImportRow| {
        code_letter(r.kind).is_none() || (r.subtype.is_some() && r.kind != NodeKind::Grid)
    };
    if rows.iter().any(not_a_place) {
        return Err(
            DomainError::new("invalid_kind", "kind", "只能导入网格、小区、楼栋等地点").into(),
        );
    }
    let given = plan::given_codes(&rows);
    // Read inside the write transaction, so nobody takes one of these codes in between.
    let mut tx = db.begin().await?;
    let parents: Vec<i64> = rows
        .iter()
        .filter_map(|r| match &r.parent {
            Parent::Known(p) => Some(p.id),
            Parent::InFile(_) => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let children = children_of(&mut tx, &parents).await?;
    let reserved: Vec<&str> = given.iter().flatten().map(String::as_str).collect();
    let taken = codes_taken(&mut tx, &reserved).await?;
    let decided = plan::decide(&rows, &given, &children, &taken)?;
    let out = ImportOutcome {
        created: decided.creates.len() as u64,
        unchanged: decided.unchanged,
        ..ImportOutcome::default()
    };
    let refused = opts.all_or_nothing && !decided.issues.is_empty();
    if opts.dry_run || refused {
        return Ok((out, decided.issues));
    }
    insert_new(&mut tx, actor, decided.creates).await?;
    tx.commit().await?;
    Ok((
        ImportOutcome {
            applied: true,
            ..out
        },
        decided.issues,
    ))
}

async fn children_of(tx: &mut Tx, parents: &[i64]) -> StoreResult<Children> {
    let mut found = Children::default();
    for chunk in parents.chunks(CHUNK) {
        let rows: Vec<Child> = tx
            .all(
                &Query::select()
                    .columns([
                        Nodes::ParentId,
                        Nodes::Kind,
                        Nodes::Name,
                        Nodes::Code,
                        Nodes::Subtype,
                    ])
                    .from(Nodes::Table)
                    .and_where(Expr::col(Nodes::ParentId).is_in(chunk.iter().copied()))
                    .to_owned(),
            )
            .await?;
        for c in rows {
            found
                .siblings
                .entry(c.parent_id)
                .or_default()
                .push(c.code.clone());
            let key = (c.parent_id, c.kind.clone(), c.name.clone());
            // Two places of one name are possible (made by hand): the first is the one known.
            found.by_key.entry(key).or_insert(c);
        }
    }
    Ok(found)
}

/// Which of `codes` some node already has, wherever it is: codes are unique across both trees.
async fn codes_taken(tx: &mut Tx, codes: &[&str]) -> StoreResult<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in codes.chunks(CHUNK) {
        let rows: Vec<(String,)> = tx
            .all(
                &Query::select()
                    .column(Nodes::Code)
                    .from(Nodes::Table)
                    .and_where(Expr::col(Nodes::Code).is_in(chunk.iter().copied()))
                    .to_owned(),
            )
            .await?;
        found.extend(rows.into_iter().map(|(c,)| c));
    }
    Ok(found)
}

/// Inserts the places a batch at a time, parents first: a batch holds one kind rank only, so a
/// place created by this import has its id before any child of it is written.
async fn insert_new(tx: &mut Tx, actor: &Actor, creates: Vec<Create>) -> StoreResult<()> {
    let mut ids: HashMap<String, i64> = HashMap::new();
    let mut rest = creates.as_slice();
    while let Some(first) = rest.first() {
        let rank = first.kind.rank();
        let same = rest
            .iter()
            .take(CHUNK)
            .take_while(|c| c.kind.rank() == rank);
        let n = same.count();
        let (batch, tail) = rest.split_at(n);
        rest = tail;
        let parents: Vec<Option<i64>> = batch
            .iter()
            .map(|c| c.parent_id.or_else(|| ids.get(&c.parent_code).copied()))
            .collect();
        let mut q = crate::nodes::insert(batch.iter().zip(&parents).map(|(c, parent_id)| {
            crate::nodes::NewRow {
                parent_id: *parent_id,
                tree: Tree::Territory.as_str(),
                kind: c.kind.as_str(),
                code: c.code.as_str(),
                name: &c.name,
                path: &c.path,
                subtype: c.subtype.map(GridType::as_str),
                at: actor.at,
            }
        }));
        q.returning(ReturningClause::Columns(vec![
            Nodes::Id.into_column_ref(),
            Nodes::Code.into_column_ref(),
        ]));
        let made: Vec<(i64, String)> = tx.all(&q).await.map_err(|e| match e {
            // Another writer took one of the codes after the lookup (PostgreSQL only).
            StoreError::Conflict { .. } => StoreError::Conflict { field: "code" },
            other => other,
        })?;
        ids.extend(made.into_iter().map(|(id, code)| (code, id)));
        let changes = batch
            .iter()
            .zip(parents)
            .map(|(c, parent_id)| Change {
                action: "node.create",
                object_type: "node",
                object_id: ids
                    .get(c.code.as_str())
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
                object_path: &c.path,
                before: None,
                after: Some(json!({
                    "kind": c.kind.as_str(), "code": c.code.as_str(), "name": c.name,
                    "parent_id": parent_id, "subtype": c.subtype.map(GridType::as_str),
                    "via": "import",
                })),
            })
            .collect();
        audit::record_many(tx, actor, changes).await?;
    }
    Ok(())
}
