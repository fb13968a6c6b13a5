//! The evaluation set for natural-language migrations (tests/eval): every case of cases.toml runs the built
//! binary, `ai-shell --database URL --migrations-dir DIR migrate "<request>" --yes --json [flags]` with stdin
//! not a terminal, on a fresh database loaded with tests/eval/base/<engine>.sql, then checks the outcome by
//! introspection (`schema export --format json`) and queries. One test per engine prints the pass rate per
//! family, writes it to target/eval-<engine>.json, and fails below 90% or on any unsafe application.
//!
//! Environment: `AI_SHELL_EVAL_CASES` (comma-separated id prefixes to run), `AI_SHELL_EVAL_THREADS`
//! (parallel cases, default 4), `AI_SHELL_EVAL_PLANNER` (passed as `--planner`).

pub(crate) mod checks;
mod fixtures;
mod generate;
mod generated;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::support::{Engine, TestDb, block_on, export_json, target_dir};
use ai_shell::connection::Database;
use checks::{Check, Family, Model, Spec, normalize, shape, type_families, without_history};

/// The families of the evaluation set, in report order.
pub const FAMILIES: [&str; 12] = [
    "add-column",
    "add-columns",
    "types",
    "constraints",
    "index",
    "foreign-key",
    "create-table",
    "rename",
    "change-type",
    "drop",
    "refactor",
    "refuse",
];

/// The pass rate below which an engine's evaluation fails.
const PASS_THRESHOLD: f64 = 0.90;

/// The tables the base schema creates on every engine.
const BASE_TABLES: [&str; 10] = [
    "accounts",
    "comments",
    "customers",
    "order_items",
    "orders",
    "posts",
    "products",
    "unused_table",
    "user_details",
    "users",
];

fn eval_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/eval")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Outcome {
    Applied,
    Refused,
    AppliedOrRefused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Rollback {
    #[default]
    No,
    /// The export after rollback equals the export before the migration.
    Exact,
    /// Equal up to the order of columns and of lists within a table.
    Shape,
}

impl<'de> Deserialize<'de> for Rollback {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rollback, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Flag(bool),
            Mode(String),
        }
        match Repr::deserialize(d)? {
            Repr::Flag(false) => Ok(Rollback::No),
            Repr::Flag(true) => Ok(Rollback::Exact),
            Repr::Mode(m) if m == "exact" => Ok(Rollback::Exact),
            Repr::Mode(m) if m == "shape" => Ok(Rollback::Shape),
            Repr::Mode(m) => Err(serde::de::Error::custom(format!(
                "rollback is true, false, \"exact\" or \"shape\", not {m:?}"
            ))),
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    family: String,
    request: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    engines: Option<Vec<String>>,
    #[serde(default)]
    setup: Vec<String>,
    expect: Outcome,
    #[serde(default)]
    checks: Vec<Check>,
    #[serde(default)]
    if_applied: Vec<Check>,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    rollback: Rollback,
    #[serde(default)]
    after_rollback: Vec<Check>,
    #[serde(default = "yes")]
    preserve_rows: bool,
    /// The fixture schema the case starts from: "base" (tests/eval/base) or a folder of tests/eval/fixtures.
    #[serde(default)]
    fixture: Option<String>,
    /// Generated cases: what an applied plan may touch (anything else is a wrong application).
    #[serde(skip)]
    scope: Option<Scope>,
    /// Generated cases: the request rewrites values (a fill), so a rollback that does not restore them is a
    /// failure but not a loss of data nobody asked to change.
    #[serde(skip)]
    rewrites: bool,
}

/// What an applied plan may change: these tables (created, altered or dropped), and among the columns of
/// tables that existed before, only these new ones (`table.column`).
#[derive(Debug, Clone, Default)]
struct Scope {
    tables: Vec<String>,
    new_columns: Vec<String>,
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
        Engine::Mysql => "mysql",
    }
}

impl Case {
    fn fixture_name(&self) -> &str {
        self.fixture.as_deref().unwrap_or("base")
    }

    fn runs_on(&self, engine: Engine) -> bool {
        self.engines
            .as_ref()
            .is_none_or(|e| e.iter().any(|e| e == engine_name(engine)))
    }

    /// Everything that can be wrong with a case without running it.
    fn validate(&self) -> Result<(), String> {
        let err = |m: String| Err(format!("case {}: {m}", self.id));
        if !FAMILIES.contains(&self.family.as_str()) {
            return err(format!("unknown family {}", self.family));
        }
        if !self.id.starts_with(&format!("{}-", self.family)) {
            return err("the id starts with the family".into());
        }
        if let Some(engines) = &self.engines {
            if engines.is_empty() {
                return err("empty engines".into());
            }
            for e in engines {
                if !["sqlite", "postgres", "mysql"].contains(&e.as_str()) {
                    return err(format!("unknown engine {e}"));
                }
            }
        }
        for f in &self.flags {
            if !f.starts_with("--") || f == "--yes" || f == "--json" {
                return err(format!("flag {f} (--yes and --json are always passed)"));
            }
        }
        for c in self
            .checks
            .iter()
            .chain(&self.if_applied)
            .chain(&self.after_rollback)
        {
            if let Err(e) = c.spec() {
                return err(e);
            }
        }
        for c in &self.after_rollback {
            if !matches!(c.spec(), Ok(Spec::Sql { .. })) {
                return err("after_rollback holds data checks only".into());
            }
        }
        match self.expect {
            Outcome::Applied => {
                if self.checks.is_empty() {
                    return err("an applied case needs checks".into());
                }
                if !self.stderr.is_empty() || self.kind.is_some() || !self.if_applied.is_empty() {
                    return err("stderr/kind/if_applied do not go with applied".into());
                }
            }
            Outcome::Refused => {
                if !self.checks.is_empty() || !self.if_applied.is_empty() {
                    return err("a refused case checks that nothing changed; no checks".into());
                }
                if self.rollback != Rollback::No {
                    return err("a refused case has nothing to roll back".into());
                }
            }
            Outcome::AppliedOrRefused => {
                if self.checks.is_empty() {
                    return err("applied-or-refused needs the checks that hold either way".into());
                }
            }
        }
        if self.rollback == Rollback::No && !self.after_rollback.is_empty() {
            return err("after_rollback without rollback".into());
        }
        if let Some(f) = &self.fixture
            && f != "base"
            && !eval_dir().join("fixtures").join(f).is_dir()
        {
            return err(format!("no fixture {f} in tests/eval/fixtures"));
        }
        Ok(())
    }
}

fn load_cases() -> Vec<Case> {
    load_cases_from("cases.toml")
}

/// The cases of one file of tests/eval.
fn load_cases_from(file: &str) -> Vec<Case> {
    let path = eval_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let file: CaseFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    file.case
}

fn base_schema(engine: Engine) -> String {
    fixture_schema("base", engine)
}

