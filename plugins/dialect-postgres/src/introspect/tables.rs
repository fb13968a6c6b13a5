//! Tables: columns, keys, checks, foreign keys and indexes. What the model cannot say exactly
//! (exclusion constraints, DEFERRABLE or INCLUDE uniques, NOT VALID constraints, indexes with
//! storage options, indexes of materialized views) becomes an engine object carrying the
//! engine's own definition, created after the table.

use std::collections::HashMap;

use ai_shell_plugin_sdk::{
    CheckConstraint, Column, ColumnType, EngineObject, FkAction, ForeignKey, GeneratedColumn,
    IdentityKind, Index, IndexKey, IndexMethod, IndexTarget, PluginError, PrimaryKey,
    QualifiedName, Sequence, Table, UniqueConstraint,
};

use super::basics::{RawSequence, comment_object};
use super::{canon, json, query};
use crate::{names, quote, types};

/// A table as read, with what assembling and `serial` detection need.
pub struct TableBuild {
    pub oid: i64,
    pub table: Table,
    /// Column numbers, parallel to `table.columns`.
    pub attnums: Vec<i64>,
    /// The partition parent, to create it first.
    parent: Option<QualifiedName>,
}

pub struct Tables {
    pub tables: Vec<TableBuild>,
    /// Constraints and indexes kept verbatim, and comments the model has no place for.
    pub objects: Vec<EngineObject>,
}

