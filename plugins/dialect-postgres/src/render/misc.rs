//! Namespaces, extensions, enum types, sequences, views, comments, engine objects and raw SQL.

use ai_shell_plugin_sdk::{
    Change, EngineObject, EnumType, IdentityKind, LockLevel, PluginError, QualifiedName, Sequence,
};

use super::table::column_comment;
use super::{Attributes, Context, Output};
use crate::quote;

pub fn render(change: &Change, cx: &Context, out: &mut Output) -> Result<(), PluginError> {
    match change {
        Change::CreateNamespace(n) => {
            out.push(format!("CREATE SCHEMA {}", quote::ident(n)));
        }
        Change::DropNamespace(n) => {
            // Without CASCADE: refuses to drop a schema that still holds objects.
            out.push(format!("DROP SCHEMA {}", quote::ident(n)));
        }
        Change::CreateExtension(e) => {
            let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", quote::ident(&e.name));
            if let Some(ns) = &e.namespace {
                sql.push_str(&format!(" WITH SCHEMA {}", quote::ident(ns)));
            }
            out.push(sql);
        }
        Change::DropExtension(e) => {
            out.push(format!("DROP EXTENSION {}", quote::ident(&e.name)))
                .lock(LockLevel::Exclusive);
        }
        Change::CreateEnumType(e) => {
            let labels: Vec<String> = e.labels.iter().map(|l| quote::literal(l)).collect();
            out.push(format!(
                "CREATE TYPE {} AS ENUM ({})",
                quote::qualified(&e.name),
                labels.join(", ")
            ));
        }
        Change::CopyRows(c) => {
            let insert = ai_shell_plugin_sdk::data::copy_rows(c, quote::qualified, quote::ident);
            // Values copied into an identity column: allowed past GENERATED ALWAYS, and the sequence moved
            // past them so that the next insert does not collide.
            let identities: Vec<(&str, IdentityKind)> = c
                .columns
                .iter()
                .filter_map(|p| Some((p.target.as_str(), cx.identity(&c.target, &p.target)?)))
                .collect();
            let insert = if identities.iter().any(|(_, k)| *k == IdentityKind::Always) {
                insert.replacen(") SELECT ", ") OVERRIDING SYSTEM VALUE SELECT ", 1)
            } else {
                insert
            };
            out.push(insert);
            for (column, _) in identities {
                out.push(format!(
                    "SELECT setval(pg_get_serial_sequence({}, {}), COALESCE(MAX({c}), 1), MAX({c}) IS NOT NULL) FROM {}",
                    quote::literal(&quote::qualified(&c.target)),
                    quote::literal(column),
                    quote::qualified(&c.target),
                    c = quote::ident(column),
                ));
            }
        }
        Change::FillColumn(f) => {
            out.push(ai_shell_plugin_sdk::data::fill_column(
                f,
                quote::qualified,
                quote::ident,
            ));
        }
        Change::FillNulls(f) => {
            for sql in ai_shell_plugin_sdk::data::fill_nulls(f, quote::qualified, quote::ident) {
                out.push(sql);
            }
        }
        Change::RestoreNulls(f) => {
            for sql in ai_shell_plugin_sdk::data::restore_nulls(f, quote::qualified, quote::ident) {
                out.push(sql);
            }
        }
        Change::DropEnumType(name) => {
            out.push(format!("DROP TYPE {}", quote::qualified(name)));
        }
        Change::AlterEnumType(e) => alter_enum(e, cx, out),
        Change::CreateSequence(s) => {
            out.push(create_sequence(s)?);
        }
        Change::DropSequence(name) => {
            // Its current value is lost.
            out.push(format!("DROP SEQUENCE {}", quote::qualified(name)))
                .reversible(false);
        }
        Change::CreateView(v) => {
            let q = quote::qualified(&v.name);
            let what = if v.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            let definition = v.definition.trim().trim_end_matches(';').trim_end();
            if definition.is_empty() {
                return Err(PluginError::InvalidInput(format!(
                    "view {} has no definition",
                    v.name.name
                )));
            }
            let with = match v.options.is_empty() {
                true => String::new(),
                false => format!(" WITH ({})", v.options.join(", ")),
            };
            out.push(format!("CREATE {what} {q}{with} AS\n{definition}"));
            if let Some(c) = &v.comment {
                out.push(format!("COMMENT ON {what} {q} IS {}", quote::literal(c)));
            }
        }
        Change::DropView(d) => {
            let what = if d.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            out.push(format!("DROP {what} {}", quote::qualified(&d.name)))
                .lock(LockLevel::Exclusive);
        }
        Change::SetComment(c) => {
            let sql = match &c.column {
                Some(column) => column_comment(&c.table, column, c.comment.as_deref()),
                None => {
                    let what = match cx.view_kind(&c.table) {
                        Some(true) => "MATERIALIZED VIEW",
                        Some(false) => "VIEW",
                        None => "TABLE",
                    };
                    format!(
                        "COMMENT ON {what} {} IS {}",
                        quote::qualified(&c.table),
                        quote::opt_literal(c.comment.as_deref())
                    )
                }
            };
            out.push(sql);
        }
        Change::CreateObject(o) => {
            let definition = o.definition.trim().trim_end_matches(';').trim_end();
            if definition.is_empty() {
                return Err(PluginError::InvalidInput(format!(
                    "{} {} has no definition",
                    o.kind, o.name.name
                )));
            }
            let kind = o.kind.to_ascii_lowercase();
            if (kind == "function" || kind == "procedure") && !out.bodies_unchecked {
                // As pg_dump does: a function's body may use tables and other functions created
                // later; it is checked when called.
                out.push("SET check_function_bodies = off".to_string());
                out.bodies_unchecked = true;
            }
            let lock = if o.table.is_some() {
                LockLevel::Shared
            } else {
                LockLevel::None
            };
            out.push(definition.to_string()).lock(lock);
        }
        Change::DropObject(o) => {
            let lock = if o.table.is_some() {
                LockLevel::Exclusive
            } else {
                LockLevel::None
            };
            out.push(drop_object(o)?).lock(lock);
        }
        Change::RawSql(r) => {
            let up = r.up.trim().trim_end_matches(';').trim_end();
            if up.is_empty() {
                return Err(PluginError::InvalidInput(
                    "raw-sql has an empty `up`".into(),
                ));
            }
            let outside = needs_autocommit(up);
            out.push(up.to_string())
                .lock(LockLevel::Exclusive)
                .reversible(r.down.as_deref().is_some_and(|d| !d.trim().is_empty()))
                .outside_transaction(outside);
        }
        _ => unreachable!("dispatched by render_one"),
    }
    Ok(())
}

