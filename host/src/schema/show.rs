//! Human-readable tables of a schema, for `schema show`.

use comfy_table::{Table as Grid, presets::UTF8_FULL_CONDENSED};

use crate::model::{
    ColumnType, DatabaseSchema, FkAction, IdentityKind, IndexMethod, IndexTarget, QualifiedName,
    Table,
};
use crate::plugins::DialectPlugin;

fn grid(header: &[&str]) -> Grid {
    let mut g = Grid::new();
    g.load_preset(UTF8_FULL_CONDENSED);
    g.set_header(header.iter().copied());
    if std::env::var_os("NO_COLOR").is_some()
        || !std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        g.force_no_tty();
    }
    g
}

/// Finds a table by `name` or `namespace.name`.
pub fn find_table<'a>(schema: &'a DatabaseSchema, name: &str) -> Option<&'a Table> {
    schema
        .tables
        .iter()
        .find(|t| t.name.display() == name)
        .or_else(|| schema.tables.iter().find(|t| t.name.name == name))
}

/// A summary of every table and view.
pub fn overview(schema: &DatabaseSchema) -> String {
    let mut out = String::new();
    let mut g = grid(&[
        "table",
        "columns",
        "primary key",
        "indexes",
        "foreign keys",
        "comment",
    ]);
    for t in &schema.tables {
        g.add_row(vec![
            t.name.display(),
            t.columns.len().to_string(),
            t.primary_key
                .as_ref()
                .map(|p| p.columns.join(", "))
                .unwrap_or_default(),
            (t.indexes.len() + t.uniques.len()).to_string(),
            t.foreign_keys.len().to_string(),
            t.comment.clone().unwrap_or_default(),
        ]);
    }
    out.push_str(&format!("{} tables\n{g}\n", schema.tables.len()));
    if !schema.views.is_empty() {
        let mut g = grid(&["view", "kind"]);
        for v in &schema.views {
            g.add_row(vec![
                v.name.display(),
                if v.materialized {
                    "materialized"
                } else {
                    "view"
                }
                .to_string(),
            ]);
        }
        out.push_str(&format!("\n{} views\n{g}\n", schema.views.len()));
    }
    for (label, items) in [
        (
            "enum types",
            schema
                .enums
                .iter()
                .map(|e| format!("{} ({})", e.name.display(), e.labels.join(", ")))
                .collect::<Vec<_>>(),
        ),
        (
            "sequences",
            schema.sequences.iter().map(|s| s.name.display()).collect(),
        ),
        (
            "extensions",
            schema.extensions.iter().map(|e| e.name.clone()).collect(),
        ),
        (
            "other objects",
            schema
                .objects
                .iter()
                .map(|o| format!("{} {}", o.kind, o.name.display()))
                .collect(),
        ),
    ] {
        if !items.is_empty() {
            out.push_str(&format!(
                "\n{} {label}: {}\n",
                items.len(),
                items.join("; ")
            ));
        }
    }
    out
}

