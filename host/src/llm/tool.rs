//! The one tool the model may call, `propose_migration`: its input type, the JSON Schema generated from the IR
//! for it, and the parsing and checking of what the model sent.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::changes::Refusal;
use crate::model::Change;

/// The tool's name, in the tool list and in `tool_choice`.
pub const TOOL_NAME: &str = "propose_migration";
/// The tool's description, as the model reads it.
pub const TOOL_DESCRIPTION: &str = "Propose the schema change for the user's request as typed changes \
(the ai-shell change IR), one summary line per change and a snake_case slug; or a refusal when the request \
cannot be planned safely on this schema.";

/// What the model sends to the tool.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// The changes, in the order they must run. Empty when refusing.
    pub changes: Vec<Change>,
    /// One short line in words per change, e.g. "Add column email varchar(255) to users".
    pub summary: Vec<String>,
    /// snake_case name for the migration file, e.g. "add_email_to_users".
    pub slug: String,
    /// Set (with no changes) only when the request is ambiguous, names something that does not exist,
    /// is not a schema change, or could lose data.
    #[serde(default)]
    pub refusal: Option<Refusal>,
}

/// The JSON Schema of [`PlanInput`]: an object at the top, shared definitions under `$defs`, without the
/// keywords tool APIs do not need (`$schema`, `title`, integer `format`s).
pub fn input_schema() -> Value {
    let schema = schemars::schema_for!(PlanInput);
    let mut value = schema.to_value();
    if let Some(top) = value.as_object_mut() {
        top.remove("$schema");
        top.remove("title");
        top.remove("description");
    }
    strip_formats(&mut value);
    value
}

/// Removes `format` (`uint32`, `int64`: not standard JSON Schema formats) next to a `type`.
fn strip_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("type") && map.get("format").is_some_and(Value::is_string) {
                map.remove("format");
            }
            map.values_mut().for_each(strip_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_formats),
        _ => {}
    }
}

/// What a tool input turned out to be.
#[derive(Debug)]
pub enum Parsed {
    Plan {
        changes: Vec<Change>,
        summary: Vec<String>,
        slug: String,
    },
    Refusal(Refusal),
}

/// Parses a tool input into the IR and applies the checks every plan must pass whatever the schema:
/// some changes (or a refusal), no raw SQL unless the request asks for SQL. Problems are returned in words
/// meant for the model.
pub fn parse(input: &Value, request: &str) -> Result<Parsed, Vec<String>> {
    let mut input = input.clone();
    crate::model::upgrade_json(&mut input);
    let input: PlanInput = serde_json::from_value(input).map_err(|e| {
        vec![format!(
            "the tool input does not match the {TOOL_NAME} input schema: {e}"
        )]
    })?;
    if let Some(refusal) = input.refusal {
        if !input.changes.is_empty() {
            return Err(vec![
                "send either changes or a refusal, not both".to_string(),
            ]);
        }
        return Ok(Parsed::Refusal(refusal));
    }
    let mut problems = Vec::new();
    if input.changes.is_empty() {
        problems.push("no changes were proposed: send the changes, or a refusal saying why".into());
    }
    if !asks_for_sql(request) {
        for (i, change) in input.changes.iter().enumerate() {
            if matches!(change, Change::RawSql(_)) {
                problems.push(format!(
                    "change {} is RawSql, which is only allowed when the user asks for hand-written SQL: \
                     express it with typed changes",
                    i + 1
                ));
            }
        }
    }
    for (i, change) in input.changes.iter().enumerate() {
        match change {
            Change::RestoreNulls(_) => problems.push(format!(
                "change {} is RestoreNulls, which only undoes a FillNulls: do not send it",
                i + 1
            )),
            Change::FillNulls(f) if !crate::planner::sql::is_literal(&f.value) => problems.push(format!(
                "change {}: the value of FillNulls must be one SQL literal (a number, 'text', TRUE or FALSE)",
                i + 1
            )),
            Change::FillNulls(f) if !f.keep.name.starts_with(crate::history::FILL_PREFIX) => {
                problems.push(format!(
                    "change {}: FillNulls keeps its keys in a table named {}<table>_<column>",
                    i + 1,
                    crate::history::FILL_PREFIX
                ))
            }
            _ => {}
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let slug = slugify(&input.slug)
        .or_else(|| input.summary.first().and_then(|s| slugify(s)))
        .unwrap_or_else(|| "llm_change".into());
    Ok(Parsed::Plan {
        changes: input.changes,
        summary: input.summary,
        slug,
    })
}

/// Whether the user asked for SQL of their own (the only case `RawSql` is accepted).
fn asks_for_sql(request: &str) -> bool {
    let lower = request.to_ascii_lowercase();
    lower.contains("raw sql") || lower.contains("sql:") || lower.contains("execute sql")
}

/// Lower-case ASCII letters, digits and single underscores, at most 60 characters; `None` when nothing is left.
pub fn slugify(text: &str) -> Option<String> {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_matches('_').to_string();
    (!out.is_empty()).then_some(out)
}
