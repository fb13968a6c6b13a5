//! Zero-downtime strategies end to end from the built binary against the real servers: each strategy's
//! phases, a concurrent writer during a type change (every row it wrote is right afterwards), the
//! confirmation gate, SIGKILL during a backfill and the resume, cancel and monitor from another process,
//! rollback from the gate, automatic rollback after a failed validation, invalid-index clean-up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ai_shell::connection::Database;
use ai_shell::model::SqlValue;

use crate::support::{Engine, TestDb, block_on, run_ok};

/// A test database with `orders` (ROWS rows) and the project folder the CLI runs in.
struct Shop {
    db: TestDb,
    dir: tempfile::TempDir,
}

impl Shop {
    fn new(engine: Engine, rows: u32) -> Shop {
        let db = TestDb::new(engine);
        let schema = match engine {
            Engine::Postgres => {
                "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id integer NOT NULL, amount integer NOT NULL, note text);
                 CREATE INDEX idx_orders_amount ON orders (amount);
                 CREATE TABLE products (id bigserial PRIMARY KEY, name text NOT NULL, deprecated_field text);"
            }
            Engine::Mysql => {
                "CREATE TABLE orders (id bigint AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, amount int NOT NULL, note text);
                 CREATE INDEX idx_orders_amount ON orders (amount);
                 CREATE TABLE products (id bigint AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL, deprecated_field text);"
            }
            Engine::Sqlite => {
                "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, amount INTEGER NOT NULL, note TEXT);
                 CREATE INDEX idx_orders_amount ON orders (amount);
                 CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, deprecated_field TEXT);"
            }
        };
        db.exec(schema);
        let fill = match engine {
            Engine::Postgres => format!(
                "INSERT INTO orders (customer_id, amount) SELECT g % 100, g FROM generate_series(1, {rows}) g; ANALYZE orders;"
            ),
            Engine::Mysql => format!(
                "INSERT INTO orders (customer_id, amount) SELECT seq % 100, seq FROM seq_1_to_{rows}; ANALYZE TABLE orders;"
            ),
            Engine::Sqlite => format!(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {rows}) INSERT INTO orders (customer_id, amount) SELECT n % 100, n FROM g;"
            ),
        };
        db.exec(&fill);
        db.exec("INSERT INTO products (name) VALUES ('pen')");
        Shop {
            db,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cli(&self) -> assert_cmd::Command {
        let mut cmd = self.db.cli();
        cmd.current_dir(self.dir.path());
        cmd
    }

    fn migrate(&self, request: &str, extra: &[&str]) -> String {
        run_ok(
            self.cli()
                .args(["migrate", request, "--zero-downtime", "--yes"])
                .args(extra),
        )
    }

    /// The first column of the first row of `sql`, as text.
    fn scalar(&self, sql: &str) -> String {
        self.try_scalar(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn try_scalar(&self, sql: &str) -> Result<String, String> {
        block_on(async {
            let db = Database::connect(self.db.url()).await.unwrap();
            let mut s = db.session().await.unwrap();
            let r = s.query(sql, &[]).await;
            drop(s);
            db.close().await;
            let r = r.map_err(|e| e.to_string())?;
            Ok(match r.rows.first().and_then(|row| row.first()) {
                Some(SqlValue::Integer(n)) => n.to_string(),
                Some(SqlValue::Text(t)) => t.clone(),
                Some(SqlValue::Float(f)) => f.to_string(),
                Some(SqlValue::Null) | None => "NULL".into(),
                Some(other) => format!("{other:?}"),
            })
        })
    }

    fn status_json(&self) -> serde_json::Value {
        serde_json::from_str(&run_ok(self.cli().args(["migrate", "status", "--json"]))).unwrap()
    }
}

/// Writes to `orders` until stopped: inserts and updates of `amount`; counts transactions and failures.
struct Writer {
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    /// How much the writer added to `sum(amount)`.
    delta: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    handle: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Writer {
    fn start(url: &str) -> Writer {
        let (stop, done, failed) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicU64::new(0)),
        );
        let delta = Arc::new(AtomicU64::new(0));
        let (s2, d2, f2, x2, url) = (
            stop.clone(),
            done.clone(),
            failed.clone(),
            delta.clone(),
            url.to_string(),
        );
        let handle = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let db = Database::connect(&url).await.unwrap();
                let mut errors = vec![];
                let mut i: i64 = 0;
                while !s2.load(Ordering::SeqCst) {
                    i += 1;
                    let sql = if i % 2 == 0 {
                        format!(
                            "INSERT INTO orders (customer_id, amount) VALUES (7, {})",
                            1_000_000 + i
                        )
                    } else {
                        format!(
                            "UPDATE orders SET amount = amount + 1 WHERE id = {}",
                            1 + (i * 37) % 2000
                        )
                    };
                    // No retries: a deadlock victim is a failure too. The MySQL shadow copy takes its
                    // shared row locks before the AUTO-INC lock of its INSERT ... SELECT, so it never
                    // waits for the application while the application's trigger waits for it.
                    match db.execute_script(&sql).await {
                        Ok(()) => {
                            x2.fetch_add(
                                if i % 2 == 0 { 1_000_000 + i as u64 } else { 1 },
                                Ordering::SeqCst,
                            );
                            d2.fetch_add(1, Ordering::SeqCst)
                        }
                        Err(e) => {
                            errors.push(e.to_string());
                            f2.fetch_add(1, Ordering::SeqCst)
                        }
                    };
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                db.close().await;
                errors
            })
        });
        Writer {
            stop,
            done,
            delta,
            failed,
            handle: Some(handle),
        }
    }

    /// Stops the writer; returns (transactions, what it added to `sum(amount)`, errors).
    fn finish(mut self) -> (u64, u64, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        let errors = self.handle.take().unwrap().join().unwrap();
        assert_eq!(self.failed.load(Ordering::SeqCst) as usize, errors.len());
        (
            self.done.load(Ordering::SeqCst),
            self.delta.load(Ordering::SeqCst),
            errors,
        )
    }
}

