//! Every rule in the table fires on at least one case here, is documented in `docs/policies.md`, and
//! is listed by `info()`.

use ai_shell_policy_sdk::{
    Author, Change, ColumnType, DataProblemKind, Policy, RawSql, RuleScope, Severity,
};

use super::*;
use crate::rules::table::{RULES, docs};

const DOCS: &str = include_str!("../../../../docs/policies.md");

fn rebuild() -> Vec<&'static str> {
    vec![
        r#"CREATE TABLE "ai_shell_new_orders" ("id" INTEGER PRIMARY KEY, "qty" INTEGER NOT NULL)"#,
        r#"INSERT INTO "ai_shell_new_orders" ("id", "qty") SELECT "id", "qty" FROM "orders""#,
        r#"DROP TABLE "orders""#,
        r#"ALTER TABLE "ai_shell_new_orders" RENAME TO "orders""#,
    ]
}

fn raw() -> Change {
    Change::RawSql(RawSql {
        up: "UPDATE orders SET qty = 0".into(),
        down: None,
        note: None,
    })
}

/// A plan or schema check.
type Case = fn() -> Vec<Finding>;

/// One case per rule that must report it.
const CASES: &[(&str, Case)] = &[
    ("drop-table", || {
        plan("postgres", &[r#"DROP TABLE "orders""#]).check()
    }),
    ("drop-column", || {
        plan("mysql", &["ALTER TABLE `orders` DROP COLUMN `note`"]).check()
    }),
    ("truncate-table", || {
        plan("sqlite", &["DELETE FROM orders"]).check()
    }),
    ("drop-namespace", || {
        plan("postgres", &["DROP SCHEMA billing CASCADE"]).check()
    }),
    ("lossy-type-change", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ALTER COLUMN code TYPE varchar(20)"],
        )
        .shop()
        .check()
    }),
    ("rename-column", || {
        plan(
            "postgres",
            &["ALTER TABLE orders RENAME COLUMN note TO remark"],
        )
        .check()
    }),
    ("rename-table", || {
        plan("mysql", &["RENAME TABLE `orders` TO `purchases`"]).check()
    }),
    ("index-not-concurrent", || {
        plan(
            "postgres",
            &["CREATE INDEX orders_code_idx ON orders (code)"],
        )
        .big()
        .check()
    }),
    ("drop-index-not-concurrent", || {
        plan("postgres", &["DROP INDEX orders_note_idx"])
            .shop()
            .big()
            .check()
    }),
    ("volatile-default", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()"],
        )
        .big()
        .check()
    }),
    ("table-rewrite-type-change", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ALTER COLUMN qty TYPE bigint"],
        )
        .shop()
        .big()
        .check()
    }),
    ("set-not-null-scan", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ALTER COLUMN note SET NOT NULL"],
        )
        .shop()
        .big()
        .check()
    }),
    ("foreign-key-not-valid", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)"],
        )
        .big()
        .check()
    }),
    ("check-not-valid", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0)"],
        )
        .big()
        .check()
    }),
    ("unique-without-index", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code)"],
        )
        .big()
        .check()
    }),
    ("mysql-copy-alter", || {
        plan("mysql", &["ALTER TABLE `orders` DROP PRIMARY KEY"])
            .big()
            .check()
    }),
    ("sqlite-table-rebuild", || {
        plan("sqlite", &rebuild()).rows("orders", 500_000).check()
    }),
    ("lock-timeout-missing", || {
        plan("postgres", &["ALTER TABLE orders ADD COLUMN remark text"])
            .no_lock_timeout()
            .check()
    }),
    ("add-column-not-null-no-default", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ADD COLUMN region text NOT NULL"],
        )
        .rows("orders", 10)
        .check()
    }),
    ("unique-over-duplicates", || {
        plan("postgres", &["ALTER TABLE orders ADD UNIQUE (code)"])
            .problem(
                DataProblemKind::Duplicates,
                0,
                3,
                "code 'A1' appears 3 times",
            )
            .check()
    }),
    ("not-null-over-nulls", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ALTER COLUMN note SET NOT NULL"],
        )
        .problem(DataProblemKind::Nulls, 0, 12, "note")
        .check()
    }),
    ("foreign-key-orphans", || {
        plan("postgres", &["ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID"])
            .problem(DataProblemKind::Orphans, 0, 2, "customer_id 7, 9")
            .check()
    }),
    ("check-violated", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ADD CHECK (qty > 0) NOT VALID"],
        )
        .problem(DataProblemKind::CheckViolations, 0, 1, "qty = -1")
        .check()
    }),
    ("missing-down", || {
        plan("sqlite", &["CREATE INDEX orders_code_idx ON orders (code)"])
            .without_down()
            .check()
    }),
    ("raw-sql-in-llm-plan", || {
        plan("postgres", &["UPDATE orders SET qty = 0"])
            .changes(vec![raw()])
            .author(Author::Llm)
            .check()
    }),
    ("identifier-too-long", || {
        plan(
            "postgres",
            &["CREATE INDEX orders_customer_id_created_at_status_region_sales_channel_partial_idx ON orders (customer_id)"],
        )
        .check()
    }),
    ("table-without-primary-key", || {
        plan("postgres", &["CREATE TABLE events (payload text)"]).check()
    }),
    ("foreign-key-without-index", || {
        plan(
            "postgres",
            &["CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id))"],
        )
        .check()
    }),
    ("int-primary-key", || {
        plan(
            "mysql",
            &["CREATE TABLE `items` (`id` INT AUTO_INCREMENT PRIMARY KEY)"],
        )
        .check()
    }),
    ("timestamp-without-time-zone", || {
        plan(
            "postgres",
            &["ALTER TABLE orders ADD COLUMN shipped_at timestamp"],
        )
        .check()
    }),
    ("float-for-money", || {
        plan("sqlite", &["ALTER TABLE orders ADD COLUMN price REAL"]).check()
    }),
    ("naming-convention", || {
        plan(
            "postgres",
            &[r#"CREATE TABLE "OrderItems" (id bigint PRIMARY KEY)"#],
        )
        .check()
    }),
    ("table-without-timestamps", || {
        schema(
            "postgres",
            vec![table("tags").req("id", ColumnType::Bigint).pk(&["id"]).t()],
        )
        .check()
    }),
    ("unbounded-text-for-short-values", || {
        schema(
            "postgres",
            vec![table("users").col("email", ColumnType::Text).t()],
        )
        .check()
    }),
    ("enum-like-without-check", || {
        schema(
            "mysql",
            vec![table("orders").col("status", varchar(20)).t()],
        )
        .check()
    }),
    ("missing-default", || {
        schema(
            "sqlite",
            vec![table("users").req("active", ColumnType::Boolean).t()],
        )
        .check()
    }),
    ("integer-key-near-limit", || {
        schema(
            "postgres",
            vec![table("hits").req("id", ColumnType::Integer).pk(&["id"]).t()],
        )
        .rows("hits", 1_500_000_000)
        .check()
    }),
    ("duplicate-index", || {
        schema(
            "postgres",
            vec![
                table("orders")
                    .col("a", ColumnType::Integer)
                    .col("b", ColumnType::Integer)
                    .index("orders_a_idx", &["a"])
                    .index("orders_a_b_idx", &["a", "b"])
                    .t(),
            ],
        )
        .check()
    }),
];

