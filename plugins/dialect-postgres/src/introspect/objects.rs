//! Objects the model keeps as the engine's own definition: collations, text search
//! dictionaries and configurations, domains, composite types, functions, procedures,
//! aggregates and triggers, each with its comment, in an order in which they can be created.

use ai_shell_plugin_sdk::{EngineObject, PluginError, QualifiedName};
use serde_json::Value;

use super::basics::comment_object;
use super::{json, order, query, warn};
use crate::quote;

/// What introspection reads outside tables and views, split by when it can be created.
pub struct Objects {
    /// Needs nothing but namespaces, extensions and enums: created before sequences and tables.
    pub before_tables: Vec<EngineObject>,
    /// Functions whose signature uses a table's or view's row type: bound to that relation.
    pub after_tables: Vec<EngineObject>,
}

pub fn read() -> Result<Objects, PluginError> {
    let mut before = Vec::new();
    before.extend(collations()?);
    before.extend(ts_dictionaries()?);
    before.extend(ts_configs()?);
    before.extend(domains()?);
    before.extend(composites()?);
    let (free, bound) = functions()?;
    before.extend(free);
    before.extend(aggregates()?);
    Ok(Objects {
        before_tables: before,
        after_tables: bound,
    })
}

fn name_of(r: &ai_shell_plugin_sdk::rows::Row) -> Result<QualifiedName, PluginError> {
    Ok(QualifiedName {
        namespace: Some(r.text("namespace")?),
        name: r.text("name")?,
    })
}

fn object(
    kind: &str,
    name: &QualifiedName,
    table: Option<&QualifiedName>,
    definition: String,
) -> EngineObject {
    EngineObject {
        kind: kind.into(),
        name: name.clone(),
        table: table.cloned(),
        definition,
    }
}

fn collations() -> Result<Vec<EngineObject>, PluginError> {
    let mut out = Vec::new();
    for r in query(include_str!("sql/collations.sql"))? {
        let name = name_of(&r)?;
        let row: Value = serde_json::from_str(&r.text("row")?)
            .map_err(|e| PluginError::Internal(format!("collation row: {e}")))?;
        let field = |k: &str| row.get(k).and_then(Value::as_str).map(str::to_string);
        let mut parts = Vec::new();
        match field("collprovider").as_deref() {
            Some("i") => {
                parts.push("provider = icu".to_string());
                let locale = field("colllocale")
                    .or_else(|| field("colliculocale"))
                    .unwrap_or_default();
                parts.push(format!("locale = {}", quote::literal(&locale)));
                if let Some(rules) = field("collicurules") {
                    parts.push(format!("rules = {}", quote::literal(&rules)));
                }
            }
            Some("c") => {
                parts.push("provider = libc".to_string());
                parts.push(format!(
                    "lc_collate = {}",
                    quote::literal(&field("collcollate").unwrap_or_default())
                ));
                parts.push(format!(
                    "lc_ctype = {}",
                    quote::literal(&field("collctype").unwrap_or_default())
                ));
            }
            Some("b") => {
                parts.push("provider = builtin".to_string());
                parts.push(format!(
                    "locale = {}",
                    quote::literal(&field("colllocale").unwrap_or_default())
                ));
            }
            other => {
                warn(&format!(
                    "collation {}: provider {other:?} is not supported, left out",
                    name.name
                ));
                continue;
            }
        }
        if row.get("collisdeterministic").and_then(Value::as_bool) == Some(false) {
            parts.push("deterministic = false".to_string());
        }
        let definition = format!(
            "CREATE COLLATION {} ({})",
            quote::qualified(&name),
            parts.join(", ")
        );
        out.push(object("collation", &name, None, definition));
    }
    Ok(out)
}

fn ts_dictionaries() -> Result<Vec<EngineObject>, PluginError> {
    let mut out = Vec::new();
    for r in query(include_str!("sql/ts_dictionaries.sql"))? {
        let name = name_of(&r)?;
        let mut parts = vec![format!(
            "TEMPLATE = {}",
            quote::qualified_parts(&r.text("template_namespace")?, &r.text("template")?)
        )];
        if let Some(options) = r.opt_text("options")? {
            parts.push(options);
        }
        let definition = format!(
            "CREATE TEXT SEARCH DICTIONARY {} ({})",
            quote::qualified(&name),
            parts.join(", ")
        );
        out.push(object("text search dictionary", &name, None, definition));
    }
    Ok(out)
}

