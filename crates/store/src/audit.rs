//! The audit log: every write records who did what to which object, before and after, in the
//! same transaction as the write itself.

use crate::db::{Db, Tx};
use crate::error::StoreResult;
use crate::requests::list::Total;
use crate::scope_cond;
use chrono::{DateTime, Utc};
use jiceng_core::scope::Scope;
use sea_query::{Alias, Cond, Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorLogin,
    Action,
    ObjectType,
    ObjectId,
    ObjectPath,
    BeforeJson,
    AfterJson,
    Ip,
}

/// Who is writing: a signed-in user, or the command line / a background job.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub login: String,
    pub ip: Option<String>,
    pub at: DateTime<Utc>,
}

impl Actor {
    pub fn system(what: &str, at: DateTime<Utc>) -> Self {
        Self {
            user_id: None,
            login: format!("system:{what}"),
            ip: None,
            at,
        }
    }
}

/// One change, described for the log.
pub struct Change<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: String,
    /// Path of the node the object hangs under: auditors see entries inside their scope.
    pub object_path: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

const COLUMNS: [AuditLog; 10] = [
    AuditLog::At,
    AuditLog::ActorId,
    AuditLog::ActorLogin,
    AuditLog::Action,
    AuditLog::ObjectType,
    AuditLog::ObjectId,
    AuditLog::ObjectPath,
    AuditLog::BeforeJson,
    AuditLog::AfterJson,
    AuditLog::Ip,
];

fn values(actor: &Actor, c: Change<'_>) -> [Expr; 10] {
    [
        actor.at.into(),
        actor.user_id.into(),
        actor.login.clone().into(),
        c.action.into(),
        c.object_type.into(),
        c.object_id.into(),
        c.object_path.into(),
        c.before.map(|v| v.to_string()).into(),
        c.after.map(|v| v.to_string()).into(),
        actor.ip.clone().into(),
    ]
}

/// An audit entry that is the whole write: a reveal or a bulk export of personal data.
pub async fn note(db: &crate::Db, actor: &Actor, c: Change<'_>) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    record(&mut tx, actor, c).await?;
    tx.commit().await
}

pub async fn record(tx: &mut Tx, actor: &Actor, c: Change<'_>) -> StoreResult<()> {
    tx.execute(&insert(actor, c)).await?;
    Ok(())
}

/// The entry as an insert, for a writer that sends it with its other inserts
/// (`Tx::execute_all`).
pub(crate) fn insert(actor: &Actor, c: Change<'_>) -> sea_query::InsertStatement {
    Query::insert()
        .into_table(AuditLog::Table)
        .columns(COLUMNS)
        .values_panic(values(actor, c))
        .to_owned()
}

