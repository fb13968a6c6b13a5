//! Statements that hold strong locks for as long as they scan, rewrite or copy a table. They matter on
//! big existing tables and on tables of unknown size; tables the plan creates are empty and skipped.

use ai_shell_policy_sdk::{Finding, QualifiedName, same_name};

use super::{Place, Plan, finding};
use crate::sql::{self, Action, ConstraintKind, Dialect, Kind, Op};
use crate::types::{self, Ty};

/// Functions whose value differs per row, so `ADD COLUMN ... DEFAULT f()` computes it for every row.
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
];

const ZERO_DOWNTIME: &str = "`ai-shell migrate --zero-downtime`";

pub fn check(plan: &Plan, out: &mut Vec<Finding>) {
    for (i, op) in plan.each() {
        match op {
            Op::CreateIndex(index) if !index.concurrently && !plan.is_new(&index.table, i) => {
                if let Some(size) = plan.big("index-not-concurrent", &index.table) {
                    out.push(
                        finding(
                            "index-not-concurrent",
                            format!(
                                "CREATE INDEX on {size} blocks writes to the table until the index is built"
                            ),
                            "Use CREATE INDEX CONCURRENTLY (it cannot run inside a transaction), or plan \
                             the migration with `ai-shell migrate --zero-downtime`.",
                        )
                        .at(plan, i)
                        .on(plan.resolve(&index.table)),
                    );
                }
            }
            Op::DropIndex {
                names,
                concurrently: false,
                table,
            } => drop_index(plan, i, names, table.as_ref(), out),
            Op::Alter { table, action } if !plan.is_new(table, i) => {
                alter(plan, i, table, action, out)
            }
            _ => {}
        }
    }
    for i in 0..plan.ops.len() {
        mysql_copy(plan, i, out);
    }
    sqlite_rebuild(plan, out);
    lock_timeout(plan, out);
}