/// A configuration, then one `ADD MAPPING` per distinct list of dictionaries (named
/// `config/first-token`), token types in the parser's order.
fn ts_configs() -> Result<Vec<EngineObject>, PluginError> {
    let mut out = Vec::new();
    for r in query(include_str!("sql/ts_configs.sql"))? {
        let name = name_of(&r)?;
        let q = quote::qualified(&name);
        let parser = quote::qualified_parts(&r.text("parser_namespace")?, &r.text("parser")?);
        out.push(object(
            "text search configuration",
            &name,
            None,
            format!("CREATE TEXT SEARCH CONFIGURATION {q} (PARSER = {parser})"),
        ));
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for m in json::parse(r.opt_text("mappings")?)? {
            let token = json::str_at(&m, 0).unwrap_or_default();
            let dicts: Vec<String> = m
                .get(1)
                .and_then(Value::as_array)
                .map(|ds| {
                    ds.iter()
                        .map(|d| {
                            quote::qualified_parts(
                                &json::str_at(d, 0).unwrap_or_default(),
                                &json::str_at(d, 1).unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let dicts = dicts.join(", ");
            match groups.iter_mut().find(|(d, _)| *d == dicts) {
                Some((_, tokens)) => tokens.push(token),
                None => groups.push((dicts, vec![token])),
            }
        }
        for (dicts, tokens) in groups {
            let mapping = QualifiedName {
                namespace: name.namespace.clone(),
                name: format!("{}/{}", name.name, tokens[0]),
            };
            let tokens: Vec<String> = tokens.iter().map(|t| quote::ident(t)).collect();
            out.push(object(
                "text search mapping",
                &mapping,
                None,
                format!(
                    "ALTER TEXT SEARCH CONFIGURATION {q} ADD MAPPING FOR {} WITH {dicts}",
                    tokens.join(", ")
                ),
            ));
        }
    }
    Ok(out)
}

fn domains() -> Result<Vec<EngineObject>, PluginError> {
    let mut out = Vec::new();
    for r in query(include_str!("sql/domains.sql"))? {
        let name = name_of(&r)?;
        let q = quote::qualified(&name);
        let mut def = format!("CREATE DOMAIN {q} AS {}", r.text("base_type")?);
        if let Some(c) = r.opt_text("collation")? {
            def.push_str(&format!(" COLLATE {}", quote::dotted(&c)));
        }
        if let Some(d) = r.opt_text("default_expr")? {
            def.push_str(&format!(" DEFAULT {d}"));
        }
        if r.bool("not_null")? {
            def.push_str(" NOT NULL");
        }
        for check in json::parse(r.opt_text("checks")?)? {
            let cname = json::str_at(&check, 0).unwrap_or_default();
            let cdef = json::str_at(&check, 1).unwrap_or_default();
            def.push_str(&format!(" CONSTRAINT {} {cdef}", quote::ident(&cname)));
        }
        out.push(object("domain", &name, None, def));
        if let Some(c) = r.opt_text("comment")? {
            out.push(comment_object(&name, None, "DOMAIN", &q, &c));
        }
    }
    Ok(out)
}

fn composites() -> Result<Vec<EngineObject>, PluginError> {
    let mut out = Vec::new();
    for r in query(include_str!("sql/composites.sql"))? {
        let name = name_of(&r)?;
        let q = quote::qualified(&name);
        let attributes: Vec<String> = json::parse(r.opt_text("attributes")?)?
            .iter()
            .map(|a| {
                let mut s = format!(
                    "{} {}",
                    quote::ident(&json::str_at(a, 0).unwrap_or_default()),
                    json::str_at(a, 1).unwrap_or_default()
                );
                if let Some(c) = json::str_at(a, 2) {
                    s.push_str(&format!(" COLLATE {}", quote::dotted(&c)));
                }
                s
            })
            .collect();
        out.push(object(
            "type",
            &name,
            None,
            format!("CREATE TYPE {q} AS ({})", attributes.join(", ")),
        ));
        if let Some(c) = r.opt_text("comment")? {
            out.push(comment_object(&name, None, "TYPE", &q, &c));
        }
    }
    Ok(out)
}

/// Functions and procedures, callees first. Those whose signature uses a relation's row type
/// are bound to that relation (a view when there is one, else the last table by name).
fn functions() -> Result<(Vec<EngineObject>, Vec<EngineObject>), PluginError> {
    struct F {
        oid: String,
        calls: Vec<String>,
        table: Option<QualifiedName>,
        objects: Vec<EngineObject>,
    }
    let mut list = Vec::new();
    for r in query(include_str!("sql/functions.sql"))? {
        let kind = r.text("kind")?;
        if kind == "a" {
            continue; // aggregates are rebuilt from pg_aggregate
        }
        let args = r.text("identity_args")?;
        let name = QualifiedName {
            namespace: Some(r.text("namespace")?),
            name: format!("{}({args})", r.text("name")?),
        };
        let mut relations: Vec<(bool, QualifiedName)> = json::parse(r.opt_text("relations")?)?
            .iter()
            .map(|v| {
                let is_view = matches!(json::str_at(v, 2).as_deref(), Some("v" | "m"));
                (
                    is_view,
                    QualifiedName {
                        namespace: json::str_at(v, 0),
                        name: json::str_at(v, 1).unwrap_or_default(),
                    },
                )
            })
            .collect();
        relations.sort_by(|a, b| {
            (a.0, &a.1.namespace, &a.1.name).cmp(&(b.0, &b.1.namespace, &b.1.name))
        });
        let table = relations.pop().map(|(_, q)| q);
        let what = if kind == "p" { "PROCEDURE" } else { "FUNCTION" };
        let target = format!(
            "{}.{}({args})",
            quote::ident(name.namespace.as_deref().unwrap_or_default()),
            quote::ident(&r.text("name")?)
        );
        let definition = r.text("definition")?.trim_end().to_string();
        let mut objects = vec![object(
            &what.to_lowercase(),
            &name,
            table.as_ref(),
            definition,
        )];
        if let Some(c) = r.opt_text("comment")? {
            objects.push(comment_object(&name, table.as_ref(), what, &target, &c));
        }
        list.push(F {
            oid: r.text("oid")?,
            calls: r
                .opt_text("calls")?
                .map(|c| c.split(',').map(str::to_string).collect())
                .unwrap_or_default(),
            table,
            objects,
        });
    }
    let deps: Vec<Vec<usize>> = list
        .iter()
        .map(|f| {
            f.calls
                .iter()
                .filter_map(|c| list.iter().position(|g| &g.oid == c))
                .collect()
        })
        .collect();
    let (mut free, mut bound) = (Vec::new(), Vec::new());
    let mut slots: Vec<Option<F>> = list.into_iter().map(Some).collect();
    for i in order::topological(&deps) {
        let f = slots[i].take().expect("each index once");
        if f.table.is_some() {
            bound.extend(f.objects);
        } else {
            free.extend(f.objects);
        }
    }
    Ok((free, bound))
}

/// Aggregates built from `pg_aggregate`; kinds this plugin does not rebuild are left out with a
/// warning.
fn aggregates() -> Result<Vec<EngineObject>, PluginError> {
    let mut out = Vec::new();
    for r in query(include_str!("sql/aggregates.sql"))? {
        let base = r.text("name")?;
        let ns = r.text("namespace")?;
        let identity = r.text("identity_args")?;
        let name = QualifiedName {
            namespace: Some(ns.clone()),
            name: format!("{base}({identity})"),
        };
        if !r.bool("simple")? {
            warn(&format!(
                "aggregate {ns}.{base}({identity}) uses options this plugin does not rebuild; left out"
            ));
            continue;
        }
        let q = quote::qualified_parts(&ns, &base);
        let mut parts = vec![
            format!(
                "SFUNC = {}",
                quote::qualified_parts(&r.text("sfunc_namespace")?, &r.text("sfunc")?)
            ),
            format!("STYPE = {}", r.text("stype")?),
        ];
        if let Some(n) = r.opt_int("sspace")? {
            parts.push(format!("SSPACE = {n}"));
        }
        if let Some(f) = r.opt_text("finalfunc")? {
            parts.push(format!(
                "FINALFUNC = {}",
                quote::qualified_parts(&r.text("finalfunc_namespace")?, &f)
            ));
        }
        if let Some(f) = r.opt_text("combinefunc")? {
            parts.push(format!(
                "COMBINEFUNC = {}",
                quote::qualified_parts(&r.text("combinefunc_namespace")?, &f)
            ));
        }
        if let Some(init) = r.opt_text("initcond")? {
            parts.push(format!("INITCOND = {}", quote::literal(&init)));
        }
        if let Some(op) = r.opt_text("sortop")? {
            let op = op.split('(').next().unwrap_or_default();
            parts.push(format!("SORTOP = {op}"));
        }
        match r.text("parallel")?.as_str() {
            "s" => parts.push("PARALLEL = SAFE".into()),
            "r" => parts.push("PARALLEL = RESTRICTED".into()),
            _ => {}
        }
        let definition = format!(
            "CREATE AGGREGATE {q}({}) ({})",
            r.text("args")?,
            parts.join(", ")
        );
        out.push(object("aggregate", &name, None, definition));
        if let Some(c) = r.opt_text("comment")? {
            out.push(comment_object(
                &name,
                None,
                "AGGREGATE",
                &format!("{q}({identity})"),
                &c,
            ));
        }
    }
    Ok(out)
}

/// Triggers, bound to their table or view.
pub fn triggers() -> Result<Vec<EngineObject>, PluginError> {
    let mut out = Vec::new();
    for r in query(include_str!("sql/triggers.sql"))? {
        let table = QualifiedName {
            namespace: Some(r.text("namespace")?),
            name: r.text("table_name")?,
        };
        let tname = r.text("name")?;
        let name = QualifiedName {
            namespace: table.namespace.clone(),
            name: tname.clone(),
        };
        out.push(object(
            "trigger",
            &name,
            Some(&table),
            r.text("definition")?,
        ));
        if r.text("enabled")? != "O" {
            warn(&format!(
                "trigger {tname}: its enabled state is not part of the model"
            ));
        }
        if let Some(c) = r.opt_text("comment")? {
            let target = format!("{} ON {}", quote::ident(&tname), quote::qualified(&table));
            out.push(comment_object(&name, Some(&table), "TRIGGER", &target, &c));
        }
    }
    Ok(out)
}