/// Columns, constraints, indexes and foreign keys of one table.
pub async fn table_detail(table: &Table, dialect: &DialectPlugin) -> String {
    let mut out = format!("Table {}\n", table.name.display());
    if let Some(c) = &table.comment {
        out.push_str(&format!("Comment: {c}\n"));
    }
    let pk: Vec<&str> = table
        .primary_key
        .iter()
        .flat_map(|p| p.columns.iter().map(String::as_str))
        .collect();
    let mut g = grid(&["column", "type", "null", "default", "extra"]);
    for c in &table.columns {
        let spelled = match dialect.type_name(&c.data_type).await {
            Ok(s) => s,
            Err(_) => fallback_type(&c.data_type),
        };
        let mut extra = vec![];
        if pk.contains(&c.name.as_str()) {
            extra.push("primary key".to_string());
        }
        match c.identity {
            Some(IdentityKind::Always) => extra.push("identity always".into()),
            Some(IdentityKind::ByDefault) => extra.push("identity by default".into()),
            Some(IdentityKind::AutoIncrement) => extra.push("auto increment".into()),
            None => {}
        }
        if let Some(g) = &c.generated {
            extra.push(format!(
                "generated {} ({})",
                if g.stored { "stored" } else { "virtual" },
                g.expression
            ));
        }
        if let Some(col) = &c.collation {
            extra.push(format!("collate {col}"));
        }
        if let Some(com) = &c.comment {
            extra.push(format!("-- {com}"));
        }
        g.add_row(vec![
            c.name.clone(),
            spelled,
            // A primary-key column never holds NULL, whatever the engine's catalog says (SQLite's rowid alias).
            if c.nullable && !pk.contains(&c.name.as_str()) {
                "yes"
            } else {
                "no"
            }
            .to_string(),
            c.default.clone().unwrap_or_default(),
            extra.join(", "),
        ]);
    }
    out.push_str(&format!("{g}\n"));

    if !table.uniques.is_empty() || !table.checks.is_empty() || table.primary_key.is_some() {
        let mut g = grid(&["constraint", "kind", "definition"]);
        if let Some(p) = &table.primary_key {
            g.add_row(vec![
                p.name.clone().unwrap_or_default(),
                "primary key".into(),
                p.columns.join(", "),
            ]);
        }
        for u in &table.uniques {
            g.add_row(vec![u.name.clone(), "unique".into(), u.columns.join(", ")]);
        }
        for c in &table.checks {
            g.add_row(vec![c.name.clone(), "check".into(), c.expression.clone()]);
        }
        out.push_str(&format!("\nConstraints\n{g}\n"));
    }
    if !table.indexes.is_empty() {
        let mut g = grid(&["index", "unique", "method", "keys", "where"]);
        for i in &table.indexes {
            let keys: Vec<String> = i
                .keys
                .iter()
                .map(|k| {
                    let target = match &k.target {
                        IndexTarget::Column(c) => c.clone(),
                        IndexTarget::Expression(e) => format!("({e})"),
                    };
                    if k.descending {
                        format!("{target} desc")
                    } else {
                        target
                    }
                })
                .collect();
            g.add_row(vec![
                i.name.clone(),
                if i.unique { "yes" } else { "no" }.to_string(),
                method(&i.method),
                keys.join(", "),
                i.predicate.clone().unwrap_or_default(),
            ]);
        }
        out.push_str(&format!("\nIndexes\n{g}\n"));
    }
    if !table.foreign_keys.is_empty() {
        let mut g = grid(&[
            "foreign key",
            "columns",
            "references",
            "on delete",
            "on update",
        ]);
        for f in &table.foreign_keys {
            g.add_row(vec![
                f.name.clone(),
                f.columns.join(", "),
                format!(
                    "{}({})",
                    name(&f.referenced_table),
                    f.referenced_columns.join(", ")
                ),
                action(f.on_delete),
                action(f.on_update),
            ]);
        }
        out.push_str(&format!("\nForeign keys\n{g}\n"));
    }
    out
}

fn name(n: &QualifiedName) -> String {
    n.display()
}

fn method(m: &IndexMethod) -> String {
    match m {
        IndexMethod::Btree => "btree".into(),
        IndexMethod::Hash => "hash".into(),
        IndexMethod::Gin => "gin".into(),
        IndexMethod::Gist => "gist".into(),
        IndexMethod::Brin => "brin".into(),
        IndexMethod::Spgist => "spgist".into(),
        IndexMethod::Fulltext => "fulltext".into(),
        IndexMethod::Spatial => "spatial".into(),
        IndexMethod::Other(s) => s.clone(),
    }
}

fn action(a: FkAction) -> String {
    match a {
        FkAction::NoAction => "no action",
        FkAction::Restrict => "restrict",
        FkAction::Cascade => "cascade",
        FkAction::SetNull => "set null",
        FkAction::SetDefault => "set default",
    }
    .to_string()
}

fn fallback_type(t: &ColumnType) -> String {
    match t {
        ColumnType::Other(s) => s.clone(),
        other => format!("{other:?}").to_lowercase(),
    }
}
