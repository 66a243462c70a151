//! Several inserts as one PostgreSQL statement. Sent one by one, a new request's dozen inserts
//! cost a dozen round trips to the server, and the group writer runs them one write after
//! another (bench S8). Chained as data-modifying `WITH` parts of one statement they cost one:
//! PostgreSQL runs every part to completion whether or not the main statement reads it, and
//! checks foreign keys at the end of the statement, so a timeline entry may point at the
//! request inserted beside it.
//!
//! Parts run in no promised order and see one snapshot, so a chain never holds two parts on the
//! same table: rows of one table keep the order of their inserts (a timeline is read in id
//! order), and no row can be changed twice in one statement (PostgreSQL would keep only one
//! change). A new request's inserts go in three statements instead of nine.

use sea_query::{InsertStatement, PostgresQueryBuilder, Value, Values};
use sea_query_sqlx::{SqlxBinder, SqlxValues};

/// Parts per statement: keeps a long batch (the SLA ticker's) well under PostgreSQL's 65,535
/// parameters and its plans small.
const PARTS: usize = 32;

/// `qs` in order, as few statements as the rules above allow, with their parameters.
pub(crate) fn chain(qs: &[InsertStatement]) -> Vec<(String, SqlxValues)> {
    let mut out = Vec::new();
    let mut part: Vec<(String, Values)> = Vec::new();
    for q in qs {
        let (s, v) = q.build_sqlx(PostgresQueryBuilder);
        let same = part.iter().any(|(p, _)| table(p) == table(&s));
        if same || part.len() == PARTS {
            out.push(chain_one(std::mem::take(&mut part)));
        }
        part.push((s, v.0));
    }
    if !part.is_empty() {
        out.push(chain_one(part));
    }
    out
}

/// The table an `INSERT INTO "t" …` writes.
fn table(sql: &str) -> &str {
    let rest = sql.strip_prefix("INSERT INTO ").unwrap_or(sql);
    rest.split_once(' ').map_or(rest, |(t, _)| t)
}

fn chain_one(parts: Vec<(String, Values)>) -> (String, SqlxValues) {
    let mut sql = String::new();
    let mut values: Vec<Value> = Vec::new();
    let last = parts.len() - 1;
    for (i, (s, v)) in parts.into_iter().enumerate() {
        let s = renumber(&s, values.len());
        match (i, i == last) {
            (0, true) => sql.push_str(&s),
            (0, false) => sql.push_str(&format!("WITH w0 AS ({s})")),
            (_, false) => sql.push_str(&format!(", w{i} AS ({s})")),
            (_, true) => {
                sql.push(' ');
                sql.push_str(&s);
            }
        }
        values.extend(v.0);
    }
    (sql, SqlxValues(Values(values)))
}

/// Shifts every `$n` placeholder outside quotes by `by`.
fn renumber(sql: &str, by: usize) -> String {
    if by == 0 {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut n = 0usize;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    n = n * 10 + d as usize;
                    chars.next();
                }
                out.push('$');
                out.push_str(&(n + by).to_string());
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_query::{Alias, Query};

    fn insert(table: &str, a: i64, b: &str) -> InsertStatement {
        Query::insert()
            .into_table(Alias::new(table))
            .columns([Alias::new("a"), Alias::new("b")])
            .values_panic([a.into(), b.into()])
            .to_owned()
    }

    #[test]
    fn parts_are_chained_with_their_parameters_numbered_on() {
        let qs = [
            insert("x", 1, "$1 '"),
            insert("y", 2, "b"),
            insert("z", 3, "c"),
        ];
        let out = chain(&qs);
        assert_eq!(out.len(), 1);
        let (sql, v) = &out[0];
        assert_eq!(
            sql,
            r#"WITH w0 AS (INSERT INTO "x" ("a", "b") VALUES ($1, $2)), w1 AS (INSERT INTO "y" ("a", "b") VALUES ($3, $4)) INSERT INTO "z" ("a", "b") VALUES ($5, $6)"#
        );
        assert_eq!(v.0.0.len(), 6);
        assert_eq!(v.0.0[1], Value::from("$1 '"));
    }

    #[test]
    fn a_table_met_again_starts_the_next_statement_so_its_rows_keep_their_order() {
        let qs = [
            insert("x", 1, "a"),
            insert("y", 2, "b"),
            insert("x", 3, "c"),
            insert("z", 4, "d"),
        ];
        let out = chain(&qs);
        assert_eq!(out.len(), 2);
        assert!(
            out[0]
                .0
                .ends_with(r#"INSERT INTO "y" ("a", "b") VALUES ($3, $4)"#)
        );
        assert!(out[1].0.starts_with(r#"WITH w0 AS (INSERT INTO "x""#));
        assert_eq!(out[1].1.0.0[0], Value::from(3i64));
    }

    #[test]
    fn quoted_text_keeps_its_dollars_and_one_insert_stays_plain() {
        assert_eq!(
            renumber(r#"SELECT '$1', "$2", $3"#, 10),
            r#"SELECT '$1', "$2", $13"#
        );
        let out = chain(&[insert("x", 1, "a")]);
        assert_eq!(out[0].0, r#"INSERT INTO "x" ("a", "b") VALUES ($1, $2)"#);
        let many: Vec<_> = (0..70).map(|i| insert(&format!("t{i}"), i, "a")).collect();
        assert_eq!(chain(&many).len(), 3);
    }
}
