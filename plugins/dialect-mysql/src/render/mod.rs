//! Turns changes into MySQL/MariaDB statements with their lock and rewrite attributes.
//!
//! Attributes follow InnoDB's online DDL: INSTANT and in-place changes take no table lock
//! (`none`); changes that need `ALGORITHM=COPY` block writes (`shared`) and rewrite the table.
//! DDL is not transactional: each statement commits.

mod ddl;
mod options;
mod state;

use ai_shell_plugin_sdk::{
    Change, ColumnType, DatabaseSchema, IndexMethod, LockLevel, PluginError, Statement,
};

pub use ddl::{column_definition, create_table};

use crate::{quote, types};
use ddl::table_name;
use state::State;

/// Lock, table rewrite and reversibility of one statement.
#[derive(Clone, Copy)]
struct Attrs {
    lock: LockLevel,
    rewrites: bool,
    reversible: bool,
}

/// Instant or in-place, no data lost.
const ONLINE: Attrs = Attrs {
    lock: LockLevel::None,
    rewrites: false,
    reversible: true,
};
/// In place but rebuilding the table; DML goes on.
const REBUILD: Attrs = Attrs {
    lock: LockLevel::None,
    rewrites: true,
    reversible: true,
};
/// `ALGORITHM=COPY`: reads go on, writes wait.
const COPY: Attrs = Attrs {
    lock: LockLevel::Shared,
    rewrites: true,
    reversible: true,
};
/// Destroys data.
const DESTRUCTIVE: Attrs = Attrs {
    lock: LockLevel::Exclusive,
    rewrites: false,
    reversible: false,
};

fn unsupported<T>(message: &str) -> Result<T, PluginError> {
    Err(PluginError::UnsupportedChange(message.to_string()))
}

/// `MODIFY COLUMN` with the column's whole definition, its own check included.
fn modify(
    state: &State,
    table: &ai_shell_plugin_sdk::QualifiedName,
    column: &ai_shell_plugin_sdk::Column,
) -> Result<String, PluginError> {
    let checks = state
        .table(table)
        .map(|t| t.checks.as_slice())
        .unwrap_or(&[]);
    Ok(format!(
        "MODIFY COLUMN {}",
        ddl::column_definition_with(column, checks)?
    ))
}

fn alter(table: &ai_shell_plugin_sdk::QualifiedName, action: &str) -> String {
    format!("ALTER TABLE {} {action}", table_name(table))
}

/// `, ADD INDEX ...` for each foreign key only the key `dropped` serves (MySQL refuses the drop otherwise),
/// or `None` when every key keeps an index.
fn keep_key_indexes(
    state: &State,
    table: &ai_shell_plugin_sdk::QualifiedName,
    dropped: &str,
) -> Option<String> {
    let adds: Vec<String> = state
        .keys_left_unserved(table, dropped)
        .into_iter()
        .map(|(name, fk)| {
            format!(
                ", ADD INDEX {} ({})",
                quote::ident(&name),
                ddl::column_list(&fk.columns)
            )
        })
        .collect();
    (!adds.is_empty()).then(|| adds.concat())
}

fn is_varchar(t: &ColumnType) -> bool {
    matches!(t, ColumnType::Varchar(_))
}

