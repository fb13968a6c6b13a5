//! Schema drift on every engine: `schema detect-drift`, `verify`, `capture-drift` and `reset-to-migrations`
//! against changes made with raw SQL outside the migrations; no false positive after apply, rollback, a
//! zero-downtime apply, or with no snapshot in the history (the migrations replayed).

use crate::migrate::Project;
use crate::support::Engine;

/// One out-of-band change: the SQL that makes it, text every one of which the differences must show, and
/// the SQL that undoes it.
struct Case {
    name: &'static str,
    make: String,
    expect: Vec<&'static str>,
    undo: String,
}

fn case(name: &'static str, make: &str, expect: &[&'static str], undo: &str) -> Case {
    Case {
        name,
        make: make.to_string(),
        expect: expect.to_vec(),
        undo: undo.to_string(),
    }
}

const CUSTOMERS: &str = "CREATE TABLE customers (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200), status VARCHAR(20) DEFAULT 'new', notes VARCHAR(200), score INTEGER);
CREATE INDEX idx_customers_name ON customers (name);";

const ORDERS: &str = "CREATE TABLE orders (id INTEGER NOT NULL PRIMARY KEY, customer_id INTEGER NOT NULL, total INTEGER, code VARCHAR(20), CONSTRAINT uq_orders_code UNIQUE (code), CONSTRAINT ck_orders_total CHECK (total >= 0), CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id));
CREATE TABLE extras (id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount INTEGER, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER);
CREATE VIEW v_customers AS SELECT id, name FROM customers;";

/// `extras` as the migrations create it, with `columns` instead of its usual ones (SQLite changes a column
/// or constraint by rebuilding the table; `extras` is empty).
fn extras(columns: &str) -> String {
    format!("DROP TABLE extras;\nCREATE TABLE extras ({columns});")
}

const EXTRAS_COLUMNS: &str = "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount INTEGER, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER";

fn trigger(engine: Engine) -> (&'static str, &'static str) {
    match engine {
        Engine::Sqlite => (
            "CREATE TRIGGER trg_orders_total AFTER INSERT ON orders BEGIN UPDATE orders SET total = 0 WHERE id = NEW.id AND total IS NULL; END;",
            "DROP TRIGGER trg_orders_total;",
        ),
        Engine::Mysql => (
            "CREATE TRIGGER trg_orders_total BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = COALESCE(NEW.total, 0);",
            "DROP TRIGGER trg_orders_total;",
        ),
        Engine::Postgres => (
            "CREATE FUNCTION orders_total_default() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.total := COALESCE(NEW.total, 0); RETURN NEW; END $$;
CREATE TRIGGER trg_orders_total BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_total_default();",
            "DROP TRIGGER trg_orders_total ON orders;\nDROP FUNCTION orders_total_default();",
        ),
    }
}

/// The three migrations every test starts from, applied.
fn migrated(engine: Engine) -> Project {
    let p = Project::new(engine);
    p.write(
        "001_customers.sql",
        CUSTOMERS,
        Some("DROP TABLE customers;"),
    );
    p.write(
        "002_orders.sql",
        ORDERS,
        Some("DROP VIEW v_customers;\nDROP TABLE extras;\nDROP TABLE orders;"),
    );
    let (up, down) = trigger(engine);
    p.write("003_trigger.sql", up, Some(down));
    p.run(&["migrate", "apply"]);
    p
}

