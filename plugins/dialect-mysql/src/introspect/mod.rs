//! Reads the connection's current database (`DATABASE()`) into the model: one bulk query per
//! catalog, assembled and sorted here so that the result is deterministic.

mod columns;
mod indexes;
mod objects;
mod queries;
mod views;

use std::collections::{BTreeMap, BTreeSet};

use ai_shell_plugin_sdk::host;
use ai_shell_plugin_sdk::rows::Row;
use ai_shell_plugin_sdk::{
    CheckConstraint, DatabaseSchema, FkAction, ForeignKey, PluginError, QualifiedName, Table, View,
};

pub use views::strip_database;

use crate::quote;

fn rows(sql: &str) -> Result<Vec<Row>, PluginError> {
    host::rows(sql, &[])
}

fn yes(text: &str) -> bool {
    text.eq_ignore_ascii_case("YES")
}

fn fk_action(rule: &str) -> FkAction {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => FkAction::Cascade,
        "SET NULL" => FkAction::SetNull,
        "SET DEFAULT" => FkAction::SetDefault,
        "NO ACTION" => FkAction::NoAction,
        _ => FkAction::Restrict,
    }
}

/// The character set a collation belongs to: the part before the first `_`.
fn charset_of(collation: &str) -> &str {
    collation.split('_').next().unwrap_or(collation)
}

/// Table options that round-trip: engine, default character set and collation, and what
/// `CREATE_OPTIONS` says was given explicitly (row format, page compression...).
fn table_options(
    engine: Option<&str>,
    collation: Option<&str>,
    create_options: &str,
) -> Vec<String> {
    let mut options = Vec::new();
    if let Some(engine) = engine {
        options.push(format!("ENGINE={engine}"));
    }
    if let Some(collation) = collation {
        options.push(format!("DEFAULT CHARSET={}", charset_of(collation)));
        options.push(format!("COLLATE={collation}"));
    }
    for option in create_options.split_whitespace() {
        if option.eq_ignore_ascii_case("partitioned") {
            continue;
        }
        match option.split_once('=') {
            Some((key, value)) if !key.starts_with('`') => {
                options.push(format!("{}={value}", key.to_ascii_uppercase()))
            }
            _ => options.push(option.to_string()),
        }
    }
    options
}

/// Whether a table's engine builds hash indexes unless told otherwise (MEMORY, alias HEAP).
pub fn hash_default(options: &[String]) -> bool {
    options.iter().any(|o| {
        let o = o.to_ascii_uppercase().replace(' ', "");
        o == "ENGINE=MEMORY" || o == "ENGINE=HEAP"
    })
}

/// The column a MariaDB `json_valid(`col`)` check validates (what declaring a column `json`
/// adds; the check keeps its first name when the column is renamed, so it is matched by clause).
fn json_valid_column(clause: &str) -> Option<String> {
    let inner = clause.strip_prefix("json_valid(")?.strip_suffix(')')?;
    let name = inner.strip_prefix('`')?.strip_suffix('`')?;
    let unquoted = name.replace("``", "`");
    (quote::ident(&unquoted) == inner).then_some(unquoted)
}

struct TableRow {
    collation: Option<String>,
    table: Table,
}