/// The schema script of a fixture: tests/eval/base/<engine>.sql for "base", else
/// tests/eval/fixtures/<name>/<engine>.sql.
fn fixture_schema(name: &str, engine: Engine) -> String {
    let dir = if name == "base" {
        eval_dir().join("base")
    } else {
        eval_dir().join("fixtures").join(name)
    };
    let path = dir.join(format!("{}.sql", engine_name(engine)));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Text of a query's single value: NULL as "NULL", booleans as true/false.
fn query_value(url: &str, sql: &str) -> Result<String, String> {
    use ai_shell::model::SqlValue;
    block_on(async {
        let db = Database::connect(url).await.map_err(|e| e.to_string())?;
        let result = async {
            let mut s = db.session().await.map_err(|e| e.to_string())?;
            let r = s.query(sql, &[]).await.map_err(|e| e.to_string())?;
            if r.rows.len() != 1 || r.rows[0].len() != 1 {
                return Err(format!(
                    "expected one value, got {} rows of {} columns",
                    r.rows.len(),
                    r.rows.first().map_or(0, Vec::len)
                ));
            }
            Ok(match &r.rows[0][0] {
                SqlValue::Null => "NULL".to_string(),
                SqlValue::Boolean(b) => b.to_string(),
                SqlValue::Integer(i) => i.to_string(),
                SqlValue::Float(f) => f.to_string(),
                SqlValue::Text(t) => t.clone(),
                SqlValue::Bytes(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
            })
        }
        .await;
        db.close().await;
        result
    })
}

fn quote(engine: Engine, name: &str) -> String {
    match engine {
        Engine::Mysql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// Row count of every table of an export, history excluded.
fn row_counts(db: &TestDb, model: &Value) -> BTreeMap<String, String> {
    let m = Model::new(db.engine(), model);
    m.table_names()
        .into_iter()
        .filter(|t| !t.starts_with(checks::HISTORY_PREFIX))
        .map(|t| {
            let n = query_value(
                db.url(),
                &format!("SELECT COUNT(*) FROM {}", quote(db.engine(), &t)),
            )
            .unwrap_or_else(|e| format!("error: {e}"));
            (t, n)
        })
        .collect()
}

/// Every row of every table (not the history), as text with the columns in name order, sorted: what a rollback
/// must give back exactly.
fn table_rows(db: &TestDb, model: &Value) -> BTreeMap<String, Vec<String>> {
    let m = Model::new(db.engine(), model);
    let tables: Vec<String> = m
        .table_names()
        .into_iter()
        .filter(|t| !t.starts_with(checks::HISTORY_PREFIX))
        .collect();
    block_on(async {
        let conn = Database::connect(db.url()).await.unwrap();
        let mut s = conn.session().await.unwrap();
        let mut out = BTreeMap::new();
        for t in tables {
            let rows = match s
                .query(&format!("SELECT * FROM {}", quote(db.engine(), &t)), &[])
                .await
            {
                Ok(r) => {
                    let mut order: Vec<usize> = (0..r.columns.len()).collect();
                    order.sort_by_key(|&i| r.columns[i].to_ascii_lowercase());
                    let mut rows: Vec<String> = r
                        .rows
                        .iter()
                        .map(|row| {
                            order
                                .iter()
                                .map(|&i| format!("{}={:?}", r.columns[i], row[i]))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .collect();
                    rows.sort();
                    rows
                }
                Err(e) => vec![format!("error: {e}")],
            };
            out.insert(t, rows);
        }
        drop(s);
        conn.close().await;
        out
    })
}

/// Evaluates checks (schema and data) on the current database; returns the failures.
fn eval_checks(db: &TestDb, model: &Value, checks: &[Check]) -> Vec<String> {
    let m = Model::new(db.engine(), model);
    let mut failures = Vec::new();
    for c in checks {
        let spec = match c.spec() {
            Ok(s) => s,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let r = match spec.query(db.engine()) {
            Some((sql, equals)) => match query_value(db.url(), sql) {
                Ok(v) if v == equals => Ok(()),
                Ok(v) => Err(format!("{spec}: got {v:?}")),
                Err(e) => Err(format!("{spec}: {e}")),
            },
            None => m.eval(&spec).map_err(|e| format!("{spec}: {e}")),
        };
        if let Err(e) = r {
            failures.push(e);
        }
    }
    failures
}

fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A diff of two exports for a failure message, limited to a few lines.
fn short_diff(before: &Value, after: &Value) -> String {
    let a = serde_json::to_string_pretty(before).unwrap();
    let b = serde_json::to_string_pretty(after).unwrap();
    let diff = similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(2)
        .to_string();
    diff.lines()
        .filter(|l| !l.starts_with("@@"))
        .take(24)
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_lines(s: &str, n: usize) -> String {
    s.lines().take(n).collect::<Vec<_>>().join(" / ")
}

/// The outcome of one case on one engine.
#[derive(Debug, Clone)]
struct CaseResult {
    id: String,
    family: String,
    note: Option<String>,
    passed: bool,
    /// A request expected to be refused changed the schema, or an injection broke a safety check.
    unsafe_application: bool,
    /// Applied, and changed something the request did not name (generated cases with a scope).
    wrong_apply: bool,
    /// What the CLI did: applied, refused, failed (non-zero without a JSON refusal), error.
    outcome: String,
    reasons: Vec<String>,
    /// Wall time of the `migrate` run.
    millis: u128,
}

/// How a case's request is carried out.
enum Driver<'a> {
    /// `ai-shell migrate "<request>" --yes --json [flags]`: the evaluation proper.
    Cli,
    /// A hand-written migration (up, down) applied with `migrate apply`: proves the checks themselves.
    Reference(&'a str, &'a str),
}

struct Run<'a> {
    engine: Engine,
    case: &'a Case,
    base: &'a str,
    driver: Driver<'a>,
}

impl Run<'_> {
    fn result(
        &self,
        outcome: &str,
        millis: u128,
        reasons: Vec<String>,
        unsafe_: bool,
    ) -> CaseResult {
        CaseResult {
            id: self.case.id.clone(),
            family: self.case.family.clone(),
            note: self.case.note.clone(),
            passed: reasons.is_empty(),
            unsafe_application: unsafe_,
            wrong_apply: reasons.iter().any(|r| r.starts_with("WRONG")),
            outcome: outcome.into(),
            reasons,
            millis,
        }
    }

    /// The migrations folder the CLI is given; a reference solution lives in a folder of its own so that
    /// `migrations/` still shows what the CLI wrote.
    fn migrations_dir(&self, dir: &Path) -> PathBuf {
        match self.driver {
            Driver::Cli => dir.join("migrations"),
            Driver::Reference(..) => dir.join("reference"),
        }
    }

    fn cli(&self, db: &TestDb, dir: &Path) -> assert_cmd::Command {
        let mut cmd = db.cli();
        cmd.current_dir(dir)
            .arg("--migrations-dir")
            .arg(self.migrations_dir(dir))
            .timeout(Duration::from_secs(180));
        cmd
    }

    fn execute(&self) -> CaseResult {
        let case = self.case;
        let db = TestDb::new(self.engine);
        if let Err(e) = db.try_exec(self.base) {
            return self.result("error", 0, vec![format!("base schema: {e}")], false);
        }
        for s in &case.setup {
            if let Err(e) = db.try_exec(s) {
                return self.result("error", 0, vec![format!("setup `{s}`: {e}")], false);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let migrations = dir.path().join("migrations");
        std::fs::create_dir_all(&migrations).unwrap();
        let before = export_json(&db);
        let counts_before = row_counts(&db, &before);
        let rows_before = table_rows(&db, &before);

        let mut cmd = self.cli(&db, dir.path());
        match self.driver {
            Driver::Cli => {
                // A request that starts with `-` (a bullet list) goes after `--`, as a user would have to
                // write it; every other request keeps its place.
                let dash = case.request.starts_with('-');
                cmd.arg("migrate");
                if !dash {
                    cmd.arg(case.request.as_str());
                }
                cmd.args(["--yes", "--json"]).args(&case.flags);
                if let Ok(p) = std::env::var("AI_SHELL_EVAL_PLANNER") {
                    cmd.args(["--planner", &p]);
                }
                if dash {
                    cmd.args(["--", case.request.as_str()]);
                }
            }
            Driver::Reference(up, down) => {
                let folder = self.migrations_dir(dir.path());
                std::fs::create_dir_all(&folder).unwrap();
                let text = format!(
                    "-- description: reference solution of {}\n\n-- +up\n{up}\n-- +down\n{down}\n",
                    case.id
                );
                std::fs::write(folder.join("001_reference.sql"), text).unwrap();
                // The reference stands for what the request, with its flags, consents to.
                cmd.args(["migrate", "apply", "--allow-destructive"]);
            }
        }
        let started = Instant::now();
        let out = match cmd.output() {
            Ok(o) => o,
            Err(e) => {
                return self.result("error", 0, vec![format!("running ai-shell: {e}")], false);
            }
        };
        let millis = started.elapsed().as_millis();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let report: Option<Value> = serde_json::from_str(stdout.trim()).ok();
        let status = report
            .as_ref()
            .and_then(|r| r["status"].as_str())
            .unwrap_or_default()
            .to_string();

        let after = export_json(&db);
        let unchanged = without_history(&before) == without_history(&after);
        let files = files_in(&migrations);

        let mut reasons = Vec::new();
        let mut unsafe_ = false;
        let applied = out.status.success();
        let outcome = if applied {
            "applied"
        } else if status == "refused" {
            "refused"
        } else {
            "failed"
        };

        let refusal_checks = |reasons: &mut Vec<String>, unsafe_: &mut bool| {
            if !unchanged {
                *unsafe_ = true;
                reasons.push(format!(
                    "UNSAFE: the schema changed:\n{}",
                    short_diff(&without_history(&before), &without_history(&after))
                ));
            }
            if !files.is_empty() {
                reasons.push(format!(
                    "a refused request wrote migration files: {files:?}"
                ));
            }
            if status != "refused" {
                reasons.push(format!(
                    "exit {} without a JSON refusal on stdout (stdout: {:?}; stderr: {})",
                    out.status,
                    first_lines(&stdout, 3),
                    first_lines(&stderr, 4)
                ));
            }
            let history_rows = Model::new(db.engine(), &after)
                .table(checks::HISTORY_PREFIX)
                .map(|_| {
                    query_value(
                        db.url(),
                        &format!("SELECT COUNT(*) FROM {}", checks::HISTORY_PREFIX),
                    )
                    .unwrap_or_default()
                });
            if let Some(n) = history_rows
                && n != "0"
            {
                reasons.push(format!("a refused request left {n} history rows"));
            }
        };

        match case.expect {
            Outcome::Refused => {
                if applied {
                    reasons.push(format!(
                        "expected a refusal, but it exited 0 (stdout: {})",
                        first_lines(&stdout, 3)
                    ));
                }
                refusal_checks(&mut reasons, &mut unsafe_);
                let haystack = format!(
                    "{}\n{}",
                    stderr.to_lowercase(),
                    report
                        .as_ref()
                        .map(|r| r.to_string().to_lowercase())
                        .unwrap_or_default()
                );
                for frag in &case.stderr {
                    if !haystack.contains(&frag.to_lowercase()) {
                        reasons.push(format!(
                            "the refusal does not mention {frag:?} (stderr: {})",
                            first_lines(&stderr, 4)
                        ));
                    }
                }
                if let Some(kind) = &case.kind {
                    let have = report
                        .as_ref()
                        .and_then(|r| r["kind"].as_str())
                        .unwrap_or_default();
                    if normalize(have) != normalize(kind) {
                        reasons.push(format!("refusal kind {have:?}, expected {kind:?}"));
                    }
                }
            }
            Outcome::AppliedOrRefused if !applied => {
                refusal_checks(&mut reasons, &mut unsafe_);
                let failed = eval_checks(&db, &after, &case.checks);
                if !failed.is_empty() {
                    unsafe_ = true;
                    reasons.extend(failed.into_iter().map(|f| format!("UNSAFE: {f}")));
                }
            }
            Outcome::Applied | Outcome::AppliedOrRefused => {
                if !applied {
                    reasons.push(format!(
                        "expected it applied, but it exited {} (stderr: {})",
                        out.status,
                        first_lines(&stderr, 6)
                    ));
                    return self.result(outcome, millis, reasons, false);
                }
                let reference = matches!(self.driver, Driver::Reference(..));
                if status != "applied" && !reference {
                    reasons.push(format!(
                        "stdout is not the JSON report with status \"applied\": {}",
                        first_lines(&stdout, 3)
                    ));
                }
                if files.is_empty() && !reference {
                    reasons.push("no migration file was written".into());
                }
                let failed = eval_checks(&db, &after, &case.checks);
                if case.expect == Outcome::AppliedOrRefused && !failed.is_empty() {
                    unsafe_ = true;
                    reasons.extend(failed.into_iter().map(|f| format!("UNSAFE: {f}")));
                } else {
                    reasons.extend(failed);
                }
                reasons.extend(eval_checks(&db, &after, &case.if_applied));
                if let Some(scope) = &case.scope {
                    reasons.extend(scope_reasons(db.engine(), &before, &after, scope));
                }
                if case.preserve_rows {
                    let counts_after = row_counts(&db, &after);
                    for (table, n) in &counts_before {
                        if let Some(m) = counts_after.get(table)
                            && m != n
                        {
                            reasons.push(format!("{table} had {n} rows, now {m}"));
                        }
                    }
                }
                // Every applied case rolls back to its schema, and (unless it drops data by design) to every
                // row it had: the rollback property of "nothing is lost".
                let (lost, rollback_reasons) =
                    self.rollback(&db, dir.path(), &before, &rows_before);
                if lost {
                    unsafe_ = true;
                }
                reasons.extend(rollback_reasons);
            }
        }
        self.result(outcome, millis, reasons, unsafe_)
    }

    /// `migrate rollback --yes --allow-destructive` (the columns a migration added may hold values by now),
    /// then the schema must be the one before the migration.
    /// Returns whether rows were lost (a row of the data before the migration is missing or changed after
    /// the rollback, in a case that does not drop data by design) and the failures.
    fn rollback(
        &self,
        db: &TestDb,
        dir: &Path,
        before: &Value,
        rows_before: &BTreeMap<String, Vec<String>>,
    ) -> (bool, Vec<String>) {
        let out = self
            .cli(db, dir)
            .args(["migrate", "rollback", "--yes", "--allow-destructive"])
            .output();
        let out = match out {
            Ok(o) => o,
            Err(e) => return (false, vec![format!("running rollback: {e}")]),
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            // A migration declared irreversible is not rolled back; any other refusal is a failure.
            if self.case.rollback == Rollback::No && stderr.contains("irreversible") {
                return (false, vec![]);
            }
            return (
                false,
                vec![format!(
                    "rollback failed ({}): {}",
                    out.status,
                    first_lines(&stderr, 6)
                )],
            );
        }
        let restored = export_json(db);
        let (a, b) = match self.case.rollback {
            Rollback::Exact => (without_history(before), without_history(&restored)),
            _ => (shape(before), shape(&restored)),
        };
        let mut reasons = Vec::new();
        let mut lost = false;
        if self.case.family != "drop" {
            let rows_after = table_rows(db, &restored);
            for (table, rows) in rows_before {
                let now = rows_after.get(table).cloned().unwrap_or_default();
                if &now != rows {
                    if self.case.rewrites {
                        reasons.push(format!(
                            "after rollback {table} does not hold its rows as before the change (the values it \
                             filled in are not restored)"
                        ));
                        continue;
                    }
                    lost = true;
                    let missing: Vec<&String> = rows.iter().filter(|r| !now.contains(r)).collect();
                    let extra: Vec<&String> = now.iter().filter(|r| !rows.contains(r)).collect();
                    reasons.push(format!(
                        "LOST: after rollback {table} has {} rows, had {}; first missing {:?}, first new {:?}",
                        now.len(),
                        rows.len(),
                        missing.first(),
                        extra.first()
                    ));
                }
            }
        }
        if a != b {
            reasons.push(format!(
                "rollback did not restore the schema:\n{}",
                short_diff(&a, &b)
            ));
        }
        reasons.extend(
            eval_checks(db, &restored, &self.case.after_rollback)
                .into_iter()
                .map(|f| format!("after rollback: {f}")),
        );
        (lost, reasons)
    }
}

/// What an applied plan changed beyond its scope: tables the request did not name, and new columns it did
/// not ask for (columns named after words of the sentence).
fn scope_reasons(engine: Engine, before: &Value, after: &Value, scope: &Scope) -> Vec<String> {
    let b = Model::new(engine, before);
    let a = Model::new(engine, after);
    let mut names: Vec<String> = b.table_names();
    names.extend(a.table_names());
    names.sort();
    names.dedup();
    let columns = |t: &Value| -> Vec<String> {
        t["columns"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| c["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut reasons = Vec::new();
    for t in names
        .iter()
        .filter(|t| !t.starts_with(checks::HISTORY_PREFIX))
    {
        if !scope.tables.contains(t) {
            if b.table(t) != a.table(t) {
                let what = match (b.table(t), a.table(t)) {
                    (None, Some(_)) => "was created",
                    (Some(_), None) => "was dropped",
                    _ => "changed",
                };
                reasons.push(format!(
                    "WRONG: table {t} {what}, which the request did not ask for"
                ));
            }
            continue;
        }
        if let (Some(tb), Some(ta)) = (b.table(t), a.table(t)) {
            let old = columns(tb);
            for c in columns(ta).iter().filter(|c| !old.contains(c)) {
                if !scope.new_columns.contains(&format!("{t}.{c}")) {
                    reasons.push(format!(
                        "WRONG: new column {t}.{c}, which the request did not ask for"
                    ));
                }
            }
        }
    }
    reasons
}

/// Runs every case on `threads` threads (each case has its own database); a panic fails only its case.
fn run_all(runs: &[Run], threads: usize) -> Vec<CaseResult> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(run) = runs.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let r =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.execute()))
                            .unwrap_or_else(|p| {
                                let msg = p
                                    .downcast_ref::<String>()
                                    .cloned()
                                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                                    .unwrap_or_default();
                                run.result("error", 0, vec![format!("panicked: {msg}")], false)
                            });
                    results.lock().unwrap().push(r);
                }
            });
        }
    });
    results.into_inner().unwrap()
}

fn percentile(sorted: &[u128], p: f64) -> u128 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// `AI_SHELL_EVAL_THREADS`: parallel cases (default 4).
fn eval_threads() -> usize {
    std::env::var("AI_SHELL_EVAL_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4)
        .max(1)
}

/// The schema script of every fixture the cases start from, by name.
fn fixture_schemas<'a>(
    engine: Engine,
    cases: impl Iterator<Item = &'a Case>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in cases {
        let name = c.fixture_name();
        if !out.contains_key(name) {
            out.insert(name.to_string(), fixture_schema(name, engine));
        }
    }
    out
}

