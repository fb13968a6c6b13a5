//! Family 1: adding columns.

use super::fixture::*;
use crate::connection::Engine;
use crate::model::{Change, ColumnType, FkAction, IndexTarget};
use crate::planner::plan;

#[test]
fn tutorial_add_email_field_to_users_table() {
    let p = ok("add email field to users table");
    let cols = added(&p);
    assert_eq!(cols.len(), 1);
    let (t, c) = &cols[0];
    assert_eq!(t, "users");
    assert_eq!(c.name, "email");
    assert_eq!(c.data_type, ColumnType::Varchar(Some(255)));
    assert!(
        c.nullable,
        "no NOT NULL without a default on an existing table"
    );
    assert!(matches!(&p.changes[1], Change::AddIndex(a) if a.index.name == "idx_users_email"));
    assert_eq!(p.slug, "add_email_to_users");
    assert!(!p.destructive);
    assert!(p.summary[0].starts_with("Add column email varchar(255) to users"));
}

#[test]
fn paraphrases_of_add_email() {
    for r in [
        "add email to users",
        "Could you please add an email column to the users table?",
        "users: add email",
        "I'd like to add a new field called email to users",
        "add email to user",
        "add \"email\" to users",
        "add email to usres",
        "- add email to users",
    ] {
        let p = ok(r);
        let cols = added(&p);
        assert_eq!(cols.len(), 1, "{r}");
        assert_eq!(cols[0].0, "users", "{r}");
        assert_eq!(cols[0].1.name, "email", "{r}");
    }
}

#[test]
fn tutorial_add_phone_field_with_format_check_per_engine() {
    for (engine, needle) in [
        (Engine::Postgres, " ~ "),
        (Engine::MySql, "REGEXP"),
        (Engine::Sqlite, "GLOB"),
    ] {
        let p = ok_on("add phone field to users", engine);
        let (_, c) = &added(&p)[0];
        assert_eq!(c.data_type, ColumnType::Varchar(Some(20)));
        let check = p.changes.iter().find_map(|c| match c {
            Change::AddCheck(a) => Some(a.check.clone()),
            _ => None,
        });
        let check = check.expect("a phone format check");
        assert_eq!(check.name, "chk_users_phone");
        assert!(
            check.expression.contains(needle),
            "{engine:?}: {}",
            check.expression
        );
        assert!(
            p.changes
                .iter()
                .any(|c| matches!(c, Change::AddIndex(a) if a.index.name == "idx_users_phone"))
        );
        assert_eq!(p.slug, "add_phone_to_users");
    }
}

#[test]
fn tutorial_timestamps_to_products() {
    let p = ok("add created_at and updated_at timestamps to products");
    let cols = added(&p);
    assert_eq!(
        cols.iter()
            .map(|(_, c)| c.name.as_str())
            .collect::<Vec<_>>(),
        ["created_at", "updated_at"]
    );
    for (_, c) in &cols {
        assert_eq!(c.data_type, ColumnType::TimestampTz(None));
        assert!(!c.nullable);
        assert_eq!(c.default.as_deref(), Some("CURRENT_TIMESTAMP"));
    }
    let p = ok_on("add timestamps to products", Engine::MySql);
    assert_eq!(added(&p).len(), 2);
    assert_eq!(added(&p)[0].1.data_type, ColumnType::Timestamp(None));
}

#[test]
fn several_columns_bio_and_avatar_url() {
    let p = ok("users: add bio and avatar_url");
    let cols = added(&p);
    assert_eq!(cols[0].1.name, "bio");
    assert_eq!(cols[0].1.data_type, ColumnType::Text);
    assert_eq!(cols[1].1.name, "avatar_url");
    assert_eq!(cols[1].1.data_type, ColumnType::Varchar(Some(2048)));
    let p = ok("add the following fields to users:\n- bio\n- avatar_url\n- is_admin");
    assert_eq!(added(&p).len(), 3);
}

#[test]
fn updated_at_to_all_tables_skips_tables_that_have_it() {
    let s = with_column(
        schema(),
        "orders",
        col("updated_at", ColumnType::TimestampTz(None)),
    );
    let p = plan(
        "add updated_at timestamp to all tables",
        &s,
        Engine::Postgres,
    )
    .unwrap();
    let tables: Vec<String> = added(&p).into_iter().map(|(t, _)| t).collect();
    assert_eq!(tables.len(), s.tables.len() - 1);
    assert!(!tables.contains(&"orders".to_string()));
    assert!(
        p.summary
            .iter()
            .any(|l| l.contains("skipped") && l.contains("orders"))
    );
}

