//! Environments and connections: `connections add-group/add/list/remove`, `connect`, and `--env NAME` choosing
//! the database, with `${VAR}` read from the environment and passwords never printed.

use crate::support::{Engine, TestDb, ai_shell_cmd, run_ok};

const CANARY: &str = "CanaryPw_7731";

/// A project folder (the working directory of every command) with one migration.
struct Workspace {
    dir: tempfile::TempDir,
    plugins: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("migrations")).unwrap();
        std::fs::write(
            dir.path().join("migrations/001_create_widgets.sql"),
            "-- description: create widgets\n\n-- +up\nCREATE TABLE widgets (id integer PRIMARY KEY, name text);\n\n-- +down\nDROP TABLE widgets;\n",
        )
        .unwrap();
        Workspace {
            dir,
            plugins: tempfile::tempdir().unwrap(),
        }
    }

    fn cli(&self) -> assert_cmd::Command {
        let mut cmd = ai_shell_cmd();
        cmd.current_dir(self.dir.path())
            .env("AI_SHELL_PLUGINS_DIR", self.plugins.path())
            .env_remove("AI_SHELL_ENV")
            .env_remove("AI_SHELL_TEST_DBNAME");
        cmd
    }

    fn run(&self, args: &[&str]) -> String {
        run_ok(self.cli().args(args))
    }

    /// Runs and expects failure; returns stdout and stderr together.
    fn fail(&self, cmd: &mut assert_cmd::Command) -> String {
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success(), "should fail but printed:\n{text}");
        text
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let text = self.run(args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: no JSON ({e}):\n{text}"))
    }

    fn config(&self) -> String {
        std::fs::read_to_string(self.config_path()).unwrap_or_default()
    }

    fn config_path(&self) -> std::path::PathBuf {
        self.dir.path().join("ai-shell.toml")
    }
}

fn has_widgets(db: &TestDb) -> bool {
    db.try_exec("SELECT count(*) FROM widgets").is_ok()
}