#[test]
fn every_rule_fires_on_its_case_with_the_table_s_severity_and_docs() {
    for (id, case) in CASES {
        let findings = case();
        let f = one(&findings, id);
        let rule = RULES.iter().find(|r| r.id == *id).expect("in the table");
        assert_eq!(f.severity, rule.severity, "{id}");
        assert_eq!(f.docs, docs(id));
        assert!(!f.message.is_empty() && !f.hint.is_empty(), "{id}");
    }
}

#[test]
fn every_rule_in_the_table_has_a_case() {
    for rule in RULES {
        assert!(
            CASES.iter().any(|(id, _)| *id == rule.id),
            "{} has no case in CASES",
            rule.id
        );
    }
    assert_eq!(RULES.len(), 38);
}

#[test]
fn every_rule_is_documented_and_every_documented_rule_exists() {
    for rule in RULES {
        assert!(
            DOCS.lines()
                .any(|l| l.trim_end() == format!("### {}", rule.id)),
            "docs/policies.md has no `### {}` section",
            rule.id
        );
    }
    for line in DOCS.lines() {
        if let Some(id) = line.strip_prefix("### ") {
            assert!(
                RULES.iter().any(|r| r.id == id.trim()),
                "docs/policies.md documents `{id}`, which is not a rule"
            );
        }
    }
}

#[test]
fn ids_are_unique_kebab_case_and_scoped() {
    for (k, rule) in RULES.iter().enumerate() {
        assert!(
            rule.id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}",
            rule.id
        );
        assert!(
            RULES[k + 1..].iter().all(|r| r.id != rule.id),
            "{} twice",
            rule.id
        );
        assert!(rule.plan || rule.schema, "{}", rule.id);
    }
}