#[test]
fn inferred_types() {
    let cases: &[(&str, ColumnType, bool, Option<&str>)] = &[
        ("is_active", ColumnType::Boolean, false, Some("false")),
        ("has_newsletter", ColumnType::Boolean, false, Some("false")),
        ("price", crate::planner::types::numeric(12, 2), true, None),
        ("balance", crate::planner::types::numeric(12, 2), true, None),
        ("uuid", ColumnType::Uuid, true, None),
        ("metadata", ColumnType::Jsonb, true, None),
        ("login_count", ColumnType::Integer, false, Some("0")),
        ("birthday", ColumnType::Date, true, None),
        ("website_url", ColumnType::Varchar(Some(2048)), true, None),
        ("title", ColumnType::Varchar(Some(255)), true, None),
        ("notes", ColumnType::Text, true, None),
        ("nickname", ColumnType::Varchar(Some(255)), true, None),
        ("last_login_at", ColumnType::TimestampTz(None), true, None),
    ];
    for (name, ty, nullable, default) in cases {
        let p = ok(&format!("add {name} to customers"));
        let (_, c) = &added(&p)[0];
        assert_eq!(&c.data_type, ty, "{name}");
        assert_eq!(c.nullable, *nullable, "{name}");
        assert_eq!(c.default.as_deref(), *default, "{name}");
    }
    assert_eq!(
        added(&ok_on("add uuid to customers", Engine::MySql))[0]
            .1
            .data_type,
        ColumnType::Char(Some(36))
    );
    assert_eq!(
        added(&ok_on("add uuid to customers", Engine::Sqlite))[0]
            .1
            .data_type,
        ColumnType::Text
    );
    assert_eq!(
        added(&ok_on("add metadata to customers", Engine::MySql))[0]
            .1
            .data_type,
        ColumnType::Json
    );
    assert_eq!(
        added(&ok_on("add is_vip to customers", Engine::MySql))[0]
            .1
            .default
            .as_deref(),
        Some("0")
    );
    let p = ok("add is_active to customers, true by default");
    assert_eq!(added(&p)[0].1.default.as_deref(), Some("true"));
}

#[test]
fn explicit_types_win() {
    let p = ok("add age integer to customers");
    assert_eq!(added(&p)[0].1.data_type, ColumnType::Integer);
    let p = ok("add score as decimal(5,2) to users");
    assert_eq!(
        added(&p)[0].1.data_type,
        crate::planner::types::numeric(5, 2)
    );
    let p = ok("add nickname varchar(40) to users");
    assert_eq!(added(&p)[0].1.data_type, ColumnType::Varchar(Some(40)));
}

#[test]
fn id_columns_reference_the_matching_table_with_its_key_type() {
    let p = ok("add customer_id to products");
    let (_, c) = &added(&p)[0];
    assert_eq!(c.data_type, ColumnType::Bigint);
    let (_, fk) = foreign_keys(&p).into_iter().next().expect("a foreign key");
    assert_eq!(fk.referenced_table.name, "customers");
    assert_eq!(fk.referenced_columns, ["id"]);
    assert_eq!(
        fk.on_delete,
        FkAction::SetNull,
        "a nullable reference sets NULL"
    );
    assert_eq!(fk.name, "fk_products_customer_id");
    assert!(p.changes.iter().any(|c| matches!(c, Change::AddIndex(a) if a.index.keys[0].target == IndexTarget::Column("customer_id".into()))));
    // users.id is an integer: the reference is too.
    let p = ok("add user_id to products");
    assert_eq!(added(&p)[0].1.data_type, ColumnType::Integer);
}

#[test]
fn enum_like_values_become_a_checked_varchar() {
    let p = ok("add theme (light/dark) to users");
    let (_, c) = &added(&p)[0];
    assert_eq!(c.data_type, ColumnType::Varchar(Some(20)));
    assert_eq!(c.default.as_deref(), Some("'light'"));
    assert!(!c.nullable);
    assert!(p.changes.iter().any(|c| matches!(c, Change::AddCheck(a) if a.check.expression == "\"theme\" IN ('light', 'dark')")));
}

#[test]
fn quoted_names_are_kept_verbatim() {
    let p = ok("add column \"x; DROP TABLE users\" to users");
    let (_, c) = &added(&p)[0];
    assert_eq!(c.name, "x; DROP TABLE users");
    assert_eq!(p.changes.len(), 1);
}

#[test]
fn required_without_default_on_existing_table_is_refused() {
    let r = refused("add required nickname to users");
    assert_eq!(r.kind, crate::planner::RefusalKind::Unsafe);
    let p = ok("add nickname to users, required, default 'anon'");
    assert!(!added(&p)[0].1.nullable);
    assert_eq!(added(&p)[0].1.default.as_deref(), Some("'anon'"));
}