/// The statements for one change, given the schema as earlier changes left it.
fn render_one(change: &Change, state: &State) -> Result<Vec<(String, Attrs)>, PluginError> {
    let one = |sql: String, attrs: Attrs| Ok(vec![(sql, attrs)]);
    match change {
        Change::CreateNamespace(_) | Change::DropNamespace(_) => unsupported(
            "MySQL has no namespaces inside a database (a schema is a database); create the database outside ai-shell",
        ),
        Change::CreateExtension(e) | Change::DropExtension(e) => {
            unsupported(&format!("MySQL has no extensions (`{}`)", e.name))
        }
        Change::CreateEnumType(_) | Change::DropEnumType(_) | Change::AlterEnumType(_) => {
            unsupported("MySQL has no named enum types; use an inline enum column type")
        }
        Change::CreateSequence(s) => {
            let mut sql = format!(
                "CREATE SEQUENCE {} START WITH {} INCREMENT BY {}",
                table_name(&s.name),
                s.start,
                s.increment
            );
            match s.min_value {
                Some(v) => sql.push_str(&format!(" MINVALUE {v}")),
                None => sql.push_str(" NO MINVALUE"),
            }
            match s.max_value {
                Some(v) => sql.push_str(&format!(" MAXVALUE {v}")),
                None => sql.push_str(" NO MAXVALUE"),
            }
            sql.push_str(&format!(" CACHE {}", s.cache));
            sql.push_str(if s.cycle { " CYCLE" } else { " NOCYCLE" });
            one(sql, ONLINE)
        }
        Change::DropSequence(name) => {
            one(format!("DROP SEQUENCE {}", table_name(name)), DESTRUCTIVE)
        }
        Change::CreateTable(t) => one(create_table(t)?, ONLINE),
        Change::DropTable(name) => one(format!("DROP TABLE {}", table_name(name)), DESTRUCTIVE),
        Change::RenameTable(r) => {
            let to = ai_shell_plugin_sdk::QualifiedName {
                namespace: r.table.namespace.clone(),
                name: r.new_name.clone(),
            };
            one(
                format!(
                    "RENAME TABLE {} TO {}",
                    table_name(&r.table),
                    table_name(&to)
                ),
                Attrs {
                    lock: LockLevel::Exclusive,
                    ..ONLINE
                },
            )
        }
        Change::AddColumn(a) => {
            let c = &a.column;
            let copies = c.identity.is_some() || c.generated.as_ref().is_some_and(|g| g.stored);
            one(
                alter(&a.table, &format!("ADD COLUMN {}", column_definition(c)?)),
                if copies { COPY } else { ONLINE },
            )
        }
        Change::DropColumn(c) => one(
            alter(
                &c.table,
                &format!("DROP COLUMN {}", quote::ident(&c.column)),
            ),
            Attrs {
                lock: LockLevel::None,
                ..DESTRUCTIVE
            },
        ),
        Change::RenameColumn(r) => one(
            alter(
                &r.table,
                &format!(
                    "RENAME COLUMN {} TO {}",
                    quote::ident(&r.column),
                    quote::ident(&r.new_name)
                ),
            ),
            ONLINE,
        ),
        Change::AlterColumnType(a) => {
            if a.using.is_some() {
                return unsupported(
                    "MySQL has no USING clause for type changes; convert the values with an UPDATE (raw-sql) first",
                );
            }
            let current = state.column(&a.table, &a.column)?;
            let mut column = current.clone();
            column.data_type = a.new_type.clone();
            if !types::takes_collation(&a.new_type) {
                column.collation = None;
            }
            let widening = types::is_widening(&current.data_type, &a.new_type);
            let in_place = widening && is_varchar(&current.data_type) && is_varchar(&a.new_type);
            let attrs = if in_place {
                ONLINE
            } else {
                Attrs {
                    reversible: widening,
                    ..COPY
                }
            };
            one(alter(&a.table, &modify(state, &a.table, &column)?), attrs)
        }
        Change::SetNotNull(r) | Change::DropNotNull(r) => {
            let mut column = state.column(&r.table, &r.column)?.clone();
            column.nullable = matches!(change, Change::DropNotNull(_));
            one(alter(&r.table, &modify(state, &r.table, &column)?), REBUILD)
        }
        Change::SetDefault(d) => {
            if d.default.contains(crate::ON_UPDATE) {
                let mut column = state.column(&d.table, &d.column)?.clone();
                column.default = Some(d.default.clone());
                return one(alter(&d.table, &modify(state, &d.table, &column)?), ONLINE);
            }
            one(
                alter(
                    &d.table,
                    &format!(
                        "ALTER COLUMN {} SET DEFAULT {}",
                        quote::ident(&d.column),
                        ddl::default_value(&d.default)
                    ),
                ),
                ONLINE,
            )
        }
        Change::DropDefault(r) => one(
            alter(
                &r.table,
                &format!("ALTER COLUMN {} DROP DEFAULT", quote::ident(&r.column)),
            ),
            ONLINE,
        ),
        Change::AddPrimaryKey(p) => one(
            alter(
                &p.table,
                &format!(
                    "ADD PRIMARY KEY ({})",
                    ddl::column_list(&p.primary_key.columns)
                ),
            ),
            REBUILD,
        ),
        Change::DropPrimaryKey(t) => one(alter(t, "DROP PRIMARY KEY"), COPY),
        Change::AddIndex(a) => {
            let index = &a.index;
            let hash_default = state
                .table(&a.table)
                .is_some_and(|t| crate::introspect::hash_default(&t.options));
            let (kind, using) = ddl::index_kind(index, hash_default)?;
            let mut sql = format!(
                "CREATE {kind}INDEX {}{using} ON {} {}{}",
                quote::ident(&index.name),
                table_name(&a.table),
                ddl::index_keys(index)?,
                ddl::index_comment(index)
            );
            let attrs = match index.method {
                IndexMethod::Fulltext => Attrs {
                    lock: LockLevel::Shared,
                    rewrites: true,
                    reversible: true,
                },
                IndexMethod::Spatial => Attrs {
                    lock: LockLevel::Shared,
                    ..ONLINE
                },
                _ => {
                    if a.concurrently {
                        sql.push_str(" ALGORITHM=INPLACE LOCK=NONE");
                    }
                    ONLINE
                }
            };
            one(sql, attrs)
        }
        Change::DropIndex(o) => match keep_key_indexes(state, &o.table, &o.name) {
            Some(adds) => one(
                alter(
                    &o.table,
                    &format!("DROP INDEX {}{adds}", quote::ident(&o.name)),
                ),
                ONLINE,
            ),
            None => one(
                format!(
                    "DROP INDEX {} ON {}",
                    quote::ident(&o.name),
                    table_name(&o.table)
                ),
                ONLINE,
            ),
        },
        Change::AddUnique(u) => one(
            alter(
                &u.table,
                &format!(
                    "ADD CONSTRAINT {} UNIQUE ({})",
                    quote::ident(&u.constraint.name),
                    ddl::column_list(&u.constraint.columns)
                ),
            ),
            ONLINE,
        ),
        Change::DropUnique(o) => one(
            alter(
                &o.table,
                &format!(
                    "DROP INDEX {}{}",
                    quote::ident(&o.name),
                    keep_key_indexes(state, &o.table, &o.name).unwrap_or_default()
                ),
            ),
            ONLINE,
        ),
        Change::AddForeignKey(f) => one(
            alter(
                &f.table,
                &format!("ADD {}", ddl::foreign_key(&f.foreign_key)?),
            ),
            COPY,
        ),
        Change::DropForeignKey(o) => one(
            alter(
                &o.table,
                &format!("DROP FOREIGN KEY {}", quote::ident(&o.name)),
            ),
            ONLINE,
        ),
        Change::AddCheck(c) => match state.column(&c.table, &c.check.name) {
            // Named after a column: MariaDB's check on the column itself, which a later `MODIFY COLUMN`
            // must restate (it drops what the definition leaves out).
            Ok(column) => {
                let mut state = state.clone();
                state.apply(change);
                one(alter(&c.table, &modify(&state, &c.table, column)?), COPY)
            }
            Err(_) => one(
                alter(&c.table, &format!("ADD {}", ddl::check(&c.check))),
                COPY,
            ),
        },
        // A check on the column itself cannot be dropped by name: the column is restated without it.
        Change::DropCheck(o) => match state.column(&o.table, &o.name) {
            Ok(column) => {
                let mut state = state.clone();
                state.apply(change);
                one(alter(&o.table, &modify(&state, &o.table, column)?), COPY)
            }
            Err(_) => one(
                alter(
                    &o.table,
                    &format!("DROP CONSTRAINT {}", quote::ident(&o.name)),
                ),
                ONLINE,
            ),
        },
        Change::CreateView(v) => {
            if v.materialized {
                return unsupported(&format!(
                    "MySQL has no materialized views (`{}`)",
                    v.name.name
                ));
            }
            let options: String = v.options.iter().map(|o| format!("{o} ")).collect();
            one(
                format!(
                    "CREATE {options}VIEW {} AS {}",
                    table_name(&v.name),
                    v.definition.trim().trim_end_matches(';')
                ),
                ONLINE,
            )
        }
        Change::DropView(d) => {
            if d.materialized {
                return unsupported(&format!(
                    "MySQL has no materialized views (`{}`)",
                    d.name.name
                ));
            }
            one(format!("DROP VIEW {}", table_name(&d.name)), ONLINE)
        }
        Change::SetCollation(s) => {
            let mut c = state.column(&s.table, &s.column)?.clone();
            c.collation = s.collation.clone();
            one(alter(&s.table, &modify(state, &s.table, &c)?), COPY)
        }
        Change::SetTableOptions(s) => one(options::set_table_options(state, s)?, COPY),
        Change::SetIdentity(s) => {
            // AUTO_INCREMENT added gives rows holding 0 new numbers: the host counts them and asks first.
            let mut c = state.column(&s.table, &s.column)?.clone();
            c.identity = s.identity;
            one(alter(&s.table, &modify(state, &s.table, &c)?), COPY)
        }
        Change::SetComment(s) => {
            let text = s.comment.as_deref().unwrap_or("");
            match &s.column {
                None => one(
                    alter(&s.table, &format!("COMMENT = {}", quote::string(text))),
                    ONLINE,
                ),
                Some(column) => {
                    let mut c = state.column(&s.table, column)?.clone();
                    c.comment = s.comment.clone();
                    one(alter(&s.table, &modify(state, &s.table, &c)?), ONLINE)
                }
            }
        }
        Change::CreateObject(o) => {
            let sql = o.definition.trim_end();
            let sql = sql.strip_suffix(';').unwrap_or(sql).trim_end();
            one(sql.to_string(), ONLINE)
        }
        Change::DropObject(o) => {
            let what = match o.kind.as_str() {
                "trigger" => "TRIGGER",
                "function" => "FUNCTION",
                "procedure" => "PROCEDURE",
                other => {
                    return unsupported(&format!(
                        "ai-shell cannot drop a MySQL {other} (`{}`)",
                        o.name.name
                    ));
                }
            };
            one(
                format!("DROP {what} {}", quote::ident(&o.name.name)),
                ONLINE,
            )
        }
        Change::CopyRows(c) => one(
            ai_shell_plugin_sdk::data::copy_rows(c, table_name, quote::ident),
            ONLINE,
        ),
        Change::FillColumn(f) => one(
            ai_shell_plugin_sdk::data::fill_column(f, table_name, quote::ident),
            ONLINE,
        ),
        Change::FillNulls(f) => {
            Ok(
                ai_shell_plugin_sdk::data::fill_nulls(f, table_name, quote::ident)
                    .into_iter()
                    .map(|sql| (sql, ONLINE))
                    .collect(),
            )
        }
        Change::RestoreNulls(f) => {
            Ok(
                ai_shell_plugin_sdk::data::restore_nulls(f, table_name, quote::ident)
                    .into_iter()
                    .map(|sql| (sql, ONLINE))
                    .collect(),
            )
        }
        Change::RawSql(r) => one(
            r.up.clone(),
            Attrs {
                lock: LockLevel::Exclusive,
                rewrites: false,
                reversible: r.down.is_some(),
            },
        ),
    }
}

