//! One table of the model: the pragmas give columns, the primary key order and indexes; the
//! parsed `CREATE TABLE` text gives what they are silent about (constraint names, CHECKs,
//! AUTOINCREMENT, generated expressions, COLLATE, options). When the text cannot be read, the
//! table is built from the pragmas alone and a warning says what was lost.

use std::collections::BTreeMap;

use ai_shell_plugin_sdk::{
    CheckConstraint, Column, FkAction, ForeignKey, GeneratedColumn, IdentityKind, Index, IndexKey,
    IndexMethod, IndexTarget, PrimaryKey, QualifiedName, Table, UniqueConstraint,
};

use super::{Catalog, RawColumn, RawForeignKey, RawIndexKey, StoredObject};
use crate::sql::create_index;
use crate::sql::create_table::{self, ColumnConstraint, CreateTable, FkClause, TableConstraint};
use crate::sql::lexer::{Kind, tokenize};
use crate::types::parse_type;

pub fn build_table(
    stored: &StoredObject,
    catalog: &Catalog,
    index_sql: &BTreeMap<&str, &str>,
    warnings: &mut Vec<String>,
) -> Table {
    let empty = Vec::new();
    let raw_columns = catalog.columns.get(&stored.name).unwrap_or(&empty);
    let parsed = match create_table::parse(&stored.sql) {
        Ok(p) if same_columns(&p, raw_columns) => Some(p),
        Ok(_) => {
            warnings.push(format!(
                "table `{}`: its CREATE TABLE text does not list the columns SQLite reports; \
                 constraint names, CHECK constraints, collations and generated expressions are left out",
                stored.name
            ));
            None
        }
        Err(e) => {
            warnings.push(format!(
                "table `{}`: cannot read its CREATE TABLE text ({e}); constraint names, CHECK \
                 constraints, collations and generated expressions are left out",
                stored.name
            ));
            None
        }
    };
    let keys = catalog
        .index_keys
        .get(&stored.name)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut table = Table {
        name: QualifiedName {
            namespace: None,
            name: stored.name.clone(),
        },
        columns: columns(raw_columns, parsed.as_ref()),
        primary_key: primary_key(raw_columns, parsed.as_ref()),
        uniques: Vec::new(),
        indexes: indexes(keys, index_sql, warnings, &stored.name),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        comment: None,
        options: Vec::new(),
    };
    match &parsed {
        Some(p) => constraints_from_text(&mut table, p),
        None => {
            let fks = catalog
                .foreign_keys
                .get(&stored.name)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            constraints_from_pragmas(&mut table, keys, fks);
        }
    }
    let canonical = |names: &mut Vec<String>, columns: &[Column]| {
        for n in names.iter_mut() {
            if let Some(c) = columns.iter().find(|c| c.name.eq_ignore_ascii_case(n)) {
                n.clone_from(&c.name);
            }
        }
    };
    for u in &mut table.uniques {
        canonical(&mut u.columns, &table.columns);
    }
    for f in &mut table.foreign_keys {
        canonical(&mut f.columns, &table.columns);
    }
    table
        .uniques
        .sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
    table
        .checks
        .sort_by(|a, b| (&a.name, &a.expression).cmp(&(&b.name, &b.expression)));
    table.foreign_keys.sort_by(|a, b| {
        (&a.name, &a.columns, &a.referenced_table.name).cmp(&(
            &b.name,
            &b.columns,
            &b.referenced_table.name,
        ))
    });
    table
}

fn same_columns(parsed: &CreateTable, raw: &[RawColumn]) -> bool {
    parsed.columns.len() == raw.len()
        && parsed
            .columns
            .iter()
            .zip(raw)
            .all(|(p, r)| p.name.eq_ignore_ascii_case(&r.name))
}

fn columns(raw: &[RawColumn], parsed: Option<&CreateTable>) -> Vec<Column> {
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let constraints = parsed
                .map(|p| p.columns[i].constraints.as_slice())
                .unwrap_or(&[]);
            let mut column = Column {
                name: r.name.clone(),
                data_type: parse_type(&r.declared_type),
                nullable: !r.not_null,
                default: r.default.as_deref().map(default_expression),
                identity: None,
                generated: None,
                collation: None,
                comment: None,
            };
            for c in constraints {
                match &c.item {
                    ColumnConstraint::PrimaryKey {
                        autoincrement: true,
                    } => column.identity = Some(IdentityKind::AutoIncrement),
                    ColumnConstraint::Collate(name) => column.collation = Some(name.clone()),
                    ColumnConstraint::Generated { expression, .. } => {
                        column.generated = Some(GeneratedColumn {
                            expression: expression.clone(),
                            stored: r.hidden == 3,
                        })
                    }
                    _ => {}
                }
            }
            column
        })
        .collect()
}