#[test]
fn info_lists_the_table() {
    let info = BuiltIn::info();
    assert_eq!(info.name, "builtin");
    assert_eq!(info.version, "0.1.0");
    assert_eq!(info.rules.len(), RULES.len());
    let fk = info
        .rules
        .iter()
        .find(|r| r.id == "float-for-money")
        .unwrap();
    let has = |flag: RuleScope| fk.scope.bits() & flag.bits() != 0;
    assert!(has(RuleScope::PLAN) && has(RuleScope::SCHEMA));
    assert!(fk.engines.is_empty());
    assert_eq!(fk.docs, "docs/policies.md#float-for-money");
    let pg = info
        .rules
        .iter()
        .find(|r| r.id == "index-not-concurrent")
        .unwrap();
    assert_eq!(pg.engines, ["postgres"]);
    assert!(matches!(pg.severity, Severity::Warn));
}

#[test]
fn engine_names_are_read_loosely() {
    let f = plan("PostgreSQL", &["CREATE INDEX ON orders (code)"])
        .big()
        .check();
    one(&f, "index-not-concurrent");
    let f = plan("mariadb", &["ALTER TABLE `orders` DROP PRIMARY KEY"])
        .big()
        .check();
    one(&f, "mysql-copy-alter");
    // An engine of another dialect plugin gets the rules for every engine only.
    let f = plan(
        "oracle",
        &["CREATE INDEX ON orders (code)", "DROP TABLE orders"],
    )
    .big()
    .check();
    assert_eq!(ids(&f), ["drop-table"]);
}

#[test]
fn rules_stay_within_their_engines_and_scopes() {
    // A PostgreSQL-only rule on MySQL, and a schema-only rule in a plan.
    let findings = plan("mysql", &["CREATE INDEX orders_code_idx ON orders (code)"])
        .big()
        .check();
    none(&findings, "index-not-concurrent");
    let findings = plan(
        "postgres",
        &["CREATE TABLE tags (id bigint PRIMARY KEY, status text)"],
    )
    .check();
    none(&findings, "table-without-timestamps");
    none(&findings, "enum-like-without-check");
}

#[test]
fn ordinary_migrations_are_quiet_on_every_engine() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "postgres",
            &[
                r#"CREATE TABLE "public"."coupons" ("id" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL, "code" character varying(20) NOT NULL, "created_at" timestamp with time zone NOT NULL DEFAULT now(), CONSTRAINT "coupons_pkey" PRIMARY KEY ("id"))"#,
                r#"CREATE UNIQUE INDEX "coupons_code_key" ON "public"."coupons" USING btree ("code")"#,
                r#"ALTER TABLE "public"."orders" ADD COLUMN "coupon_id" bigint"#,
                r#"CREATE INDEX CONCURRENTLY "orders_coupon_id_idx" ON "public"."orders" ("coupon_id")"#,
                r#"ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_coupon_id_fkey" FOREIGN KEY ("coupon_id") REFERENCES "public"."coupons" ("id") NOT VALID"#,
                r#"ALTER TABLE "public"."orders" VALIDATE CONSTRAINT "orders_coupon_id_fkey""#,
            ],
        ),
        (
            "mysql",
            &[
                "CREATE TABLE `coupons` (`id` BIGINT NOT NULL AUTO_INCREMENT, `code` VARCHAR(20) NOT NULL, `created_at` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (`id`), UNIQUE KEY `coupons_code_key` (`code`)) ENGINE=InnoDB",
                "ALTER TABLE `orders` ADD COLUMN `coupon_id` BIGINT NULL, ALGORITHM=INSTANT",
                "ALTER TABLE `orders` ADD INDEX `orders_coupon_id_idx` (`coupon_id`)",
                "ALTER TABLE `orders` ADD CONSTRAINT `orders_coupon_id_fkey` FOREIGN KEY (`coupon_id`) REFERENCES `coupons` (`id`)",
            ],
        ),
        (
            "sqlite",
            &[
                r#"CREATE TABLE "coupons" ("id" INTEGER PRIMARY KEY, "code" TEXT NOT NULL, "created_at" TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"#,
                r#"ALTER TABLE "orders" ADD COLUMN "coupon_id" INTEGER REFERENCES "coupons" ("id")"#,
                r#"CREATE INDEX "orders_coupon_id_idx" ON "orders" ("coupon_id")"#,
            ],
        ),
    ];
    for (engine, sql) in cases {
        let f = plan(engine, sql).shop().big().check();
        assert!(
            f.is_empty(),
            "{engine}: {:?}",
            f.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }
}
