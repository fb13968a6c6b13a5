//! Views in an order in which they can be created: creation order, except that a view comes
//! after every view it names.

use std::collections::HashSet;

use ai_shell_plugin_sdk::{QualifiedName, View};

use super::StoredObject;
use crate::sql::create_view::select_text;
use crate::sql::lexer::{Kind, tokenize};

pub fn build_views(objects: &[StoredObject], warnings: &mut Vec<String>) -> Vec<View> {
    let views: Vec<View> = objects
        .iter()
        .filter(|o| o.kind == "view")
        .map(|o| View {
            name: QualifiedName {
                namespace: None,
                name: o.name.clone(),
            },
            definition: select_text(&o.sql).unwrap_or_else(|e| {
                warnings.push(format!(
                    "view `{}`: cannot read its CREATE VIEW text ({e})",
                    o.name
                ));
                o.sql.clone()
            }),
            materialized: false,
            options: vec![],
            comment: None,
        })
        .collect();
    dependency_order(views)
}

/// Stable topological order: repeatedly takes the first view whose dependencies are all placed.
/// A cycle (only possible through a false match, such as a column named like a view) keeps the
/// remaining views in creation order.
pub fn dependency_order(views: Vec<View>) -> Vec<View> {
    // Each definition is read once into the (lower-cased) names it mentions.
    let mut pending: Vec<(View, HashSet<String>)> = views
        .into_iter()
        .map(|v| {
            let names = identifiers(&v.definition);
            (v, names)
        })
        .collect();
    let mut placed: Vec<View> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let waiting: HashSet<String> = pending
            .iter()
            .map(|(v, _)| v.name.name.to_ascii_lowercase())
            .collect();
        let ready = pending.iter().position(|(v, names)| {
            let own = v.name.name.to_ascii_lowercase();
            names.iter().all(|n| *n == own || !waiting.contains(n))
        });
        placed.push(pending.remove(ready.unwrap_or(0)).0);
    }
    placed
}

fn identifiers(sql: &str) -> HashSet<String> {
    tokenize(sql)
        .map(|tokens| {
            tokens
                .iter()
                .filter(|t| matches!(t.kind, Kind::Word | Kind::QuotedIdent))
                .map(|t| t.name(sql).to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str, definition: &str) -> View {
        View {
            name: QualifiedName {
                namespace: None,
                name: name.into(),
            },
            definition: definition.into(),
            materialized: false,
            options: vec![],
            comment: None,
        }
    }

    #[test]
    fn dependencies_come_first() {
        let order = dependency_order(vec![
            view("b", "SELECT * FROM a"),
            view("c", "SELECT 1"),
            view("a", "SELECT * FROM t"),
        ]);
        let names: Vec<_> = order.iter().map(|v| v.name.name.as_str()).collect();
        assert_eq!(names, vec!["c", "a", "b"]);
    }
}