#[test]
fn chatty_requests_reasons_and_purpose_clauses() {
    let p = ok("Hey, could you please add a website column to the customers table? Thanks!");
    assert_eq!(added(&p)[0].0, "customers");
    assert_eq!(added(&p)[0].1.name, "website");
    let p = ok("add a deleted_at column to posts for soft deletes");
    let (t, c) = &added(&p)[0];
    assert_eq!((t.as_str(), c.name.as_str()), ("posts", "deleted_at"));
    assert_eq!(c.data_type, ColumnType::TimestampTz(None));
    assert!(c.nullable);
    let p = ok(
        "I'd like to know when accounts were last changed and who owns them, so add updated_at and owner_name please",
    );
    let cols: Vec<(String, String)> = added(&p).into_iter().map(|(t, c)| (t, c.name)).collect();
    assert_eq!(
        cols,
        vec![
            ("accounts".to_string(), "updated_at".to_string()),
            ("accounts".to_string(), "owner_name".to_string())
        ]
    );
}

#[test]
fn a_table_as_subject_asks_for_a_column() {
    for r in [
        "products need an is_featured flag",
        "products should have an is_featured flag",
    ] {
        let p = ok(r);
        let (t, c) = &added(&p)[0];
        assert_eq!(
            (t.as_str(), c.name.as_str()),
            ("products", "is_featured"),
            "{r}"
        );
        assert_eq!(c.data_type, ColumnType::Boolean, "{r}");
        assert!(c.default.is_some(), "{r}");
    }
}

#[test]
fn one_column_to_several_tables() {
    let p = ok("add deleted_at to posts and comments");
    let cols: Vec<(String, String)> = added(&p).into_iter().map(|(t, c)| (t, c.name)).collect();
    assert_eq!(
        cols,
        vec![
            ("posts".to_string(), "deleted_at".to_string()),
            ("comments".to_string(), "deleted_at".to_string())
        ]
    );
}

#[test]
fn lists_with_shared_types_modifiers_and_value_lists() {
    let p = ok("add columns width, height and depth (all numeric) to products");
    assert_eq!(added(&p).len(), 3);
    for (_, c) in added(&p) {
        assert!(matches!(c.data_type, ColumnType::Numeric(_)), "{c:?}");
    }
    let p = ok("Please add two columns to posts: slug (unique) and excerpt.");
    assert_eq!(added(&p).len(), 2);
    assert!(
        p.changes
            .iter()
            .any(|c| matches!(c, Change::AddIndex(a) if a.index.unique
        && matches!(&a.index.keys[0].target, IndexTarget::Column(c) if c == "slug")))
    );
    let p = ok("add column fulfillment to orders with values pending, paid, shipped, cancelled");
    assert_eq!(added(&p).len(), 1);
    assert_eq!(added(&p)[0].1.name, "fulfillment");
    assert!(
        p.changes.iter().any(|c| matches!(c, Change::AddCheck(a)
        if a.check.expression == "\"fulfillment\" IN ('pending', 'paid', 'shipped', 'cancelled')"))
    );
}

#[test]
fn identifiers_named_number_are_strings_and_coordinates_are_decimals() {
    let p = ok("add to customers:\n- company_name\n- vat_number\n- is_vip\n");
    let (_, vat) = &added(&p)[1];
    assert_eq!(vat.name, "vat_number");
    assert!(matches!(vat.data_type, ColumnType::Varchar(_)));
    let p = ok("add tracking_number and invoice_no to orders");
    for (_, c) in added(&p) {
        assert!(matches!(c.data_type, ColumnType::Varchar(_)), "{c:?}");
    }
    let p = ok("add latitude and longitude to users");
    for (_, c) in added(&p) {
        assert_eq!(c.data_type, crate::planner::types::numeric(9, 6), "{c:?}");
    }
}

#[test]
fn several_tables_skip_the_ones_that_have_the_column() {
    let p = ok("add created_at to posts, comments and users");
    assert_eq!(added(&p).len(), 1);
    assert_eq!(added(&p)[0].0, "posts");
    assert!(p.summary.iter().any(|l| l.contains("skipped")));
    let r = refused("add created_at to comments and users");
    assert_eq!(r.kind, crate::planner::RefusalKind::Unsupported);
}

#[test]
fn determiners_typos_and_trailing_defaults_never_become_names() {
    let names = |request: &str| -> Vec<String> {
        ok(request)
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::AddColumn(a) => Some(a.column.name.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        names("please add to orders this columns: contact_email, visit_count"),
        ["contact_email", "visit_count"]
    );
    assert_eq!(
        names("add a integer coolumn priority to customers"),
        ["priority"]
    );
    let p = ok("please add needs_review in users, boolean and by default false");
    assert!(
        matches!(&p.changes[..], [Change::AddColumn(a)] if a.column.name == "needs_review" && a.column.default.is_some()),
        "{:#?}",
        p.changes
    );
}
