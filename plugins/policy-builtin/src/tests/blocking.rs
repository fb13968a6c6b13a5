//! Locks and rewrites on big existing tables.

use ai_shell_policy_sdk::Severity;

use super::*;

#[test]
fn index_builds_block_writes_on_big_or_unknown_tables_only() {
    let f = plan(
        "postgres",
        &[r#"CREATE UNIQUE INDEX "orders_code_idx" ON "public"."orders" USING btree ("code")"#],
    )
    .big()
    .check();
    let x = one(&f, "index-not-concurrent");
    assert!(
        x.message.contains("public.orders (2,000,000 rows)"),
        "{}",
        x.message
    );
    let f = plan(
        "postgres",
        &["CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_code_idx ON orders (code)"],
    )
    .big()
    .check();
    none(&f, "index-not-concurrent");
    let f = plan("postgres", &["CREATE INDEX ON orders (code)"])
        .rows("orders", 99_999)
        .check();
    none(&f, "index-not-concurrent");
    let f = plan("postgres", &["CREATE INDEX ON orders (code)"])
        .size_unknown()
        .check();
    assert!(
        one(&f, "index-not-concurrent")
            .message
            .contains("size unknown")
    );
    // A table created in the plan is empty.
    let f = plan(
        "postgres",
        &[
            "CREATE TABLE items (id bigint PRIMARY KEY, sku text)",
            "CREATE INDEX ON items (sku)",
        ],
    )
    .size_unknown()
    .check();
    none(&f, "index-not-concurrent");
}

#[test]
fn the_big_table_threshold_is_a_setting() {
    let f = plan("postgres", &["CREATE INDEX ON orders (code)"])
        .rows("orders", 5_000)
        .setting("*", "big-table-rows", "1000")
        .check();
    one(&f, "index-not-concurrent");
    let f = plan("postgres", &["CREATE INDEX ON orders (code)"])
        .big()
        .setting("index-not-concurrent", "big-table-rows", "10_000_000")
        .check();
    none(&f, "index-not-concurrent");
}

#[test]
fn drop_index_without_concurrently() {
    let f = plan("postgres", &["DROP INDEX IF EXISTS public.orders_note_idx"])
        .shop()
        .big()
        .check();
    assert_eq!(
        table_of(one(&f, "drop-index-not-concurrent")),
        "public.orders"
    );
    let f = plan("postgres", &["DROP INDEX CONCURRENTLY orders_note_idx"])
        .shop()
        .big()
        .check();
    none(&f, "drop-index-not-concurrent");
    // Unknown to the schema before: not there to drop.
    let f = plan("postgres", &["DROP INDEX IF EXISTS ghost_idx"])
        .shop()
        .big()
        .check();
    none(&f, "drop-index-not-concurrent");
    // No schema read: the table and its size are unknown.
    let f = plan("postgres", &["DROP INDEX orders_note_idx"])
        .size_unknown()
        .check();
    one(&f, "drop-index-not-concurrent");
}

#[test]
fn volatile_defaults_rewrite_the_table() {
    for sql in [
        "ALTER TABLE orders ADD COLUMN r float8 DEFAULT random()",
        "ALTER TABLE orders ADD COLUMN seen timestamptz NOT NULL DEFAULT clock_timestamp()",
        "ALTER TABLE orders ADD COLUMN n bigserial",
        "ALTER TABLE orders ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY",
    ] {
        let f = plan("postgres", &[sql]).big().check();
        one(&f, "volatile-default");
    }
    for sql in [
        "ALTER TABLE orders ADD COLUMN seen timestamptz NOT NULL DEFAULT now()",
        "ALTER TABLE orders ADD COLUMN seen timestamptz DEFAULT CURRENT_TIMESTAMP",
        "ALTER TABLE orders ADD COLUMN label text DEFAULT 'random()'",
    ] {
        let f = plan("postgres", &[sql]).big().check();
        none(&f, "volatile-default");
    }
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ADD COLUMN r float8 DEFAULT random()"],
    )
    .rows("orders", 10)
    .check();
    none(&f, "volatile-default");
}

