//! What a write changed, in words for the auditor: `状态：进行中 → 已结束；说明：管网已疏通`
//! rather than the JSON the log keeps (`{"status":"open"} → {"note":"…","status":"closed"}`).
//! Fields are labelled from the string table (`field.*`, unknown ones by their own name), times
//! read in Beijing time, and a before/after pair shows only what differs. The exports keep
//! the JSON itself: it is the evidence.

use super::Tr;
use chrono::DateTime;
use jiceng_core::requests::sla::local;
use serde_json::{Map, Value};

/// One value as words: times in Beijing time, yes/no, lists with 、.
fn value(t: &Tr, v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => t.s(if *b { "common.yes" } else { "common.no" }).into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(at) => local(at.to_utc()).format("%Y-%m-%d %H:%M").to_string(),
            Err(_) if s.is_empty() => "—".into(),
            Err(_) => s.clone(),
        },
        Value::Array(items) => items
            .iter()
            .map(|i| value(t, i))
            .collect::<Vec<_>>()
            .join("、"),
        // Inside a field, joined with ，: the entry's own fields are joined with ；.
        Value::Object(m) => joined(t, "", m, "，"),
    }
}

/// A field's value: the codes of statuses, node kinds, roles, ratings, severities and channels
/// in words.
fn field_value(t: &Tr, object: &str, key: &str, v: &Value) -> String {
    use super::requests::label;
    use jiceng_core::requests::{Channel, Rating, Severity, Status};
    let Value::String(code) = v else {
        return value(t, v);
    };
    let lang = t.lang;
    let known = match key {
        // A whistle has its own two states; "closed" reads differently there.
        "status" if object == "whistle" => {
            let k = format!("whistles.status.{code}");
            (t.s(&k) != k).then(|| t.s(&k).to_owned())
        }
        "status" => Status::parse(code).map(|s| label!(lang, s).to_owned()),
        "kind" if jiceng_core::node::NodeKind::parse(code).is_some() => Some(t.kind(code).into()),
        "role" => jiceng_core::role::Role::parse(code).map(|r| t.role(r).to_owned()),
        "rating" => Rating::parse(code).map(|r| label!(lang, r).to_owned()),
        "severity" => Severity::parse(code).map(|x| label!(lang, x).to_owned()),
        "channel" => Channel::parse(code).map(|x| label!(lang, x).to_owned()),
        _ => None,
    };
    known.unwrap_or_else(|| value(t, v))
}

fn fields(t: &Tr, object: &str, m: &Map<String, Value>) -> String {
    joined(t, object, m, "；")
}

fn joined(t: &Tr, object: &str, m: &Map<String, Value>, sep: &str) -> String {
    m.iter()
        .map(|(k, v)| format!("{}：{}", t.label("field", k), field_value(t, object, k, v)))
        .collect::<Vec<_>>()
        .join(sep)
}

fn parse(raw: Option<&str>) -> Option<Value> {
    raw.map(|r| serde_json::from_str(r).unwrap_or_else(|_| Value::String(r.to_owned())))
}

/// The change of one log entry (on an object of type `object`) in words.
pub fn change_text(t: &Tr, object: &str, before: Option<&str>, after: Option<&str>) -> String {
    match (parse(before), parse(after)) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .map(|k| {
                    let shown = |v: Option<&Value>| {
                        v.map_or("—".to_owned(), |v| field_value(t, object, k, v))
                    };
                    format!(
                        "{}：{} → {}",
                        t.label("field", k),
                        shown(b.get(k)),
                        shown(a.get(k))
                    )
                })
                .collect::<Vec<_>>()
                .join("；")
        }
        (Some(b), Some(a)) => format!("{} → {}", value(t, &b), value(t, &a)),
        (None, Some(Value::Object(a))) => fields(t, object, &a),
        (None, Some(a)) => value(t, &a),
        (Some(b), None) => format!("{} → —", value(t, &b)),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::i18n::Lang;
    use super::*;

    #[test]
    fn a_change_reads_as_labelled_fields_in_beijing_time() {
        let zh = Tr::new(Lang::Zh);
        let after = r#"{"deadline_at":"2026-11-24T18:51:10.884892Z","place":"第一网格","request_id":null,"units":["住建局","执法局"],"auto_dispatch":true}"#;
        assert_eq!(
            change_text(&zh, "request", None, Some(after)),
            "自动派单：是；报到时限：2026-11-25 02:51；位置：第一网格；诉求编号：—；单位：住建局、执法局"
        );
        // Only what differs, old → new.
        assert_eq!(
            change_text(
                &zh,
                "whistle",
                Some(r#"{"status":"open","title":"背街小巷"}"#),
                Some(r#"{"note":"管网已疏通","status":"closed","title":"背街小巷"}"#)
            ),
            "说明：— → 管网已疏通；状态：进行中 → 已结束"
        );
        // A field with no label yet shows its own name; text that is not JSON shows as it is.
        assert_eq!(
            change_text(&zh, "request", None, Some(r#"{"brand_new":1}"#)),
            "brand_new：1"
        );
        assert_eq!(
            change_text(
                &zh,
                "request",
                Some(r#"{"status":"resolved"}"#),
                Some(r#"{"status":"closed","rating":"satisfied"}"#)
            ),
            "评价：— → 满意；状态：待核查 → 已办结"
        );
        // A field holding fields (the time limits' days by severity): those joined with ，.
        assert_eq!(
            change_text(
                &zh,
                "setting",
                Some(r#"{"reopen_limit":1,"resolve_days":{"general":2,"major":10}}"#),
                Some(r#"{"reopen_limit":2,"resolve_days":{"general":3,"major":10}}"#)
            ),
            "重办次数上限：1 → 2；办结时限（工作日）：一般：2，重大：10 → 一般：3，重大：10"
        );
        assert_eq!(change_text(&zh, "request", Some("x"), None), "x → —");
        assert_eq!(change_text(&zh, "request", None, None), "");
        let en = Tr::new(Lang::En);
        assert_eq!(
            change_text(&en, "request", None, Some(r#"{"active":false}"#)),
            "Active：No"
        );
    }
}
