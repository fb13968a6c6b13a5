//! Namespaces, extensions, enum types and sequences.

use ai_shell_plugin_sdk::{
    EngineObject, EnumType, Extension, PluginError, QualifiedName, Sequence,
};

use super::{json, order, query};
use crate::quote;

pub fn namespaces() -> Result<Vec<String>, PluginError> {
    query(include_str!("sql/namespaces.sql"))?
        .iter()
        .map(|r| r.text("name"))
        .collect()
}

/// Extensions in an order in which they can be created (required ones first, then by name).
pub fn extensions() -> Result<Vec<Extension>, PluginError> {
    let rows = query(include_str!("sql/extensions.sql"))?;
    let mut oids = Vec::new();
    let mut list = Vec::new();
    let mut requires = Vec::new();
    for r in &rows {
        oids.push(r.text("oid")?);
        list.push(Extension {
            name: r.text("name")?,
            namespace: Some(r.text("namespace")?),
        });
        requires.push(r.opt_text("requires")?.unwrap_or_default());
    }
    let deps: Vec<Vec<usize>> = requires
        .iter()
        .map(|req| {
            req.split(',')
                .filter_map(|oid| oids.iter().position(|o| o == oid))
                .collect()
        })
        .collect();
    Ok(order::topological(&deps)
        .into_iter()
        .map(|i| list[i].clone())
        .collect())
}

/// Enum types, and `COMMENT ON TYPE` objects for those with a comment (the model's enum record
/// has no comment of its own).
pub fn enums() -> Result<(Vec<EnumType>, Vec<EngineObject>), PluginError> {
    let mut enums = Vec::new();
    let mut comments = Vec::new();
    for r in query(include_str!("sql/enums.sql"))? {
        let name = QualifiedName {
            namespace: Some(r.text("namespace")?),
            name: r.text("name")?,
        };
        if let Some(c) = r.opt_text("comment")? {
            comments.push(comment_object(
                &name,
                None,
                "TYPE",
                &quote::qualified(&name),
                &c,
            ));
        }
        enums.push(EnumType {
            name,
            labels: json::strings(r.opt_text("labels")?)?,
        });
    }
    Ok((enums, comments))
}

/// A `COMMENT ON <what> <target> IS '...'` object.
pub fn comment_object(
    name: &QualifiedName,
    table: Option<&QualifiedName>,
    what: &str,
    target: &str,
    comment: &str,
) -> EngineObject {
    EngineObject {
        kind: "comment".into(),
        name: name.clone(),
        table: table.cloned(),
        definition: format!("COMMENT ON {what} {target} IS {}", quote::literal(comment)),
    }
}

/// A sequence as read, with its owning column, before `serial` columns absorb theirs.
pub struct RawSequence {
    pub sequence: Sequence,
    /// The owning table's oid and column number (`serial` or `OWNED BY`).
    pub owner: Option<(i64, i64)>,
    /// The default a `serial` column owning this sequence has.
    pub serial_default: String,
    /// The type as the catalog spells it (`integer`...), even where the model leaves it out.
    pub data_type: String,
}

/// Standalone sequences (identity columns' are implied by the column and left out). Type,
/// minimum and maximum are given only when they differ from CREATE SEQUENCE's defaults.
pub fn sequences() -> Result<Vec<RawSequence>, PluginError> {
    let mut out = Vec::new();
    for r in query(include_str!("sql/sequences.sql"))? {
        let kind = r.opt_text("owner_kind")?;
        if kind.as_deref() == Some("i") {
            continue;
        }
        let data_type = r.text("data_type")?;
        let increment = r.int("increment")?;
        let (type_min, type_max) = type_range(&data_type);
        let (default_min, default_max) = if increment > 0 {
            (1, type_max)
        } else {
            (type_min, -1)
        };
        let min = r.int("min_value")?;
        let max = r.int("max_value")?;
        let owner = match (kind, r.opt_int("owner_table")?, r.opt_int("owner_column")?) {
            (Some(_), Some(t), Some(c)) if c > 0 => Some((t, c)),
            _ => None,
        };
        out.push(RawSequence {
            sequence: Sequence {
                name: QualifiedName {
                    namespace: Some(r.text("namespace")?),
                    name: r.text("name")?,
                },
                data_type: (data_type != "bigint").then(|| data_type.clone()),
                start: r.int("start")?,
                increment,
                min_value: (min != default_min).then_some(min),
                max_value: (max != default_max).then_some(max),
                cache: r.int("cache")?,
                cycle: r.bool("cycle")?,
            },
            owner,
            serial_default: r.text("serial_default")?,
            data_type,
        });
    }
    Ok(out)
}

/// The range of a sequence type.
pub fn type_range(data_type: &str) -> (i64, i64) {
    match data_type {
        "smallint" => (i16::MIN as i64, i16::MAX as i64),
        "integer" => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}
