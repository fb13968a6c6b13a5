//! A small schema in the shape the dialects introspect: users, accounts, products, customers,
//! orders, user_details, posts, comments, unused_table.

use crate::connection::Engine;
use crate::model::*;
use crate::planner::{Plan, Refusal, plan};

pub fn col(name: &str, data_type: ColumnType) -> Column {
    Column {
        name: name.into(),
        data_type,
        nullable: true,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

pub fn not_null(mut c: Column) -> Column {
    c.nullable = false;
    c
}

pub fn qn(name: &str) -> QualifiedName {
    QualifiedName {
        namespace: None,
        name: name.into(),
    }
}

fn id(ty: ColumnType) -> Column {
    let mut c = not_null(col("id", ty));
    c.identity = Some(IdentityKind::ByDefault);
    c
}

fn varchar(n: u32) -> ColumnType {
    ColumnType::Varchar(Some(n))
}

pub fn index(name: &str, cols: &[&str], unique: bool) -> Index {
    let cols: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
    crate::planner::build::index(name.into(), &cols, unique)
}

fn fk(table: &str, column: &str, to: &str, on_delete: FkAction) -> ForeignKey {
    crate::planner::build::foreign_key(table, column, &qn(to), "id", on_delete)
}

pub fn table(name: &str, columns: Vec<Column>) -> Table {
    Table {
        name: qn(name),
        columns,
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        }),
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        comment: None,
        options: vec![],
    }
}

/// The fixture. `users.id` is an integer (so foreign keys to it must be integers); every other
/// key is a bigint.
pub fn schema() -> DatabaseSchema {
    let ts = ColumnType::TimestampTz(None);
    let mut s = DatabaseSchema::empty();
    let users = table(
        "users",
        vec![
            id(ColumnType::Integer),
            not_null(col("name", varchar(255))),
            col("username", varchar(50)),
            col("age", ColumnType::Integer),
            col("status", varchar(20)),
            col("bio_text", ColumnType::Text),
            col("street", varchar(255)),
            col("city", varchar(100)),
            col("state", varchar(50)),
            col("zip", varchar(20)),
            col("created_at", ts.clone()),
        ],
    );
    let mut accounts = table(
        "accounts",
        vec![
            id(ColumnType::Bigint),
            not_null(col("username", varchar(50))),
            col("email", varchar(255)),
            col("password_hash", varchar(255)),
            col("created_at", ts.clone()),
        ],
    );
    accounts
        .indexes
        .push(index("idx_accounts_username", &["username"], false));
    let products = table(
        "products",
        vec![
            id(ColumnType::Bigint),
            not_null(col("name", varchar(255))),
            col("description", ColumnType::Text),
            col(
                "price",
                ColumnType::Numeric(NumericParams {
                    precision: Some(10),
                    scale: Some(2),
                }),
            ),
            col("deprecated_field", varchar(255)),
            col("stock", ColumnType::Integer),
        ],
    );
    let customers = table(
        "customers",
        vec![
            id(ColumnType::Bigint),
            col("name", varchar(255)),
            col("email", varchar(255)),
        ],
    );
    let mut orders = table(
        "orders",
        vec![
            id(ColumnType::Bigint),
            not_null(col("customer_id", ColumnType::Bigint)),
            col("product_id", ColumnType::Bigint),
            col("user_id", ColumnType::Integer),
            col(
                "total",
                ColumnType::Numeric(NumericParams {
                    precision: Some(12),
                    scale: Some(2),
                }),
            ),
            col("status", varchar(20)),
            col("created_at", ts.clone()),
        ],
    );
    orders
        .foreign_keys
        .push(fk("orders", "customer_id", "customers", FkAction::Restrict));
    let mut user_details = table(
        "user_details",
        vec![
            id(ColumnType::Bigint),
            not_null(col("user_id", ColumnType::Integer)),
            col("bio", ColumnType::Text),
            col("avatar_url", varchar(2048)),
            col("phone", varchar(20)),
        ],
    );
    user_details
        .foreign_keys
        .push(fk("user_details", "user_id", "users", FkAction::Cascade));
    user_details
        .indexes
        .push(index("uq_user_details_user_id", &["user_id"], true));
    let mut posts = table(
        "posts",
        vec![
            id(ColumnType::Bigint),
            col("user_id", ColumnType::Integer),
            not_null(col("title", varchar(255))),
            col("body", ColumnType::Text),
            col("published_at", ts.clone()),
        ],
    );
    posts
        .foreign_keys
        .push(fk("posts", "user_id", "users", FkAction::SetNull));
    posts
        .indexes
        .push(index("idx_posts_user_id", &["user_id"], false));
    let mut comments = table(
        "comments",
        vec![
            id(ColumnType::Bigint),
            not_null(col("post_id", ColumnType::Bigint)),
            col("user_id", ColumnType::Integer),
            col("body", ColumnType::Text),
            col("created_at", ts),
        ],
    );
    comments
        .foreign_keys
        .push(fk("comments", "post_id", "posts", FkAction::Cascade));
    let unused = table(
        "unused_table",
        vec![id(ColumnType::Bigint), col("note", ColumnType::Text)],
    );
    s.tables = vec![
        users,
        accounts,
        products,
        customers,
        orders,
        user_details,
        posts,
        comments,
        unused,
    ];
    s
}

/// The fixture with one more column.
pub fn with_column(mut s: DatabaseSchema, table: &str, c: Column) -> DatabaseSchema {
    s.tables
        .iter_mut()
        .find(|t| t.name.name == table)
        .unwrap()
        .columns
        .push(c);
    s
}

#[track_caller]
pub fn ok(request: &str) -> Plan {
    ok_on(request, Engine::Postgres)
}

#[track_caller]
pub fn ok_on(request: &str, engine: Engine) -> Plan {
    match plan(request, &schema(), engine) {
        Ok(p) => p,
        Err(r) => panic!("{request:?} was refused: {r:?}"),
    }
}

#[track_caller]
pub fn refused(request: &str) -> Refusal {
    match plan(request, &schema(), Engine::Postgres) {
        Ok(p) => panic!("{request:?} was planned: {:#?}", p.summary),
        Err(r) => r,
    }
}

/// The added columns of a plan, by table.
pub fn added(p: &Plan) -> Vec<(String, Column)> {
    p.changes
        .iter()
        .filter_map(|c| match c {
            Change::AddColumn(a) => Some((a.table.name.clone(), a.column.clone())),
            _ => None,
        })
        .collect()
}

/// The added foreign keys of a plan, by table.
pub fn foreign_keys(p: &Plan) -> Vec<(String, ForeignKey)> {
    p.changes
        .iter()
        .filter_map(|c| match c {
            Change::AddForeignKey(f) => Some((f.table.name.clone(), f.foreign_key.clone())),
            _ => None,
        })
        .collect()
}

pub fn created(p: &Plan) -> &Table {
    p.changes
        .iter()
        .find_map(|c| match c {
            Change::CreateTable(t) => Some(t),
            _ => None,
        })
        .expect("a create-table change")
}
