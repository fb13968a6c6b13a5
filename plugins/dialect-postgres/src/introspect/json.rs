//! Reading the JSON text that catalog queries aggregate arrays into.

use ai_shell_plugin_sdk::PluginError;
use serde_json::Value;

/// Parses a JSON column; NULL (an empty aggregate) is an empty array.
pub fn parse(text: Option<String>) -> Result<Vec<Value>, PluginError> {
    match text {
        None => Ok(Vec::new()),
        Some(t) => match serde_json::from_str::<Value>(&t) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(Value::Null) => Ok(Vec::new()),
            Ok(other) => Err(PluginError::Internal(format!(
                "expected a JSON array, got {other}"
            ))),
            Err(e) => Err(PluginError::Internal(format!(
                "catalog JSON does not parse: {e}"
            ))),
        },
    }
}

/// A JSON array of strings.
pub fn strings(text: Option<String>) -> Result<Vec<String>, PluginError> {
    Ok(parse(text)?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect())
}

/// Element `i` of an array as a string, when it is one.
pub fn str_at(v: &Value, i: usize) -> Option<String> {
    v.get(i).and_then(Value::as_str).map(str::to_string)
}

/// Element `i` of an array as an integer (0 when absent).
pub fn int_at(v: &Value, i: usize) -> i64 {
    v.get(i).and_then(Value::as_i64).unwrap_or(0)
}

/// A `namespace.name` spelling that leaves out `pg_catalog`, as the model keeps collations and
/// operator classes.
pub fn dotted(namespace: Option<String>, name: Option<String>) -> Option<String> {
    let name = name?;
    Some(match namespace {
        Some(ns) if ns != "pg_catalog" => format!("{ns}.{name}"),
        _ => name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_and_nulls() {
        assert!(parse(None).unwrap().is_empty());
        assert_eq!(
            strings(Some(r#"["a", "b\"c"]"#.into())).unwrap(),
            vec!["a", "b\"c"]
        );
        let v = parse(Some("[[1, \"x\", null]]".into())).unwrap();
        assert_eq!(int_at(&v[0], 0), 1);
        assert_eq!(str_at(&v[0], 1).as_deref(), Some("x"));
        assert_eq!(str_at(&v[0], 2), None);
        assert_eq!(
            dotted(Some("pg_catalog".into()), Some("C".into())).as_deref(),
            Some("C")
        );
        assert_eq!(
            dotted(Some("s".into()), Some("c".into())).as_deref(),
            Some("s.c")
        );
    }
}
