use super::*;
use sea_query::{Alias, Expr, OnConflict, Query};

fn row(table: &str, a: i64, b: &str) -> (String, Vec<Value>) {
    let (sql, v) = Query::insert()
        .into_table(Alias::new(table))
        .columns([Alias::new("a"), Alias::new("b")])
        .values_panic([a.into(), b.into()])
        .on_conflict(OnConflict::column(Alias::new("a")).do_nothing().to_owned())
        .build_sqlx(SqliteQueryBuilder);
    (sql, v.0.0)
}

fn write(job: usize, statements: Vec<(String, Vec<Value>)>) -> HeldWrite {
    HeldWrite {
        job,
        statements,
        counts: Deltas::default(),
    }
}

#[test]
fn rows_of_writes_of_one_shape_go_as_one_insert_per_statement_in_each_writes_order() {
    let held = [
        write(0, vec![row("r", 1, "x"), row("e", 1, "y")]),
        write(1, vec![row("r", 2, "x"), row("e", 2, "y")]),
        // Another shape: sent after, on its own.
        write(2, vec![row("e", 9, "z")]),
    ];
    let (sql, values) = merged(&held);
    let lines: Vec<&str> = sql.lines().collect();
    assert_eq!(lines.len(), 3, "{sql}");
    assert!(lines[0].starts_with(r#"INSERT OR FAIL INTO "r""#), "{sql}");
    assert!(
        lines[0].contains("VALUES (?, ?), (?, ?) ON CONFLICT"),
        "{sql}"
    );
    assert!(lines[1].starts_with(r#"INSERT OR FAIL INTO "e""#), "{sql}");
    assert!(lines[2].contains("VALUES (?, ?) ON CONFLICT"), "{sql}");
    let ints: Vec<_> = values
        .iter()
        .filter_map(|v| match v {
            Value::BigInt(Some(n)) => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(ints, [1, 2, 1, 2, 9]);
    assert_eq!(sql.matches('?').count(), values.len());
}

#[test]
fn a_statement_of_several_rows_is_repeated_whole() {
    let (sql, v) = Query::insert()
        .into_table(Alias::new("p"))
        .columns([Alias::new("a"), Alias::new("b")])
        .values_panic([1.into(), "x".into()])
        .values_panic([2.into(), "y".into()])
        .build_sqlx(SqliteQueryBuilder);
    let held = [
        write(0, vec![(sql.clone(), v.0.0.clone())]),
        write(1, vec![(sql, v.0.0)]),
    ];
    let (all, values) = merged(&held);
    assert!(
        all.contains("VALUES (?, ?), (?, ?), (?, ?), (?, ?);"),
        "{all}"
    );
    assert_eq!(values.len(), 8);
}

#[test]
fn a_row_with_an_expression_in_it_is_not_merged() {
    let (sql, v) = Query::insert()
        .into_table(Alias::new("t"))
        .columns([Alias::new("a"), Alias::new("b")])
        .values_panic([1.into(), Expr::cust("(SELECT 1)")])
        .build_sqlx(SqliteQueryBuilder);
    assert!(values_tuple(&sql).is_none(), "{sql}");
    let held = [
        write(0, vec![(sql.clone(), v.0.0.clone())]),
        write(1, vec![(sql, v.0.0)]),
    ];
    let (all, values) = merged(&held);
    assert_eq!(all.lines().count(), 2);
    assert_eq!(values.len(), 2);
}

#[test]
fn a_merged_insert_stays_under_the_parameter_limit() {
    let held: Vec<_> = (0..20_000)
        .map(|i| write(i, vec![row("r", i as i64, "x")]))
        .collect();
    let (sql, values) = merged(&held);
    assert_eq!(
        sql.lines().count(),
        2,
        "40,000 parameters in two statements"
    );
    assert!(sql.lines().all(|l| l.matches('?').count() <= MAX_PARAMS));
    assert_eq!(values.len(), 40_000);
}