#[test]
fn type_changes_that_rewrite() {
    let pg = |sql: &str| plan("postgres", &[sql]).shop().big().check();
    one(
        &pg("ALTER TABLE orders ALTER COLUMN qty TYPE bigint USING qty::bigint"),
        "table-rewrite-type-change",
    );
    none(
        &pg("ALTER TABLE orders ALTER COLUMN code TYPE varchar(300)"),
        "table-rewrite-type-change",
    );
    none(
        &pg("ALTER TABLE orders ALTER COLUMN code TYPE text"),
        "table-rewrite-type-change",
    );
    one(
        &pg("ALTER TABLE orders ALTER COLUMN note TYPE varchar(20)"),
        "table-rewrite-type-change",
    );
    let my = |sql: &str| plan("mysql", &[sql]).shop().big().check();
    one(
        &my("ALTER TABLE `orders` MODIFY `qty` BIGINT NOT NULL"),
        "table-rewrite-type-change",
    );
    none(
        &my("ALTER TABLE `orders` MODIFY `qty` INT NOT NULL DEFAULT 1"),
        "table-rewrite-type-change",
    );
    // 255 and below keep one length byte, above two: crossing the line copies.
    one(
        &my("ALTER TABLE `orders` MODIFY COLUMN `code` VARCHAR(1000)"),
        "table-rewrite-type-change",
    );
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` MODIFY COLUMN `code` VARCHAR(100)"],
    )
    .before(vec![table("orders").col("code", varchar(20)).t()])
    .big()
    .check();
    none(&f, "table-rewrite-type-change");
    one(
        &my("ALTER TABLE `orders` CHANGE `code` `sku` VARCHAR(200)"),
        "table-rewrite-type-change",
    );
    // Small tables are fine.
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ALTER COLUMN qty TYPE bigint"],
    )
    .shop()
    .rows("orders", 100)
    .check();
    none(&f, "table-rewrite-type-change");
}

#[test]
fn set_not_null_needs_a_proving_check() {
    let f = plan(
        "postgres",
        &[r#"ALTER TABLE "orders" ALTER COLUMN "note" SET NOT NULL"#],
    )
    .shop()
    .big()
    .check();
    assert!(one(&f, "set-not-null-scan").hint.contains("NOT VALID"));
    let mut before = shop();
    before[0].checks.push(ai_shell_policy_sdk::CheckConstraint {
        name: "orders_note_not_null".into(),
        expression: r#"("note" IS NOT NULL)"#.into(),
    });
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ALTER COLUMN note SET NOT NULL"],
    )
    .before(before)
    .big()
    .check();
    none(&f, "set-not-null-scan");
    let f = plan(
        "postgres",
        &[
            "ALTER TABLE orders ADD CONSTRAINT note_nn CHECK (note IS NOT NULL) NOT VALID",
            "ALTER TABLE orders VALIDATE CONSTRAINT note_nn",
            "ALTER TABLE orders ALTER COLUMN note SET NOT NULL",
        ],
    )
    .shop()
    .big()
    .check();
    none(&f, "set-not-null-scan");
    none(&f, "check-not-valid");
    // A check on another column proves nothing.
    let f = plan(
        "postgres",
        &[
            "ALTER TABLE orders ADD CONSTRAINT c CHECK (subnote IS NOT NULL) NOT VALID",
            "ALTER TABLE orders ALTER COLUMN note SET NOT NULL",
        ],
    )
    .big()
    .check();
    one(&f, "set-not-null-scan");
}

#[test]
fn constraints_added_without_not_valid_or_an_index() {
    let f = plan(
        "postgres",
        &[r#"ALTER TABLE "orders" ADD CONSTRAINT "fk" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON DELETE CASCADE"#],
    )
    .size_unknown()
    .check();
    assert!(
        one(&f, "foreign-key-not-valid")
            .message
            .contains("customers")
    );
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID"],
    )
    .big()
    .check();
    none(&f, "foreign-key-not-valid");
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ADD CHECK (qty > 0) NOT VALID"],
    )
    .big()
    .check();
    none(&f, "check-not-valid");
    let f = plan("postgres", &["ALTER TABLE orders ADD PRIMARY KEY (id)"])
        .big()
        .check();
    assert!(
        one(&f, "unique-without-index")
            .message
            .contains("PRIMARY KEY")
    );
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_idx"],
    )
    .big()
    .check();
    none(&f, "unique-without-index");
    // On a new table none of this matters.
    let f = plan(
        "postgres",
        &[
            "CREATE TABLE items (id bigint, order_id bigint)",
            "ALTER TABLE items ADD PRIMARY KEY (id), ADD CHECK (id > 0), ADD FOREIGN KEY (order_id) REFERENCES orders (id)",
        ],
    )
    .size_unknown()
    .check();
    none(&f, "unique-without-index");
    none(&f, "check-not-valid");
    none(&f, "foreign-key-not-valid");
}

#[test]
fn mysql_alters_that_copy_the_table() {
    let my = |sql: &str| plan("mysql", &[sql]).shop().big().check();
    let f = my("ALTER TABLE `orders` ADD COLUMN `x` INT, ALGORITHM=COPY");
    assert!(
        one(&f, "mysql-copy-alter")
            .message
            .contains("ALGORITHM=COPY")
    );
    let f = my("ALTER TABLE `orders` MODIFY `qty` BIGINT NOT NULL, ADD PRIMARY KEY (`id`)");
    let m = &one(&f, "mysql-copy-alter").message;
    assert!(m.contains("qty") && m.contains("primary key"), "{m}");
    one(
        &my("ALTER TABLE `orders` CONVERT TO CHARACTER SET utf8mb4"),
        "mysql-copy-alter",
    );
    none(
        &my("ALTER TABLE `orders` ADD COLUMN `x` INT, ALGORITHM=INSTANT"),
        "mysql-copy-alter",
    );
    none(
        &my("ALTER TABLE `orders` MODIFY `qty` BIGINT NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"),
        "mysql-copy-alter",
    );
    none(
        &my("ALTER TABLE `orders` MODIFY `code` VARCHAR(255) NOT NULL"),
        "mysql-copy-alter",
    );
    none(
        &my("ALTER TABLE `orders` ADD INDEX `orders_qty_idx` (`qty`)"),
        "mysql-copy-alter",
    );
    let f = plan("mysql", &["ALTER TABLE `orders` DROP PRIMARY KEY"])
        .rows("orders", 3)
        .check();
    none(&f, "mysql-copy-alter");
}

#[test]
fn sqlite_rebuilds_of_big_tables() {
    let statements = [
        "PRAGMA foreign_keys = OFF",
        r#"CREATE TABLE "ai_shell_new_orders" ("id" INTEGER PRIMARY KEY, "qty" INTEGER NOT NULL)"#,
        r#"INSERT INTO "ai_shell_new_orders" ("id", "qty") SELECT "id", "qty" FROM "orders""#,
        r#"DROP TABLE "orders""#,
        r#"ALTER TABLE "ai_shell_new_orders" RENAME TO "orders""#,
    ];
    let f = plan("sqlite", &statements).size_unknown().check();
    let r = one(&f, "sqlite-table-rebuild");
    assert_eq!(r.statement_index, Some(2));
    assert!(matches!(r.severity, Severity::Info));
    let f = plan("sqlite", &statements).rows("orders", 50).check();
    none(&f, "sqlite-table-rebuild");
    // A copy into a table that keeps its own name is not a rebuild.
    let f = plan(
        "sqlite",
        &[
            "CREATE TABLE archive (id INTEGER PRIMARY KEY)",
            "INSERT INTO archive SELECT id FROM orders",
        ],
    )
    .size_unknown()
    .check();
    none(&f, "sqlite-table-rebuild");
}

#[test]
fn lock_timeout_is_reported_once_unless_set() {
    let f = plan(
        "postgres",
        &[
            "ALTER TABLE orders ADD COLUMN a text",
            "CREATE INDEX CONCURRENTLY ON orders (a)",
        ],
    )
    .no_lock_timeout()
    .check();
    assert_eq!(of(&f, "lock-timeout-missing").len(), 1);
    let f = plan(
        "postgres",
        &[
            "SET lock_timeout = '5s'",
            "ALTER TABLE orders ADD COLUMN a text",
        ],
    )
    .no_lock_timeout()
    .check();
    none(&f, "lock-timeout-missing");
    let f = plan(
        "mysql",
        &[
            "SET SESSION lock_wait_timeout = 10",
            "ALTER TABLE `orders` ADD COLUMN `a` TEXT",
        ],
    )
    .no_lock_timeout()
    .check();
    none(&f, "lock-timeout-missing");
    // Zero turns the timeout off.
    let f = plan(
        "postgres",
        &[
            "SET lock_timeout TO 0",
            "ALTER TABLE orders ADD COLUMN a text",
        ],
    )
    .no_lock_timeout()
    .check();
    one(&f, "lock-timeout-missing");
    // DDL on new tables only waits for nobody.
    let f = plan(
        "postgres",
        &[
            "CREATE TABLE t (id bigint PRIMARY KEY)",
            "CREATE INDEX ON t (id)",
        ],
    )
    .no_lock_timeout()
    .check();
    none(&f, "lock-timeout-missing");
    let f = plan("sqlite", &["ALTER TABLE orders ADD COLUMN a text"])
        .no_lock_timeout()
        .check();
    none(&f, "lock-timeout-missing");
}

#[test]
fn unknown_column_types_are_judged_conservatively() {
    // No schema before: a PostgreSQL change to a string type may be in place, to bigint it is not.
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ALTER COLUMN code TYPE varchar(50)"],
    )
    .size_unknown()
    .check();
    none(&f, "table-rewrite-type-change");
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ALTER COLUMN qty TYPE bigint"],
    )
    .size_unknown()
    .check();
    one(&f, "table-rewrite-type-change");
    let f = plan("mysql", &["ALTER TABLE orders MODIFY qty BIGINT"])
        .size_unknown()
        .check();
    one(&f, "mysql-copy-alter");
}