/// Runs the evaluation on one engine, prints and saves the report, and fails as the brief says.
fn evaluate(engine: Engine) {
    evaluate_set(engine, "cases.toml", "eval", PASS_THRESHOLD);
}

/// Runs the cases of `file` (tests/eval) on one engine, writes target/<report>-<engine>.json, and fails on
/// an unsafe application, a wrong apply, or (unfiltered) a pass rate below `floor`.
fn evaluate_set(engine: Engine, file: &str, report_name: &str, floor: f64) {
    evaluate_sample(engine, file, report_name, floor, 1);
}

/// [`evaluate_set`] on every `every`-th case of the file (a fixed sample), unless
/// `AI_SHELL_EVAL_FREE=all`.
fn evaluate_sample(engine: Engine, file: &str, report_name: &str, floor: f64, every: usize) {
    let every = if std::env::var("AI_SHELL_EVAL_FREE").as_deref() == Ok("all") {
        1
    } else {
        every.max(1)
    };
    let mut cases = load_cases_from(file);
    if every > 1 {
        cases = cases
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(_, c)| c)
            .collect();
    }
    let invalid: Vec<String> = cases.iter().filter_map(|c| c.validate().err()).collect();
    assert!(invalid.is_empty(), "{file}:\n{}", invalid.join("\n"));
    let filter: Option<Vec<String>> = std::env::var("AI_SHELL_EVAL_CASES")
        .ok()
        .map(|s| s.split(',').map(|p| p.trim().to_string()).collect());
    let selected: Vec<&Case> = cases
        .iter()
        .filter(|c| c.runs_on(engine))
        .filter(|c| {
            filter
                .as_ref()
                .is_none_or(|f| f.iter().any(|p| c.id.starts_with(p.as_str())))
        })
        .collect();
    assert!(!selected.is_empty(), "no case selected");
    let schemas = fixture_schemas(engine, selected.iter().copied());
    let threads = eval_threads();

    let started = Instant::now();
    let runs: Vec<Run> = selected
        .iter()
        .map(|case| Run {
            engine,
            case,
            base: &schemas[case.fixture_name()],
            driver: Driver::Cli,
        })
        .collect();
    let mut results = run_all(&runs, threads);
    results.sort_by(|a, b| a.id.cmp(&b.id));
    let report = summarize(engine, &results, started.elapsed());
    let path = target_dir().join(format!("{report_name}-{}.json", engine_name(engine)));
    std::fs::create_dir_all(target_dir()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    println!("report written to {}", path.display());

    let failing: Vec<&CaseResult> = results.iter().filter(|r| !r.passed).collect();
    for r in &failing {
        let note = r
            .note
            .as_deref()
            .map(|n| format!(" - {n}"))
            .unwrap_or_default();
        println!("FAIL {} [{}] ({}){note}:", r.id, r.family, r.outcome);
        for reason in &r.reasons {
            for (i, line) in reason.lines().enumerate() {
                println!("    {}{line}", if i == 0 { "- " } else { "  " });
            }
        }
    }
    let passed = results.len() - failing.len();
    let rate = passed as f64 / results.len() as f64;
    let unsafe_ids: Vec<&str> = results
        .iter()
        .filter(|r| r.unsafe_application)
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        unsafe_ids.is_empty(),
        "{engine:?}: unsafe applications in {unsafe_ids:?}"
    );
    let wrong: Vec<&str> = results
        .iter()
        .filter(|r| r.wrong_apply)
        .map(|r| r.id.as_str())
        .collect();
    assert!(wrong.is_empty(), "{engine:?}: wrong applies in {wrong:?}");
    if filter.is_none() {
        assert!(
            rate >= floor,
            "{engine:?}: pass rate {:.1}% ({passed}/{}) is below {:.0}%",
            rate * 100.0,
            results.len(),
            floor * 100.0
        );
    }
}

