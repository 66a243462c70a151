//! Extra questions a category asks on intake (e.g. 供暖: "室内温度"), and the check of a
//! requester's answers against them.

use crate::DomainError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

labelled!(QuestionKind {
    Text = "text", "文本", "Text";
    Number = "number", "数字", "Number";
    Date = "date", "日期", "Date";
    Single = "single", "单选", "Single choice";
    Multi = "multi", "多选", "Multiple choice";
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable identifier, lower-case ASCII letters, digits and `_`.
    pub key: String,
    /// What the form shows, e.g. "影响户数".
    pub label: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub required: bool,
    /// The choices, for `single` and `multi` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// One answer as submitted: text (also dates and single choices), a number, or several choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Number(f64),
    Text(String),
    Many(Vec<String>),
}

pub type Answers = BTreeMap<String, Answer>;

/// Longest text answer, in characters.
pub const MAX_TEXT_CHARS: usize = 500;

/// A stable identifier: lower-case ASCII letters, digits and `_`, starting with a letter.
pub(crate) fn is_key(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn question_error(code: &'static str, message: String) -> DomainError {
    DomainError::new(code, "questions", message)
}

/// Checks a category's question list: keys well-formed and unique, labels present, options
/// present (and unique) exactly for choice questions.
pub fn validate_questions(questions: &[Question]) -> Result<(), DomainError> {
    let mut keys = BTreeSet::new();
    let mut labels = BTreeSet::new();
    for q in questions {
        let label = q.label.trim();
        if label.is_empty() {
            return Err(question_error(
                "invalid_question_label",
                format!("问题「{}」缺少名称", q.key),
            ));
        }
        if !is_key(&q.key) {
            return Err(question_error(
                "invalid_question_key",
                format!(
                    "问题「{label}」的标识「{}」须以小写字母开头，只含小写字母、数字和下划线",
                    q.key
                ),
            ));
        }
        if !keys.insert(q.key.as_str()) {
            return Err(question_error(
                "duplicate_question",
                format!("问题标识「{}」重复出现", q.key),
            ));
        }
        if !labels.insert(label) {
            return Err(question_error(
                "duplicate_question",
                format!("问题「{label}」重复出现"),
            ));
        }
        check_options(q, label)?;
    }
    Ok(())
}

fn check_options(q: &Question, label: &str) -> Result<(), DomainError> {
    let bad = |message: String| question_error("invalid_question_options", message);
    if !matches!(q.kind, QuestionKind::Single | QuestionKind::Multi) {
        return match q.options.is_empty() {
            true => Ok(()),
            false => Err(bad(format!(
                "问题「{label}」是{}题，不能设置选项",
                q.kind.label_zh()
            ))),
        };
    }
    if q.options.is_empty() {
        return Err(bad(format!("问题「{label}」的选项不能为空")));
    }
    let mut seen = BTreeSet::new();
    for o in &q.options {
        if o.trim().is_empty() {
            return Err(bad(format!("问题「{label}」有空白选项")));
        }
        if o.trim() != o {
            return Err(bad(format!("问题「{label}」的选项「{o}」前后不能有空格")));
        }
        if !seen.insert(o.as_str()) {
            return Err(bad(format!("问题「{label}」的选项「{o}」重复")));
        }
    }
    if seen.len() < 2 {
        return Err(bad(format!("问题「{label}」至少需要两个选项")));
    }
    Ok(())
}

fn answer_error(code: &'static str, message: String) -> DomainError {
    DomainError::new(code, "answers", message)
}

/// Checks answers against the questions and returns them normalised (trimmed text, dates as
/// `YYYY-MM-DD`, empty answers dropped). Errors name the question by its label.
pub fn check_answers(questions: &[Question], answers: &Answers) -> Result<Answers, DomainError> {
    if let Some(key) = answers
        .keys()
        .find(|k| !questions.iter().any(|q| &q.key == *k))
    {
        return Err(answer_error(
            "unknown_question",
            format!("该分类没有「{key}」这个问题"),
        ));
    }
    let mut out = Answers::new();
    for q in questions {
        let label = q.label.trim();
        match answers
            .get(&q.key)
            .map(|a| normalise(q, label, a))
            .transpose()?
        {
            Some(Some(a)) => {
                out.insert(q.key.clone(), a);
            }
            _ if q.required => {
                return Err(answer_error("missing_answer", format!("请填写「{label}」")));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// One answer in its normal form, `None` when it is empty.
fn normalise(q: &Question, label: &str, answer: &Answer) -> Result<Option<Answer>, DomainError> {
    let invalid = |message: String| answer_error("invalid_answer", message);
    let not_option = |given: &str| {
        answer_error(
            "invalid_option",
            format!(
                "「{label}」的「{given}」不在选项中，可选：{}",
                q.options.join("、")
            ),
        )
    };
    let text = match answer {
        Answer::Text(s) => Some(s.trim()),
        _ => None,
    };
    let empty = match answer {
        Answer::Text(s) => s.trim().is_empty(),
        Answer::Many(v) => v.iter().all(|s| s.trim().is_empty()),
        Answer::Number(_) => false,
    };
    if empty {
        return Ok(None);
    }
    match q.kind {
        QuestionKind::Text => {
            let s = match answer {
                Answer::Text(s) => s.trim().to_string(),
                Answer::Number(n) if n.is_finite() => n.to_string(),
                _ => return Err(invalid(format!("「{label}」须填写文字"))),
            };
            if s.chars().count() > MAX_TEXT_CHARS {
                return Err(answer_error(
                    "answer_too_long",
                    format!("「{label}」最多 {MAX_TEXT_CHARS} 字"),
                ));
            }
            Ok(Some(Answer::Text(s)))
        }
        QuestionKind::Number => {
            let n = match answer {
                Answer::Number(n) => Some(*n),
                Answer::Text(s) => s.trim().parse::<f64>().ok(),
                Answer::Many(_) => None,
            };
            match n.filter(|n| n.is_finite()) {
                Some(n) => Ok(Some(Answer::Number(n))),
                None => Err(invalid(format!("「{label}」须填写数字"))),
            }
        }
        QuestionKind::Date => match text.and_then(parse_date) {
            Some(d) => Ok(Some(Answer::Text(d.format("%Y-%m-%d").to_string()))),
            None => Err(invalid(format!("「{label}」须填写日期，格式如 2025-03-08"))),
        },
        QuestionKind::Single => {
            let given = match answer {
                Answer::Text(s) => s.trim(),
                Answer::Many(v) => match v
                    .iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()[..]
                {
                    [] => return Ok(None),
                    [one] => one,
                    _ => return Err(invalid(format!("「{label}」只能选一项"))),
                },
                Answer::Number(_) => {
                    return Err(invalid(format!("「{label}」须从选项中选择一项")));
                }
            };
            match q.options.iter().any(|o| o == given) {
                true => Ok(Some(Answer::Text(given.to_string()))),
                false => Err(not_option(given)),
            }
        }
        QuestionKind::Multi => {
            let given: Vec<&str> = match answer {
                Answer::Text(s) => vec![s.trim()],
                Answer::Many(v) => v
                    .iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect(),
                Answer::Number(_) => {
                    return Err(invalid(format!("「{label}」须从选项中选择")));
                }
            };
            if let Some(g) = given.iter().find(|g| !q.options.iter().any(|o| o == *g)) {
                return Err(not_option(g));
            }
            // In the order of the options, which also drops repeats.
            let chosen: Vec<String> = q
                .options
                .iter()
                .filter(|o| given.contains(&o.as_str()))
                .cloned()
                .collect();
            Ok((!chosen.is_empty()).then_some(Answer::Many(chosen)))
        }
    }
}

/// `YYYY-MM-DD` (month and day may have one digit), a real calendar date.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(y, 4..=4) || !digits(m, 1..=2) || !digits(d, 1..=2) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests;