pub fn introspect() -> Result<DatabaseSchema, PluginError> {
    let server = rows(queries::SERVER)?;
    let server = server
        .first()
        .ok_or_else(|| PluginError::Internal("VERSION() returned no row".into()))?;
    let mariadb = server.text("version")?.contains("MariaDB");
    let db = server.opt_text("db")?.ok_or_else(|| {
        PluginError::InvalidInput(
            "the connection has no current database; put one in the URL".into(),
        )
    })?;

    let mut tables: BTreeMap<String, TableRow> = BTreeMap::new();
    for r in rows(queries::TABLES)? {
        let name = r.text("name")?;
        let collation = r.opt_text("collation")?;
        let table = Table {
            name: QualifiedName {
                namespace: None,
                name: name.clone(),
            },
            columns: vec![],
            primary_key: None,
            uniques: vec![],
            indexes: vec![],
            foreign_keys: vec![],
            checks: vec![],
            comment: r.opt_text("comment")?.filter(|c| !c.is_empty()),
            options: table_options(
                r.opt_text("engine")?.as_deref(),
                collation.as_deref(),
                &r.opt_text("create_options")?.unwrap_or_default(),
            ),
        };
        tables.insert(name, TableRow { collation, table });
    }

    // Checks first: MariaDB's JSON columns are LONGTEXT with a `json_valid` check named after
    // the column, which together read as one `json` column.
    let checks_sql = if mariadb {
        queries::CHECKS_MARIADB
    } else {
        queries::CHECKS_MYSQL
    };
    let mut json_columns = BTreeSet::new();
    let mut checks: Vec<(String, Option<String>, CheckConstraint)> = Vec::new();
    for r in rows(checks_sql)? {
        let table = r.text("table_name")?;
        let name = r.text("name")?;
        let clause = r.text("clause")?;
        // Only the check a `json` column brings is on the column itself; a table's own
        // `CHECK (json_valid(...))` stays a check.
        let table_level = r.opt_text("level")?.as_deref() == Some("Table");
        let json_column = json_valid_column(&clause).filter(|_| !table_level);
        if let Some(column) = &json_column {
            json_columns.insert((table.clone(), column.clone()));
        }
        checks.push((
            table,
            json_column,
            CheckConstraint {
                name,
                expression: clause,
            },
        ));
    }

    let mut column_rows = Vec::new();
    for r in rows(queries::COLUMNS)? {
        column_rows.push(columns::ColumnRow {
            table: r.text("table_name")?,
            name: r.text("name")?,
            position: r.int("position")?,
            column_type: r.text("column_type")?,
            data_type: r.text("data_type")?.to_ascii_lowercase(),
            nullable: yes(&r.text("nullable")?),
            default: r.opt_text("column_default")?,
            extra: r.opt_text("extra")?.unwrap_or_default(),
            collation: r.opt_text("collation")?,
            comment: r.opt_text("comment")?.unwrap_or_default(),
            generation: r.opt_text("generation")?,
        });
    }
    column_rows.sort_by(|a, b| (&a.table, a.position).cmp(&(&b.table, b.position)));
    let mut json_used = BTreeSet::new();
    for c in &column_rows {
        let Some(t) = tables.get_mut(&c.table) else {
            continue;
        };
        let key = (c.table.clone(), c.name.clone());
        let json = c.data_type == "longtext" && json_columns.contains(&key);
        if json {
            json_used.insert(key);
        }
        t.table
            .columns
            .push(columns::column(c, mariadb, t.collation.as_deref(), json));
    }
    for (table, json_column, check) in checks {
        if json_column.is_some_and(|c| json_used.contains(&(table.clone(), c))) {
            continue;
        }
        if let Some(t) = tables.get_mut(&table) {
            t.table.checks.push(check);
        }
    }

    let statistics =
        queries::STATISTICS.replace("{expression}", if mariadb { "NULL" } else { "EXPRESSION" });
    let mut parts = Vec::new();
    for r in rows(&statistics)? {
        parts.push(indexes::KeyPartRow {
            table: r.text("table_name")?,
            index: r.text("index_name")?,
            non_unique: r.bool("non_unique")?,
            seq: r.int("seq")?,
            column: r.opt_text("column_name")?,
            expression: r.opt_text("expression")?,
            descending: r.opt_text("collation")?.as_deref() == Some("D"),
            sub_part: r.opt_int("sub_part")?,
            index_type: r.text("index_type")?,
            comment: r.opt_text("comment")?.unwrap_or_default(),
        });
    }
    let mut by_table: BTreeMap<&str, Vec<&indexes::KeyPartRow>> = BTreeMap::new();
    for p in &parts {
        by_table.entry(p.table.as_str()).or_default().push(p);
    }
    for (table, parts) in by_table {
        let Some(t) = tables.get_mut(table) else {
            continue;
        };
        let keys = indexes::table_keys(parts, hash_default(&t.table.options));
        t.table.primary_key = keys.primary_key;
        t.table.uniques = keys.uniques;
        t.table.indexes = keys.indexes;
    }

    let mut fk_rows: Vec<(String, String, i64, Row)> = Vec::new();
    for r in rows(queries::FOREIGN_KEYS)? {
        fk_rows.push((
            r.text("table_name")?,
            r.text("name")?,
            r.int("position")?,
            r,
        ));
    }
    fk_rows.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
    for (table, name, _, r) in &fk_rows {
        let Some(t) = tables.get_mut(table) else {
            continue;
        };
        let ref_schema = r.opt_text("ref_schema")?;
        let column = r.text("column_name")?;
        let ref_column = r.text("ref_column")?;
        match t.table.foreign_keys.last_mut() {
            Some(fk) if &fk.name == name => {
                fk.columns.push(column);
                fk.referenced_columns.push(ref_column);
            }
            _ => t.table.foreign_keys.push(ForeignKey {
                name: name.clone(),
                columns: vec![column],
                referenced_table: QualifiedName {
                    namespace: ref_schema.filter(|s| s != &db),
                    name: r.text("ref_table")?,
                },
                referenced_columns: vec![ref_column],
                on_delete: fk_action(&r.text("delete_rule")?),
                on_update: fk_action(&r.text("update_rule")?),
                deferrable: false,
                initially_deferred: false,
            }),
        }
    }

    let mut view_rows = Vec::new();
    let mut view_options = std::collections::HashMap::new();
    // MySQL's information_schema has no ALGORITHM column (its dump keeps UNDEFINED views as they are).
    let views_sql =
        queries::VIEWS.replace("{algorithm}", if mariadb { "ALGORITHM" } else { "NULL" });
    for r in rows(&views_sql)? {
        let mut options = vec![];
        if let Some(a) = r.opt_text("algorithm")?.filter(|a| a != "UNDEFINED") {
            options.push(format!("ALGORITHM={a}"));
        }
        if r.opt_text("security")?.as_deref() == Some("INVOKER") {
            options.push("SQL SECURITY INVOKER".to_string());
        }
        view_options.insert(r.text("name")?, options);
        let mut definition = strip_database(&r.opt_text("definition")?.unwrap_or_default(), &db);
        match r.opt_text("check_option")?.as_deref() {
            Some("CASCADED") => definition.push_str(" WITH CASCADED CHECK OPTION"),
            Some("LOCAL") => definition.push_str(" WITH LOCAL CHECK OPTION"),
            _ => {}
        }
        view_rows.push((r.text("name")?, definition));
    }
    let views = views::creation_order(view_rows)
        .into_iter()
        .map(|(name, definition)| View {
            options: view_options.remove(&name).unwrap_or_default(),
            name: QualifiedName {
                namespace: None,
                name,
            },
            definition,
            materialized: false,
            comment: None,
        })
        .collect();

    let mut routine_rows = Vec::new();
    for r in rows(queries::ROUTINES)? {
        routine_rows.push(objects::RoutineRow {
            name: r.text("name")?,
            kind: r.text("kind")?,
            return_type: r.opt_text("return_type")?,
            body: r.opt_text("body")?.unwrap_or_default(),
            deterministic: yes(&r.opt_text("is_deterministic")?.unwrap_or_default()),
            data_access: r
                .opt_text("data_access")?
                .unwrap_or_else(|| "CONTAINS SQL".into()),
            security: r
                .opt_text("security_type")?
                .unwrap_or_else(|| "DEFINER".into()),
            comment: r.opt_text("comment")?.unwrap_or_default(),
        });
    }
    let mut parameter_rows = Vec::new();
    if !routine_rows.is_empty() {
        for r in rows(queries::PARAMETERS)? {
            parameter_rows.push(objects::ParameterRow {
                routine: r.text("routine")?,
                kind: r.text("kind")?,
                position: r.int("position")?,
                mode: r.opt_text("mode")?,
                name: r.opt_text("name")?.unwrap_or_default(),
                data_type: r.text("data_type")?,
            });
        }
    }
    let mut trigger_rows = Vec::new();
    for r in rows(queries::TRIGGERS)? {
        trigger_rows.push(objects::TriggerRow {
            name: r.text("name")?,
            table: r.text("table_name")?,
            timing: r.text("timing")?,
            event: r.text("event")?,
            action_order: r.opt_int("action_order")?.unwrap_or(0),
            body: r.text("body")?,
        });
    }
    let mut objects = objects::routines(routine_rows, parameter_rows);
    objects.extend(objects::triggers(trigger_rows));
    // The statement as it was written, which is what the server shows and dumps: replaying it gives the
    // same object to the letter. The rebuilt one stays where the server does not show it (privileges).
    for o in &mut objects {
        let (what, column) = match o.kind.as_str() {
            "trigger" => ("TRIGGER", "SQL Original Statement"),
            "function" => ("FUNCTION", "Create Function"),
            "procedure" => ("PROCEDURE", "Create Procedure"),
            _ => continue,
        };
        let shown = rows(&format!(
            "SHOW CREATE {what} {}",
            quote::ident(&o.name.name)
        ))
        .ok()
        .and_then(|r| r.into_iter().next())
        .and_then(|r| r.opt_text(column).ok().flatten());
        if let Some(sql) = shown.filter(|s| !s.trim().is_empty()) {
            o.definition = objects::without_definer(&sql);
        }
    }

    for t in tables.values_mut() {
        t.table.checks.sort_by(|a, b| a.name.cmp(&b.name));
        t.table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(DatabaseSchema {
        namespaces: vec![],
        extensions: vec![],
        enums: vec![],
        sequences: vec![],
        tables: tables.into_values().map(|t| t.table).collect(),
        views,
        objects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_keep_what_was_explicit() {
        assert_eq!(
            table_options(
                Some("InnoDB"),
                Some("utf8mb3_unicode_ci"),
                "row_format=DYNAMIC partitioned `page_compressed`=1"
            ),
            [
                "ENGINE=InnoDB",
                "DEFAULT CHARSET=utf8mb3",
                "COLLATE=utf8mb3_unicode_ci",
                "ROW_FORMAT=DYNAMIC",
                "`page_compressed`=1"
            ]
        );
        assert_eq!(charset_of("binary"), "binary");
    }

    #[test]
    fn json_checks_name_their_column() {
        assert_eq!(
            json_valid_column("json_valid(`a``b`)").as_deref(),
            Some("a`b")
        );
        assert_eq!(json_valid_column("json_valid(`a`) and 1"), None);
        assert_eq!(json_valid_column("json_valid(`a` + `b`)"), None);
    }
}
