//! CREATE TABLE with its columns, keys, checks and foreign keys, then its indexes and
//! comments; and the clauses ALTER TABLE reuses.

use ai_shell_plugin_sdk::{
    CheckConstraint, Column, ColumnType, FkAction, ForeignKey, IdentityKind, Index, IndexKey,
    IndexMethod, IndexTarget, LockLevel, PluginError, PrimaryKey, QualifiedName, Table,
    UniqueConstraint,
};

use super::{Attributes, Output};
use crate::{quote, types};

pub fn create_table(t: &Table, out: &mut Output) -> Result<(), PluginError> {
    let q = quote::qualified(&t.name);
    let options = TableOptions::read(&t.options)?;
    let mut constraints = Vec::new();
    if let Some(pk) = &t.primary_key {
        constraints.push(primary_key(pk)?);
    }
    for u in &t.uniques {
        constraints.push(unique(u)?);
    }
    for c in &t.checks {
        constraints.push(check(c));
    }
    for fk in &t.foreign_keys {
        constraints.push(foreign_key(fk)?);
    }
    let unlogged = if options.unlogged { "UNLOGGED " } else { "" };
    let mut sql = format!("CREATE {unlogged}TABLE {q}");
    if let Some((parent, bound)) = &options.partition_of {
        // A partition takes its columns from the parent.
        sql.push_str(&format!(" PARTITION OF {parent}"));
        if !constraints.is_empty() {
            sql.push_str(&format!(" (\n    {}\n)", constraints.join(",\n    ")));
        }
        sql.push_str(&format!(" {bound}"));
    } else {
        let mut items = t
            .columns
            .iter()
            .map(column_definition)
            .collect::<Result<Vec<_>, _>>()?;
        items.extend(constraints);
        sql.push_str(&format!(" (\n    {}\n)", items.join(",\n    ")));
    }
    for tail in &options.tail {
        sql.push(' ');
        sql.push_str(tail);
    }
    out.push(sql);
    for index in &t.indexes {
        add_index(&t.name, index, false, out)?;
    }
    if let Some(c) = &t.comment {
        out.push(format!("COMMENT ON TABLE {q} IS {}", quote::literal(c)));
    }
    for c in &t.columns {
        if let Some(comment) = &c.comment {
            out.push(column_comment(&t.name, &c.name, Some(comment)));
        }
    }
    Ok(())
}

/// The table options the model carries in the engine's words, sorted into their places.
struct TableOptions<'a> {
    unlogged: bool,
    partition_of: Option<(&'a str, &'a str)>,
    /// INHERITS, PARTITION BY, WITH, TABLESPACE: after the column list, in the given order.
    tail: Vec<&'a str>,
}

impl<'a> TableOptions<'a> {
    fn read(options: &'a [String]) -> Result<Self, PluginError> {
        let mut o = TableOptions {
            unlogged: false,
            partition_of: None,
            tail: Vec::new(),
        };
        let mut parent = None;
        let mut bound = None;
        for option in options {
            let s = option.trim();
            let upper = s.to_ascii_uppercase();
            if upper == "UNLOGGED" {
                o.unlogged = true;
            } else if let Some(p) = strip_keyword(s, "PARTITION OF ") {
                parent = Some(p);
            } else if upper.starts_with("FOR VALUES") || upper == "DEFAULT" {
                bound = Some(s);
            } else if [
                "INHERITS",
                "PARTITION BY ",
                "WITH ",
                "WITH(",
                "TABLESPACE ",
                "USING ",
            ]
            .iter()
            .any(|k| upper.starts_with(k))
            {
                o.tail.push(s);
            } else {
                return Err(PluginError::InvalidInput(format!(
                    "unknown PostgreSQL table option {s:?} (expected UNLOGGED, PARTITION OF ..., \
                     FOR VALUES ..., INHERITS (...), PARTITION BY ..., WITH (...), TABLESPACE ...)"
                )));
            }
        }
        match (parent, bound) {
            (Some(p), Some(b)) => o.partition_of = Some((p, b)),
            (None, None) => {}
            _ => {
                return Err(PluginError::InvalidInput(
                    "a partition needs both `PARTITION OF <parent>` and its bound \
                     (`FOR VALUES ...` or `DEFAULT`)"
                        .into(),
                ));
            }
        }
        Ok(o)
    }
}