fn alter(plan: &Plan, i: usize, table: &QualifiedName, action: &Action, out: &mut Vec<Finding>) {
    let on = |id: &str| plan.big(id, table);
    let push = |out: &mut Vec<Finding>, id: &str, message: String, hint: &str| {
        out.push(
            finding(id, message, hint)
                .at(plan, i)
                .on(plan.resolve(table)),
        )
    };
    match action {
        Action::AddColumn(def) => {
            let volatile = def
                .default
                .as_deref()
                .and_then(volatile_call)
                .map(|f| format!("DEFAULT {f}()"))
                .or_else(|| types::is_serial(&def.type_text).then(|| def.type_text.clone()))
                .or_else(|| def.identity.then(|| "an identity".to_string()));
            if let (Some(what), Some(size)) = (volatile, on("volatile-default")) {
                push(
                    out,
                    "volatile-default",
                    format!(
                        "Adding column {} with {what} to {size} rewrites the table under an ACCESS \
                         EXCLUSIVE lock: the value is computed for every row",
                        def.name
                    ),
                    "Add the column without a default (or with a constant one), set the default for new \
                     rows afterwards, and backfill existing rows in batches.",
                );
            }
        }
        Action::AlterType { column, type_text } => {
            let new = types::parse(type_text);
            let rewrites = match plan.before_column(table, column) {
                Some(c) => !types::pg_in_place(&types::from_model(&c.data_type), &new),
                None => !matches!(new, Ty::Str { .. } | Ty::Numeric { .. }),
            };
            if rewrites && let Some(size) = on("table-rewrite-type-change") {
                push(
                    out,
                    "table-rewrite-type-change",
                    format!(
                        "Changing the type of {column} to {type_text} rewrites {size} under an ACCESS \
                         EXCLUSIVE lock: reads and writes wait until it finishes"
                    ),
                    "Add a column of the new type, fill it in batches and keep it in step, switch to it, \
                     then drop the old one (`ai-shell migrate --zero-downtime` plans this).",
                );
            }
        }
        Action::Modify(def) | Action::Change { def, .. } => {
            let column = match action {
                Action::Change { old, .. } => old,
                _ => &def.name,
            };
            if mysql_type_copy(plan, table, column, &def.type_text)
                && let Some(size) = on("table-rewrite-type-change")
            {
                push(
                    out,
                    "table-rewrite-type-change",
                    format!(
                        "Changing the type of {column} to {} rebuilds {size} as a copy: writes wait \
                         until it finishes",
                        def.type_text
                    ),
                    "Use pt-online-schema-change or gh-ost, or `ai-shell migrate --zero-downtime`; \
                     widening a VARCHAR within 0-255 or within 256+ characters runs in place.",
                );
            }
        }
        Action::SetNotNull(column) => {
            if !proven_not_null(plan, i, table, column)
                && let Some(size) = on("set-not-null-scan")
            {
                push(
                    out,
                    "set-not-null-scan",
                    format!(
                        "SET NOT NULL on {column} scans every row of {size} under an ACCESS EXCLUSIVE \
                         lock"
                    ),
                    &format!(
                        "Add CHECK ({column} IS NOT NULL) NOT VALID, run VALIDATE CONSTRAINT (it lets \
                         writes through), then SET NOT NULL, which uses the check and skips the scan \
                         (PostgreSQL 12+); drop the check afterwards."
                    ),
                );
            }
        }
        Action::AddConstraint(k) => match &k.kind {
            ConstraintKind::ForeignKey {
                table: referenced, ..
            } if !k.not_valid => {
                if let Some(size) = on("foreign-key-not-valid") {
                    push(
                        out,
                        "foreign-key-not-valid",
                        format!(
                            "Adding foreign key {}to {size} checks every row while writes to it and to {} \
                             wait",
                            named(&k.name),
                            referenced.name
                        ),
                        "Add it with NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in \
                         a separate statement, which lets writes through.",
                    );
                }
            }
            ConstraintKind::Check { .. } if !k.not_valid => {
                if let Some(size) = on("check-not-valid") {
                    push(
                        out,
                        "check-not-valid",
                        format!(
                            "Adding check {}to {size} reads every row under an ACCESS EXCLUSIVE lock: \
                             reads and writes wait",
                            named(&k.name)
                        ),
                        "Add it with NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in \
                         a separate statement, which lets reads and writes through.",
                    );
                }
            }
            ConstraintKind::PrimaryKey {
                using_index: false, ..
            }
            | ConstraintKind::Unique {
                using_index: false, ..
            } => {
                let what = if matches!(k.kind, ConstraintKind::PrimaryKey { .. }) {
                    "PRIMARY KEY"
                } else {
                    "UNIQUE"
                };
                if let Some(size) = on("unique-without-index") {
                    push(
                        out,
                        "unique-without-index",
                        format!(
                            "Adding {what} {}to {size} builds its index under an ACCESS EXCLUSIVE lock: \
                             reads and writes wait",
                            named(&k.name)
                        ),
                        &format!(
                            "CREATE UNIQUE INDEX CONCURRENTLY first, then ALTER TABLE ... ADD CONSTRAINT \
                             name {what} USING INDEX index_name (a catalog update)."
                        ),
                    );
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// `name ` for messages, or nothing.
fn named(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!("{n} ")).unwrap_or_default()
}

/// The first volatile function `default` calls.
fn volatile_call(default: &str) -> Option<&'static str> {
    let tokens = sql::tokenize(default, Dialect::Postgres);
    tokens.windows(2).find_map(|w| {
        let called = w[0].kind == Kind::Word && w[1].punct('(');
        VOLATILE
            .iter()
            .find(|f| called && w[0].text.eq_ignore_ascii_case(f))
            .copied()
    })
}

/// Whether a MySQL `MODIFY`/`CHANGE` to `spelling` copies the table: a type change other than VARCHAR
/// widening within one length-byte class (with the old type unknown, any type but VARCHAR).
fn mysql_type_copy(plan: &Plan, table: &QualifiedName, column: &str, spelling: &str) -> bool {
    let new = types::parse(spelling);
    match plan.before_column(table, column) {
        Some(c) => !types::mysql_in_place(&types::from_model(&c.data_type), &new),
        None => !matches!(new, Ty::Str { fixed: false, .. }),
    }
}

/// Whether a check reading `column IS NOT NULL` exists before the plan or is added earlier in it.
fn proven_not_null(plan: &Plan, stmt: usize, table: &QualifiedName, column: &str) -> bool {
    let existing = plan.before_table(table).is_some_and(|t| {
        t.checks
            .iter()
            .any(|k| reads_not_null(&k.expression, column))
    });
    existing
        || plan.each().any(|(i, op)| {
            i < stmt
                && matches!(op, Op::Alter { table: t, action: Action::AddConstraint(k) }
                    if same_name(t, table)
                        && matches!(&k.kind, ConstraintKind::Check { expr } if reads_not_null(expr, column)))
        })
}

/// Whether `expression` reads `column IS NOT NULL` (quotes and parentheses ignored).
fn reads_not_null(expression: &str, column: &str) -> bool {
    let tokens: Vec<String> = sql::tokenize(expression, Dialect::Other)
        .into_iter()
        .filter(|t| !t.punct('(') && !t.punct(')'))
        .map(|t| t.text.to_lowercase())
        .collect();
    tokens.windows(4).any(|w| {
        w[0].eq_ignore_ascii_case(column) && w[1] == "is" && w[2] == "not" && w[3] == "null"
    })
}

fn drop_index(
    plan: &Plan,
    i: usize,
    names: &[QualifiedName],
    table: Option<&QualifiedName>,
    out: &mut Vec<Finding>,
) {
    for name in names {
        let created_here = plan.each().any(|(k, op)| {
            k < i
                && matches!(op, Op::CreateIndex(c)
                    if c.name.as_ref().is_some_and(|n| n.eq_ignore_ascii_case(&name.name)))
        });
        if created_here {
            continue;
        }
        let owner = table.cloned().or_else(|| {
            plan.input.before.as_ref()?.tables.iter().find_map(|t| {
                t.indexes
                    .iter()
                    .any(|x| x.name.eq_ignore_ascii_case(&name.name))
                    .then(|| t.name.clone())
            })
        });
        let size = match &owner {
            Some(t) if plan.is_new(t, i) => None,
            Some(t) => plan.big("drop-index-not-concurrent", t),
            // An index the schema before does not have is not there to drop.
            None if plan.input.before.is_some() => None,
            None => Some("a table of unknown size".to_string()),
        };
        if let Some(size) = size {
            let mut f = finding(
                "drop-index-not-concurrent",
                format!(
                    "DROP INDEX {} on {size} takes an ACCESS EXCLUSIVE lock: reads and writes of the \
                     table wait behind it, and it waits for running queries",
                    name.name
                ),
                "Use DROP INDEX CONCURRENTLY (it cannot run inside a transaction).",
            )
            .at(plan, i);
            if let Some(t) = owner {
                f = f.on(plan.resolve(&t));
            }
            out.push(f);
        }
    }
}

/// `mysql-copy-alter`: an `ALTER TABLE` MySQL/MariaDB runs as a table copy, once per statement.
fn mysql_copy(plan: &Plan, i: usize, out: &mut Vec<Finding>) {
    let mut table = None;
    let mut reasons: Vec<String> = Vec::new();
    let mut algorithm = None;
    let mut lock_none = false;
    for op in &plan.ops[i] {
        let Op::Alter { table: t, action } = op else {
            continue;
        };
        table.get_or_insert(t);
        match action {
            Action::Algorithm(a) => algorithm = Some(a.as_str()),
            Action::Lock(l) => lock_none |= l == "none",
            Action::Modify(def) | Action::Change { def, .. } => {
                let column = match action {
                    Action::Change { old, .. } => old,
                    _ => &def.name,
                };
                if mysql_type_copy(plan, t, column, &def.type_text) {
                    reasons.push(format!("changes the type of {column}"));
                }
            }
            Action::AddConstraint(k) if matches!(k.kind, ConstraintKind::PrimaryKey { .. }) => {
                reasons.push("adds a primary key".into())
            }
            Action::DropPrimaryKey => reasons.push("drops the primary key".into()),
            Action::ConvertCharset => reasons.push("converts the character set".into()),
            _ => {}
        }
    }
    let Some(table) = table else { return };
    match algorithm {
        // The server refuses instead of copying (LOCK=NONE cannot copy either).
        _ if lock_none => return,
        Some("inplace" | "instant" | "nocopy") => return,
        Some("copy") => reasons.insert(0, "asks for ALGORITHM=COPY".into()),
        _ => {}
    }
    if reasons.is_empty() || plan.is_new(table, i) {
        return;
    }
    if let Some(size) = plan.big("mysql-copy-alter", table) {
        out.push(
            finding(
                "mysql-copy-alter",
                format!(
                    "ALTER TABLE on {size} {}: MySQL copies the whole table and blocks writes until the \
                     copy finishes",
                    reasons.join(", ")
                ),
                format!(
                    "Run it with pt-online-schema-change or gh-ost, or plan it with {ZERO_DOWNTIME}; \
                     add ALGORITHM=INPLACE, LOCK=NONE to make the server refuse rather than copy."
                ),
            )
            .at(plan, i)
            .on(plan.resolve(table)),
        );
    }
}

/// `sqlite-table-rebuild`: a table copied into a new one that then takes its name.
fn sqlite_rebuild(plan: &Plan, out: &mut Vec<Finding>) {
    for (i, op) in plan.each() {
        let Op::InsertSelect { table, source } = op else {
            continue;
        };
        let rebuild = plan.is_new(table, i)
            && !plan.is_new(source, i)
            && plan
                .rebuild_of(i, table)
                .is_some_and(|target| same_name(&target, source));
        if !rebuild {
            continue;
        }
        if let Some(size) = plan.big("sqlite-table-rebuild", source) {
            out.push(
                finding(
                    "sqlite-table-rebuild",
                    format!(
                        "Rebuilding {size} copies every row into a new table; the database is \
                         write-locked until the copy commits"
                    ),
                    "Run it when writes can wait (a maintenance window); SQLite has no online way to \
                     make this change.",
                )
                .at(plan, i)
                .on(plan.resolve(source)),
            );
        }
    }
}

/// `lock-timeout-missing`: the first DDL on an existing table with no lock timeout in force.
fn lock_timeout(plan: &Plan, out: &mut Vec<Finding>) {
    if plan.input.context.lock_timeout_ms.is_some() {
        return;
    }
    for (i, op) in plan.each() {
        let (what, table): (&str, Option<&QualifiedName>) = match op {
            Op::SetLockTimeout => return,
            Op::Alter { table, .. } => ("ALTER TABLE", Some(table)),
            Op::CreateIndex(c) => ("CREATE INDEX", Some(&c.table)),
            Op::DropIndex { table, .. } => ("DROP INDEX", table.as_ref()),
            Op::DropTable(t) => ("DROP TABLE", t.first()),
            Op::Truncate(t) => ("TRUNCATE", t.first()),
            Op::RenameTable { from, .. } => ("RENAME", Some(from)),
            _ => continue,
        };
        if table.is_some_and(|t| plan.is_new(t, i)) {
            continue;
        }
        let on = table
            .map(|t| format!(" on {}", plan.label(t)))
            .unwrap_or_default();
        let mut f = finding(
            "lock-timeout-missing",
            format!(
                "{what}{on} runs without a lock timeout: if a long transaction holds the table, the \
                 statement waits for it and every query behind it waits too"
            ),
            "Set a lock timeout before the DDL and retry when it expires (PostgreSQL: SET lock_timeout = \
             '5s'; MySQL: SET SESSION lock_wait_timeout = 5), or configure the executor's lock timeout.",
        )
        .at(plan, i);
        if let Some(t) = table {
            f = f.on(plan.resolve(t));
        }
        out.push(f);
        return;
    }
}
