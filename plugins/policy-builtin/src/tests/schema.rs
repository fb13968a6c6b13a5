//! The whole-schema check.

use ai_shell_policy_sdk::{ColumnType, IdentityKind, IndexTarget};

use super::*;

/// A well-designed table: no finding.
fn clean() -> Table {
    table("public.orders")
        .req("id", ColumnType::Bigint)
        .col("customer_id", ColumnType::Bigint)
        .req("status", varchar(20))
        .req("paid", ColumnType::Boolean)
        .default("false")
        .col(
            "total",
            ColumnType::Numeric(ai_shell_policy_sdk::NumericParams {
                precision: Some(12),
                scale: Some(2),
            }),
        )
        .req("created_at", ColumnType::TimestampTz(None))
        .default("now()")
        .col("updated_at", ColumnType::TimestampTz(None))
        .pk(&["id"])
        .index("orders_customer_id_idx", &["customer_id"])
        .fk(
            "orders_customer_id_fkey",
            &["customer_id"],
            "public.customers",
        )
        .check("orders_status_check", "status IN ('new', 'paid')")
        .t()
}

#[test]
fn a_clean_table_has_no_finding_on_any_engine() {
    for engine in ["postgres", "mysql", "sqlite"] {
        let f = schema(engine, vec![clean()])
            .rows("public.orders", 10_000)
            .check();
        assert!(
            f.is_empty(),
            "{engine}: {:?}",
            f.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }
}

#[test]
fn design_rules_apply_to_every_table() {
    let legacy = table("Legacy")
        .col("Amount", ColumnType::Double)
        .col("seen", ColumnType::Timestamp(None))
        .col("order_id", ColumnType::Integer)
        .fk("legacy_order_fk", &["order_id"], "orders")
        .t();
    let f = schema("postgres", vec![legacy.clone()]).check();
    for id in [
        "table-without-primary-key",
        "float-for-money",
        "timestamp-without-time-zone",
        "foreign-key-without-index",
        "naming-convention",
        "table-without-timestamps",
    ] {
        let x = one(&f, id);
        assert_eq!(table_of(x), "Legacy");
        assert!(x.statement_index.is_none() && x.change_index.is_none());
    }
    assert_eq!(of(&f, "naming-convention").len(), 2);
    let f = schema("mysql", vec![legacy]).check();
    none(&f, "foreign-key-without-index");
    none(&f, "timestamp-without-time-zone");
    let ints = table("items")
        .req("id", ColumnType::Integer)
        .pk(&["id"])
        .t();
    one(
        &schema("mysql", vec![ints.clone()]).check(),
        "int-primary-key",
    );
    none(&schema("sqlite", vec![ints]).check(), "int-primary-key");
}

#[test]
fn timestamps_are_named_when_missing() {
    let f = schema(
        "postgres",
        vec![table("tags").col("name", ColumnType::Text).t()],
    )
    .check();
    assert!(
        one(&f, "table-without-timestamps")
            .message
            .contains("updated_at")
    );
    let f = schema(
        "postgres",
        vec![
            table("tags")
                .col("inserted_at", ColumnType::TimestampTz(None))
                .t(),
        ],
    )
    .check();
    none(&f, "table-without-timestamps");
    let f = schema(
        "postgres",
        vec![
            table("tags")
                .col("modified_at", ColumnType::TimestampTz(None))
                .t(),
        ],
    )
    .check();
    assert!(
        !one(&f, "table-without-timestamps")
            .message
            .contains("updated_at")
    );
}

#[test]
fn short_values_in_unbounded_text() {
    let t = table("users")
        .col("email", ColumnType::Varchar(None))
        .col("mobile_phone", ColumnType::Other("longtext".into()))
        .col("country_code", varchar(2))
        .col("bio", ColumnType::Text)
        .col("slug", varchar(1000))
        .t();
    let f = schema("mysql", vec![t]).check();
    let hits: Vec<_> = of(&f, "unbounded-text-for-short-values")
        .iter()
        .map(|x| x.message.split(' ').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(hits, ["users.email", "users.mobile_phone", "users.slug"]);
}

#[test]
fn enum_like_columns_without_checks() {
    let t = table("tickets")
        .col("status", ColumnType::Text)
        .col("ticket_type", varchar(20))
        .col("priority", ColumnType::Integer)
        .col("kind", ColumnType::InlineEnum(vec!["a".into()]))
        .col("role", ColumnType::Text)
        .check(
            "tickets_role_check",
            "(\"role\" = ANY (ARRAY['admin'::text, 'user'::text]))",
        )
        .t();
    let f = schema("postgres", vec![t]).check();
    let hits: Vec<_> = of(&f, "enum-like-without-check")
        .iter()
        .map(|x| x.message.split(' ').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(hits, ["tickets.status", "tickets.ticket_type"]);
}

#[test]
fn not_null_flags_and_creation_times_want_defaults() {
    let mut t = table("users")
        .req("active", ColumnType::Boolean)
        .req("created_at", ColumnType::TimestampTz(None))
        .req("id", ColumnType::Bigint)
        .col("deleted", ColumnType::Boolean)
        .req("verified", ColumnType::Boolean)
        .default("false")
        .t();
    t.columns[2].identity = Some(IdentityKind::Always);
    let f = schema("sqlite", vec![t]).check();
    let hits: Vec<_> = of(&f, "missing-default")
        .iter()
        .map(|x| x.message.split(' ').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(hits, ["users.active", "users.created_at"]);
}

#[test]
fn integer_keys_near_their_limit() {
    let hits = || table("hits").req("id", ColumnType::Integer).pk(&["id"]).t();
    let f = schema("postgres", vec![hits()])
        .rows("hits", 1_200_000_000)
        .check();
    assert!(
        one(&f, "integer-key-near-limit")
            .message
            .contains("2,147,483,647")
    );
    none(
        &schema("postgres", vec![hits()])
            .rows("hits", 900_000_000)
            .check(),
        "integer-key-near-limit",
    );
    let f = schema("postgres", vec![hits()])
        .rows("hits", 900_000_000)
        .setting("integer-key-near-limit", "fraction", "0.4")
        .check();
    one(&f, "integer-key-near-limit");
    let small = table("flags")
        .req("id", ColumnType::Smallint)
        .pk(&["id"])
        .t();
    one(
        &schema("mysql", vec![small]).rows("flags", 20_000).check(),
        "integer-key-near-limit",
    );
    let unsigned = table("hits")
        .req("id", ColumnType::Other("int unsigned".into()))
        .pk(&["id"])
        .t();
    none(
        &schema("mysql", vec![unsigned])
            .rows("hits", 1_200_000_000)
            .check(),
        "integer-key-near-limit",
    );
    // SQLite's INTEGER keys are 64-bit.
    none(
        &schema("sqlite", vec![hits()])
            .rows("hits", 2_000_000_000)
            .check(),
        "integer-key-near-limit",
    );
}

#[test]
fn redundant_indexes_are_named() {
    let mut desc = plain_index("orders_a_desc", &["a"]);
    desc.keys[0].descending = true;
    let mut partial = plain_index("orders_a_partial", &["a"]);
    partial.predicate = Some("a > 0".into());
    let mut expression = plain_index("orders_lower_b", &["b"]);
    expression.keys[0].target = IndexTarget::Expression("lower(b)".into());
    let mut unique_b = plain_index("orders_b_key", &["b"]);
    unique_b.unique = true;
    let t = table("orders")
        .req("id", ColumnType::Bigint)
        .col("a", ColumnType::Integer)
        .col("b", ColumnType::Text)
        .pk(&["id"])
        .index("orders_id_idx", &["id"])
        .index("orders_a_b_idx", &["a", "b"])
        .index("orders_a_idx", &["a"])
        .index("orders_a_twin", &["a"])
        .with_index(desc)
        .with_index(partial)
        .with_index(expression)
        .with_index(unique_b)
        .index("orders_b_idx", &["b"])
        .unique("orders_a_b_key", &["a", "b"])
        .t();
    let f = schema("postgres", vec![t]).check();
    let mut hits: Vec<_> = of(&f, "duplicate-index")
        .iter()
        .map(|x| x.message.split(' ').nth(1).unwrap_or("").to_string())
        .collect();
    hits.sort();
    assert_eq!(
        hits,
        [
            "orders_a_b_idx",
            "orders_a_idx",
            "orders_a_twin",
            "orders_b_idx",
            "orders_id_idx"
        ]
    );
}