/// A default as SQLite reports it, made valid after `DEFAULT`: the pragma drops the parentheses
/// around an expression, so anything but a literal gets them back.
pub fn default_expression(raw: &str) -> String {
    let raw = raw.trim();
    let Ok(tokens) = tokenize(raw) else {
        return raw.to_string();
    };
    let literal = match tokens.as_slice() {
        [t] => t.kind != Kind::Punct,
        [sign, n] => (sign.is_punct(raw, "-") || sign.is_punct(raw, "+")) && n.kind == Kind::Number,
        _ => false,
    };
    let wrapped = tokens.first().is_some_and(|t| t.is_punct(raw, "("))
        && crate::sql::Cursor::new(raw, &tokens).closing(0).ok() == Some(tokens.len() - 1);
    if literal || wrapped {
        raw.to_string()
    } else {
        format!("({raw})")
    }
}

fn primary_key(raw: &[RawColumn], parsed: Option<&CreateTable>) -> Option<PrimaryKey> {
    let mut pk: Vec<&RawColumn> = raw.iter().filter(|c| c.pk > 0).collect();
    if pk.is_empty() {
        return None;
    }
    pk.sort_by_key(|c| c.pk);
    let name = parsed.and_then(|p| {
        let column_level = p.columns.iter().flat_map(|c| &c.constraints).find_map(|c| {
            matches!(c.item, ColumnConstraint::PrimaryKey { .. }).then(|| c.name.clone())
        });
        let table_level = p
            .constraints
            .iter()
            .find_map(|c| matches!(c.item, TableConstraint::PrimaryKey(_)).then(|| c.name.clone()));
        column_level.or(table_level).flatten()
    });
    Some(PrimaryKey {
        name,
        columns: pk.iter().map(|c| c.name.clone()).collect(),
    })
}

fn foreign_key(name: Option<String>, columns: Vec<String>, clause: &FkClause) -> ForeignKey {
    ForeignKey {
        name: name.unwrap_or_default(),
        columns,
        referenced_table: QualifiedName {
            namespace: None,
            name: clause.table.clone(),
        },
        referenced_columns: clause.columns.clone(),
        on_delete: clause.on_delete,
        on_update: clause.on_update,
        deferrable: clause.deferrable,
        initially_deferred: clause.initially_deferred,
    }
}

fn constraints_from_text(table: &mut Table, parsed: &CreateTable) {
    for (i, column) in parsed.columns.iter().enumerate() {
        let column_name = &table.columns[i].name;
        for c in &column.constraints {
            let name = c.name.clone().unwrap_or_default();
            match &c.item {
                ColumnConstraint::Unique => table.uniques.push(UniqueConstraint {
                    name,
                    columns: vec![column_name.clone()],
                }),
                ColumnConstraint::Check(expression) => table.checks.push(CheckConstraint {
                    name,
                    expression: expression.clone(),
                }),
                ColumnConstraint::References(clause) => table.foreign_keys.push(foreign_key(
                    c.name.clone(),
                    vec![column_name.clone()],
                    clause,
                )),
                _ => {}
            }
        }
    }
    for c in &parsed.constraints {
        let name = c.name.clone().unwrap_or_default();
        match &c.item {
            TableConstraint::PrimaryKey(_) => {}
            TableConstraint::Unique(columns) => table.uniques.push(UniqueConstraint {
                name,
                columns: columns.clone(),
            }),
            TableConstraint::Check(expression) => table.checks.push(CheckConstraint {
                name,
                expression: expression.clone(),
            }),
            TableConstraint::ForeignKey(columns, clause) => {
                table
                    .foreign_keys
                    .push(foreign_key(c.name.clone(), columns.clone(), clause))
            }
        }
    }
    table.options = parsed.options.clone();
}