fn strip_keyword<'a>(s: &'a str, keyword: &str) -> Option<&'a str> {
    let head = s.get(..keyword.len())?;
    head.eq_ignore_ascii_case(keyword)
        .then(|| &s[keyword.len()..])
}

/// `"name" type [COLLATE] [identity] [GENERATED ...] [DEFAULT] [NOT NULL]`.
pub fn column_definition(c: &Column) -> Result<String, PluginError> {
    let data_type = match c.identity {
        Some(IdentityKind::AutoIncrement) => match c.data_type {
            ColumnType::Smallint => "smallserial".to_string(),
            ColumnType::Integer => "serial".to_string(),
            ColumnType::Bigint => "bigserial".to_string(),
            _ => {
                return Err(PluginError::InvalidInput(format!(
                    "column {}: auto-increment (serial) needs smallint, integer or bigint",
                    c.name
                )));
            }
        },
        _ => types::type_name(&c.data_type)?,
    };
    let mut s = format!("{} {data_type}", quote::ident(&c.name));
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", quote::dotted(coll)));
    }
    match c.identity {
        Some(IdentityKind::Always) => s.push_str(" GENERATED ALWAYS AS IDENTITY"),
        Some(IdentityKind::ByDefault) => s.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
        _ => {}
    }
    if let Some(g) = &c.generated {
        if !g.stored {
            return Err(PluginError::UnsupportedChange(format!(
                "column {}: PostgreSQL has only STORED generated columns, not virtual ones",
                c.name
            )));
        }
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.expression));
    }
    if let Some(d) = &c.default {
        if c.identity.is_some() || c.generated.is_some() {
            return Err(PluginError::InvalidInput(format!(
                "column {}: a default cannot be combined with identity or generation",
                c.name
            )));
        }
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    Ok(s)
}

pub fn column_list(columns: &[String]) -> Result<String, PluginError> {
    if columns.is_empty() {
        return Err(PluginError::InvalidInput(
            "a key needs at least one column".into(),
        ));
    }
    Ok(columns
        .iter()
        .map(|c| quote::ident(c))
        .collect::<Vec<_>>()
        .join(", "))
}

pub fn primary_key(pk: &PrimaryKey) -> Result<String, PluginError> {
    let name = pk
        .name
        .as_ref()
        .map(|n| format!("CONSTRAINT {} ", quote::ident(n)))
        .unwrap_or_default();
    Ok(format!("{name}PRIMARY KEY ({})", column_list(&pk.columns)?))
}

pub fn unique(u: &UniqueConstraint) -> Result<String, PluginError> {
    Ok(format!(
        "CONSTRAINT {} UNIQUE ({})",
        quote::ident(&u.name),
        column_list(&u.columns)?
    ))
}

pub fn check(c: &CheckConstraint) -> String {
    format!(
        "CONSTRAINT {} CHECK ({})",
        quote::ident(&c.name),
        c.expression
    )
}

pub fn foreign_key(fk: &ForeignKey) -> Result<String, PluginError> {
    let mut s = format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}",
        quote::ident(&fk.name),
        column_list(&fk.columns)?,
        quote::qualified(&fk.referenced_table)
    );
    if !fk.referenced_columns.is_empty() {
        s.push_str(&format!(" ({})", column_list(&fk.referenced_columns)?));
    }
    if fk.on_update != FkAction::NoAction {
        s.push_str(&format!(" ON UPDATE {}", action(fk.on_update)));
    }
    if fk.on_delete != FkAction::NoAction {
        s.push_str(&format!(" ON DELETE {}", action(fk.on_delete)));
    }
    if fk.deferrable {
        s.push_str(" DEFERRABLE");
        if fk.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    } else if fk.initially_deferred {
        return Err(PluginError::InvalidInput(format!(
            "foreign key {}: INITIALLY DEFERRED needs DEFERRABLE",
            fk.name
        )));
    }
    Ok(s)
}

