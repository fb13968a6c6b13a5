//! The design of the tables, columns and names a plan creates.

use super::*;

#[test]
fn new_tables_need_a_primary_key() {
    let f = plan(
        "mysql",
        &["CREATE TABLE `events` (`payload` TEXT) ENGINE=InnoDB"],
    )
    .check();
    assert_eq!(table_of(one(&f, "table-without-primary-key")), "events");
    for sql in [
        "CREATE TABLE events (id bigint PRIMARY KEY, payload text)",
        "CREATE TABLE events (a int, b int, CONSTRAINT events_pkey PRIMARY KEY (a, b))",
        "CREATE TEMP TABLE scratch (a int)",
        "CREATE TABLE report AS SELECT * FROM orders",
        "CREATE TABLE ai_shell_fill_orders_note AS SELECT id FROM orders WHERE note IS NULL",
    ] {
        none(
            &plan("postgres", &[sql]).check(),
            "table-without-primary-key",
        );
    }
    let f = plan(
        "sqlite",
        &[
            r#"CREATE TABLE "ai_shell_new_orders" ("id" INTEGER, "qty" INTEGER)"#,
            r#"INSERT INTO "ai_shell_new_orders" SELECT "id", "qty" FROM "orders""#,
            r#"DROP TABLE "orders""#,
            r#"ALTER TABLE "ai_shell_new_orders" RENAME TO "orders""#,
        ],
    )
    .check();
    none(&f, "table-without-primary-key");
}

#[test]
fn new_foreign_keys_need_an_index() {
    let items = "CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id) ON DELETE SET DEFAULT)";
    let f = plan("postgres", &[items]).check();
    let x = one(&f, "foreign-key-without-index");
    assert!(
        x.message.contains("order_id") && x.message.contains("orders"),
        "{}",
        x.message
    );
    let f = plan(
        "postgres",
        &[
            items,
            "CREATE INDEX items_order_id_idx ON items (order_id, id)",
        ],
    )
    .check();
    none(&f, "foreign-key-without-index");
    let f = plan(
        "postgres",
        &["CREATE TABLE items (order_id bigint REFERENCES orders, line int, PRIMARY KEY (order_id, line))"],
    )
    .check();
    none(&f, "foreign-key-without-index");
    // An index on (x, order_id) does not lead with order_id.
    let f = plan(
        "sqlite",
        &[items, "CREATE INDEX items_x ON items (id, order_id)"],
    )
    .check();
    one(&f, "foreign-key-without-index");
    let add = "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)";
    one(
        &plan("postgres", &[add]).shop().check(),
        "foreign-key-without-index",
    );
    let mut before = shop();
    before[0]
        .indexes
        .push(plain_index("orders_customer_idx", &["customer_id"]));
    none(
        &plan("postgres", &[add]).before(before).check(),
        "foreign-key-without-index",
    );
    // The schema after the plan has the index (created by a later change).
    let mut after = shop();
    after[0]
        .indexes
        .push(plain_index("orders_customer_idx", &["customer_id"]));
    none(
        &plan("postgres", &[add]).shop().after(after).check(),
        "foreign-key-without-index",
    );
    // A column added with its own REFERENCES.
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id)"],
    )
    .shop()
    .check();
    assert!(
        one(&f, "foreign-key-without-index")
            .message
            .contains("coupon_id")
    );
    // MySQL indexes foreign keys itself.
    none(
        &plan("mysql", &[items]).check(),
        "foreign-key-without-index",
    );
}

#[test]
fn small_integer_primary_keys() {
    let f = plan("postgres", &["CREATE TABLE items (id serial PRIMARY KEY)"]).check();
    assert!(one(&f, "int-primary-key").message.contains("serial"));
    let f = plan(
        "postgres",
        &["CREATE TABLE items (id integer, PRIMARY KEY (id))"],
    )
    .check();
    one(&f, "int-primary-key");
    for sql in [
        "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)",
        "CREATE TABLE items (a int, b int, PRIMARY KEY (a, b))",
        "CREATE TABLE items (code text PRIMARY KEY)",
    ] {
        none(&plan("postgres", &[sql]).check(), "int-primary-key");
    }
    let f = plan(
        "sqlite",
        &["CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT)"],
    )
    .check();
    none(&f, "int-primary-key");
}