/// `schema detect-drift --json`: the exit code and the differences.
fn detect(p: &Project) -> (i32, Vec<String>) {
    let out = p
        .cli()
        .args(["schema", "detect-drift", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "detect-drift printed no JSON ({e}):\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let differences = json["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    (out.status.code().unwrap(), differences)
}

/// `schema verify`'s exit code.
fn verify(p: &Project) -> i32 {
    let out = p.cli().args(["schema", "verify"]).output().unwrap();
    out.status.code().unwrap()
}

fn assert_clean(p: &Project, when: &str) {
    let (code, differences) = detect(p);
    assert_eq!(
        (code, differences.clone()),
        (0, vec![]),
        "{:?}: false positive {when}",
        p.db.engine()
    );
}

fn cases(engine: Engine) -> Vec<Case> {
    let mut c = vec![
        case(
            "add column",
            "ALTER TABLE customers ADD COLUMN middle_name VARCHAR(50)",
            &["+ column customers.middle_name (not in migrations)"],
            "ALTER TABLE customers DROP COLUMN middle_name",
        ),
        case(
            "add column with a default",
            "ALTER TABLE customers ADD COLUMN tier INTEGER DEFAULT 1",
            &["+ column customers.tier"],
            "ALTER TABLE customers DROP COLUMN tier",
        ),
        case(
            "add NOT NULL column",
            "ALTER TABLE orders ADD COLUMN flag INTEGER NOT NULL DEFAULT 0",
            &["+ column orders.flag"],
            "ALTER TABLE orders DROP COLUMN flag",
        ),
        case(
            "drop column",
            "ALTER TABLE customers DROP COLUMN score",
            &["- column customers.score (expected but missing)"],
            "ALTER TABLE customers ADD COLUMN score INTEGER",
        ),
        case(
            "rename column",
            "ALTER TABLE extras RENAME COLUMN amount TO amount2",
            &["- column extras.amount", "+ column extras.amount2"],
            "ALTER TABLE extras RENAME COLUMN amount2 TO amount",
        ),
        case(
            "create index",
            "CREATE INDEX idx_orders_custom ON orders (total)",
            &["+ index idx_orders_custom on orders (not in migrations)"],
            &drop_index(engine, "idx_orders_custom", "orders"),
        ),
        case(
            "drop index",
            &drop_index(engine, "idx_customers_name", "customers"),
            &["- index idx_customers_name on customers (expected but missing)"],
            "CREATE INDEX idx_customers_name ON customers (name)",
        ),
        case(
            "create unique index",
            "CREATE UNIQUE INDEX idx_customers_email ON customers (email)",
            &["idx_customers_email", "(not in migrations)"],
            &drop_index(engine, "idx_customers_email", "customers"),
        ),
        case(
            "create multi-column index",
            "CREATE INDEX idx_orders_cust_total ON orders (total, code)",
            &["+ index idx_orders_cust_total on orders"],
            &drop_index(engine, "idx_orders_cust_total", "orders"),
        ),
        case(
            "change an index's columns",
            &format!(
                "{};\nCREATE INDEX idx_customers_name ON customers (name, email)",
                drop_index(engine, "idx_customers_name", "customers")
            ),
            &["~ index idx_customers_name on customers"],
            &format!(
                "{};\nCREATE INDEX idx_customers_name ON customers (name)",
                drop_index(engine, "idx_customers_name", "customers")
            ),
        ),
        case(
            "change an index to unique",
            &format!(
                "{};\nCREATE UNIQUE INDEX idx_customers_name ON customers (name)",
                drop_index(engine, "idx_customers_name", "customers")
            ),
            &["idx_customers_name"],
            &format!(
                "{};\nCREATE INDEX idx_customers_name ON customers (name)",
                drop_index(engine, "idx_customers_name", "customers")
            ),
        ),
        case(
            "create table",
            "CREATE TABLE audit_log (id INTEGER NOT NULL PRIMARY KEY, msg VARCHAR(100))",
            &["+ table audit_log (not in migrations)"],
            "DROP TABLE audit_log",
        ),
        case(
            "create table with a foreign key",
            "CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, customer_id INTEGER, CONSTRAINT fk_notes_customer FOREIGN KEY (customer_id) REFERENCES customers (id))",
            &["+ table notes"],
            "DROP TABLE notes",
        ),
        case(
            "drop table",
            "DROP TABLE extras",
            &["- table extras (expected but missing)"],
            &format!("CREATE TABLE extras ({EXTRAS_COLUMNS})"),
        ),
        case(
            "rename table",
            "ALTER TABLE extras RENAME TO extras_old",
            &["- table extras", "+ table extras_old"],
            "ALTER TABLE extras_old RENAME TO extras",
        ),
        case(
            "create view",
            "CREATE VIEW v_orders AS SELECT id, total FROM orders",
            &["+ view v_orders (not in migrations)"],
            "DROP VIEW v_orders",
        ),
        case(
            "drop view",
            "DROP VIEW v_customers",
            &["- view v_customers (expected but missing)"],
            "CREATE VIEW v_customers AS SELECT id, name FROM customers",
        ),
        case(
            "change a view",
            "DROP VIEW v_customers;\nCREATE VIEW v_customers AS SELECT id, name, email FROM customers",
            &["view v_customers"],
            "DROP VIEW v_customers;\nCREATE VIEW v_customers AS SELECT id, name FROM customers",
        ),
        case(
            "drop trigger",
            trigger_drop(engine),
            &["- trigger trg_orders_total"],
            trigger_only(engine),
        ),
        case(
            "create trigger",
            new_trigger(engine),
            &["+ trigger trg_customers_touch"],
            new_trigger_drop(engine),
        ),
    ];
    match engine {
        Engine::Sqlite => c.extend(sqlite_cases()),
        Engine::Postgres => c.extend(postgres_cases()),
        Engine::Mysql => c.extend(mysql_cases()),
    }
    c
}

fn drop_index(engine: Engine, name: &str, table: &str) -> String {
    match engine {
        Engine::Mysql => format!("DROP INDEX {name} ON {table}"),
        _ => format!("DROP INDEX {name}"),
    }
}

fn trigger_drop(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "DROP TRIGGER trg_orders_total ON orders",
        _ => "DROP TRIGGER trg_orders_total",
    }
}

fn trigger_only(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => {
            "CREATE TRIGGER trg_orders_total BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_total_default()"
        }
        e => trigger(e).0,
    }
}

