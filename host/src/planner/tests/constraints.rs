//! Family 2: constraints and indexes on existing columns.

use super::fixture::*;
use crate::connection::Engine;
use crate::model::{Change, ColumnType, FkAction, IndexMethod, IndexTarget};
use crate::planner::{RefusalKind, plan};

fn email_users() -> crate::model::DatabaseSchema {
    with_column(
        schema(),
        "users",
        col("email", ColumnType::Varchar(Some(255))),
    )
}

#[test]
fn tutorial_make_email_unique_in_users() {
    let s = email_users();
    for r in [
        "make email field unique in users table",
        "make email unique in users",
        "email should be unique in users",
        "ensure users.email is unique",
        "add unique constraint on email in users",
        "make emial unique in users",
    ] {
        let p = plan(r, &s, Engine::Postgres).unwrap_or_else(|e| panic!("{r}: {e:?}"));
        assert_eq!(p.changes.len(), 1, "{r}");
        match &p.changes[0] {
            Change::AddIndex(a) => {
                assert!(a.index.unique, "{r}");
                assert_eq!(a.index.name, "uq_users_email");
                assert_eq!(a.table.name, "users");
            }
            other => panic!("{r}: {other:?}"),
        }
    }
}

#[test]
fn email_alone_is_ambiguous_across_tables() {
    let s = email_users();
    let r = plan("make email unique", &s, Engine::Postgres).unwrap_err();
    assert_eq!(r.kind, RefusalKind::Ambiguous);
    assert!(r.suggestions.iter().any(|s| s == "users.email"));
    assert!(r.suggestions.iter().any(|s| s == "accounts.email"));
}

#[test]
fn not_null_nullable_and_defaults() {
    let p = ok("make username required in users");
    assert!(
        matches!(&p.changes[0], Change::SetNotNull(c) if c.column == "username" && c.table.name == "users")
    );
    let p = ok("make name optional in products");
    assert!(matches!(&p.changes[0], Change::DropNotNull(c) if c.column == "name"));
    assert!(refused_kind(
        &p_err("make bio nullable in user_details"),
        Some(RefusalKind::Unsupported)
    ));
    let p = ok("allow nulls in user_details.user_id");
    assert!(matches!(&p.changes[0], Change::DropNotNull(c) if c.column == "user_id"));
    let p = ok("set default of status to 'active' in users");
    assert!(
        matches!(&p.changes[0], Change::SetDefault(d) if d.default == "'active'" && d.column == "status")
    );
    let p = ok("status in orders should default to pending");
    assert!(matches!(&p.changes[0], Change::SetDefault(d) if d.default == "'pending'"));
    let s = with_column(schema(), "orders", {
        let mut c = col("priority", ColumnType::Integer);
        c.default = Some("0".into());
        c
    });
    let p = plan("drop default of priority in orders", &s, Engine::Postgres).unwrap();
    assert!(matches!(&p.changes[0], Change::DropDefault(c) if c.column == "priority"));
}

fn p_err(r: &str) -> Option<crate::planner::Refusal> {
    plan(r, &schema(), Engine::Postgres).err()
}

fn refused_kind(r: &Option<crate::planner::Refusal>, kind: Option<RefusalKind>) -> bool {
    match (r, kind) {
        (Some(r), Some(k)) => r.kind == k,
        (Some(_), None) => true,
        _ => false,
    }
}

#[test]
fn check_constraints() {
    let p = ok("price must be positive in products");
    assert!(
        matches!(&p.changes[0], Change::AddCheck(c) if c.check.expression == "\"price\" > 0" && c.check.name == "chk_products_price")
    );
    let p = ok("age between 0 and 150 in users");
    assert!(
        matches!(&p.changes[0], Change::AddCheck(c) if c.check.expression == "\"age\" BETWEEN 0 AND 150")
    );
    let p = ok_on("stock can't be negative in products", Engine::MySql);
    assert!(
        matches!(&p.changes[0], Change::AddCheck(c) if c.check.expression == "`stock` >= 0"),
        "{:?}",
        p.changes
    );
    let p = ok("status in orders must be one of pending, paid or shipped");
    assert!(
        matches!(&p.changes[0], Change::AddCheck(c) if c.check.expression == "\"status\" IN ('pending', 'paid', 'shipped')"),
        "{:?}",
        p.changes
    );
}

