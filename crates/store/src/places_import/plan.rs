//! The decisions of a places import, apart from its reads and writes: which rows create a
//! place, under which parent and code, which are known already, and what is wrong with the rest.

use std::collections::{HashMap, HashSet};

use super::{Parent, PlaceImportRow, PlaceIssue, Problem, code_as_stored, fits_under};
use crate::error::StoreResult;
use crate::nodes::{CodePlan, next_free, plan_code};
use jiceng_core::node::{NodeCode, NodeKind, child_path};
use jiceng_core::org::GridType;

#[derive(sqlx::FromRow)]
pub(super) struct Child {
    pub parent_id: i64,
    pub kind: String,
    pub name: String,
    pub code: String,
    pub subtype: Option<String>,
}

/// The children of the known parents, by (parent, kind, name), and their codes by parent.
#[derive(Default)]
pub(super) struct Children {
    pub by_key: HashMap<(i64, String, String), Child>,
    pub siblings: HashMap<i64, Vec<String>>,
}

impl Children {
    fn get(&self, parent: i64, kind: NodeKind, name: &str) -> Option<&Child> {
        self.by_key
            .get(&(parent, kind.as_str().to_owned(), name.to_owned()))
    }
}

/// A place to create, decided. `parent_id` is `None` for a parent this import creates, found by
/// `parent_code` once it is written.
pub(super) struct Create {
    pub parent_id: Option<i64>,
    pub parent_code: String,
    pub kind: NodeKind,
    pub code: NodeCode,
    pub name: String,
    pub path: String,
    pub subtype: Option<GridType>,
}

/// What the import does: the places to create (parents first), the rows known already, and
/// the problems of the others.
pub(super) struct Decided {
    pub creates: Vec<Create>,
    pub unchanged: u64,
    pub issues: Vec<PlaceIssue>,
}

/// The parent of a row once resolved: a stored node (`id`), or a place planned by this import.
struct Resolved {
    id: Option<i64>,
    code: String,
    path: String,
    kind: NodeKind,
}

/// The code each row gives, as it would be stored (`None` where it gives none).
pub(super) fn given_codes(rows: &[PlaceImportRow]) -> Vec<Option<String>> {
    rows.iter()
        .map(|r| {
            let parent = match &r.parent {
                Parent::Known(p) => p.code(),
                Parent::InFile(code) => code,
            };
            code_as_stored(parent, r.kind, r.code.as_ref()?)
        })
        .collect()
}

/// Decides every row. `given` are the rows' codes as stored, `children` the stored children of
/// their known parents, `taken` the given codes some node already has.
pub(super) fn decide(
    rows: &[PlaceImportRow],
    given: &[Option<String>],
    children: &Children,
    taken: &HashSet<String>,
) -> StoreResult<Decided> {
    let mut plan = Plan {
        // Given codes are kept from derived ones, whichever row comes first.
        reserved: given.iter().flatten().map(String::as_str).collect(),
        ..Plan::default()
    };
    let mut unchanged = 0;
    // A child ranks below its parent: by rank, every parent is decided before its children.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows[i].kind.rank());
    for i in order {
        let (r, code) = (&rows[i], given[i].clone());
        let Some(parent) = plan.resolve(r, code.clone()) else {
            continue;
        };
        if !fits_under(r.kind, parent.kind) {
            let problem = Problem::Misplaced {
                parent: parent.kind,
            };
            plan.fail(r, code, problem);
            continue;
        }
        if let Some(old) = parent.id.and_then(|id| children.get(id, r.kind, &r.name)) {
            // A grid made without a type (by hand, long ago) is a 居民网格, as a new one is.
            let stored = GridType::parse(old.subtype.as_deref().unwrap_or_default())
                .unwrap_or(GridType::Residential);
            match (&code, r.subtype) {
                (Some(c), _) if *c != old.code => {
                    let stored = old.code.clone();
                    plan.fail(r, code, Problem::CodeDiffers { stored });
                }
                (_, Some(t)) if t != stored => {
                    plan.fail(r, code, Problem::SubtypeDiffers { stored });
                }
                _ => unchanged += 1,
            }
            continue;
        }
        if let Some(new_code) = plan.code_for(r, &parent, children, taken)? {
            plan.create(r, parent, new_code);
        }
    }
    Ok(Decided {
        creates: plan.creates,
        unchanged,
        issues: plan.issues,
    })
}

