//! Drops, truncations, narrowing type changes and renames.

use ai_shell_policy_sdk::ColumnType;

use super::*;

/// SQLite's rebuild of `orders` keeping `id`, `customer_id`, `code` (narrowed to varchar(20)) and
/// `qty`, and losing `note`.
fn rebuild() -> Vec<&'static str> {
    vec![
        r#"CREATE TABLE "ai_shell_new_orders" ("id" INTEGER PRIMARY KEY, "customer_id" INTEGER, "code" VARCHAR(20), "qty" INTEGER NOT NULL)"#,
        r#"INSERT INTO "ai_shell_new_orders" ("id", "customer_id", "code", "qty") SELECT "id", "customer_id", "code", "qty" FROM "orders""#,
        r#"DROP TABLE "orders""#,
        r#"ALTER TABLE "ai_shell_new_orders" RENAME TO "orders""#,
        r#"CREATE INDEX "orders_note_idx" ON "orders" ("qty")"#,
    ]
}

#[test]
fn drop_table_names_the_table_and_its_rows() {
    let findings = plan(
        "postgres",
        &[r#"DROP TABLE IF EXISTS "public"."orders", customers CASCADE"#],
    )
    .big()
    .check();
    let drops = of(&findings, "drop-table");
    assert_eq!(drops.len(), 2);
    assert!(
        drops[0].message.contains("public.orders"),
        "{}",
        drops[0].message
    );
    assert!(drops[0].message.contains("2,000,000 rows"));
    assert_eq!(table_of(drops[0]), "public.orders");
    assert_eq!(drops[0].statement_index, Some(0));
    assert_eq!(drops[0].change_index, Some(0));
    assert!(drops[1].message.contains("empty"));
}

#[test]
fn drops_the_host_does_not_mark_destructive_are_not_reported() {
    let findings = plan("postgres", &["DROP TABLE orders"])
        .destructive(0, false)
        .check();
    none(&findings, "drop-table");
    let findings = plan("sqlite", &rebuild())
        .shop()
        .destructive(2, false)
        .check();
    none(&findings, "drop-table");
    none(&findings, "drop-column");
    none(&findings, "rename-table");
}

#[test]
fn a_rebuild_that_loses_a_column_reports_the_column_not_the_table() {
    let findings = plan("sqlite", &rebuild()).shop().check();
    none(&findings, "drop-table");
    let f = one(&findings, "drop-column");
    assert!(f.message.contains("note"), "{}", f.message);
    assert_eq!(f.statement_index, Some(2));
}

#[test]
fn drop_column_on_each_engine() {
    let f = plan(
        "postgres",
        &[r#"ALTER TABLE "public"."orders" DROP COLUMN IF EXISTS "note""#],
    )
    .check();
    assert_eq!(table_of(one(&f, "drop-column")), "public.orders");
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` DROP `note`, DROP INDEX `orders_note_idx`"],
    )
    .destructive(0, true)
    .check();
    assert_eq!(of(&f, "drop-column").len(), 1);
    let f = plan("sqlite", &["ALTER TABLE orders DROP COLUMN note"]).check();
    one(&f, "drop-column");
    let f = plan(
        "postgres",
        &["ALTER TABLE orders DROP CONSTRAINT orders_code_key"],
    )
    .destructive(0, true)
    .check();
    none(&f, "drop-column");
}

#[test]
fn truncate_and_unfiltered_delete_empty_tables() {
    let f = plan(
        "postgres",
        &["TRUNCATE TABLE orders, customers RESTART IDENTITY"],
    )
    .check();
    assert_eq!(of(&f, "truncate-table").len(), 2);
    let f = plan("mysql", &["DELETE FROM `orders`"])
        .rows("orders", 7)
        .check();
    assert!(one(&f, "truncate-table").message.contains("7 rows"));
    let f = plan("postgres", &["DELETE FROM orders WHERE id < 100"])
        .destructive(0, false)
        .check();
    none(&f, "truncate-table");
    // Even if the host marks it, a DELETE with WHERE is not a truncation.
    let f = plan("postgres", &["DELETE FROM orders WHERE id < 100"]).check();
    none(&f, "truncate-table");
}

#[test]
fn drop_schema_or_database() {
    let f = plan("mysql", &["DROP DATABASE IF EXISTS `shop`"]).check();
    assert!(one(&f, "drop-namespace").message.contains("shop"));
    let f = plan("postgres", &["DROP SCHEMA billing"])
        .destructive(0, false)
        .check();
    none(&f, "drop-namespace");
}

#[test]
fn lossy_type_changes_from_the_statements() {
    let f = plan("postgres", &[r#"ALTER TABLE "orders" ALTER COLUMN "code" SET DATA TYPE varchar(20) USING left(code, 20)"#])
        .shop()
        .check();
    let lossy = one(&f, "lossy-type-change");
    assert!(lossy.message.contains("varchar(255)") && lossy.message.contains("varchar(20)"));
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ALTER COLUMN code TYPE text"],
    )
    .shop()
    .check();
    none(&f, "lossy-type-change");
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` MODIFY COLUMN `qty` SMALLINT NOT NULL"],
    )
    .shop()
    .check();
    one(&f, "lossy-type-change");
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` CHANGE `qty` `quantity` BIGINT NOT NULL"],
    )
    .shop()
    .check();
    none(&f, "lossy-type-change");
    // Without the schema before, the old type is unknown: nothing to judge.
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ALTER COLUMN code TYPE varchar(20)"],
    )
    .check();
    none(&f, "lossy-type-change");
}

#[test]
fn lossy_type_changes_from_before_and_after_are_reported_once() {
    let after = vec![
        table("orders")
            .req("id", ColumnType::Bigint)
            .col("customer_id", ColumnType::Bigint)
            .col("code", varchar(20))
            .req("qty", ColumnType::Integer)
            .pk(&["id"])
            .t(),
    ];
    let f = plan("sqlite", &rebuild())
        .shop()
        .after(after.clone())
        .destructive(2, false)
        .check();
    let lossy = of(&f, "lossy-type-change");
    assert_eq!(lossy.len(), 1, "{:?}", ids(&f));
    assert!(lossy[0].message.contains("orders.code"));
    assert_eq!(lossy[0].statement_index, Some(1));
    // A statement and the before/after comparison name the same column: one finding.
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ALTER COLUMN code TYPE varchar(20)"],
    )
    .shop()
    .after(after)
    .check();
    assert_eq!(of(&f, "lossy-type-change").len(), 1);
}

#[test]
fn a_table_dropped_and_created_anew_is_not_a_type_change() {
    let after = vec![table("public.orders").req("id", ColumnType::Integer).t()];
    let f = plan(
        "postgres",
        &[
            "DROP TABLE orders",
            "CREATE TABLE orders (id integer PRIMARY KEY)",
        ],
    )
    .shop()
    .after(after)
    .check();
    none(&f, "lossy-type-change");
    one(&f, "drop-table");
}

#[test]
fn renames_of_existing_columns_and_tables() {
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` CHANGE COLUMN `note` `remark` TEXT"],
    )
    .check();
    let r = one(&f, "rename-column");
    assert!(r.message.contains("note") && r.message.contains("remark"));
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` CHANGE `note` `note` MEDIUMTEXT"],
    )
    .check();
    none(&f, "rename-column");
    let f = plan("postgres", &["ALTER TABLE orders RENAME note TO remark"]).check();
    one(&f, "rename-column");
    let f = plan(
        "postgres",
        &[
            "CREATE TABLE drafts (a int)",
            "ALTER TABLE drafts RENAME COLUMN a TO b",
        ],
    )
    .check();
    none(&f, "rename-column");
    let f = plan(
        "postgres",
        &["ALTER TABLE public.orders RENAME TO purchases"],
    )
    .check();
    assert_eq!(table_of(one(&f, "rename-table")), "public.orders");
    let f = plan("sqlite", &["ALTER TABLE orders RENAME TO purchases"]).check();
    one(&f, "rename-table");
}

#[test]
fn a_planned_sqlite_rebuild_reports_only_the_lost_column() {
    // As the SQLite dialect renders dropping `orders.note`; the host marks every statement of a
    // destructive change destructive.
    let sql = [
        "PRAGMA foreign_keys = OFF",
        r#"DROP TABLE IF EXISTS temp."ai_shell_rebuild_check""#,
        r#"CREATE TEMP TABLE "ai_shell_rebuild_check" ("foreign_keys_off" INTEGER CONSTRAINT "rebuilding table ""orders"" needs PRAGMA foreign_keys = OFF" CHECK ("foreign_keys_off"), "foreign_keys_hold" INTEGER CONSTRAINT "rebuilding table ""orders"" left foreign key violations" CHECK ("foreign_keys_hold"))"#,
        r#"INSERT INTO temp."ai_shell_rebuild_check" ("foreign_keys_off") SELECT NOT "foreign_keys" FROM pragma_foreign_keys"#,
        r#"CREATE TABLE "ai_shell_new_orders" ("id" BIGINT NOT NULL, "customer_id" BIGINT, "code" VARCHAR(255), "qty" INTEGER NOT NULL, PRIMARY KEY ("id"))"#,
        r#"INSERT INTO "ai_shell_new_orders" (rowid, "id", "customer_id", "code", "qty") SELECT rowid, "id", "customer_id", "code", "qty" FROM "orders""#,
        r#"DROP TABLE "orders""#,
        "PRAGMA legacy_alter_table = ON",
        r#"ALTER TABLE "ai_shell_new_orders" RENAME TO "orders""#,
        "PRAGMA legacy_alter_table = OFF",
        r#"INSERT INTO temp."ai_shell_rebuild_check" ("foreign_keys_hold") SELECT NOT EXISTS (SELECT 1 FROM pragma_foreign_key_check('orders'))"#,
        r#"DROP TABLE temp."ai_shell_rebuild_check""#,
        "PRAGMA foreign_keys = ON",
    ];
    let mut p = plan("sqlite", &sql).shop().rows("orders", 10);
    for i in 0..sql.len() {
        p = p.destructive(i, true);
    }
    let f = p.check();
    assert_eq!(
        ids(&f),
        ["drop-column"],
        "{:?}",
        f.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    assert!(f[0].message.contains("orders.note"));
    // With no schema read, the change says which column goes.
    let drop = Change::DropColumn(ai_shell_policy_sdk::ColumnRef {
        table: name("orders"),
        column: "note".into(),
    });
    let mut p = plan("sqlite", &sql)
        .size_unknown()
        .one_change()
        .changes(vec![drop]);
    for i in 0..sql.len() {
        p = p.destructive(i, true);
    }
    let f = p.check();
    assert_eq!(of(&f, "drop-column").len(), 1, "{:?}", ids(&f));
    none(&f, "drop-table");
}
