//! Rendering: turns changes into PostgreSQL statements with their lock, rewrite, transaction
//! and reversibility attributes. Every identifier goes through `quote::ident`, every text
//! through `quote::literal`; expressions, type spellings and object definitions are the
//! engine's own words and are emitted as given.

mod alter;
mod context;
mod misc;
mod table;

use ai_shell_plugin_sdk::{Change, DatabaseSchema, LockLevel, PluginError, Statement};

pub use context::Context;

/// Renders `changes`, applied in order to `current`.
pub fn render(changes: &[Change], current: &DatabaseSchema) -> Result<Vec<Statement>, PluginError> {
    let mut out = Output::default();
    for (index, change) in changes.iter().enumerate() {
        let cx = Context {
            index,
            changes,
            current,
        };
        out.index = index as u32;
        render_one(change, &cx, &mut out)?;
    }
    Ok(out.statements)
}

fn render_one(change: &Change, cx: &Context, out: &mut Output) -> Result<(), PluginError> {
    match change {
        Change::CreateNamespace(_)
        | Change::DropNamespace(_)
        | Change::CreateExtension(_)
        | Change::DropExtension(_)
        | Change::CreateEnumType(_)
        | Change::DropEnumType(_)
        | Change::AlterEnumType(_)
        | Change::CreateSequence(_)
        | Change::DropSequence(_)
        | Change::CreateView(_)
        | Change::DropView(_)
        | Change::SetComment(_)
        | Change::CreateObject(_)
        | Change::DropObject(_)
        | Change::CopyRows(_)
        | Change::FillColumn(_)
        | Change::FillNulls(_)
        | Change::RestoreNulls(_)
        | Change::RawSql(_) => misc::render(change, cx, out),
        Change::CreateTable(t) => table::create_table(t, out),
        Change::AddIndex(a) => table::add_index(&a.table, &a.index, a.concurrently, out),
        _ => alter::render(change, cx, out),
    }
}

/// The statements rendered so far, and the change they belong to.
#[derive(Default)]
pub struct Output {
    statements: Vec<Statement>,
    index: u32,
    /// `check_function_bodies` has been turned off for this script.
    bodies_unchecked: bool,
}

impl Output {
    /// Adds a statement: by default it takes no lock, runs in a transaction, rewrites nothing
    /// and can be undone. Returns it for the attributes that differ.
    fn push(&mut self, sql: String) -> &mut Statement {
        self.statements.push(Statement {
            sql,
            change_index: self.index,
            outside_transaction: false,
            lock: LockLevel::None,
            rewrites_table: false,
            reversible: true,
        });
        self.statements.last_mut().expect("just pushed")
    }
}

/// Attribute setters for a pushed statement.
trait Attributes {
    fn lock(&mut self, lock: LockLevel) -> &mut Self;
    fn rewrites(&mut self, yes: bool) -> &mut Self;
    fn reversible(&mut self, yes: bool) -> &mut Self;
    fn outside_transaction(&mut self, yes: bool) -> &mut Self;
}