fn action(a: FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "NO ACTION",
        FkAction::Restrict => "RESTRICT",
        FkAction::Cascade => "CASCADE",
        FkAction::SetNull => "SET NULL",
        FkAction::SetDefault => "SET DEFAULT",
    }
}

/// CREATE INDEX, then its comment. CONCURRENTLY runs outside a transaction and does not block
/// writes; a plain build takes a SHARE lock (blocks writes).
pub fn add_index(
    table: &QualifiedName,
    index: &Index,
    concurrently: bool,
    out: &mut Output,
) -> Result<(), PluginError> {
    out.push(index_sql(table, index, concurrently)?)
        .lock(if concurrently {
            LockLevel::None
        } else {
            LockLevel::Shared
        })
        .outside_transaction(concurrently);
    if let Some(c) = &index.comment {
        out.push(format!(
            "COMMENT ON INDEX {} IS {}",
            index_name(table, &index.name),
            quote::literal(c)
        ));
    }
    Ok(())
}

pub fn index_sql(
    table: &QualifiedName,
    index: &Index,
    concurrently: bool,
) -> Result<String, PluginError> {
    if index.keys.is_empty() {
        return Err(PluginError::InvalidInput(format!(
            "index {} has no keys",
            index.name
        )));
    }
    let method = match &index.method {
        IndexMethod::Btree => "btree".to_string(),
        IndexMethod::Hash => "hash".to_string(),
        IndexMethod::Gin => "gin".to_string(),
        IndexMethod::Gist => "gist".to_string(),
        IndexMethod::Brin => "brin".to_string(),
        IndexMethod::Spgist => "spgist".to_string(),
        IndexMethod::Other(m) => quote::ident(m),
        IndexMethod::Fulltext | IndexMethod::Spatial => {
            return Err(PluginError::UnsupportedChange(format!(
                "index {}: PostgreSQL has no {:?} index method (use gin over a tsvector, or gist)",
                index.name, index.method
            )));
        }
    };
    let keys = index
        .keys
        .iter()
        .map(index_key)
        .collect::<Result<Vec<_>, _>>()?;
    let mut s = format!(
        "CREATE {}INDEX {}{} ON {} USING {method} ({})",
        if index.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        quote::ident(&index.name),
        quote::qualified(table),
        keys.join(", ")
    );
    if !index.included_columns.is_empty() {
        s.push_str(&format!(
            " INCLUDE ({})",
            column_list(&index.included_columns)?
        ));
    }
    if let Some(p) = &index.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    Ok(s)
}

fn index_key(k: &IndexKey) -> Result<String, PluginError> {
    if k.prefix_length.is_some() {
        return Err(PluginError::UnsupportedChange(
            "PostgreSQL indexes have no prefix length (index an expression such as left(col, n))"
                .into(),
        ));
    }
    let mut s = match &k.target {
        IndexTarget::Column(c) => quote::ident(c),
        IndexTarget::Expression(e) => format!("({e})"),
    };
    if let Some(c) = &k.collation {
        s.push_str(&format!(" COLLATE {}", quote::dotted(c)));
    }
    if let Some(o) = &k.opclass {
        s.push(' ');
        s.push_str(&quote::dotted(o));
    }
    if k.descending {
        s.push_str(" DESC");
    }
    match k.nulls_first {
        Some(true) => s.push_str(" NULLS FIRST"),
        Some(false) => s.push_str(" NULLS LAST"),
        None => {}
    }
    Ok(s)
}

/// An index lives in its table's namespace.
pub fn index_name(table: &QualifiedName, name: &str) -> String {
    quote::qualified(&QualifiedName {
        namespace: table.namespace.clone(),
        name: name.to_string(),
    })
}

pub fn column_comment(table: &QualifiedName, column: &str, comment: Option<&str>) -> String {
    format!(
        "COMMENT ON COLUMN {}.{} IS {}",
        quote::qualified(table),
        quote::ident(column),
        quote::opt_literal(comment)
    )
}
