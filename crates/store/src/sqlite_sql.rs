//! Rendering a query for SQLite. sea-query binds `LIMIT`/`OFFSET` as parameters; SQLite (3.4x)
//! reads a bound LIMIT while planning and marks the statement to be planned again whenever that
//! parameter is bound anew, which sqlx does on every run: every list query was parsed and
//! planned afresh each time (a sixth of bench S3's CPU in `sqlite3Reprepare`). Written into the
//! SQL, a page size is part of the statement's text, and the cached statement is reused.

use sea_query::{SqliteQueryBuilder, Value, Values};
use sea_query_sqlx::{SqlxBinder, SqlxValues};

/// `q` for SQLite, its LIMIT and OFFSET numbers written into the text.
pub(crate) fn render(q: &impl SqlxBinder) -> (String, SqlxValues) {
    let (sql, values) = q.build_sqlx(SqliteQueryBuilder);
    let (sql, values) = inline_limits(sql, values.0.0);
    (sql, SqlxValues(Values(values)))
}

fn integer(v: &Value) -> Option<i128> {
    match v {
        Value::BigUnsigned(Some(n)) => Some(i128::from(*n)),
        Value::Unsigned(Some(n)) => Some(i128::from(*n)),
        Value::BigInt(Some(n)) => Some(i128::from(*n)),
        Value::Int(Some(n)) => Some(i128::from(*n)),
        _ => None,
    }
}

/// Replaces each `LIMIT ?` / `OFFSET ?` outside quotes by its bound integer, dropping the value.
/// Walks the bytes and copies the text between the places it changes in one piece: the list
/// queries run to kilobytes, and a copy character by character was 2 % of a list's CPU (S3).
fn inline_limits(sql: String, mut values: Vec<Value>) -> (String, Vec<Value>) {
    if !sql.contains("LIMIT ?") && !sql.contains("OFFSET ?") {
        return (sql, values);
    }
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    let mut dropped = Vec::new();
    let mut param = 0usize;
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'?') => {
                let before = &sql[..i];
                let keyword = before.ends_with("LIMIT ") || before.ends_with("OFFSET ");
                if let (true, Some(n)) = (keyword, values.get(param).and_then(integer)) {
                    out.push_str(&sql[copied..i]);
                    out.push_str(&n.to_string());
                    copied = i + 1;
                    dropped.push(param);
                }
                param += 1;
            }
            (None, _) => {}
        }
    }
    out.push_str(&sql[copied..]);
    for i in dropped.into_iter().rev() {
        values.remove(i);
    }
    (out, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_query::{Alias, Expr, ExprTrait, Query};

    #[test]
    fn limits_are_written_in_and_the_other_parameters_keep_their_order() {
        let q = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("a")).eq("LIMIT ?"))
            .and_where(Expr::col(Alias::new("b")).eq(7))
            .limit(50)
            .offset(100)
            .to_owned();
        let (sql, values) = render(&q);
        assert!(sql.ends_with("LIMIT 50 OFFSET 100"), "{sql}");
        assert_eq!(sql.matches('?').count(), 2, "{sql}");
        let v = values.0.0;
        assert_eq!(v.len(), 2);
        assert_eq!(v[0], Value::from("LIMIT ?"));
        assert_eq!(integer(&v[1]), Some(7));
    }

    #[test]
    fn a_query_without_limits_is_left_alone() {
        let q = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("b")).eq(7))
            .to_owned();
        let (sql, values) = render(&q);
        assert_eq!(sql.matches('?').count(), 1);
        assert_eq!(values.0.0.len(), 1);
    }
}
