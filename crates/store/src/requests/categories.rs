//! The editable category catalogue (事项分类). A new database is seeded from the shipped
//! catalogue; district administrators edit it afterwards.

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
use jiceng_core::requests::Severity;
use jiceng_core::requests::catalogue::Catalogue;
use jiceng_core::requests::questions::{Question, validate_questions};
use sea_query::{Expr, ExprTrait, Iden, Order, Query, SelectStatement};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum RequestCategories {
    Table,
    Id,
    Code,
    Name,
    GroupName,
    Severity,
    ResolveDays,
    Hint,
    QuestionsJson,
    Active,
    CreatedAt,
    UpdatedAt,
}

/// A category as stored; `Deserialize` reads it packed (`Db::all_packed3`).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub(crate) struct Row {
    id: i64,
    code: String,
    name: String,
    group_name: String,
    severity: String,
    resolve_days: Option<i64>,
    hint: String,
    questions_json: String,
    #[serde(deserialize_with = "crate::packed::flag")]
    active: bool,
    #[serde(deserialize_with = "crate::time_text::utc")]
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Category {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub group: String,
    /// `general`, `important` or `major`.
    pub severity: String,
    /// Working days to resolve, when the category overrides the 2310 default.
    pub resolve_days: Option<i64>,
    pub hint: String,
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<Question>,
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<Row> for Category {
    fn from(r: Row) -> Self {
        Category {
            id: r.id,
            code: r.code,
            name: r.name,
            group: r.group_name,
            severity: r.severity,
            resolve_days: r.resolve_days,
            hint: r.hint,
            questions: serde_json::from_str(&r.questions_json).unwrap_or_default(),
            active: r.active,
            updated_at: r.updated_at,
        }
    }
}

impl Category {
    pub fn severity(&self) -> Severity {
        Severity::parse(&self.severity).unwrap_or(Severity::General)
    }
}

/// A category as entered, already checked.
#[derive(Debug, Clone)]
pub struct CategoryInput {
    pub code: String,
    pub name: String,
    pub group: String,
    pub severity: Severity,
    pub resolve_days: Option<u32>,
    pub hint: String,
    pub questions: Vec<Question>,
    pub active: bool,
}

impl CategoryInput {
    pub fn check(self) -> Result<Self, DomainError> {
        let code = self.code.trim().to_owned();
        let ok = !code.is_empty()
            && code.len() <= 40
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(DomainError::new(
                "invalid_code",
                "code",
                "分类代码须为小写字母、数字或下划线，以字母开头",
            ));
        }
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 30 {
            return Err(DomainError::new(
                "invalid_name",
                "name",
                "分类名称不能为空，且不超过30字",
            ));
        }
        if self.resolve_days.is_some_and(|d| !(1..=60).contains(&d)) {
            return Err(DomainError::new(
                "invalid_resolve_days",
                "resolve_days",
                "办结时限须为1至60个工作日",
            ));
        }
        validate_questions(&self.questions)?;
        Ok(Self {
            code,
            name,
            group: self.group.trim().to_owned(),
            ..self
        })
    }
}

fn select() -> SelectStatement {
    use RequestCategories as C;
    Query::select()
        .columns([
            C::Id,
            C::Code,
            C::Name,
            C::GroupName,
            C::Severity,
            C::ResolveDays,
            C::Hint,
            C::QuestionsJson,
            C::Active,
            C::UpdatedAt,
        ])
        .from(C::Table)
        .order_by(C::GroupName, Order::Asc)
        .order_by(C::Id, Order::Asc)
        .to_owned()
}