#[test]
fn timestamps_without_time_zone() {
    let f = plan(
        "postgres",
        &["CREATE TABLE visits (id bigint PRIMARY KEY, seen timestamp(3) without time zone)"],
    )
    .check();
    assert!(
        one(&f, "timestamp-without-time-zone")
            .message
            .contains("visits.seen")
    );
    for sql in [
        "CREATE TABLE visits (id bigint PRIMARY KEY, seen timestamptz)",
        "ALTER TABLE orders ADD COLUMN seen timestamp with time zone",
    ] {
        none(
            &plan("postgres", &[sql]).check(),
            "timestamp-without-time-zone",
        );
    }
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` ADD COLUMN `seen` DATETIME"],
    )
    .check();
    none(&f, "timestamp-without-time-zone");
}

#[test]
fn floats_for_money() {
    let f = plan(
        "postgres",
        &["CREATE TABLE lines (id bigint PRIMARY KEY, unit_price double precision, latitude double precision)"],
    )
    .check();
    assert_eq!(of(&f, "float-for-money").len(), 1);
    let f = plan(
        "mysql",
        &["ALTER TABLE `orders` ADD COLUMN `total_amount` FLOAT NOT NULL DEFAULT 0"],
    )
    .check();
    one(&f, "float-for-money");
    for sql in [
        "ALTER TABLE orders ADD COLUMN price numeric(10,2)",
        "ALTER TABLE orders ADD COLUMN price_cents bigint",
        "ALTER TABLE orders ADD COLUMN price_cents real",
        "ALTER TABLE orders ADD COLUMN weight real",
    ] {
        none(&plan("postgres", &[sql]).check(), "float-for-money");
    }
}

#[test]
fn names_follow_the_configured_style() {
    let f = plan(
        "postgres",
        &[r#"CREATE TABLE "OrderItems" ("Id" bigint PRIMARY KEY)"#],
    )
    .check();
    let names = of(&f, "naming-convention");
    assert_eq!(names.len(), 2);
    assert!(names[0].hint.contains("order_items"), "{}", names[0].hint);
    // PostgreSQL folds unquoted names to lower case.
    let f = plan(
        "postgres",
        &["CREATE TABLE OrderItems (Id bigint PRIMARY KEY)"],
    )
    .check();
    none(&f, "naming-convention");
    let f = plan("mysql", &["CREATE TABLE `orders2` (`id` BIGINT PRIMARY KEY, `orderId` BIGINT, INDEX `ByOrder` (`orderId`))"]).check();
    assert_eq!(of(&f, "naming-convention").len(), 2, "{:?}", ids(&f));
    let f = plan(
        "postgres",
        &["ALTER TABLE orders ADD CONSTRAINT \"Qty-Positive\" CHECK (qty > 0) NOT VALID"],
    )
    .check();
    one(&f, "naming-convention");
    let f = plan(
        "postgres",
        &["ALTER TABLE orders RENAME COLUMN note TO \"Remark\""],
    )
    .check();
    one(&f, "naming-convention");
}

#[test]
fn naming_settings() {
    let camel = |sql: &str| {
        plan("sqlite", &[sql])
            .setting("naming-convention", "style", "camelCase")
            .check()
    };
    none(
        &camel("CREATE TABLE orderItems (itemId INTEGER PRIMARY KEY)"),
        "naming-convention",
    );
    let f = camel("CREATE TABLE order_items (itemId INTEGER PRIMARY KEY)");
    assert!(one(&f, "naming-convention").hint.contains("orderItems"));
    let f = plan(
        "sqlite",
        &["CREATE TABLE Weird_Name (x INTEGER PRIMARY KEY)"],
    )
    .setting("*", "style", "any")
    .check();
    none(&f, "naming-convention");
    let prefixed = |sql: &str| {
        plan("postgres", &[sql])
            .setting("naming-convention", "table-prefix", "app_")
            .check()
    };
    let f = prefixed("CREATE TABLE items (id bigint PRIMARY KEY)");
    assert!(one(&f, "naming-convention").message.contains("app_"));
    none(
        &prefixed("CREATE TABLE app_items (id bigint PRIMARY KEY)"),
        "naming-convention",
    );
}
