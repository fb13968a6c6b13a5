//! Turns changes into SQLite statements. Each change is rendered against the schema the previous
//! changes of the batch left (see [`state`]); what `ALTER TABLE` can do in place it does, the
//! rest goes through the table rebuild ([`rebuild`]).

mod ddl;
mod rebuild;
pub mod state;

use ai_shell_plugin_sdk::{
    Change, Column, DatabaseSchema, IdentityKind, LockLevel, PluginError, QualifiedName, Statement,
};

use crate::quote::quote_identifier as q;
use crate::types::{Affinity, affinity, type_name};
use rebuild::Copy;
use state::same;

/// A statement before it is tied to its change.
pub struct Stmt {
    sql: String,
    outside_transaction: bool,
    lock: LockLevel,
    rewrites_table: bool,
    reversible: bool,
}

impl Stmt {
    fn new(sql: impl Into<String>) -> Self {
        Stmt {
            sql: sql.into(),
            outside_transaction: false,
            lock: LockLevel::None,
            rewrites_table: false,
            reversible: true,
        }
    }
    fn outside(mut self) -> Self {
        self.outside_transaction = true;
        self
    }
    fn lock(mut self, lock: LockLevel) -> Self {
        self.lock = lock;
        self
    }
    fn rewrites(mut self) -> Self {
        self.rewrites_table = true;
        self
    }
    fn reversible(mut self, reversible: bool) -> Self {
        self.reversible = reversible;
        self
    }
    fn statement(self, change_index: u32) -> Statement {
        Statement {
            sql: self.sql,
            change_index,
            outside_transaction: self.outside_transaction,
            lock: self.lock,
            rewrites_table: self.rewrites_table,
            reversible: self.reversible,
        }
    }
}

/// SQL replayed as given, without the trailing `;` the host adds itself.
pub fn verbatim(sql: &str) -> String {
    sql.trim()
        .trim_end_matches(|c: char| c == ';' || c.is_whitespace())
        .to_string()
}

pub fn render(changes: &[Change], current: DatabaseSchema) -> Result<Vec<Statement>, PluginError> {
    let mut state = current;
    let mut out = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        refuse(change).map_err(|e| context(i, e))?;
        let mut next = state.clone();
        state::apply(&mut next, change).map_err(|e| context(i, e))?;
        let statements = render_one(change, &state, &next).map_err(|e| context(i, e))?;
        out.extend(statements.into_iter().map(|s| s.statement(i as u32)));
        state = next;
    }
    Ok(out)
}

fn context(index: usize, error: PluginError) -> PluginError {
    match error {
        PluginError::UnsupportedChange(m) => {
            PluginError::UnsupportedChange(format!("change {index}: {m}"))
        }
        PluginError::InvalidInput(m) => PluginError::InvalidInput(format!("change {index}: {m}")),
        other => other,
    }
}

fn unsupported(what: &str) -> PluginError {
    PluginError::UnsupportedChange(what.to_string())
}

/// SQLite has one namespace per attached database; the model's namespaces do not map onto it.
fn plain(name: &QualifiedName) -> Result<&str, PluginError> {
    match name.namespace.as_deref() {
        None | Some("main") => Ok(&name.name),
        Some(ns) => Err(unsupported(&format!(
            "`{ns}.{}`: SQLite has no namespaces (schemas)",
            name.name
        ))),
    }
}

/// Changes SQLite cannot express at all, whatever the schema.
fn refuse(change: &Change) -> Result<(), PluginError> {
    let reason = match change {
        Change::CreateNamespace(_) | Change::DropNamespace(_) => {
            "SQLite has no namespaces (schemas)".to_string()
        }
        Change::CreateExtension(e) | Change::DropExtension(e) => format!(
            "extension `{}`: SQLite loads extensions per connection; the schema cannot hold them",
            e.name
        ),
        Change::CreateEnumType(_) | Change::DropEnumType(_) | Change::AlterEnumType(_) => {
            "SQLite has no enum types; use TEXT with a CHECK constraint".to_string()
        }
        Change::CreateSequence(_) | Change::DropSequence(_) => {
            "SQLite has no sequences; use INTEGER PRIMARY KEY AUTOINCREMENT".to_string()
        }
        Change::CreateView(v) if v.materialized => "SQLite has no materialized views".to_string(),
        Change::DropView(d) if d.materialized => "SQLite has no materialized views".to_string(),
        Change::SetComment(c) if c.comment.is_some() => {
            "SQLite has no comments on tables or columns".to_string()
        }
        _ => return Ok(()),
    };
    Err(unsupported(&reason))
}