#[test]
fn indexes_single_composite_unique() {
    let p = ok("add index on orders(customer_id, created_at)");
    match &p.changes[0] {
        Change::AddIndex(a) => {
            assert_eq!(a.index.name, "idx_orders_customer_id_created_at");
            assert_eq!(a.index.keys.len(), 2);
            assert!(!a.index.unique);
        }
        other => panic!("{other:?}"),
    }
    let p = ok("index email on customers");
    assert!(matches!(&p.changes[0], Change::AddIndex(a) if a.index.name == "idx_customers_email"));
    let p = ok("create a unique index on accounts email");
    assert!(
        matches!(&p.changes[0], Change::AddIndex(a) if a.index.unique && a.index.name == "uq_accounts_email")
    );
    let r = refused("add index on username in accounts");
    assert_eq!(r.kind, RefusalKind::Unsupported, "already indexed: {r:?}");
}

#[test]
fn add_indexes_to_orders_indexes_every_reference_lacking_one() {
    let p = ok("add indexes to orders table");
    let names: Vec<String> = p
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::AddIndex(a) => Some(a.index.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        [
            "idx_orders_customer_id",
            "idx_orders_product_id",
            "idx_orders_user_id"
        ]
    );
}

#[test]
fn foreign_keys_on_existing_columns() {
    let p = ok("add foreign key from orders.product_id to products");
    // The index comes first: MySQL/MariaDB refuse to drop an index a foreign key needs, and the
    // derived down drops in reverse order.
    assert!(matches!(&p.changes[0], Change::AddIndex(_)));
    match &p.changes[1] {
        Change::AddForeignKey(f) => {
            assert_eq!(f.foreign_key.referenced_table.name, "products");
            assert_eq!(f.foreign_key.on_delete, FkAction::SetNull);
        }
        other => panic!("{other:?}"),
    }
    let p = ok("link comments.user_id to users");
    assert!(
        matches!(&p.changes[1], Change::AddForeignKey(f) if f.foreign_key.referenced_table.name == "users")
    );
    // orders.product_id is bigint, users.id integer: refused, never a mismatched key.
    let r = refused("add foreign key from orders.product_id to users");
    assert_eq!(r.kind, RefusalKind::Unsupported);
}

