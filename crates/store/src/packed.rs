//! Many rows read as one. sqlx runs SQLite on a worker thread and hands each result row to the
//! caller separately, a thread wake-up apiece: a list page of fifty requests cost more in
//! hand-offs than in SQLite (bench S3). Here SQLite packs the rows into one JSON array
//! (`json_group_array(json_array(…))`) that crosses once and is read with serde. PostgreSQL's
//! driver reads its rows from the socket in the caller's task, so there the rows come as usual.

use crate::db::{Db, Record};
use crate::error::{StoreError, StoreResult};
use sea_query::{Alias, Expr, Query, SelectStatement};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

impl Db {
    /// The rows of `q` as `T`s, like `all`, in no particular order: the caller sorts. `T`'s
    /// field names must be the columns' names (as for `FromRow`).
    pub async fn all_packed<T>(&self, q: &SelectStatement) -> StoreResult<Vec<T>>
    where
        T: Record + DeserializeOwned,
    {
        if !matches!(self, Db::Sqlite { .. }) {
            return self.all(q).await;
        }
        let none = || Expr::val(None::<i64>);
        Ok(self.packed(q, [none(), none()]).await?.0)
    }

    /// `all_packed`, and one or two one-number queries (a list's total beside its page)
    /// answered in the same call on SQLite: each query is a hand-off to sqlx's worker thread
    /// and back, and those thread switches were a third of a list page's CPU (bench S3).
    /// PostgreSQL asks the numbers in a second round trip. A second number not asked is 0.
    pub async fn all_packed_with<T>(
        &self,
        q: &SelectStatement,
        (first, second): (SelectStatement, Option<SelectStatement>),
    ) -> StoreResult<(Vec<T>, [i64; 2])>
    where
        T: Record + DeserializeOwned,
    {
        let number = |n: SelectStatement| Expr::SubQuery(None, Box::new(n.into()));
        let a = number(first);
        let b = second.map_or(Expr::val(None::<i64>), number);
        if !matches!(self, Db::Sqlite { .. }) {
            let rows = self.all(q).await?;
            let both = Query::select().expr(a).expr(b).to_owned();
            let (a, b): (Option<i64>, Option<i64>) =
                self.optional(&both).await?.unwrap_or_default();
            return Ok((rows, [a.unwrap_or(0), b.unwrap_or(0)]));
        }
        let (rows, (a, b)) = self.packed(q, [a, b]).await?;
        Ok((rows, [a.unwrap_or(0), b.unwrap_or(0)]))
    }

    /// The rows of three queries in one call on SQLite, each `all_packed` (unordered): a
    /// write that first reads what it needs from three tables then waits for one hand-off to
    /// SQLite's worker thread instead of three (bench S1, a new request's category, place and
    /// routing rules). PostgreSQL asks them one after another.
    pub async fn all_packed3<A, B, C>(
        &self,
        qs: (SelectStatement, SelectStatement, SelectStatement),
    ) -> StoreResult<(Vec<A>, Vec<B>, Vec<C>)>
    where
        A: Record + DeserializeOwned,
        B: Record + DeserializeOwned,
        C: Record + DeserializeOwned,
    {
        if !matches!(self, Db::Sqlite { .. }) {
            return Ok((
                self.all(&qs.0).await?,
                self.all(&qs.1).await?,
                self.all(&qs.2).await?,
            ));
        }
        let array = |q: SelectStatement, fields: &[&str]| {
            let mut one = Query::select();
            one.expr(Expr::cust(row_array(fields)))
                .from_subquery(q, Alias::new("packed"));
            Expr::SubQuery(None, Box::new(one.into()))
        };
        let all = Query::select()
            .expr(array(qs.0, field_names::<A>()?))
            .expr(array(qs.1, field_names::<B>()?))
            .expr(array(qs.2, field_names::<C>()?))
            .to_owned();
        let texts: Option<(Option<String>, Option<String>, Option<String>)> =
            self.optional(&all).await?;
        let (a, b, c) = texts.unwrap_or_default();
        Ok((rows_of(a)?, rows_of(b)?, rows_of(c)?))
    }

    /// The packed rows of `q` and two more values of the same call.
    async fn packed<T>(
        &self,
        q: &SelectStatement,
        extra: [Expr; 2],
    ) -> StoreResult<(Vec<T>, (Option<i64>, Option<i64>))>
    where
        T: DeserializeOwned,
    {
        let mut outer = Query::select();
        outer.expr(Expr::cust(row_array(field_names::<T>()?)));
        for e in extra {
            outer.expr(e);
        }
        outer.from_subquery(q.clone(), Alias::new("packed"));
        // An aggregate answers one row, `[]` when nothing matched.
        let row: Option<(String, Option<i64>, Option<i64>)> = self.optional(&outer).await?;
        let (json, a, b) = row.unwrap_or_else(|| ("[]".to_owned(), None, None));
        Ok((rows_of(Some(json))?, (a, b)))
    }
}

/// The aggregate packing `packed`'s rows: each row as an array of its values in the struct's
/// field order, which serde's derived `Deserialize` reads as a sequence. No key is written,
/// copied or matched: half the text of `json_object` for a page of requests (bench S3).
fn row_array(fields: &[&str]) -> String {
    let values: Vec<String> = fields
        .iter()
        .map(|f| format!("\"packed\".\"{f}\""))
        .collect();
    format!("json_group_array(json_array({}))", values.join(", "))
}

/// Packed rows read back; no text (an aggregate over nothing) is no row.
fn rows_of<T: DeserializeOwned>(json: Option<String>) -> StoreResult<Vec<T>> {
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    serde_json::from_str(&json).map_err(|e| StoreError::Config(format!("读取数据时格式不符：{e}")))
}

/// A boolean column as SQLite packs it (`0`/`1`), or as JSON's `true`/`false`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct Flag;
    impl Visitor<'_> for Flag {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("0, 1, true or false")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
    }
    d.deserialize_any(Flag)
}

/// The field names of the struct `T` deserializes into, asked of its `Deserialize` impl.
fn field_names<T: DeserializeOwned>() -> StoreResult<&'static [&'static str]> {
    let mut probe = Probe(None);
    let _ = T::deserialize(&mut probe);
    probe
        .0
        .ok_or_else(|| StoreError::Config("行类型须为具名字段的结构体".into()))
}

/// A deserializer that only records the fields a struct asks for, then stops.
struct Probe(Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for &mut Probe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = Some(fields);
        Err(de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
