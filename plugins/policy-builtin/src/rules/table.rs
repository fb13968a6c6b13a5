//! The rule table: every rule's id, default severity, engines, scope and summary. `info()` lists it and
//! every finding takes its severity and documentation link from it.

use ai_shell_policy_sdk::{Rule, RuleScope, Severity};

use crate::sql::Dialect;

/// One rule of the built-in policy.
pub struct RuleDef {
    pub id: &'static str,
    pub severity: Severity,
    /// Dialect names the rule applies to; empty: every engine.
    pub engines: &'static [&'static str],
    /// Reported by `check-plan`.
    pub plan: bool,
    /// Reported by `check-schema`.
    pub schema: bool,
    pub summary: &'static str,
}

const ALL: &[&str] = &[];
const PG: &[&str] = &["postgres"];
const MYSQL: &[&str] = &["mysql"];
const SQLITE: &[&str] = &["sqlite"];
const PG_MYSQL: &[&str] = &["postgres", "mysql"];
const PG_SQLITE: &[&str] = &["postgres", "sqlite"];

const fn plan(
    id: &'static str,
    severity: Severity,
    engines: &'static [&'static str],
    summary: &'static str,
) -> RuleDef {
    RuleDef {
        id,
        severity,
        engines,
        plan: true,
        schema: false,
        summary,
    }
}

const fn both(
    id: &'static str,
    severity: Severity,
    engines: &'static [&'static str],
    summary: &'static str,
) -> RuleDef {
    RuleDef {
        schema: true,
        ..plan(id, severity, engines, summary)
    }
}

const fn schema(
    id: &'static str,
    severity: Severity,
    engines: &'static [&'static str],
    summary: &'static str,
) -> RuleDef {
    RuleDef {
        plan: false,
        ..both(id, severity, engines, summary)
    }
}

use Severity::{Error, Info, Warn};