/// The type change keeps every concurrent write: the new column equals the old one for every row at the
/// gate, and after the confirmation the column is bigint with the writer's values.
fn type_change_under_writes(engine: Engine, strategy: &str) {
    let shop = Shop::new(engine, 20_000);
    let writer = Writer::start(shop.db.url());
    std::thread::sleep(Duration::from_millis(200));
    let out = shop.migrate(
        "change amount in orders to bigint",
        &["--batch-size", "1000", "--monitor-performance"],
    );
    std::thread::sleep(Duration::from_millis(200));
    let (writes, delta, errors) = writer.finish();
    assert!(
        errors.is_empty(),
        "the writer failed during the migration: {errors:?}"
    );
    assert!(writes > 20, "the writer ran ({writes} transactions)");
    assert!(out.contains("Zero-Downtime Migration Plan"), "{out}");
    assert!(out.contains(strategy), "{out}");
    assert!(out.contains("waits at phase"), "{out}");
    assert!(out.contains("Performance:"), "{out}");
    let status = shop.status_json();
    assert!(status.to_string().contains("waiting"), "{status}");
    // No write was lost or doubled: the sum of amounts is the initial one plus what the writer added.
    let expected = 20_000u64 * 20_001 / 2 + delta;
    let sum = shop.scalar("SELECT CAST(sum(amount) AS CHAR(30)) FROM orders");
    assert_eq!(sum.trim().trim_end_matches(".0"), expected.to_string());
    if engine == Engine::Postgres {
        let old = "SELECT count(*) FROM orders WHERE amount__aish_old IS DISTINCT FROM amount";
        assert_eq!(
            shop.scalar(old),
            "0",
            "the rollback copy agrees for every row"
        );
    }
    let confirmed = run_ok(shop.cli().args(["migrate", "confirm", "1"]));
    assert!(
        confirmed.contains("Zero-downtime migration complete"),
        "{confirmed}"
    );
    let ty = match engine {
        Engine::Postgres => shop.scalar(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'amount'",
        ),
        _ => shop.scalar(
            "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'amount'",
        ),
    };
    assert_eq!(ty, "bigint");
    // The writer alternates update, insert, update...: every insert it made is there, with its value.
    assert_eq!(
        shop.scalar("SELECT count(*) FROM orders WHERE amount >= 1000000 AND customer_id = 7"),
        (writes / 2).to_string(),
        "every inserted row is there"
    );
    // Helper objects are gone.
    let leftovers = match engine {
        Engine::Postgres => shop.scalar(
            "SELECT (SELECT count(*) FROM information_schema.columns WHERE column_name LIKE '%aish%') + (SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%aish%')",
        ),
        _ => shop.scalar(
            "SELECT (SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%aish%') + (SELECT count(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE())",
        ),
    };
    assert_eq!(leftovers, "0");
}

