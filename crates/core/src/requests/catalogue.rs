//! The shipped category catalogue (`data/requests/categories.toml`): the request classes the
//! seeds handle, with severity, the department that usually leads, time limits and questions.
//! Installations edit categories in the product; this file only seeds a new database.

use super::Severity;
use super::questions::{Question, QuestionKind, is_key, validate_questions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const SHIPPED_TOML: &str = include_str!("../../../../data/requests/categories.toml");

/// A functional department the catalogue routes to (created by the demo at the county).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentSpec {
    /// Stable key the categories refer to, e.g. `chengguan`.
    pub key: String,
    /// Full name without the county prefix, e.g. "综合行政执法局".
    pub name: String,
    /// What residents call it, e.g. "城管".
    pub short: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategorySpec {
    /// Stable key, lower-case ASCII, e.g. `heating`.
    pub code: String,
    /// e.g. "供暖".
    pub name: String,
    /// e.g. "市政公用".
    pub group: String,
    pub severity: Severity,
    /// Working days to resolve when the 2310 default by severity does not fit.
    #[serde(default)]
    pub resolve_days: Option<u32>,
    /// The key of the department that usually leads.
    pub department: String,
    /// One line for the intake form.
    #[serde(default)]
    pub hint: String,
    #[serde(default)]
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    pub departments: Vec<DepartmentSpec>,
    pub categories: Vec<CategorySpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("事项分类目录有误：{0}")]
pub struct CatalogueError(pub String);

/// The file's shape: `[[department]]` and `[[category]]` tables. Kinds and severities are read
/// as text so that an error can name the category; unknown fields are typos and rejected.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    department: Vec<RawDepartment>,
    #[serde(default)]
    category: Vec<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepartment {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    short: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    severity: String,
    resolve_days: Option<i64>,
    #[serde(default)]
    department: String,
    #[serde(default)]
    hint: String,
    #[serde(default)]
    questions: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    #[serde(default)]
    key: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    options: Vec<String>,
}

/// Longest time limit a category may set, in working days (about three months).
pub const MAX_RESOLVE_DAYS: u32 = 60;

fn err(message: String) -> CatalogueError {
    CatalogueError(message)
}

impl Catalogue {
    /// Parses and checks a catalogue: unique codes and department keys, every category's
    /// department known, questions valid.
    pub fn from_toml(text: &str) -> Result<Self, CatalogueError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| err(format!("TOML 格式有误：{e}")))?;
        let departments = raw
            .department
            .into_iter()
            .enumerate()
            .map(|(i, d)| check_department(i, d))
            .collect::<Result<Vec<_>, _>>()?;
        let mut keys = BTreeSet::new();
        let mut names = BTreeSet::new();
        for d in &departments {
            if !keys.insert(d.key.as_str()) {
                return Err(err(format!("部门标识「{}」重复出现", d.key)));
            }
            if !names.insert(d.name.as_str()) {
                return Err(err(format!("部门「{}」重复出现", d.name)));
            }
        }
        let categories = raw
            .category
            .into_iter()
            .enumerate()
            .map(|(i, c)| check_category(i, c, &keys))
            .collect::<Result<Vec<_>, _>>()?;
        if categories.is_empty() {
            return Err(err("没有任何分类（[[category]]）".into()));
        }
        let mut codes = BTreeSet::new();
        let mut names = BTreeSet::new();
        for c in &categories {
            if !codes.insert(c.code.as_str()) {
                return Err(err(format!(
                    "分类代码「{}」重复出现（分类「{}」）",
                    c.code, c.name
                )));
            }
            if !names.insert(c.name.as_str()) {
                return Err(err(format!("分类「{}」重复出现", c.name)));
            }
        }
        Ok(Self {
            departments,
            categories,
        })
    }

    pub fn shipped() -> Self {
        Self::from_toml(SHIPPED_TOML).expect("the shipped catalogue is valid (tested)")
    }

    pub fn department(&self, key: &str) -> Option<&DepartmentSpec> {
        self.departments.iter().find(|d| d.key == key)
    }

    pub fn category(&self, code: &str) -> Option<&CategorySpec> {
        self.categories.iter().find(|c| c.code == code)
    }
}

fn check_department(i: usize, d: RawDepartment) -> Result<DepartmentSpec, CatalogueError> {
    let (key, name, short) = (d.key.trim(), d.name.trim(), d.short.trim());
    let which = match name {
        "" => format!("第 {} 个部门", i + 1),
        n => format!("部门「{n}」"),
    };
    if name.is_empty() {
        return Err(err(format!("{which}缺少名称（name）")));
    }
    if !is_key(key) {
        return Err(err(format!(
            "{which}的标识「{key}」须以小写字母开头，只含小写字母、数字和下划线"
        )));
    }
    if short.is_empty() {
        return Err(err(format!("{which}缺少简称（short）")));
    }
    Ok(DepartmentSpec {
        key: key.into(),
        name: name.into(),
        short: short.into(),
    })
}

fn check_category(
    i: usize,
    c: RawCategory,
    departments: &BTreeSet<&str>,
) -> Result<CategorySpec, CatalogueError> {
    let (code, name, group) = (c.code.trim(), c.name.trim(), c.group.trim());
    if name.is_empty() {
        return Err(err(format!("第 {} 个分类缺少名称（name）", i + 1)));
    }
    let which = format!("分类「{name}」");
    if !is_key(code) {
        return Err(err(format!(
            "{which}的代码「{code}」须以小写字母开头，只含小写字母、数字和下划线"
        )));
    }
    if group.is_empty() {
        return Err(err(format!("{which}缺少所属大类（group）")));
    }
    let severity = Severity::parse(&c.severity).ok_or_else(|| {
        err(format!(
            "{which}的紧急程度「{}」无效，应为 general、important 或 major",
            c.severity
        ))
    })?;
    let resolve_days = match c.resolve_days {
        None => None,
        Some(n) => Some(
            u32::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_RESOLVE_DAYS).contains(n))
                .ok_or_else(|| {
                    err(format!(
                        "{which}的办结时限 {n} 个工作日无效，应在 1 到 {MAX_RESOLVE_DAYS} 之间"
                    ))
                })?,
        ),
    };
    let department = c.department.trim();
    if !departments.contains(department) {
        return Err(err(match department {
            "" => format!("{which}缺少牵头部门（department）"),
            d => format!("{which}的牵头部门「{d}」不在部门列表中"),
        }));
    }
    let questions = c
        .questions
        .into_iter()
        .map(|q| {
            let kind = QuestionKind::parse(&q.kind).ok_or_else(|| {
                err(format!(
                    "{which}的问题「{}」类型「{}」无效，应为 text、number、date、single 或 multi",
                    q.label, q.kind
                ))
            })?;
            Ok(Question {
                key: q.key.trim().into(),
                label: q.label.trim().into(),
                kind,
                required: q.required,
                options: q.options,
            })
        })
        .collect::<Result<Vec<_>, CatalogueError>>()?;
    validate_questions(&questions).map_err(|e| err(format!("{which}：{}", e.message)))?;
    Ok(CategorySpec {
        code: code.into(),
        name: name.into(),
        group: group.into(),
        severity,
        resolve_days,
        department: department.into(),
        hint: c.hint.trim().into(),
        questions,
    })
}

#[cfg(test)]
mod tests;