/// Every category, active ones only when `active_only`. Categories are not scoped: the whole
/// installation shares one catalogue.
pub async fn list(db: &Db, active_only: bool) -> StoreResult<Vec<Category>> {
    let mut q = select();
    if active_only {
        q.and_where(Expr::col(RequestCategories::Active).eq(true));
    }
    let rows: Vec<Row> = db.all(&q).await?;
    Ok(rows.into_iter().map(Category::from).collect())
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Category> {
    let row: Option<Row> = db.optional(&by_id(id)).await?;
    row.map(Category::from).ok_or(StoreError::NotFound)
}

/// The query for one category (no row when there is no such id).
pub(crate) fn by_id(id: i64) -> SelectStatement {
    select()
        .and_where(Expr::col(RequestCategories::Id).eq(id))
        .to_owned()
}

fn values(c: &CategoryInput) -> [sea_query::SimpleExpr; 8] {
    [
        c.code.clone().into(),
        c.name.clone().into(),
        c.group.clone().into(),
        c.severity.as_str().into(),
        c.resolve_days.map(i64::from).into(),
        c.hint.clone().into(),
        serde_json::to_string(&c.questions)
            .unwrap_or_else(|_| "[]".into())
            .into(),
        c.active.into(),
    ]
}

const COLUMNS: [RequestCategories; 8] = [
    RequestCategories::Code,
    RequestCategories::Name,
    RequestCategories::GroupName,
    RequestCategories::Severity,
    RequestCategories::ResolveDays,
    RequestCategories::Hint,
    RequestCategories::QuestionsJson,
    RequestCategories::Active,
];

pub async fn create(db: &Db, actor: &Actor, input: CategoryInput) -> StoreResult<Category> {
    let input = input.check()?;
    let mut tx = db.begin().await?;
    let mut cols = COLUMNS.to_vec();
    cols.extend([RequestCategories::CreatedAt, RequestCategories::UpdatedAt]);
    let mut vals = values(&input).to_vec();
    vals.extend([actor.at.into(), actor.at.into()]);
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(RequestCategories::Table)
                .columns(cols)
                .values_panic(vals)
                .returning_col(RequestCategories::Id)
                .to_owned(),
        )
        .await?;
    audit::record(
        &mut tx,
        actor,
        change("request_category.create", id, None, &input),
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: CategoryInput,
) -> StoreResult<Category> {
    let input = input.check()?;
    let before = get(db, id).await?;
    let mut tx = db.begin().await?;
    let mut q = Query::update();
    q.table(RequestCategories::Table);
    for (c, v) in COLUMNS.into_iter().zip(values(&input)) {
        q.value(c, v);
    }
    q.value(RequestCategories::UpdatedAt, actor.at)
        .and_where(Expr::col(RequestCategories::Id).eq(id));
    tx.execute(&q).await?;
    let before = serde_json::to_value(&before).ok();
    audit::record(
        &mut tx,
        actor,
        change("request_category.update", id, before, &input),
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}

fn change(
    action: &'static str,
    id: i64,
    before: Option<serde_json::Value>,
    c: &CategoryInput,
) -> Change<'static> {
    Change {
        action,
        object_type: "request_category",
        object_id: id.to_string(),
        object_path: jiceng_core::node::ROOT_PATH,
        before,
        after: Some(serde_json::json!({
            "code": c.code, "name": c.name, "group": c.group, "severity": c.severity.as_str(),
            "resolve_days": c.resolve_days, "questions": c.questions, "active": c.active,
        })),
    }
}

/// Seeds the shipped catalogue into an empty table; a database with categories is left alone.
/// Returns how many were added.
pub async fn seed_if_empty(db: &Db, actor: &Actor) -> StoreResult<usize> {
    let n = db
        .scalar(
            &Query::select()
                .expr(Expr::col(RequestCategories::Id).count())
                .from(RequestCategories::Table)
                .to_owned(),
        )
        .await?;
    if n > 0 {
        return Ok(0);
    }
    let cat = Catalogue::shipped();
    for c in &cat.categories {
        create(
            db,
            actor,
            CategoryInput {
                code: c.code.clone(),
                name: c.name.clone(),
                group: c.group.clone(),
                severity: c.severity,
                resolve_days: c.resolve_days,
                hint: c.hint.clone(),
                questions: c.questions.clone(),
                active: true,
            },
        )
        .await?;
    }
    Ok(cat.categories.len())
}