fn new_trigger(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "CREATE TRIGGER trg_customers_touch AFTER UPDATE ON customers BEGIN UPDATE customers SET score = 0 WHERE id = NEW.id AND score IS NULL; END;"
        }
        Engine::Mysql => {
            "CREATE TRIGGER trg_customers_touch BEFORE UPDATE ON customers FOR EACH ROW SET NEW.score = COALESCE(NEW.score, 0)"
        }
        Engine::Postgres => {
            "CREATE TRIGGER trg_customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION orders_total_default()"
        }
    }
}

fn new_trigger_drop(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "DROP TRIGGER trg_customers_touch ON customers",
        _ => "DROP TRIGGER trg_customers_touch",
    }
}

/// SQLite changes a column or a table constraint by rebuilding the table.
fn sqlite_cases() -> Vec<Case> {
    let undo = extras(EXTRAS_COLUMNS);
    let variant =
        |name, columns: &str, expect: &[&'static str]| case(name, &extras(columns), expect, &undo);
    vec![
        variant(
            "change a column's type",
            "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount TEXT, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER",
            &["~ column extras.amount"],
        ),
        variant(
            "make a column NOT NULL",
            "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount INTEGER NOT NULL, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER",
            &["~ column extras.amount"],
        ),
        variant(
            "make a column nullable",
            "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50), amount INTEGER, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER",
            &["~ column extras.label"],
        ),
        variant(
            "set a default",
            "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount INTEGER DEFAULT 5, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER",
            &["~ column extras.amount"],
        ),
        variant(
            "change a default",
            "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount INTEGER, kind VARCHAR(10) DEFAULT 'b', customer_id INTEGER",
            &["~ column extras.kind"],
        ),
        variant(
            "drop a default",
            "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount INTEGER, kind VARCHAR(10), customer_id INTEGER",
            &["~ column extras.kind"],
        ),
        variant(
            "add a check",
            "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount INTEGER, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER, CONSTRAINT ck_extras_amount CHECK (amount > 0)",
            &["+ check ck_extras_amount on extras"],
        ),
        variant(
            "add a foreign key",
            "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount INTEGER, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER, CONSTRAINT fk_extras_customer FOREIGN KEY (customer_id) REFERENCES customers (id)",
            &["+ foreign key", "extras"],
        ),
        variant(
            "add a unique constraint",
            "id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(50) NOT NULL, amount INTEGER, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER, CONSTRAINT uq_extras_label UNIQUE (label)",
            &["extras", "(not in migrations)"],
        ),
        variant(
            "change the primary key",
            "id INTEGER NOT NULL, label VARCHAR(50) NOT NULL, amount INTEGER, kind VARCHAR(10) DEFAULT 'a', customer_id INTEGER, PRIMARY KEY (id, label)",
            &["primary key"],
        ),
        case(
            "create partial index",
            "CREATE INDEX idx_orders_big ON orders (total) WHERE total > 100",
            &["+ index idx_orders_big on orders"],
            "DROP INDEX idx_orders_big",
        ),
        case(
            "create expression index",
            "CREATE INDEX idx_customers_lower ON customers (lower(name))",
            &["+ index idx_customers_lower on customers"],
            "DROP INDEX idx_customers_lower",
        ),
    ]
}

fn postgres_cases() -> Vec<Case> {
    vec![
        case(
            "change a column's type",
            "ALTER TABLE customers ALTER COLUMN email TYPE VARCHAR(300)",
            &["~ column customers.email"],
            "ALTER TABLE customers ALTER COLUMN email TYPE VARCHAR(200)",
        ),
        case(
            "make a column NOT NULL",
            "ALTER TABLE customers ALTER COLUMN email SET NOT NULL",
            &["~ column customers.email"],
            "ALTER TABLE customers ALTER COLUMN email DROP NOT NULL",
        ),
        case(
            "make a column nullable",
            "ALTER TABLE customers ALTER COLUMN name DROP NOT NULL",
            &["~ column customers.name"],
            "ALTER TABLE customers ALTER COLUMN name SET NOT NULL",
        ),
        case(
            "set a default",
            "ALTER TABLE customers ALTER COLUMN score SET DEFAULT 0",
            &["~ column customers.score"],
            "ALTER TABLE customers ALTER COLUMN score DROP DEFAULT",
        ),
        case(
            "change a default",
            "ALTER TABLE customers ALTER COLUMN status SET DEFAULT 'active'",
            &["~ column customers.status"],
            "ALTER TABLE customers ALTER COLUMN status SET DEFAULT 'new'",
        ),
        case(
            "drop a default",
            "ALTER TABLE customers ALTER COLUMN status DROP DEFAULT",
            &["~ column customers.status"],
            "ALTER TABLE customers ALTER COLUMN status SET DEFAULT 'new'",
        ),
        case(
            "add a unique constraint",
            "ALTER TABLE customers ADD CONSTRAINT uq_customers_name_email UNIQUE (name, email)",
            &["uq_customers_name_email", "(not in migrations)"],
            "ALTER TABLE customers DROP CONSTRAINT uq_customers_name_email",
        ),
        case(
            "drop a unique constraint",
            "ALTER TABLE orders DROP CONSTRAINT uq_orders_code",
            &["uq_orders_code", "(expected but missing)"],
            "ALTER TABLE orders ADD CONSTRAINT uq_orders_code UNIQUE (code)",
        ),
        case(
            "add a foreign key",
            "ALTER TABLE extras ADD CONSTRAINT fk_extras_customer FOREIGN KEY (customer_id) REFERENCES customers (id)",
            &["+ foreign key fk_extras_customer on extras"],
            "ALTER TABLE extras DROP CONSTRAINT fk_extras_customer",
        ),
        case(
            "drop a foreign key",
            "ALTER TABLE orders DROP CONSTRAINT fk_orders_customer",
            &["- foreign key fk_orders_customer on orders"],
            "ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)",
        ),
        case(
            "change a foreign key's action",
            "ALTER TABLE orders DROP CONSTRAINT fk_orders_customer;\nALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE",
            &["~ foreign key fk_orders_customer on orders"],
            "ALTER TABLE orders DROP CONSTRAINT fk_orders_customer;\nALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)",
        ),
        case(
            "add a check",
            "ALTER TABLE customers ADD CONSTRAINT ck_customers_score CHECK (score >= 0)",
            &["+ check ck_customers_score on customers"],
            "ALTER TABLE customers DROP CONSTRAINT ck_customers_score",
        ),
        case(
            "drop a check",
            "ALTER TABLE orders DROP CONSTRAINT ck_orders_total",
            &["- check ck_orders_total on orders"],
            "ALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total >= 0)",
        ),
        case(
            "change a check",
            "ALTER TABLE orders DROP CONSTRAINT ck_orders_total;\nALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total >= 10)",
            &["~ check ck_orders_total on orders"],
            "ALTER TABLE orders DROP CONSTRAINT ck_orders_total;\nALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total >= 0)",
        ),
        case(
            "create partial index",
            "CREATE INDEX idx_orders_big ON orders (total) WHERE total > 100",
            &["+ index idx_orders_big on orders"],
            "DROP INDEX idx_orders_big",
        ),
        case(
            "create expression index",
            "CREATE INDEX idx_customers_lower ON customers (lower(name))",
            &["+ index idx_customers_lower on customers"],
            "DROP INDEX idx_customers_lower",
        ),
        case(
            "create sequence",
            "CREATE SEQUENCE seq_invoice",
            &["+ sequence seq_invoice"],
            "DROP SEQUENCE seq_invoice",
        ),
        case(
            "create enum type",
            "CREATE TYPE mood AS ENUM ('happy', 'sad')",
            &["+ enum type mood"],
            "DROP TYPE mood",
        ),
        case(
            "create schema",
            "CREATE SCHEMA reporting",
            &["+ schema reporting"],
            "DROP SCHEMA reporting",
        ),
        case(
            "comment on a table",
            "COMMENT ON TABLE customers IS 'people who buy'",
            &["customers"],
            "COMMENT ON TABLE customers IS NULL",
        ),
    ]
}

fn mysql_cases() -> Vec<Case> {
    vec![
        case(
            "change a column's type",
            "ALTER TABLE customers MODIFY email VARCHAR(300)",
            &["~ column customers.email"],
            "ALTER TABLE customers MODIFY email VARCHAR(200)",
        ),
        case(
            "make a column NOT NULL",
            "ALTER TABLE customers MODIFY email VARCHAR(200) NOT NULL",
            &["~ column customers.email"],
            "ALTER TABLE customers MODIFY email VARCHAR(200) NULL",
        ),
        case(
            "make a column nullable",
            "ALTER TABLE customers MODIFY name VARCHAR(100) NULL",
            &["~ column customers.name"],
            "ALTER TABLE customers MODIFY name VARCHAR(100) NOT NULL",
        ),
        case(
            "set a default",
            "ALTER TABLE customers ALTER COLUMN score SET DEFAULT 0",
            &["~ column customers.score"],
            "ALTER TABLE customers ALTER COLUMN score DROP DEFAULT",
        ),
        case(
            "change a default",
            "ALTER TABLE customers ALTER COLUMN status SET DEFAULT 'active'",
            &["~ column customers.status"],
            "ALTER TABLE customers ALTER COLUMN status SET DEFAULT 'new'",
        ),
        case(
            "drop a default",
            "ALTER TABLE customers ALTER COLUMN status DROP DEFAULT",
            &["~ column customers.status"],
            "ALTER TABLE customers ALTER COLUMN status SET DEFAULT 'new'",
        ),
        case(
            "add a unique constraint",
            "ALTER TABLE customers ADD CONSTRAINT uq_customers_name_email UNIQUE (name, email)",
            &["uq_customers_name_email", "(not in migrations)"],
            "ALTER TABLE customers DROP INDEX uq_customers_name_email",
        ),
        case(
            "drop a unique constraint",
            "ALTER TABLE orders DROP INDEX uq_orders_code",
            &["uq_orders_code", "(expected but missing)"],
            "ALTER TABLE orders ADD CONSTRAINT uq_orders_code UNIQUE (code)",
        ),
        case(
            "add a foreign key",
            "ALTER TABLE extras ADD CONSTRAINT fk_extras_customer FOREIGN KEY (customer_id) REFERENCES customers (id)",
            &["+ foreign key fk_extras_customer on extras"],
            "ALTER TABLE extras DROP FOREIGN KEY fk_extras_customer;\nDROP INDEX fk_extras_customer ON extras",
        ),
        case(
            "drop a foreign key",
            "ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer",
            &["- foreign key fk_orders_customer on orders"],
            "ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)",
        ),
        case(
            "change a foreign key's action",
            "ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer;\nALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE",
            &["~ foreign key fk_orders_customer on orders"],
            "ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer;\nALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)",
        ),
        case(
            "add a check",
            "ALTER TABLE customers ADD CONSTRAINT ck_customers_score CHECK (score >= 0)",
            &["+ check ck_customers_score on customers"],
            "ALTER TABLE customers DROP CONSTRAINT ck_customers_score",
        ),
        case(
            "drop a check",
            "ALTER TABLE orders DROP CONSTRAINT ck_orders_total",
            &["- check ck_orders_total on orders"],
            "ALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total >= 0)",
        ),
        case(
            "change a check",
            "ALTER TABLE orders DROP CONSTRAINT ck_orders_total;\nALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total >= 10)",
            &["~ check ck_orders_total on orders"],
            "ALTER TABLE orders DROP CONSTRAINT ck_orders_total;\nALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total >= 0)",
        ),
        case(
            "create prefix index",
            "CREATE INDEX idx_customers_notes ON customers (notes(10))",
            &["+ index idx_customers_notes on customers"],
            "DROP INDEX idx_customers_notes ON customers",
        ),
        case(
            "comment on a column",
            "ALTER TABLE customers MODIFY score INTEGER COMMENT 'loyalty points'",
            &["customers"],
            "ALTER TABLE customers MODIFY score INTEGER",
        ),
        case(
            "comment on a table",
            "ALTER TABLE customers COMMENT = 'people who buy'",
            &["customers"],
            "ALTER TABLE customers COMMENT = ''",
        ),
    ]
}

/// Every out-of-band change is detected, with the right sign; its undoing leaves no drift.
fn every_change_is_detected(engine: Engine) {
    let p = migrated(engine);
    assert_clean(&p, "after apply");
    assert_eq!(verify(&p), 0);
    let cases = cases(engine);
    assert!(cases.len() >= 30, "{engine:?}: {} cases", cases.len());
    let mut failures = vec![];
    // An undoing that left something behind shows as the same line in the next case's differences (one
    // detection per case keeps the run short; the last undoing is checked by `verify`).
    let mut before: (&str, Vec<String>) = ("", vec![]);
    for c in &cases {
        p.db.exec(&c.make);
        let (code, differences) = detect(&p);
        let text = differences.join("\n");
        if code != 3 || !c.expect.iter().all(|e| text.contains(e)) {
            failures.push(format!(
                "{}: exit {code}, expected {:?} in:\n{text}",
                c.name, c.expect
            ));
        }
        let left: Vec<&String> = differences
            .iter()
            .filter(|d| before.1.contains(d) && !c.expect.iter().any(|e| d.contains(e)))
            .collect();
        assert!(
            left.is_empty(),
            "{engine:?}: undoing `{}` left drift: {left:?}",
            before.0
        );
        p.db.exec(&c.undo);
        before = (c.name, differences);
    }
    assert_eq!(
        verify(&p),
        0,
        "{engine:?}: undoing `{}` left drift",
        before.0
    );
    assert!(
        failures.is_empty(),
        "{engine:?}:\n{}",
        failures.join("\n\n")
    );

    // No false positive after a rollback, a zero-downtime apply, or with no snapshot at all.
    p.run(&["migrate", "rollback", "--yes"]);
    assert_clean(&p, "after rollback");
    p.run(&["migrate", "apply"]);
    assert_clean(&p, "after re-apply");
    p.write(
        "004_index.sql",
        "CREATE INDEX idx_orders_total ON orders (total);",
        Some(&drop_index(engine, "idx_orders_total", "orders")),
    );
    p.run(&["migrate", "apply", "--zero-downtime"]);
    assert_clean(&p, "after a zero-downtime apply");
    p.run(&["migrate", "rollback", "--yes"]);
    assert_clean(&p, "after rolling back a zero-downtime apply");
    p.db.exec("DELETE FROM ai_shell_migrations_snapshots");
    assert_clean(&p, "with no snapshot (replay)");
    p.db.exec("ALTER TABLE customers ADD COLUMN middle_name VARCHAR(50)");
    let (code, differences) = detect(&p);
    assert_eq!(
        (code, differences),
        (
            3,
            vec!["+ column customers.middle_name (not in migrations)".to_string()]
        ),
        "{engine:?}: replay"
    );
    p.db.exec("ALTER TABLE customers DROP COLUMN middle_name");
    assert_eq!(verify(&p), 0);
}

/// Captured drift becomes an applied migration (nothing re-run) whose rollback restores the migrated state;
/// reset-to-migrations shows, then applies, the undoing, with consent for drops of data; `[drift] ignore`.
fn capture_reset_and_ignore(engine: Engine) {
    let p = migrated(engine);
    p.db.exec(
        "ALTER TABLE customers ADD COLUMN middle_name VARCHAR(50);
CREATE INDEX idx_orders_custom ON orders (total);
CREATE TABLE audit_log (id INTEGER NOT NULL PRIMARY KEY, msg VARCHAR(100));",
    );
    p.db.exec(new_trigger(engine));
    assert_eq!(verify(&p), 3);
    // Without --generate-migration it only shows.
    let shown = p.run(&["schema", "capture-drift"]);
    assert!(shown.contains("+ column customers.middle_name"), "{shown}");
    assert_eq!(std::fs::read_dir(p.migrations()).unwrap().count(), 3);
    let out = p.run(&[
        "schema",
        "capture-drift",
        "--generate-migration",
        "--name",
        "manual fixes",
    ]);
    assert!(out.contains("recorded it as applied (version 4)"), "{out}");
    assert!(
        p.migrations().join("004_manual_fixes.sql").exists(),
        "{engine:?}: {out}"
    );
    assert_eq!(verify(&p), 0, "{engine:?}: after capture");
    p.run(&["migrate", "rollback", "--yes", "--allow-destructive"]);
    assert_eq!(verify(&p), 0, "{engine:?}: after rolling back the capture");
    assert!(!p.tables().contains(&"audit_log".to_string()));
    // Re-applying the captured migration brings the drift back as the migrations' own.
    p.run(&["migrate", "apply"]);
    assert_eq!(verify(&p), 0, "{engine:?}: after re-applying the capture");
    assert!(p.tables().contains(&"audit_log".to_string()));
    p.run(&["migrate", "rollback", "--yes", "--allow-destructive"]);

    // reset-to-migrations: shows without --force; a drop of data needs consent.
    p.db.exec("ALTER TABLE customers ADD COLUMN middle_name VARCHAR(50)");
    p.db.exec("INSERT INTO customers (id, name, middle_name) VALUES (1, 'Ada', 'B')");
    p.db.exec(&drop_index(engine, "idx_customers_name", "customers"));
    let shown = p.run(&["schema", "reset-to-migrations"]);
    assert!(shown.contains("Nothing was changed"), "{shown}");
    assert_eq!(verify(&p), 3);
    let refused = p.fail(&["schema", "reset-to-migrations", "--force"]);
    assert!(
        refused.contains("--allow-destructive"),
        "{engine:?}: {refused}"
    );
    assert_eq!(verify(&p), 3);
    p.run(&[
        "schema",
        "reset-to-migrations",
        "--force",
        "--allow-destructive",
    ]);
    assert_clean(&p, "after reset-to-migrations");

    // [drift] ignore.
    std::fs::write(
        p.dir.path().join("ai-shell.toml"),
        "[drift]\nignore = [\"audit_*\", \"customers.middle_name\"]\n",
    )
    .unwrap();
    p.db.exec(
        "CREATE TABLE audit_log (id INTEGER NOT NULL PRIMARY KEY, msg VARCHAR(100));
ALTER TABLE customers ADD COLUMN middle_name VARCHAR(50);",
    );
    assert_clean(&p, "with ignored objects");
    p.db.exec("ALTER TABLE customers ADD COLUMN nickname VARCHAR(50)");
    assert_eq!(
        detect(&p).1,
        vec!["+ column customers.nickname (not in migrations)".to_string()]
    );
}

#[test]
fn sqlite_drift() {
    every_change_is_detected(Engine::Sqlite);
    capture_reset_and_ignore(Engine::Sqlite);
}

#[test]
fn postgres_drift() {
    every_change_is_detected(Engine::Postgres);
    capture_reset_and_ignore(Engine::Postgres);
}

#[test]
fn mysql_drift() {
    every_change_is_detected(Engine::Mysql);
    capture_reset_and_ignore(Engine::Mysql);
}

#[test]
fn no_history_is_an_error_not_drift() {
    let p = Project::new(Engine::Sqlite);
    p.db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    let err = p.fail(&["schema", "detect-drift"]);
    assert!(err.contains("has no migration history"), "{err}");
    let out = p.cli().args(["schema", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// Drift made before an apply is not absorbed into the snapshot that apply keeps: it is still reported
/// afterwards (and after a rollback), on every engine.
#[test]
fn drift_made_before_an_apply_is_still_reported() {
    for engine in crate::migrate::ENGINES {
        let p = migrated(engine);
        p.db.exec("ALTER TABLE customers ADD COLUMN middle_name VARCHAR(50)");
        p.write(
            "004_add_phone.sql",
            "ALTER TABLE customers ADD COLUMN phone VARCHAR(30);",
            Some("ALTER TABLE customers DROP COLUMN phone;"),
        );
        let out = p.cli().args(["migrate", "apply"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.contains("changed outside the migrations"),
            "{engine:?}: {stderr}"
        );
        let (code, differences) = detect(&p);
        assert_eq!(code, 3, "{engine:?}: {differences:?}");
        assert!(
            differences.iter().any(|d| d.contains("middle_name"))
                && !differences.iter().any(|d| d.contains("phone")),
            "{engine:?}: {differences:?}"
        );
        p.run(&["migrate", "rollback", "--yes"]);
        let (code, differences) = detect(&p);
        assert_eq!(code, 3, "{engine:?} after rollback: {differences:?}");
        p.db.exec("ALTER TABLE customers DROP COLUMN middle_name");
        assert_clean(&p, "once the drift is undone");
    }
}