pub fn tables() -> Result<Tables, PluginError> {
    let mut tables = Vec::new();
    for r in query(include_str!("sql/tables.sql"))? {
        let name = QualifiedName {
            namespace: Some(r.text("namespace")?),
            name: r.text("name")?,
        };
        let mut options = Vec::new();
        if r.text("persistence")? == "u" {
            options.push("UNLOGGED".to_string());
        }
        let parents = json::parse(r.opt_text("parents")?)?;
        let parents: Vec<QualifiedName> = parents
            .iter()
            .map(|p| QualifiedName {
                namespace: json::str_at(p, 0),
                name: json::str_at(p, 1).unwrap_or_default(),
            })
            .collect();
        let mut parent = None;
        if let Some(bound) = r.opt_text("partition_bound")? {
            let p = parents.first().cloned().ok_or_else(|| {
                PluginError::Internal(format!("partition {} has no parent", name.name))
            })?;
            options.push(format!("PARTITION OF {}", quote::qualified(&p)));
            options.push(bound);
            parent = Some(p);
        } else if !parents.is_empty() {
            let list: Vec<String> = parents.iter().map(quote::qualified).collect();
            options.push(format!("INHERITS ({})", list.join(", ")));
            parent = parents.last().cloned();
        }
        if let Some(key) = r.opt_text("partition_key")? {
            options.push(format!("PARTITION BY {key}"));
        }
        let storage = json::strings(r.opt_text("options")?)?;
        if !storage.is_empty() {
            options.push(format!("WITH ({})", storage.join(", ")));
        }
        tables.push(TableBuild {
            oid: r.int("oid")?,
            table: Table {
                name,
                columns: Vec::new(),
                primary_key: None,
                uniques: Vec::new(),
                indexes: Vec::new(),
                foreign_keys: Vec::new(),
                checks: Vec::new(),
                comment: r.opt_text("comment")?,
                options,
            },
            attnums: Vec::new(),
            parent,
        });
    }
    let at: HashMap<i64, usize> = tables.iter().enumerate().map(|(i, t)| (t.oid, i)).collect();

    for r in query(include_str!("sql/columns.sql"))? {
        let Some(&i) = at.get(&r.int("table_oid")?) else {
            continue;
        };
        let data_type = if r.text("type_kind")? == "e" {
            ColumnType::EnumRef(QualifiedName {
                namespace: Some(r.text("type_namespace")?),
                name: r.text("type_name")?,
            })
        } else {
            types::parse_type(&r.text("data_type")?)
        };
        let identity = match r.text("identity")?.as_str() {
            "a" => Some(IdentityKind::Always),
            "d" => Some(IdentityKind::ByDefault),
            _ => None,
        };
        let generated = match r.opt_text("generated_expr")? {
            Some(expression) => Some(GeneratedColumn {
                expression: canon::bare(&expression),
                stored: r.text("generated")? == "s",
            }),
            None => None,
        };
        let t = &mut tables[i];
        t.attnums.push(r.int("num")?);
        t.table.columns.push(Column {
            name: r.text("name")?,
            data_type,
            nullable: !r.bool("not_null")?,
            default: r.opt_text("default_expr")?.map(|d| canon::expression(&d)),
            identity,
            generated,
            collation: r.opt_text("collation")?,
            comment: r.opt_text("comment")?,
        });
    }

    let mut objects = Vec::new();
    let mut comments = Vec::new();
    for r in query(include_str!("sql/constraints.sql"))? {
        let Some(&i) = at.get(&r.int("table_oid")?) else {
            continue;
        };
        let kind = r.text("kind")?;
        if r.int("parent_oid")? != 0 || (kind == "c" && !r.bool("is_local")?) {
            continue; // inherited from a parent table: recreated with it
        }
        let table = &mut tables[i].table;
        let name = r.text("name")?;
        let definition = r.text("definition")?;
        let columns = json::strings(r.opt_text("columns")?)?;
        let kept = match kind.as_str() {
            "p" if r.bool("plain")? => {
                table.primary_key = Some(PrimaryKey {
                    name: Some(name.clone()),
                    columns,
                });
                true
            }
            "u" if r.bool("plain")? => {
                table.uniques.push(UniqueConstraint {
                    name: name.clone(),
                    columns,
                });
                true
            }
            "c" if r.bool("validated")? && !r.bool("no_inherit")? => {
                match definition
                    .strip_prefix("CHECK (")
                    .and_then(|d| d.strip_suffix(')'))
                {
                    Some(expression) => {
                        table.checks.push(CheckConstraint {
                            name: name.clone(),
                            expression: canon::bare(expression),
                        });
                        true
                    }
                    None => false,
                }
            }
            "f" if r.text("match_type")? == "s"
                && r.bool("validated")?
                && !definition.contains("SET NULL (")
                && !definition.contains("SET DEFAULT (") =>
            {
                table.foreign_keys.push(ForeignKey {
                    name: name.clone(),
                    columns,
                    referenced_table: QualifiedName {
                        namespace: r.opt_text("ref_namespace")?,
                        name: r.text("ref_name")?,
                    },
                    referenced_columns: json::strings(r.opt_text("ref_columns")?)?,
                    on_delete: fk_action(&r.text("on_delete")?),
                    on_update: fk_action(&r.text("on_update")?),
                    deferrable: r.bool("deferrable")?,
                    initially_deferred: r.bool("deferred")?,
                });
                true
            }
            _ => false,
        };
        let object_name = QualifiedName {
            namespace: table.name.namespace.clone(),
            name: name.clone(),
        };
        if !kept {
            objects.push(EngineObject {
                kind: "constraint".into(),
                name: object_name.clone(),
                table: Some(table.name.clone()),
                definition: format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} {definition}",
                    quote::qualified(&table.name),
                    quote::ident(&name)
                ),
            });
        }
        if let Some(c) = r.opt_text("comment")? {
            let target = format!(
                "{} ON {}",
                quote::ident(&name),
                quote::qualified(&table.name)
            );
            comments.push(comment_object(
                &object_name,
                Some(&table.name),
                "CONSTRAINT",
                &target,
                &c,
            ));
        }
    }

    for r in query(include_str!("sql/indexes.sql"))? {
        let table_name = QualifiedName {
            namespace: Some(r.text("namespace")?),
            name: r.text("table_name")?,
        };
        let name = r.text("name")?;
        let object_name = QualifiedName {
            namespace: table_name.namespace.clone(),
            name: name.clone(),
        };
        let comment = r.opt_text("comment")?;
        let slot = at.get(&r.int("table_oid")?).copied();
        match slot {
            Some(i) if !r.bool("has_options")? => {
                tables[i].table.indexes.push(Index {
                    name,
                    unique: r.bool("is_unique")?,
                    method: index_method(&r.text("method")?),
                    keys: Vec::new(),
                    included_columns: Vec::new(),
                    predicate: r.opt_text("predicate")?.map(|p| canon::bare(&p)),
                    comment,
                });
                let index = tables[i].table.indexes.last_mut().expect("just pushed");
                let key_count = r.int("key_count")? as usize;
                for (k, key) in json::parse(r.opt_text("keys")?)?.iter().enumerate() {
                    let target = json::str_at(key, 1).unwrap_or_default();
                    if k >= key_count {
                        index.included_columns.push(target);
                        continue;
                    }
                    index.keys.push(index_key(key, target));
                }
            }
            _ => {
                // Materialized views' indexes, and indexes the model cannot describe.
                objects.push(EngineObject {
                    kind: "index".into(),
                    name: object_name.clone(),
                    table: Some(table_name.clone()),
                    definition: r.text("definition")?,
                });
                if let Some(c) = comment {
                    let target = quote::qualified(&object_name);
                    comments.push(comment_object(
                        &object_name,
                        Some(&table_name),
                        "INDEX",
                        &target,
                        &c,
                    ));
                }
            }
        }
    }

    for t in &mut tables {
        let table = &mut t.table;
        table.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        table.checks.sort_by(|a, b| a.name.cmp(&b.name));
        table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    }
    objects.extend(comments);
    Ok(Tables {
        tables: parents_first(tables),
        objects,
    })
}

