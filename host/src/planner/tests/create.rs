//! Family 3: creating tables.

use super::fixture::*;
use crate::connection::Engine;
use crate::model::{Change, ColumnType, DatabaseSchema, FkAction, IdentityKind};
use crate::planner::{RefusalKind, plan};

const PREFS: &str = "
  create user_preferences table with:
  - user_id foreign key to users
  - theme (light/dark)
  - language
  - notifications_enabled
  - email_frequency
";

#[test]
fn tutorial_user_preferences() {
    for engine in [Engine::Postgres, Engine::MySql, Engine::Sqlite] {
        let p = ok_on(PREFS, engine);
        let t = created(&p);
        assert_eq!(t.name.name, "user_preferences");
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "user_id",
                "theme",
                "language",
                "notifications_enabled",
                "email_frequency",
                "created_at",
                "updated_at"
            ]
        );
        let id = &t.columns[0];
        match engine {
            Engine::Postgres => assert_eq!(
                (id.data_type.clone(), id.identity),
                (ColumnType::Bigint, Some(IdentityKind::ByDefault))
            ),
            Engine::MySql => assert_eq!(
                (id.data_type.clone(), id.identity),
                (ColumnType::Bigint, Some(IdentityKind::AutoIncrement))
            ),
            Engine::Sqlite => assert_eq!(
                (id.data_type.clone(), id.identity),
                (ColumnType::Integer, None)
            ),
        }
        let user_id = &t.columns[1];
        assert_eq!(
            user_id.data_type,
            ColumnType::Integer,
            "same type as users.id"
        );
        assert!(!user_id.nullable);
        let fk = &t.foreign_keys[0];
        assert_eq!(fk.referenced_table.name, "users");
        assert_eq!(
            fk.on_delete,
            FkAction::Cascade,
            "preferences belong to their user"
        );
        assert!(
            t.indexes
                .iter()
                .any(|i| i.name == "uq_user_preferences_user_id" && i.unique)
        );
        let theme = &t.columns[2];
        assert!(theme.default.as_deref() == Some("'light'"));
        assert!(
            t.checks
                .iter()
                .any(|c| c.name == "chk_user_preferences_theme"
                    && c.expression.contains("IN ('light', 'dark')"))
        );
        assert_eq!(t.columns[4].data_type, ColumnType::Boolean);
        assert!(
            t.checks
                .iter()
                .any(|c| c.name == "chk_user_preferences_email_frequency")
        );
        assert!(!p.destructive);
        assert_eq!(p.slug, "create_user_preferences_table");
    }
}

#[test]
fn tutorial_create_orders_table_with_customer_fk() {
    let mut s = schema();
    s.tables.retain(|t| t.name.name != "orders");
    let p = plan(
        "create orders table with customer_id foreign key",
        &s,
        Engine::MySql,
    )
    .unwrap();
    let t = created(&p);
    let c = t.columns.iter().find(|c| c.name == "customer_id").unwrap();
    assert_eq!(c.data_type, ColumnType::Bigint);
    assert!(!c.nullable);
    assert_eq!(t.foreign_keys[0].on_delete, FkAction::Restrict);
    assert!(t.indexes.iter().any(|i| i.name == "idx_orders_customer_id"));
    // orders exists in the fixture: refused, naming it.
    let r = refused("create orders table with customer_id foreign key");
    assert_eq!(r.kind, RefusalKind::Unsupported);
    assert!(r.message.contains("already exists"));
}

#[test]
fn create_table_paraphrases() {
    for r in [
        "create a table called tags with name and slug",
        "create table tags (name, slug)",
        "make a new table named tags with columns name, slug",
    ] {
        let p = ok(r);
        let t = created(&p);
        assert_eq!(t.name.name, "tags", "{r}");
        assert!(
            t.columns.iter().any(|c| c.name == "name"),
            "{r}: {:?}",
            t.columns
        );
        assert!(t.columns.iter().any(|c| c.name == "slug"), "{r}");
    }
}

#[test]
fn create_table_with_empty_schema() {
    let p = plan(
        "create products table with name, price and stock_count",
        &DatabaseSchema::empty(),
        Engine::Sqlite,
    )
    .unwrap();
    let t = created(&p);
    assert_eq!(t.columns.len(), 6);
}

#[test]
fn self_references_and_modifiers_in_parentheses() {
    let p =
        ok("create categories table with name, slug (unique) and parent_id referencing categories");
    let Change::CreateTable(t) = &p.changes[0] else {
        panic!("{:?}", p.changes)
    };
    let fk = t
        .foreign_keys
        .iter()
        .find(|f| f.columns == ["parent_id"])
        .expect("parent_id key");
    assert_eq!(fk.referenced_table.name, "categories");
    assert!(
        t.columns
            .iter()
            .any(|c| c.name == "parent_id" && c.nullable)
    );
    assert!(
        t.indexes
            .iter()
            .any(|i| i.unique && i.name == "uq_categories_slug")
    );
    let p = ok("add parent_id to comments for threaded replies");
    assert!(
        p.changes
            .iter()
            .any(|c| matches!(c, Change::AddForeignKey(f)
        if f.table.name == "comments" && f.foreign_key.referenced_table.name == "comments"
            && f.foreign_key.columns == ["parent_id"]))
    );
}