#[test]
fn postgres_type_change_keeps_concurrent_writes_and_waits_at_the_gate() {
    type_change_under_writes(Engine::Postgres, "postgres-online");
}

#[test]
fn mysql_type_change_by_shadow_table_keeps_concurrent_writes() {
    type_change_under_writes(Engine::Mysql, "mysql-online");
}

/// Tutorial Step 5 on both servers: add a field, and remove one in stages behind the gate.
#[test]
fn tutorial_step5_add_and_remove_with_zero_downtime() {
    for engine in [Engine::Postgres, Engine::Mysql] {
        let shop = Shop::new(engine, 2_000);
        let out = shop.migrate("add status field to orders", &[]);
        assert!(
            out.contains("Zero-Downtime Migration Plan"),
            "{engine:?}: {out}"
        );
        assert!(
            out.contains("Zero-downtime migration complete"),
            "{engine:?}: {out}"
        );
        let out = shop.migrate(
            "remove deprecated_field from products",
            &["--allow-destructive"],
        );
        assert!(out.contains("waits at phase"), "{engine:?}: {out}");
        let still = match engine {
            Engine::Postgres => {
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'products' AND column_name = 'deprecated_field'"
            }
            _ => {
                "SELECT count(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'products' AND COLUMN_NAME = 'deprecated_field'"
            }
        };
        assert_eq!(
            shop.scalar(still),
            "1",
            "{engine:?}: nothing dropped before the confirmation"
        );
        // Apply alone does not pass the gate.
        let again = run_ok(shop.cli().args(["migrate", "apply"]));
        assert!(again.contains("waits at phase"), "{engine:?}: {again}");
        run_ok(shop.cli().args(["migrate", "confirm", "2"]));
        assert_eq!(
            shop.scalar(still),
            "0",
            "{engine:?}: dropped after the confirmation"
        );
        let status = shop.status_json().to_string();
        assert!(!status.contains("waiting"), "{engine:?}: {status}");
    }
}

