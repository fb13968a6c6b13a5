//! Triggers, functions and procedures as engine objects: `CREATE` statements rebuilt from
//! `information_schema`, without `DEFINER` (the replaying user becomes the definer).

use ai_shell_plugin_sdk::{EngineObject, QualifiedName};

use crate::quote;

/// One row of [`super::queries::TRIGGERS`].
pub struct TriggerRow {
    pub name: String,
    pub table: String,
    pub timing: String,
    pub event: String,
    pub action_order: i64,
    pub body: String,
}

/// Triggers by table, then timing, event and firing order, so that replaying them in list order
/// recreates the same firing order.
pub fn triggers(mut rows: Vec<TriggerRow>) -> Vec<EngineObject> {
    rows.sort_by(|a, b| {
        (&a.table, &a.timing, &a.event, a.action_order, &a.name).cmp(&(
            &b.table,
            &b.timing,
            &b.event,
            b.action_order,
            &b.name,
        ))
    });
    rows.into_iter()
        .map(|t| EngineObject {
            kind: "trigger".into(),
            name: QualifiedName {
                namespace: None,
                name: t.name.clone(),
            },
            table: Some(QualifiedName {
                namespace: None,
                name: t.table.clone(),
            }),
            definition: format!(
                "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {}",
                quote::ident(&t.name),
                t.timing,
                t.event,
                quote::ident(&t.table),
                t.body
            ),
        })
        .collect()
}

/// One row of [`super::queries::ROUTINES`].
pub struct RoutineRow {
    pub name: String,
    /// `FUNCTION` or `PROCEDURE`.
    pub kind: String,
    pub return_type: Option<String>,
    pub body: String,
    pub deterministic: bool,
    pub data_access: String,
    pub security: String,
    pub comment: String,
}

/// One row of [`super::queries::PARAMETERS`].
pub struct ParameterRow {
    pub routine: String,
    pub kind: String,
    pub position: i64,
    pub mode: Option<String>,
    pub name: String,
    pub data_type: String,
}

/// Functions then procedures, each by name.
pub fn routines(mut rows: Vec<RoutineRow>, mut params: Vec<ParameterRow>) -> Vec<EngineObject> {
    rows.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    params.sort_by_key(|p| p.position);
    rows.into_iter()
        .map(|r| {
            let args: Vec<String> = params
                .iter()
                .filter(|p| p.routine == r.name && p.kind == r.kind)
                .map(|p| {
                    let mode = match (&p.mode, r.kind.as_str()) {
                        (Some(m), "PROCEDURE") => format!("{m} "),
                        _ => String::new(),
                    };
                    format!("{mode}{} {}", quote::ident(&p.name), p.data_type)
                })
                .collect();
            let mut sql = format!(
                "CREATE {} {}({})",
                r.kind,
                quote::ident(&r.name),
                args.join(", ")
            );
            if let Some(ret) = r.return_type.as_deref().filter(|_| r.kind == "FUNCTION") {
                sql.push_str(&format!(" RETURNS {ret}"));
            }
            if r.deterministic {
                sql.push_str(" DETERMINISTIC");
            }
            sql.push_str(&format!(" {} SQL SECURITY {}", r.data_access, r.security));
            if !r.comment.is_empty() {
                sql.push_str(&format!(" COMMENT {}", quote::string(&r.comment)));
            }
            sql.push('\n');
            sql.push_str(&r.body);
            EngineObject {
                kind: r.kind.to_ascii_lowercase(),
                name: QualifiedName {
                    namespace: None,
                    name: r.name,
                },
                table: None,
                definition: sql,
            }
        })
        .collect()
}