#[test]
fn full_text_per_engine() {
    let p = ok_on("add full-text index on products", Engine::MySql);
    match &p.changes[0] {
        Change::AddIndex(a) => {
            assert_eq!(a.index.method, IndexMethod::Fulltext);
            let cols: Vec<_> = a.index.keys.iter().map(|k| k.target.clone()).collect();
            assert_eq!(
                cols,
                [
                    IndexTarget::Column("name".into()),
                    IndexTarget::Column("description".into())
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    let p = ok("add full text search index to products");
    match &p.changes[0] {
        Change::AddIndex(a) => {
            assert_eq!(a.index.method, IndexMethod::Gin);
            assert!(
                matches!(&a.index.keys[0].target, IndexTarget::Expression(e) if e.contains("to_tsvector"))
            );
        }
        other => panic!("{other:?}"),
    }
    let r = plan("add fulltext index on products", &schema(), Engine::Sqlite).unwrap_err();
    assert_eq!(r.kind, RefusalKind::Unsupported);
    assert!(r.message.contains("FTS5"));
}

#[test]
fn type_changes_and_narrowing() {
    let p = ok("change user_id from integer to bigint in all tables");
    let tables: Vec<String> = p
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumnType(a) => Some(a.table.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(tables, ["orders", "user_details", "posts", "comments"]);
    assert!(!p.destructive);
    let p = ok("make price a decimal(12,2) in products");
    assert!(
        matches!(&p.changes[0], Change::AlterColumnType(a) if a.new_type == crate::planner::types::numeric(12, 2))
    );
    assert!(!p.destructive);
    let p = ok("change price to decimal(8,2) in products");
    assert!(p.destructive, "narrowing is destructive");
    let p = ok("change username to varchar(20) in accounts");
    assert!(p.destructive);
}

#[test]
fn index_phrasings_name_the_table_and_columns_loosely() {
    let cols = |p: &crate::planner::Plan| -> (String, Vec<String>) {
        match &p.changes[..] {
            [Change::AddIndex(a)] => (
                a.table.name.clone(),
                a.index
                    .keys
                    .iter()
                    .map(|k| match &k.target {
                        IndexTarget::Column(c) => c.clone(),
                        IndexTarget::Expression(e) => e.clone(),
                    })
                    .collect(),
            ),
            other => panic!("{other:?}"),
        }
    };
    for (r, t, c) in [
        ("index orders by created_at", "orders", vec!["created_at"]),
        (
            "index users by state and city",
            "users",
            vec!["state", "city"],
        ),
        (
            "index comments on (post_id, created_at)",
            "comments",
            vec!["post_id", "created_at"],
        ),
        (
            "Lookups of products by name are slow, can you add an index for that?",
            "products",
            vec!["name"],
        ),
    ] {
        let (table, columns) = cols(&ok(r));
        assert_eq!(table, t, "{r}");
        assert_eq!(columns, c, "{r}");
    }
    let p = ok("create index idx_users_town on users(city)");
    assert!(matches!(&p.changes[0], Change::AddIndex(a) if a.index.name == "idx_users_town"));
}

#[test]
fn table_first_phrasings_and_defaults_worded_loosely() {
    let p = ok("set the default status of orders to 'pending'");
    assert!(
        matches!(&p.changes[0], Change::SetDefault(d) if d.table.name == "orders" && d.column == "status" && d.default == "'pending'")
    );
    let p = ok("products stock should be at least 0");
    assert!(
        matches!(&p.changes[0], Change::AddCheck(a) if a.table.name == "products" && a.check.expression == "\"stock\" >= 0")
    );
    let p = ok("customers' email must be unique");
    assert!(
        matches!(&p.changes[0], Change::AddIndex(a) if a.index.unique && a.table.name == "customers")
    );
    let p = ok("user_details.bio should default to an empty string");
    assert!(
        matches!(&p.changes[0], Change::SetDefault(d) if d.column == "bio" && d.default == "''")
    );
}

#[test]
fn shortening_a_type_is_a_destructive_type_change() {
    let p = ok("shorten customers.name to varchar(10)");
    assert!(p.destructive);
    assert!(
        matches!(&p.changes[0], Change::AlterColumnType(a) if a.column == "name" && a.new_type == ColumnType::Varchar(Some(10)))
    );
}

#[test]
fn not_null_with_a_fill_value_fills_then_requires() {
    let fill = |p: &crate::planner::Plan| match (&p.changes[0], &p.changes[1]) {
        (Change::FillNulls(f), Change::SetNotNull(c)) if c.column == f.column.column => (
            f.column.column.clone(),
            f.value.clone(),
            f.key.clone(),
            f.keep.name.clone(),
        ),
        _ => panic!("{:#?}", p.changes),
    };
    for request in [
        "make users.city not null, fill missing with 'unknown'",
        "users.city NOT NULL (missing -> 'unknown')",
        "fill empty users.city w/ 'unknown' and make it not null",
        "users.city can no longer be missing; use 'unknown' for the rows that have none",
        "require a value in users.city; backfill the blanks with 'unknown'",
    ] {
        let p = ok(request);
        assert_eq!(
            fill(&p),
            (
                "city".into(),
                "'unknown'".into(),
                vec!["id".to_string()],
                "ai_shell_fill_users_city".into()
            ),
            "{request}"
        );
    }
    for request in [
        "users.age: not null, nulls -> 0",
        "set missing users.age to 0 and maake it NOT NULL",
        "w/ 0 for the missing ones, make users.age not null",
        "backfill users.age with 0 and require it from now on",
    ] {
        assert_eq!(fill(&ok(request)).1, "0", "{request}");
    }
    // A number into a text column is text; text into a number column is refused, naming both.
    assert_eq!(
        fill(&ok("make users.zip not null, fill missing with 0")).1,
        "'0'"
    );
    let r = refused("make users.age not null, fill missing with 'unknown'");
    assert!(r.message.contains("not a number"), "{}", r.message);
    let r = refused("make users.zip not null, fill missing with 'abcdefghijklmnopqrstuvwxyz'");
    assert!(r.message.contains("longer than"), "{}", r.message);
    // A literal with another role is not a fill value.
    let p = ok("make users.age not null with default 0");
    assert!(!p.changes.iter().any(|c| matches!(c, Change::FillNulls(_))));
    assert!(
        plan(
            "make users.name not null, fill missing with 'x'",
            &schema(),
            Engine::Postgres
        )
        .is_err()
    );
}

#[test]
fn the_type_a_column_has_is_never_the_one_asked_for() {
    for request in [
        "users.zip should be an integer, not text",
        "please users.zip make it integer, now it is text",
        "users.zip → int",
        "users.zip -> integer",
    ] {
        let p = ok(request);
        assert!(
            matches!(&p.changes[..], [Change::AlterColumnType(a)] if a.column == "zip" && a.new_type == ColumnType::Integer),
            "{request}: {:#?}",
            p.changes
        );
    }
    // An index request that names no column names no index.
    refused("add an index to users");
}