#[test]
fn references_through_a_new_column() {
    for r in [
        "posts should reference customers through a customer_id column, on delete set null",
        "link posts to customers with a nullable customer_id, set null when the customer is deleted",
        "add customer_id to posts referencing customers on delete set null",
    ] {
        let p = ok(r);
        let fk = p
            .changes
            .iter()
            .find_map(|c| match c {
                Change::AddForeignKey(f) => Some(f),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{r}: {:?}", p.changes));
        assert_eq!(fk.table.name, "posts", "{r}");
        assert_eq!(fk.foreign_key.columns, ["customer_id"], "{r}");
        assert_eq!(fk.foreign_key.referenced_table.name, "customers", "{r}");
        assert_eq!(fk.foreign_key.on_delete, FkAction::SetNull, "{r}");
        // The index comes before the key (MariaDB), so the derived down drops the key first.
        let at = |k: &str| {
            p.changes.iter().position(|c| {
                matches!(
                    (c, k),
                    (Change::AddIndex(_), "i") | (Change::AddForeignKey(_), "f")
                )
            })
        };
        assert!(at("i") < at("f"), "{r}");
    }
}

#[test]
fn link_tables_ranges_uuid_keys_and_colon_value_lists() {
    let table = |r: &str| match &ok(r).changes[..] {
        [Change::CreateTable(t)] => t.clone(),
        other => panic!("{r}: {other:?}"),
    };
    let t = table("create a post_likes table linking users and posts");
    assert_eq!(t.name.name, "post_likes");
    for (c, to) in [("user_id", "users"), ("post_id", "posts")] {
        assert!(
            t.foreign_keys.iter().any(|f| f.columns == [c]
                && f.referenced_table.name == to
                && f.on_delete == FkAction::Cascade),
            "{c}"
        );
    }
    assert!(t.indexes.iter().any(|i| i.unique && i.keys.len() == 2));
    let t = table("create a reviews table for product reviews: rating from 1 to 5, comment text");
    assert!(
        t.columns
            .iter()
            .any(|c| c.name == "rating" && c.data_type == ColumnType::Integer)
    );
    assert!(
        t.checks
            .iter()
            .any(|k| k.expression == "\"rating\" BETWEEN 1 AND 5")
    );
    let t = table("create coupons table: code unique, discount_percent integer between 0 and 100");
    assert!(
        t.checks
            .iter()
            .any(|k| k.expression == "\"discount_percent\" BETWEEN 0 AND 100")
    );
    let t = table("create a sessions table with a uuid primary key, user_id and expires_at");
    assert_eq!(t.columns[0].name, "id");
    assert_eq!(t.columns[0].data_type, ColumnType::Uuid);
    assert_eq!(t.primary_key.as_ref().unwrap().columns, ["id"]);
    let t = table(
        "create a tickets table with:\n - subject\n - priority: low, normal or high\n - opened_at, closed_at",
    );
    assert!(
        t.checks
            .iter()
            .any(|k| k.expression == "\"priority\" IN ('low', 'normal', 'high')")
    );
    assert!(t.columns.iter().any(|c| c.name == "opened_at"));
    assert!(t.columns.iter().any(|c| c.name == "closed_at"));
}

#[test]
fn link_tables_get_a_key_to_each_table_however_they_are_asked_for() {
    for request in [
        "create a table post_likes linking posts and users",
        "create a join table post_likes for the many-to-many between posts and users",
        "posts and users are many to many, please make the table post_likes for it",
        "- new join table post_likes\n- links posts and users (many-to-many)",
        "a table post_likes that ties a post_id to a user_id: please create it",
    ] {
        let p = ok(request);
        let Change::CreateTable(t) = &p.changes[0] else {
            panic!("{request}: {:#?}", p.changes)
        };
        let mut to: Vec<&str> = t
            .foreign_keys
            .iter()
            .map(|f| f.referenced_table.name.as_str())
            .collect();
        to.sort();
        assert_eq!(to, ["posts", "users"], "{request}");
        assert!(
            !t.columns.iter().any(|c| c.name.contains("many")),
            "{request}"
        );
    }
    // A link table whose tables are not named is refused, never created bare.
    refused("create a join table post_likes");
}

#[test]
fn keys_said_once_for_several_columns_and_composite_primary_keys() {
    let table = |r: &str| match &ok(r).changes[..] {
        [Change::CreateTable(t)] => t.clone(),
        other => panic!("{r}: {other:?}"),
    };
    let t = table(
        "create an order_products join table with order_id and product_id, both foreign keys, and a composite primary key on (order_id, product_id)",
    );
    assert_eq!(
        t.primary_key.as_ref().unwrap().columns,
        ["order_id", "product_id"]
    );
    assert!(!t.columns.iter().any(|c| c.name == "id"));
    for (c, to) in [("order_id", "orders"), ("product_id", "products")] {
        assert!(
            t.foreign_keys.iter().any(|f| f.columns == [c]
                && f.referenced_table.name == to
                && f.on_delete == FkAction::Cascade),
            "{c}: {:?}",
            t.foreign_keys
        );
    }
    let t = table(
        "make a user_products table (user_id, product_id) w/ fks to both, and no duplicate pairs",
    );
    assert_eq!(t.foreign_keys.len(), 2);
    assert!(t.indexes.iter().any(|i| i.unique && i.keys.len() == 2));
    let t = table(
        "users and products are many-to-many: make a user_products table (user_id, product_id) with fks to both",
    );
    assert!(
        t.foreign_keys
            .iter()
            .all(|f| f.on_delete == FkAction::Cascade)
    );
    // A primary key naming a column the table does not get is refused, never guessed.
    let r = refused(
        "create a pairs table with user_id and product_id and a primary key on (user_id, order_id)",
    );
    assert!(r.message.contains("order_id"), "{r:?}");
}
