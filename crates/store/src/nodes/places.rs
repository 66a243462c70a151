//! The names of the places above requests, whistles and other records, read once for a page:
//! what `jiceng_core::place_label` needs to name each place from the street down.

use super::Nodes;
use crate::db::Db;
use crate::error::StoreResult;
use jiceng_core::node::{NodeKind, ancestor_paths};
use jiceng_core::place_label::{Step, label};
use sea_query::{Expr, ExprTrait, Query};
use std::collections::HashMap;

/// Every node above and at some paths: kind and name by path.
#[derive(Debug, Default)]
pub struct PlaceNames(HashMap<String, (NodeKind, String)>);

#[derive(sqlx::FromRow)]
struct NameRow {
    path: String,
    kind: String,
    name: String,
}

impl PlaceNames {
    /// The names above and at each of `paths`: one query for a page, one per thousand places
    /// for an export (both engines cap a statement's bound values).
    pub async fn of<'a>(db: &Db, paths: impl IntoIterator<Item = &'a str>) -> StoreResult<Self> {
        let mut wanted: Vec<String> = paths.into_iter().flat_map(ancestor_paths).collect();
        wanted.sort();
        wanted.dedup();
        let mut names = HashMap::with_capacity(wanted.len());
        for chunk in wanted.chunks(1_000) {
            let rows: Vec<NameRow> = db
                .all(
                    &Query::select()
                        .columns([Nodes::Path, Nodes::Kind, Nodes::Name])
                        .from(Nodes::Table)
                        .and_where(Expr::col(Nodes::Path).is_in(chunk.iter().cloned()))
                        .to_owned(),
                )
                .await?;
            names.extend(
                rows.into_iter()
                    .filter_map(|r| Some((r.path, (NodeKind::parse(&r.kind)?, r.name)))),
            );
        }
        Ok(Self(names))
    }

    /// `path` named for a reader standing in `known` (path prefixes; empty: from the street
    /// down). A path whose nodes were not read is shown as it is, rather than as nothing.
    pub fn label(&self, path: &str, known: &[String]) -> String {
        let above = ancestor_paths(path);
        let chain: Vec<Step> = above
            .iter()
            .filter_map(|p| {
                self.0.get(p).map(|(kind, name)| Step {
                    path: p,
                    kind: *kind,
                    name,
                })
            })
            .collect();
        match chain.last() {
            Some(last) if last.path == path => label(&chain, known),
            _ => path.to_owned(),
        }
    }

    /// The label followed by the address typed for the place, when there is one.
    pub fn label_with(&self, path: &str, address: &str, known: &[String]) -> String {
        let place = self.label(path, known);
        match address.trim() {
            "" => place,
            a => format!("{place} {a}"),
        }
    }
}