fn render_one(
    change: &Change,
    before: &DatabaseSchema,
    after: &DatabaseSchema,
) -> Result<Vec<Stmt>, PluginError> {
    let exclusive = |sql: String| Stmt::new(sql).lock(LockLevel::Exclusive);
    // A change SQLite's ALTER TABLE cannot make: the table rebuilt as `after` has it, every row kept.
    let rebuild =
        |t: &QualifiedName| rebuild_table(before, after, plain(t)?, Copy { converted: None }, true);
    Ok(match change {
        Change::CreateNamespace(_)
        | Change::DropNamespace(_)
        | Change::CreateExtension(_)
        | Change::DropExtension(_)
        | Change::CreateEnumType(_)
        | Change::DropEnumType(_)
        | Change::AlterEnumType(_)
        | Change::CreateSequence(_)
        | Change::DropSequence(_) => unreachable!("refused before rendering"),
        Change::CreateTable(t) => {
            let name = plain(&t.name)?;
            let mut out = vec![Stmt::new(ddl::create_table(t, name)?)];
            for index in &t.indexes {
                out.push(Stmt::new(ddl::create_index(name, index)?));
            }
            out
        }
        Change::DropTable(name) => {
            vec![exclusive(format!("DROP TABLE {}", q(plain(name)?))).reversible(false)]
        }
        Change::RenameTable(r) => vec![exclusive(format!(
            "ALTER TABLE {} RENAME TO {}",
            q(plain(&r.table)?),
            q(&r.new_name)
        ))],
        Change::RenameColumn(r) => vec![exclusive(format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            q(plain(&r.table)?),
            q(&r.column),
            q(&r.new_name)
        ))],
        Change::AddColumn(a) => {
            let table = plain(&a.table)?;
            if can_add_in_place(&a.column) {
                vec![exclusive(format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    q(table),
                    ddl::column_definition(&a.column, None)?
                ))]
            } else {
                rebuild_table(before, after, table, Copy { converted: None }, true)?
            }
        }
        Change::DropColumn(c) => {
            let table = plain(&c.table)?;
            let old = state::table(before, table)?;
            if state::column_dependents(old, &c.column).is_empty() {
                // DROP COLUMN rewrites the table to purge the column's values.
                vec![
                    exclusive(format!(
                        "ALTER TABLE {} DROP COLUMN {}",
                        q(table),
                        q(&c.column)
                    ))
                    .rewrites()
                    .reversible(false),
                ]
            } else {
                rebuild_table(before, after, table, Copy { converted: None }, false)?
            }
        }
        Change::AlterColumnType(a) => {
            let table = plain(&a.table)?;
            let old = state::table(before, table)?;
            let old_type = old
                .columns
                .iter()
                .find(|c| same(&c.name, &a.column))
                .map(|c| type_name(&c.data_type))
                .transpose()?
                .unwrap_or_default();
            let new_type = type_name(&a.new_type)?;
            let (from, to) = (affinity(&old_type), affinity(&new_type));
            let reversible = from == to || matches!(to, Affinity::Text | Affinity::Blob);
            let converted = a.using.as_deref().map(|u| (a.column.as_str(), u));
            rebuild_table(before, after, table, Copy { converted }, reversible)?
        }
        Change::SetNotNull(c) | Change::DropNotNull(c) | Change::DropDefault(c) => {
            rebuild(&c.table)?
        }
        Change::SetCollation(c) => rebuild(&c.table)?,
        Change::SetIdentity(c) => rebuild(&c.table)?,
        Change::SetTableOptions(c) => rebuild(&c.table)?,
        Change::SetDefault(d) => rebuild(&d.table)?,
        Change::AddPrimaryKey(p) => rebuild(&p.table)?,
        Change::DropPrimaryKey(name) => rebuild(name)?,
        Change::AddUnique(u) => rebuild(&u.table)?,
        Change::AddForeignKey(f) => rebuild(&f.table)?,
        Change::AddCheck(c) => rebuild(&c.table)?,
        Change::DropUnique(o) | Change::DropForeignKey(o) | Change::DropCheck(o) => {
            rebuild(&o.table)?
        }
        Change::AddIndex(a) => {
            let table = plain(&a.table)?;
            vec![
                Stmt::new(ddl::create_index(
                    &state::table(before, table)?.name.name,
                    &a.index,
                )?)
                .lock(LockLevel::Shared),
            ]
        }
        Change::DropIndex(o) => {
            plain(&o.table)?;
            vec![Stmt::new(format!("DROP INDEX {}", q(&o.name))).lock(LockLevel::Shared)]
        }
        Change::CreateView(v) => {
            plain(&v.name)?;
            vec![Stmt::new(ddl::create_view(v)?)]
        }
        Change::DropView(d) => {
            vec![Stmt::new(format!("DROP VIEW {}", q(plain(&d.name)?)))]
        }
        // Dropping a comment that cannot exist; `refuse` turned away setting one.
        Change::SetComment(_) => Vec::new(),
        Change::CreateObject(o) => vec![Stmt::new(verbatim(&o.definition))],
        Change::DropObject(o) => {
            let what = match o.kind.as_str() {
                "trigger" => "TRIGGER",
                "virtual table" => "TABLE",
                other => {
                    return Err(PluginError::InvalidInput(format!(
                        "cannot drop a {other} (`{}`): SQLite has no such object",
                        o.name.name
                    )));
                }
            };
            vec![Stmt::new(format!("DROP {what} {}", q(plain(&o.name)?)))]
        }
        Change::CopyRows(c) => {
            plain(&c.source)?;
            plain(&c.target)?;
            vec![Stmt::new(ai_shell_plugin_sdk::data::copy_rows(
                c,
                |n| q(&n.name),
                q,
            ))]
        }
        Change::FillColumn(f) => {
            plain(&f.source)?;
            plain(&f.target)?;
            vec![Stmt::new(ai_shell_plugin_sdk::data::fill_column(
                f,
                |n| q(&n.name),
                q,
            ))]
        }
        Change::FillNulls(f) => {
            plain(&f.column.table)?;
            plain(&f.keep)?;
            ai_shell_plugin_sdk::data::fill_nulls(f, |n| q(&n.name), q)
                .into_iter()
                .map(Stmt::new)
                .collect()
        }
        Change::RestoreNulls(f) => {
            plain(&f.column.table)?;
            plain(&f.keep)?;
            ai_shell_plugin_sdk::data::restore_nulls(f, |n| q(&n.name), q)
                .into_iter()
                .map(Stmt::new)
                .collect()
        }
        Change::RawSql(r) => vec![exclusive(verbatim(&r.up)).reversible(r.down.is_some())],
    })
}

