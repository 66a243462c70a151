//! One response body, two formats. GeoReport v2 defines XML and derives JSON from it by the
//! "Spark convention": a list element becomes an array of its items (their element name is
//! dropped), an element with children becomes an object. So each handler builds a `Doc` once
//! and it is written either way; a few dozen lines here spare a dependency.

/// A value of a response document.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    /// `null` in JSON, an empty element (`<account_id/>`) in XML.
    Null,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Obj(Vec<(&'static str, Doc)>),
    /// A JSON array; in XML each item is an `<item>` element.
    List {
        item: &'static str,
        items: Vec<Doc>,
    },
}

impl Doc {
    pub fn str(s: impl Into<String>) -> Doc {
        Doc::Str(s.into())
    }

    /// Text that may be absent: empty becomes `Null`.
    pub fn opt(s: Option<impl Into<String>>) -> Doc {
        match s.map(Into::into) {
            Some(s) if !s.is_empty() => Doc::Str(s),
            _ => Doc::Null,
        }
    }

    pub fn list(item: &'static str, items: Vec<Doc>) -> Doc {
        Doc::List { item, items }
    }

    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Doc::Null => Value::Null,
            Doc::Str(s) => Value::String(s.clone()),
            Doc::Int(n) => Value::from(*n),
            Doc::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Doc::Bool(b) => Value::Bool(*b),
            Doc::Obj(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.to_json()))
                    .collect(),
            ),
            Doc::List { items, .. } => Value::Array(items.iter().map(Doc::to_json).collect()),
        }
    }

    /// The whole XML document with `root` as the outer element.
    pub fn to_xml(&self, root: &str) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.write_xml(root, &mut out);
        out.push('\n');
        out
    }

    fn write_xml(&self, tag: &str, out: &mut String) {
        let scalar = match self {
            Doc::Null => {
                out.push_str(&format!("<{tag}/>"));
                return;
            }
            Doc::Str(s) => escape(s),
            Doc::Int(n) => n.to_string(),
            Doc::Float(f) => f.to_string(),
            Doc::Bool(b) => b.to_string(),
            Doc::Obj(fields) => {
                out.push_str(&format!("<{tag}>"));
                for (k, v) in fields {
                    v.write_xml(k, out);
                }
                out.push_str(&format!("</{tag}>"));
                return;
            }
            Doc::List { item, items } => {
                out.push_str(&format!("<{tag}>"));
                for v in items {
                    v.write_xml(item, out);
                }
                out.push_str(&format!("</{tag}>"));
                return;
            }
        };
        out.push_str(&format!("<{tag}>{scalar}</{tag}>"));
    }
}

/// Text content: the five markup characters escaped, and control characters XML 1.0 cannot
/// carry at all dropped (a tab, newline and carriage return stay).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Doc {
        Doc::list(
            "request",
            vec![Doc::Obj(vec![
                ("service_request_id", Doc::str("7")),
                ("lat", Doc::Float(34.8)),
                ("metadata", Doc::Bool(true)),
                ("account_id", Doc::Null),
                ("description", Doc::str("水管<爆裂> & \"漏水\"\u{1}")),
                (
                    "values",
                    Doc::list("value", vec![Doc::Obj(vec![("key", Doc::str("是"))])]),
                ),
            ])],
        )
    }

    #[test]
    fn xml_nests_lists_in_their_item_elements_and_escapes_text() {
        assert_eq!(
            sample().to_xml("service_requests"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<service_requests><request>\
             <service_request_id>7</service_request_id><lat>34.8</lat><metadata>true</metadata>\
             <account_id/><description>水管&lt;爆裂&gt; &amp; &quot;漏水&quot;</description>\
             <values><value><key>是</key></value></values></request></service_requests>\n"
        );
    }

    #[test]
    fn json_drops_the_item_names() {
        assert_eq!(
            sample().to_json(),
            serde_json::json!([{
                "service_request_id": "7", "lat": 34.8, "metadata": true, "account_id": null,
                "description": "水管<爆裂> & \"漏水\"\u{1}", "values": [{"key": "是"}],
            }])
        );
    }
}
