//! Changes the existing rows make fail, data problems, and the process rules.

use ai_shell_policy_sdk::{
    AddUnique, Author, Change, DataProblemKind, RawSql, Severity, UniqueConstraint,
};

use super::*;

#[test]
fn not_null_column_without_default_depends_on_the_rows() {
    let sql = [r#"ALTER TABLE "orders" ADD COLUMN "region" text NOT NULL"#];
    let f = plan("postgres", &sql).rows("orders", 10).check();
    let x = one(&f, "add-column-not-null-no-default");
    assert!(matches!(x.severity, Severity::Error));
    assert!(x.message.contains("10 rows"));
    // A primary key column is NOT NULL too.
    let f = plan(
        "postgres",
        &["ALTER TABLE events ADD COLUMN id bigint PRIMARY KEY"],
    )
    .rows("events", 3)
    .check();
    one(&f, "add-column-not-null-no-default");
    let f = plan("postgres", &sql).size_unknown().check();
    let x = one(&f, "add-column-not-null-no-default");
    assert!(matches!(x.severity, Severity::Warn));
    assert!(x.message.contains("if the table has rows"));
    // Known empty (absent from statistics that were read).
    let f = plan("postgres", &sql).check();
    none(&f, "add-column-not-null-no-default");
    for filled in [
        "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu'",
        "ALTER TABLE orders ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY NOT NULL",
        "ALTER TABLE orders ADD COLUMN n bigserial NOT NULL",
        "ALTER TABLE orders ADD COLUMN total numeric NOT NULL GENERATED ALWAYS AS (qty * 2) STORED",
        "ALTER TABLE orders ADD COLUMN region text",
    ] {
        let f = plan("postgres", &[filled]).rows("orders", 10).check();
        none(&f, "add-column-not-null-no-default");
    }
}

#[test]
fn not_null_column_without_default_per_engine() {
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` ADD COLUMN `region` VARCHAR(10) NOT NULL"],
    )
    .rows("orders", 5)
    .check();
    assert!(
        one(&f, "add-column-not-null-no-default")
            .message
            .contains("implicit default")
    );
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` ADD COLUMN `n` INT NOT NULL AUTO_INCREMENT UNIQUE"],
    )
    .rows("orders", 5)
    .check();
    none(&f, "add-column-not-null-no-default");
    // SQLite refuses it even on an empty table (a warning still when the size is unknown).
    let add = ["ALTER TABLE orders ADD COLUMN region TEXT NOT NULL"];
    let f = plan("sqlite", &add).check();
    assert!(matches!(
        one(&f, "add-column-not-null-no-default").severity,
        Severity::Error
    ));
    let f = plan("sqlite", &add).size_unknown().check();
    assert!(matches!(
        one(&f, "add-column-not-null-no-default").severity,
        Severity::Warn
    ));
    let f = plan(
        "sqlite",
        &["ALTER TABLE orders ADD COLUMN region TEXT NOT NULL DEFAULT ''"],
    )
    .check();
    none(&f, "add-column-not-null-no-default");
    // A new table has no rows.
    let f = plan(
        "postgres",
        &[
            "CREATE TABLE t (id bigint PRIMARY KEY)",
            "ALTER TABLE t ADD COLUMN a text NOT NULL",
        ],
    )
    .size_unknown()
    .check();
    none(&f, "add-column-not-null-no-default");
}

#[test]
fn data_problems_map_to_rules_and_name_the_table() {
    let add_unique = Change::AddUnique(AddUnique {
        table: name("public.orders"),
        constraint: UniqueConstraint {
            name: "orders_code_key".into(),
            columns: vec!["code".into()],
        },
    });
    let f = plan(
        "postgres",
        &["SELECT 1", "ALTER TABLE orders ADD UNIQUE (code)"],
    )
    .changes(vec![
        Change::RawSql(RawSql {
            up: "SELECT 1".into(),
            down: None,
            note: None,
        }),
        add_unique,
    ])
    .problem(
        DataProblemKind::Duplicates,
        1,
        1_204,
        "'A1' appears 3 times",
    )
    .problem(DataProblemKind::Nulls, 1, 1, "code")
    .check();
    let d = one(&f, "unique-over-duplicates");
    assert!(d.message.contains("1,204 rows") && d.message.contains("'A1' appears 3 times"));
    assert_eq!(table_of(d), "public.orders");
    assert_eq!((d.change_index, d.statement_index), (Some(1), Some(1)));
    assert!(one(&f, "not-null-over-nulls").message.contains("1 row "));
    none(&f, "foreign-key-orphans");
    none(&f, "check-violated");
    // Without a matching statement the change still locates it.
    let f = plan("postgres", &[])
        .problem(DataProblemKind::Orphans, 4, 2, "")
        .check();
    let o = one(&f, "foreign-key-orphans");
    assert_eq!((o.change_index, o.statement_index), (Some(4), None));
}

#[test]
fn missing_down_needs_something_to_undo() {
    let f = plan("postgres", &["ALTER TABLE orders ADD COLUMN a text"])
        .without_down()
        .check();
    assert!(one(&f, "missing-down").statement_index.is_none());
    none(
        &plan("postgres", &["ALTER TABLE orders ADD COLUMN a text"]).check(),
        "missing-down",
    );
    none(
        &plan("postgres", &[]).without_down().check(),
        "missing-down",
    );
}

#[test]
fn raw_sql_only_matters_in_llm_plans() {
    let raw = || {
        vec![Change::RawSql(RawSql {
            up: "UPDATE orders SET qty = 0".into(),
            down: None,
            note: Some("no typed change for this".into()),
        })]
    };
    let f = plan("postgres", &["UPDATE orders SET qty = 0"])
        .changes(raw())
        .author(Author::Llm)
        .check();
    let r = one(&f, "raw-sql-in-llm-plan");
    assert_eq!((r.change_index, r.statement_index), (Some(0), Some(0)));
    for author in [Author::Human, Author::File, Author::OfflinePlanner] {
        let f = plan("postgres", &["UPDATE orders SET qty = 0"])
            .changes(raw())
            .author(author)
            .check();
        none(&f, "raw-sql-in-llm-plan");
    }
}

#[test]
fn identifiers_too_long_for_the_engine() {
    let long63 = "a".repeat(63);
    let long64 = "a".repeat(64);
    let long65 = "a".repeat(65);
    let pg = |n: &str| {
        let sql = format!("ALTER TABLE orders ADD COLUMN {n} text");
        plan("postgres", &[sql.as_str()]).check()
    };
    none(&pg(&long63), "identifier-too-long");
    assert!(
        one(&pg(&long64), "identifier-too-long")
            .message
            .contains("64 bytes")
    );
    // Bytes, not characters: 32 two-byte letters are 64 bytes.
    one(
        &pg(&format!("\"{}\"", "é".repeat(32))),
        "identifier-too-long",
    );
    let my = |n: &str| {
        let sql = format!("CREATE TABLE `{n}` (id BIGINT PRIMARY KEY)");
        plan("mysql", &[sql.as_str()]).check()
    };
    none(&my(&long64), "identifier-too-long");
    one(&my(&long65), "identifier-too-long");
    let sql = format!(
        "ALTER TABLE `orders` ADD CONSTRAINT `{long65}` FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`)"
    );
    let f = plan("mysql", &[sql.as_str()]).check();
    one(&f, "identifier-too-long");
    let sql = format!("CREATE TABLE {long65} (id INTEGER PRIMARY KEY)");
    let f = plan("sqlite", &[sql.as_str()]).check();
    none(&f, "identifier-too-long");
}