/// Statements PostgreSQL refuses inside a transaction block.
/// Labels only added, the old ones in the same order: `ADD VALUE` each in its place, no row touched.
/// Otherwise the type is made again: the old one renamed aside, the new one created, each column using it
/// converted through its text (a row holding a label that goes fails the change), the old one dropped.
fn alter_enum(e: &EnumType, cx: &Context, out: &mut Output) {
    let old = cx.enum_labels(&e.name).unwrap_or_default();
    let kept: Vec<&String> = e.labels.iter().filter(|l| old.contains(l)).collect();
    let q = quote::qualified(&e.name);
    if kept.len() == old.len() && kept.iter().zip(&old).all(|(a, b)| *a == b) {
        for (i, label) in e.labels.iter().enumerate() {
            if old.contains(label) {
                continue;
            }
            let place = match e.labels[i + 1..].iter().find(|l| old.contains(l)) {
                Some(next) => format!(" BEFORE {}", quote::literal(next)),
                None => String::new(),
            };
            out.push(format!(
                "ALTER TYPE {q} ADD VALUE {}{place}",
                quote::literal(label)
            ));
        }
        return;
    }
    let aside = format!("{}__old", e.name.name);
    let aside_q = quote::qualified(&QualifiedName {
        namespace: e.name.namespace.clone(),
        name: aside.clone(),
    });
    out.push(format!("ALTER TYPE {q} RENAME TO {}", quote::ident(&aside)))
        .lock(LockLevel::Exclusive);
    let labels: Vec<String> = e.labels.iter().map(|l| quote::literal(l)).collect();
    out.push(format!("CREATE TYPE {q} AS ENUM ({})", labels.join(", ")));
    for (table, column, default) in cx.enum_columns(&e.name) {
        let (t, c) = (quote::qualified(&table), quote::ident(&column));
        if default.is_some() {
            out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"))
                .lock(LockLevel::Exclusive);
        }
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} TYPE {q} USING {c}::text::{q}"
        ))
        .lock(LockLevel::Exclusive)
        .rewrites(true);
        if let Some(d) = default {
            out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}"))
                .lock(LockLevel::Exclusive);
        }
    }
    out.push(format!("DROP TYPE {aside_q}"));
}