#[test]
fn a_group_of_environments_applies_to_the_chosen_one_only() {
    let ws = Workspace::new();
    let (dev, staging, prod) = (
        TestDb::new(Engine::Sqlite),
        TestDb::new(Engine::Sqlite),
        TestDb::new(Engine::Sqlite),
    );
    let out = ws.run(&[
        "connections",
        "add-group",
        "environments",
        "dev",
        dev.url(),
        "staging",
        staging.url(),
        "prod",
        prod.url(),
    ]);
    assert!(out.contains("Added connection `staging`"), "{out}");

    // A password written into a URL is stored (with a warning) but never printed.
    let vault = format!("postgres://app:{CANARY}@prod.invalid:5432/shop?sslpassword={CANARY}x");
    let out = ws
        .cli()
        .args(["connections", "add", "vault", &vault, "--group", "remote"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("holds a password") && stderr.contains("${VAULT_DB_PASSWORD}"),
        "{stderr}"
    );
    assert!(
        !stdout.contains(CANARY) && !stderr.contains(CANARY),
        "{stdout}{stderr}"
    );

    let table = ws.run(&["connections", "list"]);
    for name in [
        "dev",
        "staging",
        "prod",
        "vault",
        "environments",
        "remote",
        "sqlite",
        "postgres",
    ] {
        assert!(table.contains(name), "{name}: {table}");
    }
    assert!(!table.contains(CANARY), "password leaked: {table}");
    let list = ws.json(&["connections", "list", "--json"]);
    assert!(
        !list.to_string().contains(CANARY),
        "password leaked: {list}"
    );
    let rows = list["connections"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{list}");
    let vault_row = rows.iter().find(|r| r["name"] == "vault").unwrap();
    assert_eq!(
        vault_row["url"],
        "postgres://app:***@prod.invalid:5432/shop?sslpassword=***"
    );
    assert_eq!(vault_row["engine"], "postgres");
    assert_eq!(vault_row["group"], "remote");
    assert_eq!(list["default"], serde_json::Value::Null);

    // `--env staging` applies to staging, and only there.
    let out = ws.run(&["migrate", "apply", "--env", "staging"]);
    assert!(out.contains("Applied 001_create_widgets"), "{out}");
    assert!(has_widgets(&staging));
    assert!(!has_widgets(&dev) && !has_widgets(&prod));
    // The environment variable works as the flag does.
    let dev_status = ws.json(&["migrate", "status", "--env", "dev", "--json"]);
    assert_eq!(dev_status["pending"], 1, "{dev_status}");
    let staging_status = run_ok(
        ws.cli()
            .env("AI_SHELL_ENV", "staging")
            .args(["migrate", "status", "--json"]),
    );
    let staging_status: serde_json::Value = serde_json::from_str(&staging_status).unwrap();
    assert_eq!(staging_status["version"], 1, "{staging_status}");

    // --database comes before --env.
    let out = ws.run(&["--database", prod.url(), "--env", "dev", "migrate", "apply"]);
    assert!(out.contains("Applied"), "{out}");
    assert!(has_widgets(&prod) && !has_widgets(&dev));

    // An unknown environment names the known ones.
    let err = ws.fail(ws.cli().args(["--env", "stagng", "migrate", "status"]));
    assert!(err.contains("unknown environment `stagng`"), "{err}");
    assert!(err.contains("dev, prod, staging, vault"), "{err}");
    assert!(!err.contains(CANARY), "{err}");

    // Existing names are not overwritten without --replace; nothing is recorded then.
    let before = ws.config();
    let err = ws.fail(ws.cli().args(["connections", "add", "dev", prod.url()]));
    assert!(
        err.contains("already exists") && err.contains("--replace"),
        "{err}"
    );
    let err = ws.fail(
        ws.cli()
            .args(["connections", "add-group", "g", "qa", dev.url(), "lone"]),
    );
    assert!(err.contains("one name has no URL"), "{err}");
    assert_eq!(ws.config(), before);

    let out = ws.run(&["connections", "remove", "vault"]);
    assert!(
        out.contains("Removed connection `vault`") && !out.contains(CANARY),
        "{out}"
    );
    assert!(!ws.config().contains(CANARY));
    let err = ws.fail(ws.cli().args(["connections", "remove", "vault"]));
    assert!(
        err.contains("no connection named `vault`") && err.contains("dev, prod, staging"),
        "{err}"
    );
}

#[test]
fn a_variable_in_a_url_is_read_when_used_and_an_unset_one_is_named() {
    let ws = Workspace::new();
    let pg = TestDb::new(Engine::Postgres);
    let templated = pg
        .url()
        .strip_suffix(pg.name())
        .map(|server| format!("{server}${{AI_SHELL_TEST_DBNAME}}"))
        .unwrap();
    ws.run(&["connections", "add", "analytics", &templated]);
    let list = ws.json(&["connections", "list", "--json"]);
    assert!(
        list["connections"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/${AI_SHELL_TEST_DBNAME}"),
        "{list}"
    );

    let err = ws.fail(ws.cli().args(["--env", "analytics", "migrate", "status"]));
    assert!(
        err.contains("AI_SHELL_TEST_DBNAME is not set") && err.contains("`analytics`"),
        "{err}"
    );

    let out = run_ok(ws.cli().env("AI_SHELL_TEST_DBNAME", pg.name()).args([
        "--env",
        "analytics",
        "migrate",
        "apply",
    ]));
    assert!(out.contains("Applied 001_create_widgets"), "{out}");
    assert!(has_widgets(&pg));

    // `connect NAME` makes a recorded connection the default: commands without --env use it.
    let out = run_ok(
        ws.cli()
            .env("AI_SHELL_TEST_DBNAME", pg.name())
            .args(["connect", "analytics"]),
    );
    assert!(
        out.contains("Connected to") && out.contains("PostgreSQL"),
        "{out}"
    );
    assert!(
        ws.config()
            .contains("[connection]\ndefault = \"analytics\""),
        "{}",
        ws.config()
    );
    let status = run_ok(
        ws.cli()
            .env("AI_SHELL_TEST_DBNAME", pg.name())
            .args(["migrate", "status", "--json"]),
    );
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status["version"], 1, "{status}");

    // DATABASE_URL comes before --env, and says so.
    let other = TestDb::new(Engine::Sqlite);
    let out = ws
        .cli()
        .env("DATABASE_URL", other.url())
        .args(["--env", "analytics", "migrate", "status", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("DATABASE_URL") && stderr.contains("`analytics`"),
        "{stderr}"
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["pending"], 1, "{status}");
}

#[test]
fn connect_records_the_default_and_keeps_the_rest_of_the_file() {
    let ws = Workspace::new();
    let original = "# Settings of the shop project.\n[migrations]\ndir = \"migrations\"  # the files\n\n[migrations.production]\nzero-downtime = true\n";
    std::fs::write(ws.config_path(), original).unwrap();
    let db = TestDb::new(Engine::Sqlite);

    let out = ws.run(&["connect", db.url()]);
    assert!(
        out.contains("Connected to") && out.contains("SQLite"),
        "{out}"
    );
    let config = ws.config();
    assert!(config.starts_with(original), "{config}");
    assert!(
        config.contains(&format!("[environments.default]\nurl = \"{}\"", db.url())),
        "{config}"
    );
    assert!(
        config.contains("[connection]\ndefault = \"default\""),
        "{config}"
    );
    // No flag, no variable: the recorded default.
    ws.run(&["migrate", "apply"]);
    assert!(has_widgets(&db));
    // An environment with settings only still selects them, with the default connection.
    let status = ws.json(&["--env", "production", "migrate", "status", "--json"]);
    assert_eq!(status["version"], 1, "{status}");

    // A database that cannot be reached is not recorded, and its password is not printed.
    let err = ws.fail(ws.cli().args([
        "connect",
        &format!("postgres://postgres:{CANARY}@127.0.0.1:1/shop"),
        "--name",
        "broken",
    ]));
    assert!(
        err.contains("could not connect") && err.contains("nothing was recorded"),
        "{err}"
    );
    assert!(!err.contains(CANARY), "{err}");
    let err = ws.fail(ws.cli().args(["connect", "staging"]));
    assert!(
        err.contains("neither a database URL nor a connection"),
        "{err}"
    );
    let err = ws.fail(ws.cli().args(["connect", "sqlite://elsewhere.db"]));
    assert!(
        err.contains("already exists") && err.contains("--replace"),
        "{err}"
    );
    assert_eq!(ws.config(), config);

    // The default is removed only on purpose; then the built-in default applies again.
    let err = ws.fail(ws.cli().args(["connections", "remove", "default"]));
    assert!(
        err.contains("is the default connection") && err.contains("--force"),
        "{err}"
    );
    let out = ws.run(&["connections", "remove", "default", "--force"]);
    assert!(out.contains("It was the default"), "{out}");
    assert_eq!(ws.config().trim_end(), original.trim_end());
}

#[test]
fn every_connections_command_has_help() {
    for args in [
        vec!["connect", "--help"],
        vec!["connections", "--help"],
        vec!["connections", "list", "--help"],
        vec!["connections", "add", "--help"],
        vec!["connections", "add-group", "--help"],
        vec!["connections", "remove", "--help"],
    ] {
        let out = run_ok(ai_shell_cmd().args(&args));
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}
