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

/// `CREATE DEFINER=`u`@`h` TRIGGER ...` without its `DEFINER` clause: whoever replays it becomes the
/// definer, as with the rebuilt statements.
pub fn without_definer(sql: &str) -> String {
    let trimmed = sql.trim_start();
    let Some(rest) = trimmed
        .get(..6)
        .filter(|w| w.eq_ignore_ascii_case("CREATE"))
        .map(|_| trimmed[6..].trim_start())
    else {
        return sql.to_string();
    };
    let Some(after) = rest
        .get(..7)
        .filter(|w| w.eq_ignore_ascii_case("DEFINER"))
        .map(|_| rest[7..].trim_start())
        .and_then(|r| r.strip_prefix('='))
    else {
        return sql.to_string();
    };
    // `user`@`host`: quoted parts (a doubled quote inside) or bare words, joined by `@`.
    let bytes = after.trim_start().as_bytes();
    let mut i = 0;
    loop {
        match bytes.get(i) {
            Some(&q @ (b'`' | b'\'' | b'"')) => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == q {
                        if bytes.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            Some(b) if !b.is_ascii_whitespace() && *b != b'@' => {
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'@' {
                    i += 1;
                }
            }
            _ => return sql.to_string(),
        }
        if bytes.get(i) == Some(&b'@') {
            i += 1;
            continue;
        }
        break;
    }
    let tail = &after.trim_start()[i.min(bytes.len())..];
    format!("CREATE {}", tail.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definer_clause_is_left_out() {
        assert_eq!(
            without_definer(
                "CREATE DEFINER=`root`@`127.0.0.1` TRIGGER t BEFORE UPDATE ON n FOR EACH ROW SET NEW.e = 1"
            ),
            "CREATE TRIGGER t BEFORE UPDATE ON n FOR EACH ROW SET NEW.e = 1"
        );
        assert_eq!(
            without_definer("CREATE DEFINER=`a``b`@`%` FUNCTION `f`(x INT) RETURNS int\nRETURN x"),
            "CREATE FUNCTION `f`(x INT) RETURNS int\nRETURN x"
        );
        assert_eq!(
            without_definer("CREATE DEFINER=root@localhost PROCEDURE p() SELECT 1"),
            "CREATE PROCEDURE p() SELECT 1"
        );
        assert_eq!(without_definer("CREATE TRIGGER t"), "CREATE TRIGGER t");
    }
}
