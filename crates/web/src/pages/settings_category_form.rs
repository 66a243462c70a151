//! The category form as typed (事项分类): its fields and question rows `q.<n>.<field>`, read
//! back from a posted form and turned into what the store checks. Kept apart from the pages in
//! `settings_categories` to keep files short.

use crate::error::AppError;
use jiceng_core::requests::Severity;
use jiceng_core::requests::questions::{Question, QuestionKind};
use jiceng_store::requests::categories::{Category, CategoryInput};
use std::collections::BTreeMap;

/// Blank question rows offered below the category's own.
const BLANK_ROWS: usize = 3;
/// Question rows read from a form, at most.
const MAX_ROWS: usize = 100;

/// One question row as typed; `options` one per line.
#[derive(Default)]
pub struct QRow {
    pub key: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
    pub options: String,
}

impl QRow {
    fn is_blank(&self) -> bool {
        self.key.trim().is_empty() && self.label.trim().is_empty() && self.options.trim().is_empty()
    }
}

/// The category form as typed.
pub struct Form {
    pub code: String,
    pub name: String,
    pub group: String,
    pub severity: String,
    pub resolve_days: String,
    pub hint: String,
    pub active: bool,
    pub questions: Vec<QRow>,
}

impl Form {
    pub fn blank() -> Self {
        Form {
            code: String::new(),
            name: String::new(),
            group: String::new(),
            severity: Severity::General.as_str().to_owned(),
            resolve_days: String::new(),
            hint: String::new(),
            active: true,
            questions: Vec::new(),
        }
    }

    pub fn of(c: &Category) -> Self {
        Form {
            code: c.code.clone(),
            name: c.name.clone(),
            group: c.group.clone(),
            severity: c.severity.clone(),
            resolve_days: c.resolve_days.map(|d| d.to_string()).unwrap_or_default(),
            hint: c.hint.clone(),
            active: c.active,
            questions: c
                .questions
                .iter()
                .map(|q| QRow {
                    key: q.key.clone(),
                    label: q.label.clone(),
                    kind: q.kind.as_str().to_owned(),
                    required: q.required,
                    options: q.options.join("\n"),
                })
                .collect(),
        }
    }

    /// Fields named `code`, `name`, … and question rows `q.<n>.<field>`; blank rows dropped.
    pub fn parse(pairs: Vec<(String, String)>) -> Self {
        let mut f = Form::blank();
        f.severity.clear();
        f.active = false;
        let mut rows: BTreeMap<usize, QRow> = BTreeMap::new();
        for (k, v) in pairs {
            match k.as_str() {
                "code" => f.code = v,
                "name" => f.name = v,
                "group" => f.group = v,
                "severity" => f.severity = v,
                "resolve_days" => f.resolve_days = v,
                "hint" => f.hint = v,
                "active" => f.active = true,
                _ => {
                    let Some((n, field)) = k.strip_prefix("q.").and_then(|r| r.split_once('.'))
                    else {
                        continue;
                    };
                    let Some(n) = n.parse::<usize>().ok().filter(|n| *n < MAX_ROWS) else {
                        continue;
                    };
                    let row = rows.entry(n).or_default();
                    match field {
                        "key" => row.key = v,
                        "label" => row.label = v,
                        "kind" => row.kind = v,
                        "required" => row.required = true,
                        "options" => row.options = v,
                        _ => {}
                    }
                }
            }
        }
        f.questions = rows.into_values().filter(|r| !r.is_blank()).collect();
        f
    }

    pub fn padded(mut self) -> Self {
        self.questions.extend((0..BLANK_ROWS).map(|_| QRow {
            kind: QuestionKind::Text.as_str().to_owned(),
            ..QRow::default()
        }));
        self
    }

    /// What the store checks; a blank question key becomes the next free `q<n>`.
    pub fn input(&self) -> Result<CategoryInput, AppError> {
        let severity = Severity::parse(&self.severity).ok_or_else(|| {
            AppError::bad_request(
                "invalid_severity",
                "severity",
                "紧急程度须为一般、重要或重大",
            )
        })?;
        let resolve_days = match self.resolve_days.trim() {
            "" => None,
            d => Some(d.parse::<u32>().map_err(|_| {
                AppError::bad_request(
                    "invalid_resolve_days",
                    "resolve_days",
                    "办结时限须为1至60个工作日",
                )
            })?),
        };
        let mut taken: Vec<String> = self
            .questions
            .iter()
            .map(|q| q.key.trim().to_owned())
            .collect();
        let mut questions = Vec::new();
        for q in &self.questions {
            let label = q.label.trim().to_owned();
            let kind = QuestionKind::parse(&q.kind).ok_or_else(|| {
                AppError::bad_request(
                    "invalid_question_kind",
                    "questions",
                    format!("问题「{label}」的类型不正确"),
                )
            })?;
            let mut key = q.key.trim().to_owned();
            if key.is_empty() {
                key = (1..)
                    .map(|n| format!("q{n}"))
                    .find(|k| !taken.contains(k))
                    .unwrap_or_default();
                taken.push(key.clone());
            }
            questions.push(Question {
                key,
                label,
                kind,
                required: q.required,
                options: q
                    .options
                    .lines()
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect(),
            });
        }
        Ok(CategoryInput {
            code: self.code.clone(),
            name: self.name.clone(),
            group: self.group.clone(),
            severity,
            resolve_days,
            hint: self.hint.trim().to_owned(),
            questions,
            active: self.active,
        })
    }
}