/// Whether `ALTER TABLE ... ADD COLUMN` can add the column (https://www.sqlite.org/lang_altertable.html#altertabaddcol):
/// no AUTOINCREMENT, not STORED, a constant default (no `CURRENT_*`, nothing in parentheses),
/// and NOT NULL only with a non-NULL default.
fn can_add_in_place(c: &Column) -> bool {
    let default = c
        .default
        .as_deref()
        .map(crate::introspect::default_expression);
    let constant = default
        .as_deref()
        .is_none_or(|d| !d.starts_with('(') && !d.to_ascii_uppercase().starts_with("CURRENT_"));
    let non_null_default = default
        .as_deref()
        .is_some_and(|d| !d.eq_ignore_ascii_case("NULL"));
    c.identity != Some(IdentityKind::AutoIncrement)
        && !c.generated.as_ref().is_some_and(|g| g.stored)
        && constant
        && (c.nullable || non_null_default || c.generated.is_some())
}

fn rebuild_table(
    before: &DatabaseSchema,
    after: &DatabaseSchema,
    table: &str,
    copy: Copy<'_>,
    reversible: bool,
) -> Result<Vec<Stmt>, PluginError> {
    let old = state::table(before, table)?;
    let new = state::table(after, table)?;
    rebuild::rebuild(before, old, after, new, copy, reversible)
}