/// What the import has decided so far.
#[derive(Default)]
struct Plan<'a> {
    /// The places it creates by code: (row, path, kind).
    planned: HashMap<String, (u32, String, NodeKind)>,
    /// Codes of places that rows meant to create but cannot, with the row.
    failed: HashMap<String, u32>,
    /// Every code the file gives.
    reserved: HashSet<&'a str>,
    /// The last code derived with each prefix.
    last_derived: HashMap<String, NodeCode>,
    creates: Vec<Create>,
    issues: Vec<PlaceIssue>,
}

impl Plan<'_> {
    /// Records a row's problem; the places naming its `code` as parent fail after it.
    fn fail(&mut self, r: &PlaceImportRow, code: Option<String>, problem: Problem) {
        if let Some(code) = code {
            self.failed.entry(code).or_insert(r.row);
        }
        self.issues.push(PlaceIssue {
            row: r.row,
            problem,
        });
    }

    fn resolve(&mut self, r: &PlaceImportRow, code: Option<String>) -> Option<Resolved> {
        let parent = match &r.parent {
            Parent::Known(p) => {
                return Some(Resolved {
                    id: Some(p.id),
                    code: p.code().to_owned(),
                    path: p.path.clone(),
                    kind: p.kind(),
                });
            }
            Parent::InFile(parent) => parent,
        };
        if let Some((_, path, kind)) = self.planned.get(parent) {
            return Some(Resolved {
                id: None,
                code: parent.clone(),
                path: path.clone(),
                kind: *kind,
            });
        }
        let problem = match self.failed.get(parent) {
            Some(&row) => Problem::ParentFailed {
                code: parent.clone(),
                row,
            },
            None => Problem::ParentUnknown(parent.clone()),
        };
        self.fail(r, code, problem);
        None
    }

    /// The code of a new place: the given one unless another node or row has it, or the next
    /// free number under its parent (as a single creation derives it).
    fn code_for(
        &mut self,
        r: &PlaceImportRow,
        parent: &Resolved,
        children: &Children,
        taken: &HashSet<String>,
    ) -> StoreResult<Option<NodeCode>> {
        let prefix = match plan_code(&parent.code, r.kind, r.code.as_ref())? {
            CodePlan::Given(c) => {
                let by_row = self.planned.get(c.as_str()).map(|p| p.0);
                if by_row.is_none() && !taken.contains(c.as_str()) {
                    return Ok(Some(c));
                }
                // Children naming a code held elsewhere fail with this row; those naming a code
                // another row creates go under that row's place.
                let failed = by_row.is_none().then(|| c.as_str().to_owned());
                let code = c.as_str().to_owned();
                self.fail(r, failed, Problem::CodeTaken { code, by_row });
                return Ok(None);
            }
            CodePlan::Next { prefix } => prefix,
        };
        let mut next = match self.last_derived.get(&prefix) {
            Some(last) => next_free(&prefix, [last.as_str()])?,
            None => {
                let siblings = parent.id.and_then(|id| children.siblings.get(&id));
                next_free(&prefix, siblings.into_iter().flatten().map(String::as_str))?
            }
        };
        // Numbers the file gives itself are skipped, so 1号楼 is still B01 beside a given B09.
        while self.reserved.contains(next.as_str()) {
            next = next_free(&prefix, [next.as_str()])?;
        }
        self.last_derived.insert(prefix, next.clone());
        Ok(Some(next))
    }

    fn create(&mut self, r: &PlaceImportRow, parent: Resolved, code: NodeCode) {
        let path = child_path(&parent.path, &code);
        self.planned
            .insert(code.as_str().to_owned(), (r.row, path.clone(), r.kind));
        self.creates.push(Create {
            parent_id: parent.id,
            parent_code: parent.code,
            kind: r.kind,
            code,
            name: r.name.clone(),
            path,
            subtype: match r.kind {
                NodeKind::Grid => Some(r.subtype.unwrap_or(GridType::Residential)),
                _ => None,
            },
        });
    }
}
