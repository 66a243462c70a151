//! Many rows read as one. sqlx runs SQLite on a worker thread and hands each result row to the
//! caller separately, a thread wake-up apiece: a list page of fifty requests cost more in
//! hand-offs than in SQLite (bench S3). Here SQLite packs the rows into one JSON array
//! (`json_group_array(json_object(…))`) that crosses once and is read with serde. PostgreSQL's
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
        let fields = field_names::<T>()?;
        let pairs: Vec<String> = fields
            .iter()
            .map(|f| format!("'{f}', \"packed\".\"{f}\""))
            .collect();
        let outer = Query::select()
            .expr(Expr::cust(format!(
                "json_group_array(json_object({}))",
                pairs.join(", ")
            )))
            .from_subquery(q.clone(), Alias::new("packed"))
            .to_owned();
        // An aggregate answers one row, `[]` when nothing matched.
        let json: Option<(String,)> = self.optional(&outer).await?;
        let json = json.map_or_else(|| "[]".to_owned(), |(j,)| j);
        serde_json::from_str(&json)
            .map_err(|e| StoreError::Config(format!("读取数据时格式不符：{e}")))
    }
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