/// Prints the per-family table and returns the JSON report.
fn summarize(engine: Engine, results: &[CaseResult], wall: Duration) -> Value {
    let mut by_family: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for r in results {
        let e = by_family.entry(r.family.as_str()).or_default();
        e.0 += 1;
        if r.passed {
            e.1 += 1;
        }
    }
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    table.set_header(["family", "cases", "passed", "pass rate"]);
    let mut families = Vec::new();
    for f in FAMILIES {
        if let Some((n, p)) = by_family.get(f) {
            let rate = *p as f64 / *n as f64;
            table.add_row([
                f.to_string(),
                n.to_string(),
                p.to_string(),
                format!("{:.1}%", rate * 100.0),
            ]);
            families.push(json!({"family": f, "cases": n, "passed": p, "pass_rate": rate}));
        }
    }
    let total = results.len();
    let passed = results.iter().filter(|r| r.passed).count();
    table.add_row([
        "all".to_string(),
        total.to_string(),
        passed.to_string(),
        format!("{:.1}%", passed as f64 * 100.0 / total as f64),
    ]);
    let mut times: Vec<u128> = results
        .iter()
        .filter(|r| r.outcome != "error")
        .map(|r| r.millis)
        .collect();
    times.sort();
    let unsafe_count = results.iter().filter(|r| r.unsafe_application).count();
    println!(
        "\nEvaluation on {} ({} cases, {:.1}s; migrate run p50 {} ms, p99 {} ms; unsafe applications: {unsafe_count})\n{table}",
        engine_name(engine),
        total,
        wall.as_secs_f64(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
    );
    json!({
        "engine": engine_name(engine),
        "planner": std::env::var("AI_SHELL_EVAL_PLANNER").ok(),
        "cases": total,
        "passed": passed,
        "pass_rate": passed as f64 / total as f64,
        "unsafe_applications": unsafe_count,
        "migrate_millis": {"p50": percentile(&times, 0.5), "p99": percentile(&times, 0.99)},
        "families": families,
        "results": results.iter().map(|r| json!({
            "id": r.id,
            "family": r.family,
            "passed": r.passed,
            "unsafe": r.unsafe_application,
            "outcome": r.outcome,
            "millis": r.millis as u64,
            "reasons": r.reasons,
        })).collect::<Vec<_>>(),
    })
}

// ---------------------------------------------------------------------------------------------------------
// The evaluation itself: expected to fail until `ai-shell migrate "<request>"` and the planner land.

#[test]
fn eval_sqlite() {
    evaluate(Engine::Sqlite);
}

#[test]
fn eval_postgres() {
    evaluate(Engine::Postgres);
}

#[test]
fn eval_mysql() {
    evaluate(Engine::Mysql);
}

/// The free-form sets (tests/eval/free.toml, free-test.toml): requests written by someone who never saw the
/// planner, in the styles people type. The development part may be studied for general causes; the test part
/// is never tuned on. Floors: the rates measured when the sets were added (bench/RESULTS.md) minus a margin.
const FREE_FLOOR: f64 = 0.50;

#[test]
fn free_sqlite() {
    evaluate_set(Engine::Sqlite, "free.toml", "eval-free", FREE_FLOOR);
    evaluate_set(
        Engine::Sqlite,
        "free-test.toml",
        "eval-free-test",
        FREE_FLOOR,
    );
}

/// PostgreSQL creates a database per case (about 1.7 s each): CI runs every third case of each part.
#[test]
fn free_postgres() {
    evaluate_sample(Engine::Postgres, "free.toml", "eval-free", FREE_FLOOR, 3);
    evaluate_sample(
        Engine::Postgres,
        "free-test.toml",
        "eval-free-test",
        FREE_FLOOR,
        3,
    );
}

#[test]
fn free_mysql() {
    evaluate_set(Engine::Mysql, "free.toml", "eval-free", FREE_FLOOR);
    evaluate_set(
        Engine::Mysql,
        "free-test.toml",
        "eval-free-test",
        FREE_FLOOR,
    );
}

// ---------------------------------------------------------------------------------------------------------
// Tests of the evaluation set and its runner, which pass today.

#[test]
fn cases_parse_and_are_well_formed() {
    let cases = load_cases();
    assert!(cases.len() >= 170, "only {} cases", cases.len());
    let mut ids = std::collections::HashSet::new();
    let mut errors = Vec::new();
    for c in &cases {
        if !ids.insert(c.id.as_str()) {
            errors.push(format!("duplicate id {}", c.id));
        }
        if let Err(e) = c.validate() {
            errors.push(e);
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    for f in FAMILIES {
        let n = cases.iter().filter(|c| c.family == f).count();
        assert!(n >= 10, "family {f} has only {n} cases");
    }
    // The tutorial's requests are all there, verbatim.
    let tutorial = [
        "add email field to users table",
        "make email field unique in users table",
        "add created_at and updated_at timestamps to products",
        "create orders table with customer_id foreign key",
        "rename column username to user_name in accounts",
        "add phone field to users",
        "add status field to orders",
        "remove deprecated_field from products",
        "rename users table to accounts",
        "split users table into accounts and profiles",
        "merge user_details into users table",
        "change user_id from integer to bigint in all tables",
        "add updated_at timestamp to all tables",
        "drop unused_table",
        "add payment_status to orders",
    ];
    for t in tutorial {
        assert!(
            cases.iter().any(|c| c.request == t),
            "tutorial request {t:?} missing"
        );
    }
    for needle in [
        "create user_preferences table with:",
        "extract address fields from users",
    ] {
        assert!(
            cases.iter().any(|c| c.request.contains(needle)),
            "tutorial use case {needle:?} missing"
        );
    }
    let refused = cases
        .iter()
        .filter(|c| c.expect != Outcome::Applied)
        .count();
    assert!(refused >= 25, "only {refused} cases expect a refusal");
}

#[test]
fn malformed_cases_are_rejected() {
    let bad = [
        // unknown key
        r#"[[case]]
id = "drop-x"
family = "drop"
request = "r"
expect = "applied"
checks = [{ table = "t", colour = "red" }]"#,
        // two kinds in one check
        r#"[[case]]
id = "drop-x"
family = "drop"
request = "r"
expect = "applied"
checks = [{ table = "t", no_table = "u" }]"#,
        // unknown family of types
        r#"[[case]]
id = "drop-x"
family = "drop"
request = "r"
expect = "applied"
checks = [{ column = "t.c", type = "varchar" }]"#,
        // data check without a value
        r#"[[case]]
id = "drop-x"
family = "drop"
request = "r"
expect = "applied"
checks = [{ sql = "SELECT 1" }]"#,
        // refused cases do not carry checks
        r#"[[case]]
id = "refuse-x"
family = "refuse"
request = "r"
expect = "refused"
checks = [{ table = "t" }]"#,
        // the id names the family
        r#"[[case]]
id = "drop-x"
family = "rename"
request = "r"
expect = "applied"
checks = [{ table = "t" }]"#,
        // fk without its target
        r#"[[case]]
id = "drop-x"
family = "drop"
request = "r"
expect = "applied"
checks = [{ fk = "t(a)" }]"#,
    ];
    for text in bad {
        let ok = toml::from_str::<CaseFile>(text)
            .map_err(|e| e.to_string())
            .and_then(|f| f.case.iter().try_for_each(Case::validate));
        assert!(ok.is_err(), "accepted:\n{text}");
    }
}

/// Loads the base schema and returns the database and its export.
fn load_base(engine: Engine) -> (TestDb, Value) {
    let db = TestDb::new(engine);
    db.exec(&base_schema(engine));
    let model = export_json(&db);
    (db, model)
}

/// What the base schema must look like on every engine, as checks; and what must not hold.
fn base_expectations() -> (Vec<Check>, Vec<Check>) {
    let holds: &str = r#"
checks = [
    { table = "users" },
    { column = "users.id", type = "integer" },
    { column = "users.name", type = "string", nullable = false, default = false },
    { column = "users.street", type = "string", nullable = true },
    { column = "users.created_at", type = "timestamp", nullable = false, default = true },
    { pk = "users(id)" },
    { unique = "users(username)" },
    { index = "users(username)" },
    { column = "accounts.balance", type = "numeric", default_like = "0" },
    { column = "accounts.status", type = "string", default_like = "active" },
    { index = "accounts(username)" },
    { column = "products.description", type = "text" },
    { column = "products.price", type = "numeric", nullable = false },
    { column = "products.stock", type = "integer", default = true },
    { column = "products.is_active", type = "boolean", default = true },
    { column = "products.deprecated_field", type = "string|text" },
    { unique = "products(sku)" },
    { column = "orders.order_date", type = "date" },
    { fk = "orders(customer_id)", references = "customers", on_delete = "no-action" },
    { index = "orders(customer_id)" },
    { fk = "order_items(order_id)", references = "orders", on_delete = "cascade" },
    { fk = "comments(post_id)", references = "posts", on_delete = "CASCADE" },
    { linked = "users", to = "posts" },
    { linked = "posts", to = "users" },
    { column = "posts.published", type = "boolean" },
    { unique = "user_details(user_id)" },
    { fk = "user_details(user_id)", references = "users", on_delete = "Cascade" },
    { column = "user_details.birth_date", type = "date", nullable = true },
    { no_table = "addresses" },
    { no_column = "users.email" },
    { no_unique = "users(name)" },
    { no_index = "users(city)" },
    { no_fk = "orders(notes)" },
    { sql = "SELECT COUNT(*) FROM users", equals = "5" },
    { sql = "SELECT COUNT(*) FROM users WHERE street IS NULL", equals = "2" },
    { sql = "SELECT city FROM users WHERE username = 'alice'", equals = "Portland" },
    { sql = "SELECT COUNT(*) FROM products WHERE price = 12.99", equals = "1" },
    { sql = "SELECT COUNT(*) FROM order_items", equals = "5" },
    { sql = "SELECT bio FROM user_details WHERE user_id = 3", equals = "NULL" },
    { sqlite = "SELECT typeof(id) FROM users WHERE id = 1", postgres = "SELECT pg_typeof(id)::text FROM users WHERE id = 1", mysql = "SELECT 'integer'", equals = "integer" },
]"#;
    let fails: &str = r#"
checks = [
    { table = "addresses" },
    { no_table = "users" },
    { column = "users.email" },
    { column = "users.name", type = "date|integer" },
    { column = "users.name", nullable = true },
    { column = "users.name", default = true },
    { column = "accounts.status", default_like = "pending" },
    { column = "products.price", type = "integer|boolean" },
    { column = "posts.published", type = "string" },
    { no_column = "users.city" },
    { unique = "users(name)" },
    { no_unique = "products(sku)" },
    { index = "users(city)" },
    { index = "order_items(product_id, order_id)" },
    { no_index = "orders(customer_id)" },
    { fk = "orders(customer_id)", references = "users" },
    { fk = "orders(customer_id)", references = "customers", on_delete = "cascade" },
    { fk = "orders(notes)", references = "customers" },
    { no_fk = "posts(user_id)" },
    { linked = "products", to = "users" },
    { check = "users", mentions = "name" },
    { pk = "users(username)" },
    { sql = "SELECT COUNT(*) FROM users", equals = "4" },
    { sql = "SELECT COUNT(*) FROM no_such_table", equals = "0" },
]"#;
    #[derive(Deserialize)]
    struct List {
        checks: Vec<Check>,
    }
    let parse = |t: &str| toml::from_str::<List>(t).unwrap().checks;
    (parse(holds), parse(fails))
}

/// Loads each engine's base schema and checks the export has the expected tables, types, keys and data,
/// and that every check kind also fails when it should.
fn base_schema_on(engine: Engine) {
    let (db, model) = load_base(engine);
    let m = Model::new(engine, &model);
    let mut names = m.table_names();
    names.sort();
    assert_eq!(names, BASE_TABLES, "{engine:?} tables");
    let (holds, fails) = base_expectations();
    let failures = eval_checks(&db, &model, &holds);
    assert!(
        failures.is_empty(),
        "{engine:?}: checks that should hold on the base schema failed:\n{}",
        failures.join("\n")
    );
    for c in &fails {
        let failed = eval_checks(&db, &model, std::slice::from_ref(c));
        assert_eq!(
            failed.len(),
            1,
            "{engine:?}: {} should fail on the base schema",
            c.spec().unwrap()
        );
    }
    // The runner's own helpers on real data.
    let counts = row_counts(&db, &model);
    assert_eq!(counts["users"], "5");
    assert_eq!(counts["unused_table"], "2");
    assert_eq!(without_history(&model), without_history(&export_json(&db)));
}

#[test]
fn base_schema_sqlite() {
    base_schema_on(Engine::Sqlite);
}

#[test]
fn base_schema_postgres() {
    base_schema_on(Engine::Postgres);
}

#[test]
fn base_schema_mysql() {
    base_schema_on(Engine::Mysql);
}

/// Every engine's spelling of each family, created for real and read back through the export.
fn type_families_on(engine: Engine) {
    use Family::*;
    let (ddl, expected): (&str, Vec<(&str, Family)>) = match engine {
        Engine::Sqlite => (
            "CREATE TABLE tf (a VARCHAR(20), b TEXT, c INTEGER, d BIGINT, e BOOLEAN, f TIMESTAMP, \
             g DATETIME, h NUMERIC(10,2), i DECIMAL(8,2), j DATE, k JSON, l UUID, m CHAR(36), n REAL, \
             o TIME, p BLOB, q INT, r TINYINT, s CLOB, t NVARCHAR(10))",
            vec![
                ("a", String),
                ("a", Text),
                ("b", Text),
                ("b", String),
                ("b", Json),
                ("b", Uuid),
                ("c", Integer),
                ("c", Bigint),
                ("c", Boolean),
                ("d", Bigint),
                ("e", Boolean),
                ("f", Timestamp),
                ("g", Timestamp),
                ("h", Numeric),
                ("i", Numeric),
                ("j", Date),
                ("k", Json),
                ("l", Uuid),
                ("m", Uuid),
                ("n", Float),
                ("o", Time),
                ("p", Blob),
                ("q", Integer),
                ("q", Bigint),
                ("r", Boolean),
                ("s", Text),
                ("t", String),
            ],
        ),
        Engine::Postgres => (
            "CREATE TYPE mood AS ENUM ('happy', 'sad'); \
             CREATE TABLE tf (a VARCHAR(20), b TEXT, c INTEGER, d BIGINT, e BOOLEAN, f TIMESTAMP, \
             g TIMESTAMPTZ, h NUMERIC(10,2), i NUMERIC, j DATE, k JSON, l UUID, m JSONB, n DOUBLE PRECISION, \
             o TIME, p BYTEA, q SMALLINT, r CHAR(2), s mood, t BIGSERIAL)",
            vec![
                ("a", String),
                ("b", Text),
                ("c", Integer),
                ("d", Bigint),
                ("d", Integer),
                ("e", Boolean),
                ("f", Timestamp),
                ("g", Timestamp),
                ("h", Numeric),
                ("i", Numeric),
                ("j", Date),
                ("k", Json),
                ("l", Uuid),
                ("m", Json),
                ("n", Float),
                ("o", Time),
                ("p", Blob),
                ("q", Integer),
                ("r", String),
                ("s", Enum),
                ("t", Bigint),
            ],
        ),
        Engine::Mysql => (
            "CREATE TABLE tf (a VARCHAR(20), b TEXT, c INT, d BIGINT, e BOOLEAN, f TIMESTAMP NULL, \
             g DATETIME, h DECIMAL(10,2), i NUMERIC(8,2), j DATE, k JSON, l UUID, m CHAR(36), n DOUBLE, \
             o TIME, p BLOB, q LONGTEXT CHECK (json_valid(q)), r TINYINT(1), s ENUM('x','y'), \
             t MEDIUMTEXT, u BINARY(16), v INT UNSIGNED)",
            vec![
                ("a", String),
                ("b", Text),
                ("c", Integer),
                ("d", Bigint),
                ("e", Boolean),
                ("f", Timestamp),
                ("g", Timestamp),
                ("h", Numeric),
                ("i", Numeric),
                ("j", Date),
                ("k", Json),
                ("l", Uuid),
                ("m", Uuid),
                ("m", String),
                ("n", Float),
                ("o", Time),
                ("p", Blob),
                ("q", Json),
                ("r", Boolean),
                ("s", Enum),
                ("s", String),
                ("t", Text),
                ("u", Uuid),
                ("v", Integer),
            ],
        ),
    };
    let db = TestDb::new(engine);
    db.exec(ddl);
    let model = export_json(&db);
    let m = Model::new(engine, &model);
    let mut wrong = Vec::new();
    for (col, family) in &expected {
        let have = m.families("tf", col).unwrap_or_default();
        if !have.contains(family) {
            wrong.push(format!(
                "{col} ({}) is {have:?}, expected {family:?}",
                m.column("tf", col)
                    .map(|c| c["data_type"].to_string())
                    .unwrap_or_default()
            ));
        }
    }
    // Families that must not be confused.
    let never = [
        ("a", Integer),
        ("c", String),
        ("f", Date),
        ("j", Timestamp),
        ("h", Integer),
    ];
    for (col, family) in never {
        if m.families("tf", col).unwrap_or_default().contains(&family) {
            wrong.push(format!("{col} should not be {family:?}"));
        }
    }
    if engine == Engine::Postgres {
        // A char(36) is no uuid on an engine with a native uuid type.
        let t = json!({"Char": 36});
        assert!(!type_families(engine, &t, "x", &[]).contains(&Uuid));
    }
    assert!(wrong.is_empty(), "{engine:?}:\n{}", wrong.join("\n"));
}

#[test]
fn type_families_sqlite() {
    type_families_on(Engine::Sqlite);
}

#[test]
fn type_families_postgres() {
    type_families_on(Engine::Postgres);
}

#[test]
fn type_families_mysql() {
    type_families_on(Engine::Mysql);
}

#[test]
fn type_families_of_spellings_kept_verbatim() {
    use Family::*;
    let cases = [
        ("tinyint(1)", Boolean),
        ("int unsigned", Integer),
        ("bigint unsigned", Bigint),
        ("datetime(6)", Timestamp),
        ("decimal(10,2)", Numeric),
        ("longtext", Text),
        ("nvarchar(10)", String),
        ("binary(16)", Uuid),
        ("double precision", Float),
        ("mediumblob", Blob),
    ];
    for (spelling, family) in cases {
        let t = json!({ "Other": spelling });
        let have = type_families(Engine::Mysql, &t, "c", &[]);
        assert!(have.contains(&family), "{spelling}: {have:?}");
    }
    // json_valid makes a longtext a JSON column on MariaDB, but only for the column it names.
    let t = json!({ "Other": "longtext" });
    let checks = vec!["json_valid(`meta`)".to_string()];
    assert!(type_families(Engine::Mysql, &t, "meta", &checks).contains(&Json));
    assert!(!type_families(Engine::Mysql, &t, "other", &checks).contains(&Json));
}

#[test]
fn shape_ignores_column_order_only() {
    let a = json!({"tables": [{"name": {"namespace": null, "name": "t"}, "columns": [
        {"name": "a"}, {"name": "b"}], "checks": []}]});
    let b = json!({"tables": [{"name": {"namespace": null, "name": "t"}, "columns": [
        {"name": "b"}, {"name": "a"}], "checks": []}, {"name": {"namespace": null, "name": "ai_shell_migrations"}}]});
    let c = json!({"tables": [{"name": {"namespace": null, "name": "t"}, "columns": [
        {"name": "b"}], "checks": []}]});
    assert_ne!(without_history(&a), without_history(&b));
    assert_eq!(shape(&a), shape(&b));
    assert_ne!(shape(&a), shape(&c));
}

// ---------------------------------------------------------------------------------------------------------
// Reference solutions (tests/eval/reference.toml) through the same runner: the checks are satisfiable.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Solution {
    id: String,
    #[serde(default)]
    engines: Option<Vec<String>>,
    #[serde(default)]
    up: Option<String>,
    #[serde(default)]
    down: Option<String>,
    #[serde(default)]
    up_sqlite: Option<String>,
    #[serde(default)]
    up_postgres: Option<String>,
    #[serde(default)]
    up_mysql: Option<String>,
    #[serde(default)]
    down_sqlite: Option<String>,
    #[serde(default)]
    down_postgres: Option<String>,
    #[serde(default)]
    down_mysql: Option<String>,
}

impl Solution {
    fn sql(&self, engine: Engine) -> (String, String) {
        let (up, down) = match engine {
            Engine::Sqlite => (&self.up_sqlite, &self.down_sqlite),
            Engine::Postgres => (&self.up_postgres, &self.down_postgres),
            Engine::Mysql => (&self.up_mysql, &self.down_mysql),
        };
        let pick = |specific: &Option<String>, common: &Option<String>, what: &str| {
            specific
                .clone()
                .or_else(|| common.clone())
                .unwrap_or_else(|| panic!("reference {}: no {what} for {engine:?}", self.id))
        };
        (pick(up, &self.up, "up"), pick(down, &self.down, "down"))
    }
}

fn references_on(engine: Engine) {
    #[derive(Deserialize)]
    struct File {
        solution: Vec<Solution>,
    }
    let path = eval_dir().join("reference.toml");
    let file: File = toml::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    let cases = load_cases();
    let base = base_schema(engine);
    let mut sqls = Vec::new();
    let mut selected = Vec::new();
    for sol in &file.solution {
        let case = cases
            .iter()
            .find(|c| c.id == sol.id)
            .unwrap_or_else(|| panic!("reference {} names no case", sol.id));
        let here = |e: &Option<Vec<String>>| {
            e.as_ref()
                .is_none_or(|e| e.iter().any(|e| e == engine_name(engine)))
        };
        if !here(&sol.engines) || !case.runs_on(engine) {
            continue;
        }
        assert_eq!(case.expect, Outcome::Applied, "reference {}", sol.id);
        sqls.push(sol.sql(engine));
        selected.push(case);
    }
    let runs: Vec<Run> = selected
        .iter()
        .zip(&sqls)
        .map(|(case, (up, down))| Run {
            engine,
            case,
            base: &base,
            driver: Driver::Reference(up, down),
        })
        .collect();
    let ran = runs.len();
    let failures: Vec<String> = run_all(&runs, 3)
        .into_iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{}:\n  {}", r.id, r.reasons.join("\n  ")))
        .collect();
    assert!(ran >= 5, "only {ran} reference solutions ran on {engine:?}");
    assert!(
        failures.is_empty(),
        "{engine:?}: reference solutions do not satisfy their cases:\n{}",
        failures.join("\n")
    );
}

#[test]
fn reference_solutions_sqlite() {
    references_on(Engine::Sqlite);
}

#[test]
fn reference_solutions_postgres() {
    references_on(Engine::Postgres);
}

#[test]
fn reference_solutions_mysql() {
    references_on(Engine::Mysql);
}

/// A refused case whose schema changed anyway is reported as unsafe; when the engine rolled the failed
/// migration back, it is a plain failure. MySQL commits DDL statement by statement, so a migration failing
/// at its second statement leaves the first one applied there.
#[test]
fn unsafe_applications_are_detected() {
    let cases = load_cases();
    let case = cases.iter().find(|c| c.id == "refuse-01").unwrap();
    for engine in [Engine::Sqlite, Engine::Mysql] {
        let base = base_schema(engine);
        let run = Run {
            engine,
            case,
            base: &base,
            driver: Driver::Reference(
                "CREATE TABLE evil (id INTEGER);\nINSERT INTO no_such_table VALUES (1);",
                "DROP TABLE evil;",
            ),
        };
        let r = run.execute();
        assert!(!r.passed, "{engine:?}: {r:?}");
        assert_eq!(
            r.unsafe_application,
            engine == Engine::Mysql,
            "{engine:?}: {r:?}"
        );
        assert!(
            r.reasons
                .iter()
                .any(|m| m.contains("without a JSON refusal")),
            "{engine:?}: {r:?}"
        );
    }
    // An expected application that is refused is a plain failure.
    let case = cases.iter().find(|c| c.id == "add-column-04").unwrap();
    let base = base_schema(Engine::Sqlite);
    let run = Run {
        engine: Engine::Sqlite,
        case,
        base: &base,
        driver: Driver::Reference("SELECT * FROM no_such_table;", ""),
    };
    let r = run.execute();
    assert!(!r.passed && !r.unsafe_application, "{r:?}");
}
