//! Jiceng storage: one `Db` over SQLite or PostgreSQL. Every read and write of scoped data takes
//! the caller's `Scope`, so no handler can forget it; objects outside the scope are `NotFound`.

pub mod audit;
pub mod checkpoint;
pub mod coverage;
pub mod db;
pub mod divisions;
pub mod error;
pub mod grid_staff;
pub mod grid_staff_import;
pub mod group;
pub mod import;
pub mod moves;
pub mod nodes;
pub mod open311;
pub mod orgs;
pub mod orgs_import;
mod packed;
pub mod party_members;
pub mod party_members_import;
mod pg_sql;
pub mod places_import;
pub mod requests;
pub mod residents;
pub mod residents_import;
pub mod sessions;
pub mod settings;
mod sqlite_sql;
pub mod throttle;
mod time_text;
mod tx;
pub mod users;
pub mod vault;
pub mod whistles;

#[cfg(feature = "testing")]
pub mod testing;

pub use audit::Actor;
pub use db::{Db, Engine, Tx};
pub use error::{StoreError, StoreResult};
pub use tx::held_sends;

use jiceng_core::scope::Scope;
use sea_query::{Cond, Condition, Expr, ExprTrait, IntoColumnRef};

/// The condition "`col` lies in one of the scope's subtrees", as the range
/// `prefix <= col < successor(prefix)`: the same strings as `LIKE 'prefix%'` under byte-wise
/// ordering (SQLite's BINARY, PostgreSQL's `COLLATE "C"` on every path column), but one that
/// both engines answer from an index — SQLite's `LIKE` is case-insensitive and cannot.
pub(crate) fn scope_cond<C: IntoColumnRef + Clone>(scope: &Scope, col: C) -> Condition {
    let mut any = Cond::any();
    for p in scope.prefixes() {
        any = any.add(
            Cond::all()
                .add(Expr::col(col.clone()).gte(p.as_str()))
                .add(Expr::col(col.clone()).lt(successor(p))),
        );
    }
    Cond::all().add(any)
}

/// The condition "`col` starts with `prefix`" (a path ending in `/`), indexable as above.
pub(crate) fn under_path<C: IntoColumnRef + Clone>(col: C, prefix: &str) -> Condition {
    Cond::all()
        .add(Expr::col(col.clone()).gte(prefix))
        .add(Expr::col(col).lt(successor(prefix)))
}

/// The least string greater than every string starting with `prefix` (paths are ASCII).
fn successor(prefix: &str) -> String {
    let mut s = prefix.to_owned();
    match s.pop() {
        Some(c) => s.push(char::from_u32(c as u32 + 1).unwrap_or(char::MAX)),
        None => s.push(char::MAX),
    }
    s
}

/// A page of a list: `page` counts from 1.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: u64,
    pub size: u64,
}

impl Page {
    pub const MAX_SIZE: u64 = 500;

    pub fn new(page: Option<u64>, size: Option<u64>) -> Self {
        Self {
            page: Ord::max(page.unwrap_or(1), 1),
            size: Ord::clamp(size.unwrap_or(50), 1, Self::MAX_SIZE),
        }
    }
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.size
    }
}
