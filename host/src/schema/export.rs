//! A schema as the ordered list of changes that creates it, rendered by the dialect into a script.

use crate::model::{AddForeignKey, CapabilitySet, Change, DatabaseSchema, EngineObject, Statement};
use crate::plugins::{DialectPlugin, PluginCallError};

/// The changes that create `schema` in an empty database, in an order the engine accepts:
/// namespaces, extensions, enum types, stand-alone objects (collations, types, functions), sequences,
/// tables, foreign keys (separately when the engine can add them later, so cycles work), objects that
/// belong to a table (triggers), views, and objects that belong to a view.
pub fn creation_changes(schema: &DatabaseSchema, caps: &CapabilitySet) -> Vec<Change> {
    let mut changes = vec![];
    changes.extend(
        schema
            .namespaces
            .iter()
            .cloned()
            .map(Change::CreateNamespace),
    );
    changes.extend(
        schema
            .extensions
            .iter()
            .cloned()
            .map(Change::CreateExtension),
    );
    changes.extend(schema.enums.iter().cloned().map(Change::CreateEnumType));
    changes.extend(
        schema
            .objects
            .iter()
            .filter(|o| o.table.is_none())
            .cloned()
            .map(Change::CreateObject),
    );
    changes.extend(schema.sequences.iter().cloned().map(Change::CreateSequence));
    let mut foreign_keys = vec![];
    for table in &schema.tables {
        let mut table = table.clone();
        if caps.alter_table_in_place {
            for fk in std::mem::take(&mut table.foreign_keys) {
                foreign_keys.push(Change::AddForeignKey(AddForeignKey {
                    table: table.name.clone(),
                    foreign_key: fk,
                }));
            }
        }
        changes.push(Change::CreateTable(table));
    }
    changes.extend(foreign_keys);
    // Objects that belong to a table (triggers, functions taking its row type) come before the views, which
    // may call them; objects that belong to a view (indexes of materialised views) come after the views.
    let on_view = |o: &EngineObject| {
        o.table
            .as_ref()
            .is_some_and(|t| schema.views.iter().any(|v| &v.name == t))
    };
    changes.extend(
        schema
            .objects
            .iter()
            .filter(|o| o.table.is_some() && !on_view(o))
            .cloned()
            .map(Change::CreateObject),
    );
    changes.extend(schema.views.iter().cloned().map(Change::CreateView));
    changes.extend(
        schema
            .objects
            .iter()
            .filter(|o| on_view(o))
            .cloned()
            .map(Change::CreateObject),
    );
    changes
}

/// Joins statements into a script: one statement per `;`-terminated paragraph.
pub fn script(statements: &[Statement]) -> String {
    let mut out = String::new();
    for s in statements {
        out.push_str(s.sql.trim_end());
        out.push_str(";\n");
    }
    out
}

/// The SQL script that recreates `schema` with `dialect`.
pub async fn to_sql(
    dialect: &DialectPlugin,
    schema: &DatabaseSchema,
) -> Result<String, PluginCallError> {
    let caps = dialect.capabilities().await?;
    let changes = creation_changes(schema, &caps);
    let statements = dialect.render(&changes, &DatabaseSchema::empty()).await?;
    Ok(script(&statements))
}