#[cfg(test)]
mod tests {
    use ai_shell_plugin_sdk::{Column, ColumnRef, QualifiedName, Table};

    use super::*;

    fn name(n: &str) -> QualifiedName {
        QualifiedName {
            namespace: None,
            name: n.into(),
        }
    }

    fn column(n: &str, nullable: bool) -> Column {
        Column {
            name: n.into(),
            data_type: ai_shell_plugin_sdk::ColumnType::Text,
            nullable,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
    }

    fn schema() -> DatabaseSchema {
        DatabaseSchema {
            namespaces: vec![],
            extensions: vec![],
            enums: vec![],
            sequences: vec![],
            tables: vec![Table {
                name: name("t\"; DROP TABLE x; --"),
                columns: vec![column("a", true), column("b\"", true)],
                primary_key: None,
                uniques: vec![],
                indexes: vec![],
                foreign_keys: vec![],
                checks: vec![],
                comment: None,
                options: vec![],
            }],
            views: vec![],
            objects: vec![],
        }
    }

    #[test]
    fn create_table_quotes_every_name() {
        let t = schema().tables.remove(0);
        let out = render(
            &[Change::CreateTable(t)],
            DatabaseSchema {
                tables: vec![],
                ..schema()
            },
        )
        .unwrap();
        assert_eq!(
            out[0].sql,
            "CREATE TABLE \"t\"\"; DROP TABLE x; --\" (\n  \"a\" TEXT,\n  \"b\"\"\" TEXT\n)"
        );
    }

    #[test]
    fn set_not_null_rebuilds_between_foreign_key_pragmas() {
        let change = Change::SetNotNull(ColumnRef {
            table: name("t\"; DROP TABLE x; --"),
            column: "b\"".into(),
        });
        let out = render(&[change], schema()).unwrap();
        let sql: Vec<&str> = out.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(sql.first(), Some(&"PRAGMA foreign_keys = OFF"));
        assert_eq!(sql.last(), Some(&"PRAGMA foreign_keys = ON"));
        assert!(
            out.first().unwrap().outside_transaction && out.last().unwrap().outside_transaction
        );
        assert!(
            out[1..out.len() - 1]
                .iter()
                .all(|s| !s.outside_transaction && s.rewrites_table)
        );
        assert!(sql.contains(&"CREATE TABLE \"ai_shell_new_t\"\"; DROP TABLE x; --\" (\n  \"a\" TEXT,\n  \"b\"\"\" TEXT NOT NULL\n)"));
        assert!(sql.contains(&"INSERT INTO \"ai_shell_new_t\"\"; DROP TABLE x; --\" (rowid, \"a\", \"b\"\"\") SELECT rowid, \"a\", \"b\"\"\" FROM \"t\"\"; DROP TABLE x; --\""));
        assert!(sql.contains(&"ALTER TABLE \"ai_shell_new_t\"\"; DROP TABLE x; --\" RENAME TO \"t\"\"; DROP TABLE x; --\""));
    }

    #[test]
    fn each_change_sees_the_previous_ones() {
        let changes = [
            Change::RenameColumn(ai_shell_plugin_sdk::RenameColumn {
                table: name("t\"; DROP TABLE x; --"),
                column: "a".into(),
                new_name: "c".into(),
            }),
            Change::SetNotNull(ColumnRef {
                table: name("t\"; DROP TABLE x; --"),
                column: "c".into(),
            }),
        ];
        let out = render(&changes, schema()).unwrap();
        assert!(
            out.iter()
                .any(|s| s.change_index == 1 && s.sql.contains("\"c\" TEXT NOT NULL"))
        );
    }

    #[test]
    fn unknown_tables_are_invalid_input() {
        let change = Change::DropNotNull(ColumnRef {
            table: name("nope"),
            column: "a".into(),
        });
        assert!(matches!(
            render(&[change], schema()),
            Err(PluginError::InvalidInput(_))
        ));
    }
}