fn needs_autocommit(sql: &str) -> bool {
    let upper = sql.to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().collect();
    words.contains(&"CONCURRENTLY")
        || matches!(words.first(), Some(&"VACUUM"))
        || matches!(
            words.get(..2),
            Some(["CREATE" | "DROP", "DATABASE" | "TABLESPACE"])
        )
        || matches!(words.get(..2), Some(["ALTER", "SYSTEM"]))
}

pub fn create_sequence(s: &Sequence) -> Result<String, PluginError> {
    let mut sql = format!("CREATE SEQUENCE {}", quote::qualified(&s.name));
    if let Some(t) = &s.data_type {
        let t = match t.trim().to_ascii_lowercase().as_str() {
            "smallint" | "int2" => "smallint",
            "integer" | "int" | "int4" => "integer",
            "bigint" | "int8" => "bigint",
            other => {
                return Err(PluginError::InvalidInput(format!(
                    "sequence {}: type {other:?} is not smallint, integer or bigint",
                    s.name.name
                )));
            }
        };
        sql.push_str(&format!(" AS {t}"));
    }
    if s.increment == 0 {
        return Err(PluginError::InvalidInput(format!(
            "sequence {}: increment is 0",
            s.name.name
        )));
    }
    sql.push_str(&format!(" INCREMENT BY {}", s.increment));
    match s.min_value {
        Some(m) => sql.push_str(&format!(" MINVALUE {m}")),
        None => sql.push_str(" NO MINVALUE"),
    }
    match s.max_value {
        Some(m) => sql.push_str(&format!(" MAXVALUE {m}")),
        None => sql.push_str(" NO MAXVALUE"),
    }
    sql.push_str(&format!(" START WITH {} CACHE {}", s.start, s.cache.max(1)));
    sql.push_str(if s.cycle { " CYCLE" } else { " NO CYCLE" });
    Ok(sql)
}

/// The statement that drops an engine object, from what introspection recorded of it.
fn drop_object(o: &EngineObject) -> Result<String, PluginError> {
    let name = quote::qualified(&o.name);
    let table = || {
        o.table.as_ref().map(quote::qualified).ok_or_else(|| {
            PluginError::InvalidInput(format!("{} {} names no table", o.kind, o.name.name))
        })
    };
    let definition = o.definition.trim().trim_end_matches(';').trim_end();
    Ok(match o.kind.as_str() {
        // Named with their argument types: `f(integer, text)`.
        "function" | "procedure" | "aggregate" => {
            let (base, args) = o
                .name
                .name
                .split_at(o.name.name.find('(').unwrap_or(o.name.name.len()));
            let base = QualifiedName {
                namespace: o.name.namespace.clone(),
                name: base.to_string(),
            };
            format!(
                "DROP {} {}{args}",
                o.kind.to_ascii_uppercase(),
                quote::qualified(&base)
            )
        }
        "trigger" => format!(
            "DROP TRIGGER {} ON {}",
            quote::ident(&o.name.name),
            table()?
        ),
        "constraint" => format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            table()?,
            quote::ident(&o.name.name)
        ),
        "collation"
        | "domain"
        | "type"
        | "index"
        | "text search dictionary"
        | "text search configuration" => format!("DROP {} {name}", o.kind.to_ascii_uppercase()),
        "text search mapping" => match definition.rfind(" WITH ") {
            Some(at) if definition.contains(" ADD MAPPING FOR ") => {
                definition[..at].replacen(" ADD MAPPING FOR ", " DROP MAPPING FOR ", 1)
            }
            _ => {
                return Err(PluginError::InvalidInput(format!(
                    "text search mapping {}: unexpected definition",
                    o.name.name
                )));
            }
        },
        "comment" => match definition.find(" IS ") {
            Some(at) => format!("{} IS NULL", &definition[..at]),
            None => {
                return Err(PluginError::InvalidInput(format!(
                    "comment {}: unexpected definition",
                    o.name.name
                )));
            }
        },
        other => {
            return Err(PluginError::UnsupportedChange(format!(
                "ai-shell cannot drop a PostgreSQL {other} (`{}`)",
                o.name.name
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autocommit_statements() {
        assert!(needs_autocommit("create index concurrently i on t (a)"));
        assert!(needs_autocommit("VACUUM t"));
        assert!(needs_autocommit("create database x"));
        assert!(!needs_autocommit("CREATE TABLE concurrently_named (a int)"));
        assert!(!needs_autocommit("ALTER TABLE t ADD COLUMN a int"));
    }
}