/// A backfill killed with SIGKILL keeps its checkpoint; the next `migrate apply` resumes there.
/// `monitor` and `cancel` work from another process while it runs.
#[test]
fn postgres_backfill_survives_sigkill_and_cancel() {
    let shop = Shop::new(Engine::Postgres, 30_000);
    let spawn = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ai-shell"));
        cmd.env("AI_SHELL_CACHE_DIR", crate::support::cache_dir())
            .env("AI_SHELL_PLUGINS_DIR", shop.db.plugins_dir())
            .current_dir(shop.dir.path())
            .args(["--database", shop.db.url(), "migrate"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        cmd
    };
    let mut child = spawn()
        .args([
            "change amount in orders to bigint",
            "--zero-downtime",
            "--yes",
        ])
        .args(["--batch-size", "500", "--max-rows-per-second", "5000"])
        .spawn()
        .unwrap();
    let checkpoint = "SELECT COALESCE(max(checkpoint), 0) FROM ai_shell_migrations_phases WHERE name = 'backfill'";
    let deadline = Instant::now() + Duration::from_secs(30);
    let progress = || {
        shop.try_scalar(checkpoint)
            .ok()
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    while progress() < 3_000 {
        assert!(Instant::now() < deadline, "the backfill never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    let monitor = run_ok(shop.cli().args(["migrate", "monitor", "1", "--once"]));
    assert!(monitor.contains("backfill: running"), "{monitor}");
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill: i64 = shop.scalar(checkpoint).parse().unwrap();
    assert!(at_kill > 1 && at_kill < 30_000, "checkpoint {at_kill}");

    // Resume, then cancel it from here.
    let child = spawn()
        .args([
            "apply",
            "--batch-size",
            "500",
            "--max-rows-per-second",
            "5000",
        ])
        .spawn()
        .unwrap();
    while progress() <= at_kill + 1000 {
        assert!(
            Instant::now() < deadline + Duration::from_secs(30),
            "the resumed backfill did not move"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let cancel = run_ok(shop.cli().args(["migrate", "cancel", "1"]));
    assert!(cancel.contains("Asked the run"), "{cancel}");
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cancelled"), "{stderr}");
    let logs = run_ok(shop.cli().args(["migrate", "logs", "1"]));
    assert!(
        logs.contains("resumed") && logs.contains("cancel-requested"),
        "{logs}"
    );

    // Retry finishes the backfill from the checkpoint: no row is left without its copy.
    let out = run_ok(
        shop.cli()
            .args(["migrate", "retry", "1", "--batch-size", "5000"]),
    );
    assert!(out.contains("waits at phase"), "{out}");
    assert_eq!(
        shop.scalar("SELECT count(*) FROM orders WHERE amount__aish_old IS DISTINCT FROM amount"),
        "0"
    );

    // Roll back from the gate: the table is as it was.
    run_ok(shop.cli().args(["migrate", "rollback", "1", "--yes"]));
    assert_eq!(
        shop.scalar("SELECT data_type FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'amount'"),
        "integer"
    );
    assert_eq!(
        shop.scalar("SELECT (SELECT count(*) FROM information_schema.columns WHERE column_name LIKE '%aish%') + (SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%aish%') + (SELECT count(*) FROM pg_proc WHERE proname LIKE '%aish%')"),
        "0"
    );
    assert_eq!(
        shop.scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 'orders'"),
        "2"
    );
}

/// A unique index that cannot be built leaves PostgreSQL an INVALID index; the phase's rollback removes it.
/// A check that fails validation is undone by --auto-rollback-on-error.
#[test]
fn postgres_invalid_index_cleanup_and_auto_rollback() {
    let shop = Shop::new(Engine::Postgres, 5_000);
    let invalid = "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid";
    let request = "add unique constraint on customer_id in orders";
    // Asked as a request, the duplicates are found before anything runs: no index is left at all.
    let out = shop
        .cli()
        .args(["migrate", request, "--zero-downtime", "--yes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("held by more than one row"), "{stderr}");
    assert_eq!(shop.scalar(invalid), "0", "the refusal changed nothing");
    // The same migration written as a file and applied: CREATE INDEX CONCURRENTLY fails and leaves an invalid
    // index, which the rollback of the phase removes.
    run_ok(
        shop.cli()
            .args(["migrate", request, "--zero-downtime", "--generate-only"]),
    );
    let out = shop.cli().args(["migrate", "apply"]).output().unwrap();
    assert!(!out.status.success());
    assert_eq!(
        shop.scalar(invalid),
        "1",
        "CREATE INDEX CONCURRENTLY left its invalid index"
    );
    run_ok(shop.cli().args(["migrate", "rollback", "1", "--yes"]));
    assert_eq!(shop.scalar(invalid), "0", "the rollback dropped it");

    shop.db.exec("UPDATE orders SET amount = -1 WHERE id = 3");
    let request = "add check constraint amount > 0 to orders";
    let out = shop
        .cli()
        .args(["migrate", request, "--zero-downtime", "--yes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 row breaking it"), "{stderr}");
    run_ok(
        shop.cli()
            .args(["migrate", request, "--zero-downtime", "--generate-only"]),
    );
    let out = shop
        .cli()
        .args(["migrate", "apply", "--auto-rollback-on-error"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("auto-rollback-on-error undid the phases"),
        "{stderr}"
    );
    assert_eq!(
        shop.scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'chk_orders_amount'"),
        "0"
    );
    assert!(shop.status_json().to_string().contains("rolled_back"));
}

/// SQLite: the rebuild strategy runs the table rebuild in one transaction and checks foreign keys after.
#[test]
fn sqlite_rebuild_strategy_changes_a_type() {
    let shop = Shop::new(Engine::Sqlite, 500);
    let out = shop.migrate("change amount in orders to bigint", &[]);
    assert!(out.contains("sqlite-rebuild"), "{out}");
    assert!(out.contains("foreign"), "{out}");
    assert!(out.contains("Zero-downtime migration complete"), "{out}");
    assert_eq!(shop.scalar("SELECT count(*) FROM orders"), "500");
    assert_eq!(
        shop.scalar("SELECT lower(type) FROM pragma_table_info('orders') WHERE name = 'amount'"),
        "bigint"
    );
    run_ok(shop.cli().args(["migrate", "rollback", "1", "--yes"]));
    assert_eq!(
        shop.scalar("SELECT lower(type) FROM pragma_table_info('orders') WHERE name = 'amount'"),
        "integer"
    );
}

/// `migrate apply ID --zero-downtime` on a migration written by hand: the index is built concurrently, the
/// check added NOT VALID and validated apart, and the down section rolls it all back.
#[test]
fn postgres_apply_zero_downtime_protects_a_hand_written_migration() {
    let shop = Shop::new(Engine::Postgres, 2_000);
    run_ok(shop.cli().args(["migrate", "new", "index and check"]));
    let dir = shop.dir.path().join("migrations");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(
        &file,
        "-- +up\nCREATE INDEX idx_orders_note ON orders (note);\nALTER TABLE orders ADD CONSTRAINT chk_amount CHECK (amount > 0);\n\n-- +down\nALTER TABLE orders DROP CONSTRAINT chk_amount;\nDROP INDEX idx_orders_note;\n",
    )
    .unwrap();
    let out = run_ok(
        shop.cli()
            .args(["migrate", "apply", "1", "--zero-downtime"]),
    );
    assert!(
        out.contains("Build the index without blocking writes"),
        "{out}"
    );
    assert!(out.contains("Check the existing rows"), "{out}");
    assert!(out.contains("Zero-downtime migration complete"), "{out}");
    assert_eq!(
        shop.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_orders_note'"),
        "1"
    );
    assert_eq!(
        shop.scalar("SELECT convalidated::text FROM pg_constraint WHERE conname = 'chk_amount'"),
        "true"
    );
    run_ok(shop.cli().args(["migrate", "rollback", "1", "--yes"]));
    assert_eq!(
        shop.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_orders_note'"),
        "0"
    );
}

/// A failure in any phase of the type change, with --auto-rollback-on-error, leaves the schema exactly as
/// it was (helper columns, triggers, functions and indexes included). The failure is injected by adding a
/// failing statement at the end of each phase of the generated file in turn.
#[test]
fn postgres_rollback_from_every_phase_restores_the_schema() {
    rollback_from_every_phase(Engine::Postgres);
}

#[test]
fn mysql_rollback_from_every_phase_restores_the_schema() {
    rollback_from_every_phase(Engine::Mysql);
}

fn rollback_from_every_phase(engine: Engine) {
    let shop = Shop::new(engine, 3_000);
    // The schema without ai-shell's own history tables.
    let user_schema = || {
        let mut v = crate::support::export_json(&shop.db);
        v["tables"]
            .as_array_mut()
            .unwrap()
            .retain(|t| !t["name"]["name"].as_str().unwrap().starts_with("ai_shell_"));
        v
    };
    let before = user_schema();
    run_ok(shop.cli().args([
        "migrate",
        "change amount in orders to bigint",
        "--zero-downtime",
        "--generate-only",
    ]));
    let dir = shop.dir.path().join("migrations");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let original = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let down_at = lines.iter().position(|l| l.trim() == "-- +down").unwrap();
    let markers: Vec<(usize, String)> = lines[..down_at]
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("-- +phase "))
        .map(|(i, l)| (i, l.rsplit(": ").next().unwrap().to_string()))
        .collect();
    assert!(markers.len() >= 6, "{original}");
    // Writes the file with `failing` inserted before line `at`, and applies it.
    let apply_with = |at: usize, failing: &str| {
        let mut edited: Vec<&str> = lines.clone();
        edited.insert(at, failing);
        std::fs::write(&file, edited.join("\n") + "\n").unwrap();
        shop.cli()
            .args([
                "migrate",
                "apply",
                "--confirm-gates",
                "--auto-rollback-on-error",
            ])
            .output()
            .unwrap()
    };
    let mut tried = 0;
    for (n, (_, kind)) in markers.iter().enumerate() {
        let failing = match kind.as_str() {
            "validate" => "SELECT 1 FROM orders LIMIT 1;",
            "ddl" | "ddl-outside-transaction" => "SELECT * FROM no_such_table_aish;",
            // A backfill holds one batch; a gate holds no SQL; clean-up is past the point of return.
            _ => continue,
        };
        let end = markers.get(n + 1).map(|(i, _)| *i).unwrap_or(down_at);
        let out = apply_with(end, failing);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "phase {} ({kind}) did not fail",
            n + 1
        );
        assert!(
            stderr.contains(&format!("phase {} of", n + 1)) && stderr.contains("undid the phases"),
            "phase {}: {stderr}",
            n + 1
        );
        assert_eq!(
            user_schema(),
            before,
            "the schema after a failure in phase {} ({kind}) and the automatic rollback",
            n + 1
        );
        tried += 1;
    }
    assert!(tried >= 3, "{tried} phases tried");
    // A failing clean-up leaves the completed change in place, and `retry` finishes it.
    let (cleanup_at, _) = markers.last().unwrap();
    assert!(lines[*cleanup_at].ends_with(": cleanup"), "{original}");
    let out = apply_with(down_at, "SELECT * FROM no_such_table_aish;");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("only its clean-up failed"), "{stderr}");
    std::fs::write(&file, &original).unwrap();
    let out = run_ok(shop.cli().args(["migrate", "retry", "1"]));
    assert!(out.contains("Zero-downtime migration complete"), "{out}");
    let here = if engine == Engine::Postgres {
        "current_schema()"
    } else {
        "DATABASE()"
    };
    assert_eq!(
        shop.scalar(&format!("SELECT lower(data_type) FROM information_schema.columns WHERE table_schema = {here} AND table_name = 'orders' AND column_name = 'amount'")),
        "bigint"
    );
}

/// `[migrations.production] zero-downtime = true` makes the online strategy the default for `--env
/// production`: the foreign key is added NOT VALID and validated in its own phase. Without the environment, a
/// small table gets the standard single transaction.
#[test]
fn postgres_environment_default_adds_a_foreign_key_not_valid_then_validates() {
    let shop = Shop::new(Engine::Postgres, 2_000);
    shop.db.exec(
        "CREATE TABLE customers (id integer PRIMARY KEY, name text);
         INSERT INTO customers (id) SELECT g FROM generate_series(0, 99) g;",
    );
    std::fs::write(
        shop.dir.path().join("ai-shell.toml"),
        "[migrations.production]\nzero-downtime = true\n",
    )
    .unwrap();
    let out = run_ok(shop.cli().args([
        "--env",
        "production",
        "migrate",
        "add foreign key from orders customer_id to customers id",
        "--yes",
    ]));
    assert!(out.contains("Zero-Downtime Migration Plan"), "{out}");
    assert!(out.contains("NOT VALID"), "{out}");
    assert!(out.contains("VALIDATE CONSTRAINT"), "{out}");
    assert_eq!(
        shop.scalar("SELECT convalidated::text FROM pg_constraint WHERE contype = 'f' AND conrelid = 'orders'::regclass"),
        "true"
    );
    let out = run_ok(
        shop.cli()
            .args(["migrate", "add column label text to products", "--yes"]),
    );
    assert!(!out.contains("Zero-Downtime Migration Plan"), "{out}");
    assert!(out.contains("Migration applied successfully"), "{out}");
}
