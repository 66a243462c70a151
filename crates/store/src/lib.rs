//! Jiceng storage: one `Db` over SQLite or PostgreSQL. Every read and write of scoped data takes
//! the caller's `Scope`, so no handler can forget it; objects outside the scope are `NotFound`.

pub mod audit;
pub mod coverage;
pub mod db;
pub mod divisions;
pub mod error;
pub mod grid_staff;
pub mod grid_staff_import;
pub mod import;
pub mod moves;
pub mod nodes;
pub mod orgs;
pub mod orgs_import;
pub mod party_members;
pub mod party_members_import;
pub mod places_import;
pub mod requests;
pub mod residents;
pub mod residents_import;
pub mod sessions;
pub mod settings;
pub mod throttle;
pub mod users;
pub mod vault;

#[cfg(feature = "testing")]
pub mod testing;

pub use audit::Actor;
pub use db::{Db, Engine, Tx};
pub use error::{StoreError, StoreResult};

use jiceng_core::scope::Scope;
use sea_query::{Cond, Condition, Expr, ExprTrait, IntoColumnRef};

/// The condition "`col` lies in one of the scope's subtrees".
pub(crate) fn scope_cond<C: IntoColumnRef + Clone>(scope: &Scope, col: C) -> Condition {
    let mut any = Cond::any();
    for p in scope.prefixes() {
        any = any.add(Expr::col(col.clone()).like(format!("{p}%")));
    }
    Cond::all().add(any)
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