pub const RULES: &[RuleDef] = &[
    // Destructive changes.
    plan("drop-table", Warn, ALL, "Dropping a table deletes its rows"),
    plan(
        "drop-column",
        Warn,
        ALL,
        "Dropping a column deletes its values and breaks code that reads it",
    ),
    plan(
        "truncate-table",
        Warn,
        ALL,
        "TRUNCATE or DELETE without WHERE empties a table",
    ),
    plan(
        "drop-namespace",
        Warn,
        ALL,
        "Dropping a schema or database deletes everything in it",
    ),
    plan(
        "lossy-type-change",
        Warn,
        ALL,
        "A type change that narrows can truncate or reject existing values",
    ),
    plan(
        "rename-column",
        Warn,
        ALL,
        "Renaming a column breaks running code that uses the old name",
    ),
    plan(
        "rename-table",
        Warn,
        ALL,
        "Renaming a table breaks running code that uses the old name",
    ),
    // Locks and rewrites on big existing tables.
    plan(
        "index-not-concurrent",
        Warn,
        PG,
        "CREATE INDEX without CONCURRENTLY blocks writes while the index builds",
    ),
    plan(
        "drop-index-not-concurrent",
        Warn,
        PG,
        "DROP INDEX without CONCURRENTLY blocks reads and writes of the table",
    ),
    plan(
        "volatile-default",
        Warn,
        PG,
        "Adding a column with a volatile default rewrites the table",
    ),
    plan(
        "table-rewrite-type-change",
        Warn,
        PG_MYSQL,
        "A column type change rewrites a big table under lock",
    ),
    plan(
        "set-not-null-scan",
        Warn,
        PG,
        "SET NOT NULL scans the whole table under an exclusive lock",
    ),
    plan(
        "foreign-key-not-valid",
        Warn,
        PG,
        "Adding a foreign key without NOT VALID checks every row under lock",
    ),
    plan(
        "check-not-valid",
        Warn,
        PG,
        "Adding a check without NOT VALID checks every row under lock",
    ),
    plan(
        "unique-without-index",
        Warn,
        PG,
        "Adding a unique or primary key constraint builds its index under lock",
    ),
    plan(
        "mysql-copy-alter",
        Warn,
        MYSQL,
        "An ALTER that MySQL runs as a table copy blocks writes",
    ),
    plan(
        "sqlite-table-rebuild",
        Info,
        SQLITE,
        "A table rebuild copies every row while the database is write-locked",
    ),
    plan(
        "lock-timeout-missing",
        Info,
        PG_MYSQL,
        "DDL without a lock timeout can queue behind a long transaction and block everyone",
    ),
    // Changes that fail or depend on the data.
    plan(
        "add-column-not-null-no-default",
        Error,
        ALL,
        "A NOT NULL column without a default cannot be added to a table with rows",
    ),
    plan(
        "unique-over-duplicates",
        Error,
        ALL,
        "A new unique key over rows that share a value fails",
    ),
    plan(
        "not-null-over-nulls",
        Error,
        ALL,
        "NOT NULL over rows holding NULL fails",
    ),
    plan(
        "foreign-key-orphans",
        Error,
        ALL,
        "A new foreign key over rows with no matching row fails",
    ),
    plan(
        "check-violated",
        Error,
        ALL,
        "A new check over rows that break it fails",
    ),
    // Process.
    plan(
        "missing-down",
        Warn,
        ALL,
        "The migration has no down section",
    ),
    plan(
        "raw-sql-in-llm-plan",
        Error,
        ALL,
        "An LLM-written plan contains unchecked raw SQL",
    ),
    plan(
        "identifier-too-long",
        Error,
        PG_MYSQL,
        "A new name exceeds the engine's identifier limit",
    ),
    // Design of new objects (and of the whole schema).
    both(
        "table-without-primary-key",
        Warn,
        ALL,
        "A table without a primary key",
    ),
    both(
        "foreign-key-without-index",
        Warn,
        PG_SQLITE,
        "A foreign key whose columns lead no index",
    ),
    both(
        "int-primary-key",
        Info,
        PG_MYSQL,
        "A 32-bit (or smaller) integer primary key can run out of values",
    ),
    both(
        "timestamp-without-time-zone",
        Info,
        PG,
        "A timestamp column without time zone",
    ),
    both(
        "float-for-money",
        Warn,
        ALL,
        "A money column stored as a binary float",
    ),
    both(
        "naming-convention",
        Warn,
        ALL,
        "A name that does not follow the configured style",
    ),
    // Whole-schema analysis.
    schema(
        "table-without-timestamps",
        Info,
        ALL,
        "A table with no created_at-like column",
    ),
    schema(
        "unbounded-text-for-short-values",
        Info,
        ALL,
        "Unbounded text for a column that holds short values",
    ),
    schema(
        "enum-like-without-check",
        Info,
        ALL,
        "A status-like text column with no check of its values",
    ),
    schema(
        "missing-default",
        Info,
        ALL,
        "A NOT NULL boolean or creation-time column without a default",
    ),
    schema(
        "integer-key-near-limit",
        Warn,
        PG_MYSQL,
        "An integer primary key close to its type's largest value",
    ),
    schema(
        "duplicate-index",
        Warn,
        ALL,
        "An index made redundant by another index or key",
    ),
];

/// The rule called `id`.
pub fn rule(id: &str) -> Option<&'static RuleDef> {
    RULES.iter().find(|r| r.id == id)
}

/// Whether `rule` applies on `engine`.
pub fn applies(rule: &RuleDef, engine: &str) -> bool {
    let engine = Dialect::from_name(engine).name().unwrap_or(engine);
    rule.engines.is_empty() || rule.engines.iter().any(|e| e.eq_ignore_ascii_case(engine))
}

/// Where rule `id` is documented.
pub fn docs(id: &str) -> String {
    format!("docs/policies.md#{id}")
}

/// The rules as `info()` lists them.
pub fn rules() -> Vec<Rule> {
    RULES
        .iter()
        .map(|r| {
            let mut scope = RuleScope::empty();
            if r.plan {
                scope = scope | RuleScope::PLAN;
            }
            if r.schema {
                scope = scope | RuleScope::SCHEMA;
            }
            Rule {
                id: r.id.into(),
                severity: r.severity,
                engines: r.engines.iter().map(|e| e.to_string()).collect(),
                scope,
                summary: r.summary.into(),
                docs: docs(r.id),
            }
        })
        .collect()
}
