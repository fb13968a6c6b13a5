//! The table rebuild: SQLite's `ALTER TABLE` cannot change a column's type, nullability or
//! default, nor add or drop constraints, so those changes follow the documented procedure
//! (https://www.sqlite.org/lang_altertable.html#otheralter): create the new table under a
//! temporary name, copy the rows, drop the old table, rename the new one, then recreate the
//! table's indexes and triggers.
//!
//! Foreign keys: the rebuild runs with `PRAGMA foreign_keys = OFF`, which SQLite ignores inside
//! a transaction, so those two pragmas are `outside-transaction` statements around the
//! transactional part. `PRAGMA defer_foreign_keys = ON` is not enough: `DROP TABLE` of the old
//! table performs an implicit `DELETE FROM`, which with foreign keys on still fires `ON DELETE
//! CASCADE`/`SET NULL` in child tables (deferral only delays the *check*), silently destroying
//! their data, and leaves deferred violations that make the commit fail. To make sure of it, the
//! transactional part starts by failing the migration if `foreign_keys` is still on (the host ran
//! it all inside one transaction), and ends by failing it if `pragma_foreign_key_check` finds a
//! violation in the rebuilt table or a table referencing it. Both checks insert into a temporary
//! table whose named CHECK constraint carries the message, since SQLite has no `RAISE` outside
//! triggers.
//!
//! Views: with `legacy_alter_table = OFF`, renaming the new table re-parses every view and fails
//! while a view still names the dropped table, so the rename runs with `legacy_alter_table = ON`.
//! Views name tables, not table versions, and work again once the new table has the old name;
//! they are left in place. Triggers on the table are dropped with it and recreated.

use ai_shell_plugin_sdk::{DatabaseSchema, LockLevel, PluginError, Table};

use super::Stmt;
use super::ddl;
use super::state::same;
use crate::quote::{quote_identifier as q, quote_literal as lit};

const CHECK_TABLE: &str = "ai_shell_rebuild_check";

/// How the rebuild fills the new table's columns.
pub struct Copy<'a> {
    /// A column whose values are computed by this expression over the old row (alter type `USING`).
    pub converted: Option<(&'a str, &'a str)>,
}

fn is_rowid_table(t: &Table) -> bool {
    !t.options.iter().any(|o| {
        o.to_ascii_uppercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            == ["WITHOUT", "ROWID"]
    })
}

/// Whether the table has a column that aliases the rowid (`INTEGER PRIMARY KEY`).
fn has_rowid_alias(t: &Table) -> bool {
    let Some(pk) = &t.primary_key else {
        return false;
    };
    pk.columns.len() == 1
        && t.columns.iter().any(|c| {
            same(&c.name, &pk.columns[0])
                && crate::types::type_name(&c.data_type)
                    .is_ok_and(|s| s.eq_ignore_ascii_case("INTEGER"))
        })
}

fn temporary_name(schema: &DatabaseSchema, table: &str) -> String {
    let base = format!("ai_shell_new_{table}");
    let mut name = base.clone();
    let mut n = 2;
    while schema.tables.iter().any(|t| same(&t.name.name, &name)) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// The statements that turn `old` (in `before`) into `new` (in `after`), keeping its rows.
pub fn rebuild(
    before: &DatabaseSchema,
    old: &Table,
    after: &DatabaseSchema,
    new: &Table,
    copy: Copy<'_>,
    reversible: bool,
) -> Result<Vec<Stmt>, PluginError> {
    let name = &new.name.name;
    let old_name = &old.name.name;
    let temp = temporary_name(before, name);
    let check = format!("temp.{}", q(CHECK_TABLE));
    let mut body: Vec<String> = Vec::new();

    body.push(format!("DROP TABLE IF EXISTS {check}"));
    body.push(format!(
        "CREATE TEMP TABLE {} (\"foreign_keys_off\" INTEGER CONSTRAINT {} CHECK (\"foreign_keys_off\"), \
         \"foreign_keys_hold\" INTEGER CONSTRAINT {} CHECK (\"foreign_keys_hold\"))",
        q(CHECK_TABLE),
        q(&format!(
            "rebuilding table {} needs PRAGMA foreign_keys = OFF, which SQLite ignores inside a \
             transaction: run the statements marked outside-transaction outside it",
            q(old_name)
        )),
        q(&format!(
            "rebuilding table {} left foreign key violations (see PRAGMA foreign_key_check)",
            q(name)
        )),
    ));
    body.push(format!(
        "INSERT INTO {check} (\"foreign_keys_off\") SELECT NOT \"foreign_keys\" FROM pragma_foreign_keys"
    ));

    body.push(ddl::create_table(new, &temp)?);

    let mut targets = Vec::new();
    let mut sources = Vec::new();
    if is_rowid_table(old) && is_rowid_table(new) && !has_rowid_alias(old) && !has_rowid_alias(new)
    {
        targets.push("rowid".to_string());
        sources.push("rowid".to_string());
    }
    for c in new.columns.iter().filter(|c| c.generated.is_none()) {
        let source = match copy.converted {
            Some((column, expression)) if same(column, &c.name) => Some(expression.to_string()),
            _ => old
                .columns
                .iter()
                .find(|o| same(&o.name, &c.name) && o.generated.is_none())
                .map(|o| q(&o.name)),
        };
        if let Some(source) = source {
            targets.push(q(&c.name));
            sources.push(source);
        }
    }
    if !targets.is_empty() {
        body.push(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {}",
            q(&temp),
            targets.join(", "),
            sources.join(", "),
            q(old_name)
        ));
    }
    if new
        .columns
        .iter()
        .any(|c| c.identity == Some(ai_shell_plugin_sdk::IdentityKind::AutoIncrement))
    {
        // Keep AUTOINCREMENT's high-water mark, so ids of deleted rows are not handed out again.
        body.push(format!(
            "DELETE FROM sqlite_sequence WHERE name = {}",
            lit(&temp)
        ));
        body.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {}, seq FROM sqlite_sequence WHERE name = {}",
            lit(&temp),
            lit(old_name)
        ));
    }
    body.push(format!("DROP TABLE {}", q(old_name)));
    body.push("PRAGMA legacy_alter_table = ON".into());
    body.push(format!("ALTER TABLE {} RENAME TO {}", q(&temp), q(name)));
    body.push("PRAGMA legacy_alter_table = OFF".into());
    for index in &new.indexes {
        body.push(ddl::create_index(name, index)?);
    }
    for trigger in after
        .objects
        .iter()
        .filter(|o| o.table.as_ref().is_some_and(|t| same(&t.name, name)))
    {
        body.push(super::verbatim(&trigger.definition));
    }
    let mut checked = vec![name.clone()];
    for t in &after.tables {
        if !same(&t.name.name, name)
            && t.foreign_keys
                .iter()
                .any(|f| same(&f.referenced_table.name, name))
        {
            checked.push(t.name.name.clone());
        }
    }
    let violations = checked
        .iter()
        .map(|t| format!("SELECT 1 FROM pragma_foreign_key_check({})", lit(t)))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    body.push(format!(
        "INSERT INTO {check} (\"foreign_keys_hold\") SELECT NOT EXISTS ({violations})"
    ));
    body.push(format!("DROP TABLE {check}"));

    let mut out = vec![Stmt::new("PRAGMA foreign_keys = OFF").outside()];
    out.extend(body.into_iter().map(|sql| {
        Stmt::new(sql)
            .lock(LockLevel::Exclusive)
            .rewrites()
            .reversible(reversible)
    }));
    out.push(Stmt::new("PRAGMA foreign_keys = ON").outside());
    Ok(out)
}