/// Many changes by one actor, a few hundred rows per statement: a roster import writes
/// thousands, and one round trip each would keep the transaction open for seconds.
pub async fn record_many(tx: &mut Tx, actor: &Actor, changes: Vec<Change<'_>>) -> StoreResult<()> {
    let mut changes = changes.into_iter().peekable();
    while changes.peek().is_some() {
        let mut q = Query::insert()
            .into_table(AuditLog::Table)
            .columns(COLUMNS)
            .to_owned();
        // 300 rows of 10 values stay far below either engine's limit on bound parameters.
        for c in changes.by_ref().take(300) {
            q.values_panic(values(actor, c));
        }
        tx.execute(&q).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_login: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Up to this many matching entries the audit list is counted exactly; past it, as "more than".
/// Counting a district's whole log (a million entries and more) on every page would read all of
/// it; the page itself reads only its own entries.
pub const COUNT_CAP: u64 = 10_000;

/// Entries inside `scope` matching `f`, newest first, and how many match (exact up to
/// [`COUNT_CAP`]). `limit` caps the page (exports pass a larger one).
///
/// The page is read newest first along the log and stops once it is full: the scope is checked
/// on each entry rather than read from an index of paths (dropped in migration 0017, one page
/// less per write), since who may read the log — a district's admins and auditors — sees nearly
/// every entry anyway. An actor, an object or a time range still has its own index.
pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &AuditFilter,
    offset: u64,
    limit: u64,
) -> StoreResult<(Vec<AuditEntry>, Total)> {
    list_counted(db, scope, f, offset, limit, COUNT_CAP).await
}

async fn list_counted(
    db: &Db,
    scope: &Scope,
    f: &AuditFilter,
    offset: u64,
    limit: u64,
    cap: u64,
) -> StoreResult<(Vec<AuditEntry>, Total)> {
    // Entries about the installation as a whole (its settings, the category catalogue, bulk
    // loads, failed sign-ins) sit at the root path, above every reader's scope. Every reader of
    // the log sees them: a county's auditor must see who changed the county's time limits.
    let path = (AuditLog::Table, AuditLog::ObjectPath);
    let mut cond = Cond::all().add(
        Cond::any()
            .add(scope_cond(scope, path))
            .add(Expr::col(path).eq(jiceng_core::node::ROOT_PATH)),
    );
    if let Some(a) = &f.actor {
        cond = cond.add(Expr::col(AuditLog::ActorLogin).eq(a.as_str()));
    }
    if let Some(t) = &f.object_type {
        cond = cond.add(Expr::col(AuditLog::ObjectType).eq(t.as_str()));
    }
    if let Some(i) = &f.object_id {
        cond = cond.add(Expr::col(AuditLog::ObjectId).eq(i.as_str()));
    }
    if let Some(from) = f.from {
        cond = cond.add(Expr::col(AuditLog::At).gte(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(Expr::col(AuditLog::At).lt(to));
    }
    let matching = Query::select()
        .expr(Expr::val(1))
        .from(AuditLog::Table)
        .cond_where(cond.clone())
        .limit(cap + 1)
        .to_owned();
    let count = db
        .scalar(
            &Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from_subquery(matching, Alias::new("matching"))
                .to_owned(),
        )
        .await?;
    let total = Total::up_to(count, cap);
    let rows = db
        .all(
            &Query::select()
                .columns([
                    AuditLog::Id,
                    AuditLog::At,
                    AuditLog::ActorId,
                    AuditLog::ActorLogin,
                    AuditLog::Action,
                    AuditLog::ObjectType,
                    AuditLog::ObjectId,
                    AuditLog::BeforeJson,
                    AuditLog::AfterJson,
                    AuditLog::Ip,
                ])
                .from(AuditLog::Table)
                .cond_where(cond)
                .order_by(AuditLog::Id, Order::Desc)
                .offset(offset)
                .limit(limit)
                .to_owned(),
        )
        .await?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_long_log_is_counted_up_to_the_cap_and_paged_newest_first_inside_the_scope() {
        let t = crate::testing::test_db().await;
        let at = |n: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000 + n);
        for (n, path) in [
            (1, "/1/2/"),
            (2, "/1/3/"),
            (3, "/1/2/4/"),
            (4, "/1/2/"),
            (5, "/1/2/"),
        ] {
            let change = Change {
                action: "node.update",
                object_type: "node",
                object_id: n.to_string(),
                object_path: path,
                before: None,
                after: None,
            };
            note(&t.db, &Actor::system("test", at(n)), change)
                .await
                .unwrap();
        }
        let scope = Scope::from_paths(["/1/2/".to_owned()]).unwrap();
        let f = AuditFilter::default();
        let (page, total) = list_counted(&t.db, &scope, &f, 0, 2, 3).await.unwrap();
        let ids: Vec<&str> = page.iter().map(|e| e.object_id.as_str()).collect();
        assert_eq!(ids, ["5", "4"], "newest first, only inside /1/2/");
        assert_eq!(
            total,
            Total {
                count: 3,
                exact: false
            },
            "four match, three counted"
        );
        let (rest, total) = list_counted(&t.db, &scope, &f, 2, 2, 4).await.unwrap();
        let ids: Vec<&str> = rest.iter().map(|e| e.object_id.as_str()).collect();
        assert_eq!(ids, ["3", "1"]);
        assert_eq!(
            total,
            Total {
                count: 4,
                exact: true
            }
        );
        t.db.close().await;
    }
}