/// The fallback when the CREATE TABLE text is unreadable: unnamed UNIQUE constraints from their
/// autoindexes, unnamed foreign keys from `pragma_foreign_key_list`.
fn constraints_from_pragmas(table: &mut Table, keys: &[RawIndexKey], fks: &[RawForeignKey]) {
    let mut uniques: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for k in keys.iter().filter(|k| k.origin == "u") {
        uniques
            .entry(&k.index)
            .or_default()
            .push(k.column.clone().unwrap_or_default());
    }
    table.uniques = uniques
        .into_values()
        .map(|columns| UniqueConstraint {
            name: String::new(),
            columns,
        })
        .collect();
    let mut by_id: BTreeMap<i64, Vec<&RawForeignKey>> = BTreeMap::new();
    for f in fks {
        by_id.entry(f.id).or_default().push(f);
    }
    for pairs in by_id.into_values().rev() {
        let first = pairs[0];
        table.foreign_keys.push(ForeignKey {
            name: String::new(),
            columns: pairs.iter().map(|p| p.from.clone()).collect(),
            referenced_table: QualifiedName {
                namespace: None,
                name: first.parent.clone(),
            },
            referenced_columns: pairs.iter().filter_map(|p| p.to.clone()).collect(),
            on_delete: fk_action(&first.on_delete),
            on_update: fk_action(&first.on_update),
            deferrable: false,
            initially_deferred: false,
        });
    }
}

fn fk_action(text: &str) -> FkAction {
    match text.to_ascii_uppercase().as_str() {
        "CASCADE" => FkAction::Cascade,
        "RESTRICT" => FkAction::Restrict,
        "SET NULL" => FkAction::SetNull,
        "SET DEFAULT" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// The indexes made by `CREATE INDEX`; those backing UNIQUE and PRIMARY KEY are implied.
fn indexes(
    keys: &[RawIndexKey],
    index_sql: &BTreeMap<&str, &str>,
    warnings: &mut Vec<String>,
    table: &str,
) -> Vec<Index> {
    let mut grouped: BTreeMap<&str, Vec<&RawIndexKey>> = BTreeMap::new();
    for k in keys.iter().filter(|k| k.origin == "c") {
        grouped.entry(&k.index).or_default().push(k);
    }
    let mut out = Vec::new();
    for (name, raw) in grouped {
        let Some(sql) = index_sql.get(name) else {
            continue;
        };
        let parsed = match create_index::parse(sql) {
            Ok(p) if p.keys.len() == raw.len() => p,
            Ok(_) | Err(_) => {
                warnings.push(format!(
                    "index `{name}` on `{table}`: cannot read its CREATE INDEX text; it is left out"
                ));
                continue;
            }
        };
        let keys = parsed
            .keys
            .iter()
            .zip(&raw)
            .map(|(p, r)| IndexKey {
                target: match (&r.column, r.cid) {
                    (Some(column), cid) if cid >= 0 => IndexTarget::Column(column.clone()),
                    _ => match (&p.name, r.cid) {
                        (Some(n), -1) => IndexTarget::Column(n.clone()),
                        _ => IndexTarget::Expression(p.text.clone()),
                    },
                },
                descending: r.descending,
                nulls_first: None,
                opclass: None,
                collation: p.collation.clone(),
                prefix_length: None,
            })
            .collect();
        out.push(Index {
            name: name.to_string(),
            unique: raw[0].unique,
            method: IndexMethod::Btree,
            keys,
            included_columns: Vec::new(),
            predicate: parsed.predicate,
            comment: None,
        });
    }
    out
}

/// Points foreign keys at tables and columns as they are spelled where declared, and fills the
/// referenced columns of `REFERENCES parent` (no list) with the parent's primary key.
pub fn resolve_references(tables: &mut [Table]) {
    let parents: Vec<(String, Vec<String>, Vec<String>)> = tables
        .iter()
        .map(|t| {
            (
                t.name.name.clone(),
                t.columns.iter().map(|c| c.name.clone()).collect(),
                t.primary_key
                    .as_ref()
                    .map(|p| p.columns.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    for t in tables.iter_mut() {
        for fk in &mut t.foreign_keys {
            let Some((name, columns, pk)) = parents
                .iter()
                .find(|(n, _, _)| n.eq_ignore_ascii_case(&fk.referenced_table.name))
            else {
                continue;
            };
            fk.referenced_table.name.clone_from(name);
            if fk.referenced_columns.is_empty() {
                fk.referenced_columns.clone_from(pk);
            }
            for c in &mut fk.referenced_columns {
                if let Some(canon) = columns.iter().find(|n| n.eq_ignore_ascii_case(c)) {
                    c.clone_from(canon);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_get_parentheses_unless_literal() {
        assert_eq!(default_expression("'x'"), "'x'");
        assert_eq!(default_expression("-1.5"), "-1.5");
        assert_eq!(default_expression("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP");
        assert_eq!(default_expression("x'00'"), "x'00'");
        assert_eq!(default_expression("1+2"), "(1+2)");
        assert_eq!(default_expression("datetime('now')"), "(datetime('now'))");
        assert_eq!(default_expression("(1) + (2)"), "((1) + (2))");
        assert_eq!(default_expression("(1 + 2)"), "(1 + 2)");
    }
}
