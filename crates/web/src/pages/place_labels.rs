//! Places as the pages name them: from the street down, less what the reader stands in
//! (`jiceng_core::place_label`). A bare `第四网格` told a department nothing about where to go.

use jiceng_core::scope::Scope;
use jiceng_store::StoreResult;
use jiceng_store::db::Db;
use jiceng_store::nodes::PlaceNames;
use jiceng_store::requests::Viewer;

/// The names a page needs and the places its reader stands in.
pub struct PlaceLabels {
    names: PlaceNames,
    known: Vec<String>,
}

impl PlaceLabels {
    /// For a list read by `viewer`: their places and desks are what they already know.
    pub async fn for_list<'a>(
        db: &Db,
        viewer: &Viewer,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> StoreResult<Self> {
        let known = [&viewer.places, &viewer.desks]
            .into_iter()
            .flatten()
            .flat_map(|s| s.prefixes().iter().cloned())
            .collect();
        Ok(Self {
            names: PlaceNames::of(db, paths).await?,
            known,
        })
    }

    /// For a list read within `scope` (a roster): the scope's places are what the reader knows.
    pub async fn within<'a>(
        db: &Db,
        scope: &Scope,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> StoreResult<Self> {
        Ok(Self {
            names: PlaceNames::of(db, paths).await?,
            known: scope.prefixes().to_vec(),
        })
    }

    /// From the street down whoever reads it: a request's own page, an export.
    pub async fn whole<'a>(db: &Db, paths: impl IntoIterator<Item = &'a str>) -> StoreResult<Self> {
        Ok(Self {
            names: PlaceNames::of(db, paths).await?,
            known: Vec::new(),
        })
    }

    /// The place at `path`, with the address typed for it when there is one.
    pub fn of(&self, path: &str, address: &str) -> String {
        self.names.label_with(path, address, &self.known)
    }
}