/// Renders `changes`, applied in order to `current`.
pub fn render(
    changes: Vec<Change>,
    current: DatabaseSchema,
) -> Result<Vec<Statement>, PluginError> {
    let mut state = State::new(current);
    let mut out = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        for (sql, attrs) in render_one(change, &state)? {
            out.push(Statement {
                sql,
                change_index: i as u32,
                outside_transaction: false,
                lock: attrs.lock,
                rewrites_table: attrs.rewrites,
                reversible: attrs.reversible,
            });
        }
        state.apply(change);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use ai_shell_plugin_sdk::{
        AddCheck, AlterColumnType, CheckConstraint, Column, ColumnRef, QualifiedName, RenameColumn,
        SetComment, SetTableOptions, Table,
    };

    use super::*;

    fn name(n: &str) -> QualifiedName {
        QualifiedName {
            namespace: None,
            name: n.into(),
        }
    }

    fn column(n: &str, data_type: ColumnType) -> Column {
        Column {
            name: n.into(),
            data_type,
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
    }

    fn schema() -> DatabaseSchema {
        let mut label = column("label", ColumnType::Varchar(Some(10)));
        label.collation = Some("utf8mb4_bin".into());
        label.default = Some("'x'".into());
        DatabaseSchema {
            namespaces: vec![],
            extensions: vec![],
            enums: vec![],
            sequences: vec![],
            tables: vec![Table {
                name: name("t`1"),
                columns: vec![column("id", ColumnType::Integer), label],
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

    fn sql(changes: Vec<Change>) -> Vec<String> {
        render(changes, schema())
            .unwrap()
            .into_iter()
            .map(|s| s.sql)
            .collect()
    }

    #[test]
    fn an_index_a_foreign_key_needs_is_replaced_in_the_same_statement() {
        use ai_shell_plugin_sdk::{FkAction, ForeignKey, TableObject};
        let t = name("t`1");
        let key = || ForeignKey {
            name: "fk_t_id".into(),
            columns: vec!["id".into()],
            referenced_table: name("u"),
            referenced_columns: vec!["id".into()],
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: false,
            initially_deferred: false,
        };
        let mut current = schema();
        current.tables[0].foreign_keys.push(key());
        let wide = state::key_index_for_test("idx_wide", &["id", "label"]);
        current.tables[0].indexes.push(wide);
        let drop = |n: &str| {
            Change::DropIndex(TableObject {
                table: t.clone(),
                name: n.into(),
            })
        };
        let out: Vec<String> = render(vec![drop("idx_wide")], current.clone())
            .unwrap()
            .into_iter()
            .map(|s| s.sql)
            .collect();
        assert_eq!(
            out,
            ["ALTER TABLE `t``1` DROP INDEX `idx_wide`, ADD INDEX `fk_t_id` (`id`)"]
        );
        // Another index serves the key: a plain drop; dropping that one next needs the key's index.
        current.tables[0]
            .indexes
            .push(state::key_index_for_test("idx_id", &["id"]));
        let out: Vec<String> = render(vec![drop("idx_wide"), drop("idx_id")], current)
            .unwrap()
            .into_iter()
            .map(|s| s.sql)
            .collect();
        assert_eq!(
            out,
            [
                "DROP INDEX `idx_wide` ON `t``1`",
                "ALTER TABLE `t``1` DROP INDEX `idx_id`, ADD INDEX `fk_t_id` (`id`)"
            ]
        );
        // A column renamed first: the index made for its new name serves the key.
        let mut current = schema();
        current.tables[0].foreign_keys = vec![key()];
        current.tables[0]
            .indexes
            .push(state::key_index_for_test("idx_id", &["id"]));
        let out: Vec<String> = render(
            vec![
                Change::RenameColumn(RenameColumn {
                    table: t.clone(),
                    column: "id".into(),
                    new_name: "key_id".into(),
                }),
                Change::AddIndex(ai_shell_plugin_sdk::AddIndex {
                    table: t.clone(),
                    index: state::key_index_for_test("idx_key_id", &["key_id"]),
                    concurrently: false,
                }),
                drop("idx_id"),
            ],
            current,
        )
        .unwrap()
        .into_iter()
        .map(|s| s.sql)
        .collect();
        assert_eq!(out[2], "DROP INDEX `idx_id` ON `t``1`");
    }

    #[test]
    fn a_check_named_after_its_column_stays_on_the_column() {
        let t = name("t`1");
        let check = |name: &str| CheckConstraint {
            name: name.into(),
            expression: "`id` > 0".into(),
        };
        let statements = sql(vec![
            Change::AddCheck(AddCheck {
                table: t.clone(),
                check: check("id"),
            }),
            Change::AddCheck(AddCheck {
                table: t.clone(),
                check: check("positive"),
            }),
            Change::SetComment(SetComment {
                table: t.clone(),
                column: Some("id".into()),
                comment: Some("key".into()),
            }),
        ]);
        assert_eq!(
            statements,
            [
                "ALTER TABLE `t``1` MODIFY COLUMN `id` int CHECK (`id` > 0)",
                "ALTER TABLE `t``1` ADD CONSTRAINT `positive` CHECK (`id` > 0)",
                "ALTER TABLE `t``1` MODIFY COLUMN `id` int COMMENT 'key' CHECK (`id` > 0)",
            ]
        );
        let mut table = schema().tables.remove(0);
        table.checks = vec![check("id"), check("positive")];
        let created = create_table(&table).unwrap();
        assert!(
            created.contains("`id` int CHECK (`id` > 0)")
                && created.contains("CONSTRAINT `positive`")
                && !created.contains("CONSTRAINT `id`"),
            "{created}"
        );
    }

    #[test]
    fn modify_takes_the_definition_left_by_earlier_changes() {
        let t = name("t`1");
        let statements = sql(vec![
            Change::RenameColumn(RenameColumn {
                table: t.clone(),
                column: "label".into(),
                new_name: "tag".into(),
            }),
            Change::SetNotNull(ColumnRef {
                table: t.clone(),
                column: "tag".into(),
            }),
            Change::SetComment(SetComment {
                table: t.clone(),
                column: Some("tag".into()),
                comment: Some("it's".into()),
            }),
        ]);
        assert_eq!(
            statements[0],
            "ALTER TABLE `t``1` RENAME COLUMN `label` TO `tag`"
        );
        assert_eq!(
            statements[1],
            "ALTER TABLE `t``1` MODIFY COLUMN `tag` varchar(10) COLLATE `utf8mb4_bin` NOT NULL DEFAULT 'x'"
        );
        assert_eq!(
            statements[2],
            "ALTER TABLE `t``1` MODIFY COLUMN `tag` varchar(10) COLLATE `utf8mb4_bin` NOT NULL DEFAULT 'x' COMMENT 'it''s'"
        );
    }

    #[test]
    fn type_changes_know_narrowing_and_collations() {
        let t = name("t`1");
        let out = render(
            vec![
                Change::AlterColumnType(AlterColumnType {
                    table: t.clone(),
                    column: "label".into(),
                    new_type: ColumnType::Varchar(Some(5)),
                    using: None,
                }),
                Change::AlterColumnType(AlterColumnType {
                    table: t.clone(),
                    column: "label".into(),
                    new_type: ColumnType::Integer,
                    using: None,
                }),
            ],
            schema(),
        )
        .unwrap();
        assert!(!out[0].reversible && out[0].rewrites_table);
        assert_eq!(
            out[1].sql,
            "ALTER TABLE `t``1` MODIFY COLUMN `label` int DEFAULT 'x'"
        );
    }

    #[test]
    fn table_options_differing_are_set_and_a_new_collation_is_followed() {
        let mut current = schema();
        current.tables[0]
            .columns
            .push(column("note", ColumnType::Text));
        current.tables[0].options = vec![
            "ENGINE=InnoDB".into(),
            "COLLATE=utf8mb4_general_ci".into(),
            "ROW_FORMAT=COMPRESSED".into(),
        ];
        let change = |options: Vec<&str>| {
            Change::SetTableOptions(SetTableOptions {
                table: name("t`1"),
                options: options.into_iter().map(String::from).collect(),
            })
        };
        let render = |c: Change| render(vec![c], current.clone()).unwrap()[0].sql.clone();
        let sql = render(change(vec!["ENGINE=InnoDB", "COLLATE=utf8mb4_unicode_ci"]));
        // The new collation, the row format back to its default, and only the text column that follows
        // the table's collation restated (`label` has its own).
        assert!(sql.starts_with("ALTER TABLE `t``1` COLLATE=utf8mb4_unicode_ci, ROW_FORMAT=DEFAULT, MODIFY COLUMN `note`"), "{sql}");
        assert!(!sql.contains("`label`") && !sql.contains("`id`"), "{sql}");
        let sql = render(change(vec![
            "ENGINE=Aria",
            "COLLATE=utf8mb4_general_ci",
            "ROW_FORMAT=COMPRESSED",
        ]));
        assert_eq!(sql, "ALTER TABLE `t``1` ENGINE=Aria");
    }

    #[test]
    fn unknown_columns_are_invalid_input() {
        let err = render(
            vec![Change::SetNotNull(ColumnRef {
                table: name("t`1"),
                column: "nope".into(),
            })],
            schema(),
        )
        .unwrap_err();
        assert!(matches!(err, PluginError::InvalidInput(_)));
    }

    #[test]
    fn create_table_renders_everything_inline() {
        let mut table = schema().tables.remove(0);
        table.options = vec!["ENGINE=InnoDB".into()];
        table.comment = Some("c\\".into());
        let sql = create_table(&table).unwrap();
        assert_eq!(
            sql,
            "CREATE TABLE `t``1` (\n  `id` int,\n  `label` varchar(10) COLLATE `utf8mb4_bin` DEFAULT 'x'\n) ENGINE=InnoDB COMMENT='c\\\\'"
        );
    }
}