impl Attributes for Statement {
    fn lock(&mut self, lock: LockLevel) -> &mut Self {
        self.lock = lock;
        self
    }
    fn rewrites(&mut self, yes: bool) -> &mut Self {
        self.rewrites_table = yes;
        self
    }
    fn reversible(&mut self, yes: bool) -> &mut Self {
        self.reversible = yes;
        self
    }
    fn outside_transaction(&mut self, yes: bool) -> &mut Self {
        self.outside_transaction = yes;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai_shell_plugin_sdk::{
        Column, ColumnType, EngineObject, IdentityKind, PrimaryKey, QualifiedName, RawSql, Table,
    };

    fn q(name: &str) -> QualifiedName {
        QualifiedName {
            namespace: Some("s".into()),
            name: name.into(),
        }
    }

    fn column(name: &str, data_type: ColumnType) -> Column {
        Column {
            name: name.into(),
            data_type,
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
    }

    fn table(name: &str, columns: Vec<Column>, options: Vec<String>) -> Table {
        Table {
            name: q(name),
            columns,
            primary_key: None,
            uniques: vec![],
            indexes: vec![],
            foreign_keys: vec![],
            checks: vec![],
            comment: Some("it's".into()),
            options,
        }
    }

    fn empty() -> DatabaseSchema {
        DatabaseSchema {
            namespaces: vec![],
            extensions: vec![],
            enums: vec![],
            sequences: vec![],
            tables: vec![],
            views: vec![],
            objects: vec![],
        }
    }

    fn sql(changes: &[Change]) -> Vec<String> {
        render(changes, &empty())
            .unwrap()
            .into_iter()
            .map(|s| s.sql)
            .collect()
    }

    #[test]
    fn create_table_quotes_everything() {
        let mut id = column("id\"", ColumnType::Integer);
        id.identity = Some(IdentityKind::AutoIncrement);
        id.nullable = false;
        let mut t = table(
            "t;x",
            vec![id, column("n", ColumnType::Varchar(Some(5)))],
            vec![],
        );
        t.primary_key = Some(PrimaryKey {
            name: Some("pk".into()),
            columns: vec!["id\"".into()],
        });
        assert_eq!(
            sql(&[Change::CreateTable(t)]),
            [
                "CREATE TABLE \"s\".\"t;x\" (\n    \"id\"\"\" serial NOT NULL,\n    \"n\" character varying(5),\n    CONSTRAINT \"pk\" PRIMARY KEY (\"id\"\"\")\n)",
                "COMMENT ON TABLE \"s\".\"t;x\" IS 'it''s'",
            ]
        );
    }

    #[test]
    fn rows_copied_into_an_identity_column_move_its_sequence_past_them() {
        let mut id = column("id", ColumnType::Integer);
        id.identity = Some(IdentityKind::Always);
        let t = table("d", vec![id, column("n", ColumnType::Text)], vec![]);
        let copy = Change::CopyRows(ai_shell_plugin_sdk::CopyRows {
            source: q("u"),
            target: q("d"),
            columns: vec![
                ai_shell_plugin_sdk::ColumnPair {
                    source: "d_id".into(),
                    target: "id".into(),
                },
                ai_shell_plugin_sdk::ColumnPair {
                    source: "n".into(),
                    target: "n".into(),
                },
            ],
            distinct: false,
            when_any_not_null: vec!["d_id".into()],
        });
        let out = sql(&[Change::CreateTable(t), copy]);
        assert_eq!(
            out[2],
            "INSERT INTO \"s\".\"d\" (\"id\", \"n\") OVERRIDING SYSTEM VALUE SELECT \"d_id\", \"n\" FROM \"s\".\"u\" WHERE \"d_id\" IS NOT NULL"
        );
        assert_eq!(
            out[3],
            "SELECT setval(pg_get_serial_sequence('\"s\".\"d\"', 'id'), COALESCE(MAX(\"id\"), 1), MAX(\"id\") IS NOT NULL) FROM \"s\".\"d\""
        );
    }

    #[test]
    fn partitions_take_their_parent_columns() {
        let t = table(
            "p1",
            vec![column("a", ColumnType::Integer)],
            vec![
                "PARTITION OF \"s\".\"p\"".into(),
                "FOR VALUES IN (1)".into(),
            ],
        );
        assert_eq!(
            sql(&[Change::CreateTable(t)])[0],
            "CREATE TABLE \"s\".\"p1\" PARTITION OF \"s\".\"p\" FOR VALUES IN (1)"
        );
        let bad = table("x", vec![], vec!["ENGINE=InnoDB".into()]);
        assert!(matches!(
            render(&[Change::CreateTable(bad)], &empty()),
            Err(PluginError::InvalidInput(_))
        ));
    }

    #[test]
    fn primary_key_name_comes_from_the_schema_or_the_server_rule() {
        let mut current = empty();
        let mut t = table("t", vec![], vec![]);
        t.primary_key = Some(PrimaryKey {
            name: Some("custom".into()),
            columns: vec!["a".into()],
        });
        current.tables.push(t);
        let drop = |name: &str| Change::DropPrimaryKey(q(name));
        let out = render(&[drop("t"), drop("other")], &current).unwrap();
        assert_eq!(
            out[0].sql,
            "ALTER TABLE \"s\".\"t\" DROP CONSTRAINT \"custom\""
        );
        assert_eq!(
            out[1].sql,
            "ALTER TABLE \"s\".\"other\" DROP CONSTRAINT \"other_pkey\""
        );
    }

    #[test]
    fn function_bodies_are_unchecked_once_and_semicolons_trimmed() {
        let f = |n: &str| {
            Change::CreateObject(EngineObject {
                kind: "function".into(),
                name: q(n),
                table: None,
                definition: format!(
                    "CREATE FUNCTION s.{n}() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n"
                ),
            })
        };
        let raw = Change::RawSql(RawSql {
            up: "CREATE INDEX CONCURRENTLY i ON t (a);".into(),
            down: None,
            note: None,
        });
        let out = render(&[f("a"), f("b"), raw], &empty()).unwrap();
        let texts: Vec<&str> = out.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(texts[0], "SET check_function_bodies = off");
        assert!(texts[1].ends_with("$$") && texts[2].ends_with("$$"));
        assert_eq!(texts[3], "CREATE INDEX CONCURRENTLY i ON t (a)");
        assert!(out[3].outside_transaction && !out[3].reversible);
        assert_eq!(
            out.iter().map(|s| s.change_index).collect::<Vec<_>>(),
            [0, 0, 1, 2]
        );
    }

    #[test]
    fn engine_objects_are_dropped_by_kind() {
        let o = |kind: &str, name: &str, table: Option<&str>, definition: &str| {
            Change::DropObject(EngineObject {
                kind: kind.into(),
                name: q(name),
                table: table.map(q),
                definition: definition.into(),
            })
        };
        let out = render(
            &[
                o("trigger", "bump", Some("notes"), "CREATE TRIGGER bump ..."),
                o(
                    "function",
                    "add_tax(numeric, integer)",
                    None,
                    "CREATE OR REPLACE FUNCTION ...",
                ),
                o("domain", "posint", None, "CREATE DOMAIN ..."),
                o(
                    "comment",
                    "notes",
                    Some("notes"),
                    "COMMENT ON TABLE s.notes IS 'it''s IS here'",
                ),
                o(
                    "text search mapping",
                    "cfg/word",
                    None,
                    "ALTER TEXT SEARCH CONFIGURATION s.cfg ADD MAPPING FOR word WITH simple",
                ),
            ],
            &empty(),
        )
        .unwrap();
        let texts: Vec<&str> = out.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            texts,
            [
                "DROP TRIGGER \"bump\" ON \"s\".\"notes\"",
                "DROP FUNCTION \"s\".\"add_tax\"(numeric, integer)",
                "DROP DOMAIN \"s\".\"posint\"",
                "COMMENT ON TABLE s.notes IS NULL",
                "ALTER TEXT SEARCH CONFIGURATION s.cfg DROP MAPPING FOR word",
            ]
        );
    }
}
