//! What every roster import (居民、党员、网格员、组织) shares: finding the codes a file names inside
//! the caller's scope, the options of an import and what it reports back, and the shape of the
//! audit summary of an update. Each roster's own module decides per row whether to create,
//! update or leave alone, and writes it all in one transaction or nothing.

use std::collections::{BTreeSet, HashMap};

use crate::db::Db;
use crate::error::StoreResult;
use crate::nodes::Nodes;
use crate::residents::may_live_at;
use crate::scope_cond;
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, Query};
use serde_json::{Map, Value};

/// Keys per `IN (…)` lookup and rows per multi-row insert: 500 × 15 bound values stays far below
/// the parameter limits of SQLite (32,766) and PostgreSQL (65,535).
pub(crate) const CHUNK: usize = 500;

/// A node found inside the caller's scope by its code. Only [`places_by_code`] makes one, so an
/// import row cannot point at a node the caller was never shown.
#[derive(Debug, Clone)]
pub struct Place {
    pub(crate) id: i64,
    code: String,
    kind: NodeKind,
    pub(crate) path: String,
}

impl Place {
    pub fn id(&self) -> i64 {
        self.id
    }
    pub fn code(&self) -> &str {
        &self.code
    }
    pub fn kind(&self) -> NodeKind {
        self.kind
    }
    /// A community or anything below it in the territory tree.
    pub fn may_live_here(&self) -> bool {
        may_live_at(self.kind)
    }
    /// The tree of the node; `None` for the root.
    pub fn tree(&self) -> Option<Tree> {
        self.kind.tree()
    }
}

#[derive(sqlx::FromRow)]
struct PlaceRow {
    id: i64,
    code: String,
    kind: String,
    path: String,
}

/// The nodes with these codes (as stored: upper case) that lie in `scope`, by code, whatever
/// their kind. Unknown codes and codes outside the scope are absent alike.
pub async fn places_by_code(
    db: &Db,
    scope: &Scope,
    codes: &[String],
) -> StoreResult<HashMap<String, Place>> {
    let distinct: Vec<&String> = codes.iter().collect::<BTreeSet<_>>().into_iter().collect();
    let mut found = HashMap::new();
    for chunk in distinct.chunks(CHUNK) {
        let rows: Vec<PlaceRow> = db
            .all(
                &Query::select()
                    .columns([Nodes::Id, Nodes::Code, Nodes::Kind, Nodes::Path])
                    .from(Nodes::Table)
                    .cond_where(scope_cond(scope, Nodes::Path))
                    .and_where(Expr::col(Nodes::Code).is_in(chunk.iter().map(|c| c.as_str())))
                    .to_owned(),
            )
            .await?;
        for r in rows {
            let Some(kind) = NodeKind::parse(&r.kind) else {
                continue;
            };
            let place = Place {
                id: r.id,
                code: r.code.clone(),
                kind,
                path: r.path,
            };
            found.insert(r.code, place);
        }
    }
    Ok(found)
}

#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// Decide everything, write nothing.
    pub dry_run: bool,
    /// Write nothing if any row cannot be written (its record is held outside the scope).
    pub all_or_nothing: bool,
}

/// What an import did, or with `applied == false` would do: the counts classify the rows given,
/// whether or not they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows whose existing record is held outside the caller's scope (a resident registered in
    /// another community, a party member of a branch the caller does not manage). They are
    /// never written: whoever holds the record has to release it first.
    pub registered_elsewhere: Vec<u32>,
    pub applied: bool,
}

/// An optional column of a roster: a file without the column leaves what is stored as it is
/// (a new record gets the default), so a roster kept with fewer columns never wipes the others.
/// A column that is there says what the value is, an empty cell included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given<T> {
    Absent,
    Cell(T),
}

impl<T> Given<T> {
    /// The cell's value, or `otherwise` (the stored value, or the default) without the column.
    pub fn or(self, otherwise: T) -> T {
        match self {
            Given::Absent => otherwise,
            Given::Cell(v) => v,
        }
    }

    /// Like [`Given::or`], computing the fallback only when it is needed.
    pub fn or_else(self, otherwise: impl FnOnce() -> T) -> T {
        match self {
            Given::Absent => otherwise(),
            Given::Cell(v) => v,
        }
    }
}

/// The before/after summary of an update for the audit log: only the fields that differ.
#[derive(Default)]
pub(crate) struct Diff {
    before: Map<String, Value>,
    after: Map<String, Value>,
}

impl Diff {
    pub(crate) fn note(&mut self, field: &str, was: Value, now: Value) {
        if was != now {
            self.before.insert(field.to_owned(), was);
            self.after.insert(field.to_owned(), now);
        }
    }

    /// Records a change already decided elsewhere (e.g. sealed values compared opened).
    pub(crate) fn force(&mut self, field: &str, was: Value, now: Value) {
        self.before.insert(field.to_owned(), was);
        self.after.insert(field.to_owned(), now);
    }

    /// `None` when nothing differs; else (before, after), the latter marked as from an import.
    pub(crate) fn finish(self) -> Option<(Value, Value)> {
        if self.after.is_empty() {
            return None;
        }
        let mut after = self.after;
        after.insert("via".into(), Value::from("import"));
        Some((Value::Object(self.before), Value::Object(after)))
    }
}
