//! Views and materialized views, in an order in which they can be created.

use ai_shell_plugin_sdk::{PluginError, QualifiedName, View};

use super::{canon, json, order, query};

pub fn views() -> Result<Vec<View>, PluginError> {
    let mut oids = Vec::new();
    let mut depends = Vec::new();
    let mut list = Vec::new();
    for r in query(include_str!("sql/views.sql"))? {
        let name = QualifiedName {
            namespace: Some(r.text("namespace")?),
            name: r.text("name")?,
        };
        let mut options = json::strings(r.opt_text("options")?)?;
        // `check_option` is SQL's `WITH ... CHECK OPTION`, which the definition can carry.
        let check_option = options
            .iter()
            .position(|o| o.starts_with("check_option="))
            .map(|i| options.remove(i)["check_option=".len()..].to_ascii_uppercase());
        let definition = r.text("definition")?;
        let mut definition = canon::view(definition.trim().trim_end_matches(';').trim_end());
        if let Some(level) = check_option {
            definition.push_str(&format!("\n  WITH {level} CHECK OPTION"));
        }
        oids.push(r.text("oid")?);
        depends.push(r.opt_text("depends_on")?.unwrap_or_default());
        list.push(View {
            name,
            definition,
            materialized: r.text("kind")? == "m",
            comment: r.opt_text("comment")?,
            options,
        });
    }
    let deps: Vec<Vec<usize>> = depends
        .iter()
        .map(|d| {
            d.split(',')
                .filter_map(|oid| oids.iter().position(|o| o == oid))
                .collect()
        })
        .collect();
    let mut slots: Vec<Option<View>> = list.into_iter().map(Some).collect();
    Ok(order::topological(&deps)
        .into_iter()
        .filter_map(|i| slots[i].take())
        .collect())
}