/// Keeps the (namespace, name) order but moves a child table after its parent.
fn parents_first(tables: Vec<TableBuild>) -> Vec<TableBuild> {
    let deps: Vec<Vec<usize>> = tables
        .iter()
        .map(|t| {
            t.parent
                .as_ref()
                .and_then(|p| {
                    tables
                        .iter()
                        .position(|o| crate::model::same_name(&o.table.name, p))
                })
                .into_iter()
                .collect()
        })
        .collect();
    let order = super::order::topological(&deps);
    let mut slots: Vec<Option<TableBuild>> = tables.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn index_key(key: &serde_json::Value, target: String) -> IndexKey {
    let option = json::int_at(key, 2);
    let descending = option & 1 != 0;
    let nulls_first_bit = option & 2 != 0;
    // The default is NULLS LAST ascending and NULLS FIRST descending.
    let nulls_first = (nulls_first_bit != descending).then_some(nulls_first_bit);
    let opclass_is_default = key.get(5).and_then(|v| v.as_bool()).unwrap_or(true);
    IndexKey {
        target: if json::int_at(key, 0) != 0 {
            IndexTarget::Column(target)
        } else {
            IndexTarget::Expression(super::canon::bare(&target))
        },
        descending,
        nulls_first,
        opclass: if opclass_is_default {
            None
        } else {
            json::dotted(json::str_at(key, 3), json::str_at(key, 4))
        },
        collation: json::dotted(json::str_at(key, 6), json::str_at(key, 7)),
        prefix_length: None,
    }
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

fn index_method(name: &str) -> IndexMethod {
    match name {
        "btree" => IndexMethod::Btree,
        "hash" => IndexMethod::Hash,
        "gin" => IndexMethod::Gin,
        "gist" => IndexMethod::Gist,
        "brin" => IndexMethod::Brin,
        "spgist" => IndexMethod::Spgist,
        other => IndexMethod::Other(other.to_string()),
    }
}

/// Turns each `serial` column back into one (identity auto-increment, no default) when its
/// sequence is exactly what `serial` creates: owned by the column, named as the server names it,
/// of the column's type, with default options. Returns the sequences left standalone.
pub fn absorb_serials(tables: &mut [TableBuild], sequences: Vec<RawSequence>) -> Vec<Sequence> {
    let at: HashMap<i64, usize> = tables.iter().enumerate().map(|(i, t)| (t.oid, i)).collect();
    let mut standalone = Vec::new();
    for raw in sequences {
        let absorbed = raw.owner.and_then(|(table_oid, attnum)| {
            let t = &mut tables[*at.get(&table_oid)?];
            let c = t.attnums.iter().position(|&n| n == attnum)?;
            let column = &mut t.table.columns[c];
            let s = &raw.sequence;
            let type_matches = matches!(
                (&column.data_type, raw.data_type.as_str()),
                (ColumnType::Integer, "integer")
                    | (ColumnType::Bigint, "bigint")
                    | (ColumnType::Smallint, "smallint")
            );
            let expected_name =
                names::make_object_name(&t.table.name.name, Some(&column.name), "seq");
            let is_serial = type_matches
                && !column.nullable
                && column.identity.is_none()
                && column.default.as_deref() == Some(raw.serial_default.as_str())
                && s.name.namespace == t.table.name.namespace
                && s.name.name == expected_name
                && s.start == 1
                && s.increment == 1
                && s.min_value.is_none()
                && s.max_value.is_none()
                && s.cache == 1
                && !s.cycle;
            if is_serial {
                column.identity = Some(IdentityKind::AutoIncrement);
                column.default = None;
            }
            is_serial.then_some(())
        });
        if absorbed.is_none() {
            standalone.push(raw.sequence);
        }
    }
    standalone
}
