//! The words sent to the model: the system prompt with the rules, and the user turn with the request.

use super::schema_text;
use super::tool::TOOL_NAME;
use crate::connection::Engine;
use crate::model::{AddColumn, Change, Column, ColumnType, DatabaseSchema, QualifiedName};

/// The engine's name as the model should read it.
pub fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "PostgreSQL",
        Engine::MySql => "MySQL/MariaDB",
        Engine::Sqlite => "SQLite",
    }
}

/// The system prompt: the rules, one example of the IR's JSON form, and the live schema.
pub fn system_prompt(engine: Engine, schema: &DatabaseSchema, request: &str) -> String {
    let example = serde_json::to_string(&example_change()).expect("the IR serialises");
    format!(
        "You plan database schema changes for ai-shell on a {engine} database.\n\
         Rules:\n\
         - Answer only by calling the `{TOOL_NAME}` tool; never answer in prose.\n\
         - Express the change only as typed changes of the input schema (the ai-shell change IR). \
         Never write SQL: ai-shell renders and reviews the SQL itself.\n\
         - Do not use RawSql unless the user explicitly asks for hand-written SQL.\n\
         - Use only tables and columns that exist in the schema below, except the ones the change creates. \
         Leave `namespace` null unless the table lives in a non-default namespace.\n\
         - Choose types, nullability, defaults, indexes and foreign keys (with a sensible on_delete) the way a \
         careful engineer would for {engine}. A NOT NULL column added to an existing table needs a default.\n\
         - Name new indexes idx_<table>_<columns>, unique constraints uq_<table>_<columns>, foreign keys \
         fk_<table>_<column>, checks ck_<table>_<column>.\n\
         - Never drop or narrow something the user did not ask to drop or change. For refactors that move \
         data (split, merge, extract columns), create the new shape, move the data with CopyRows and \
         FillColumn, and only then drop what the request says to drop.\n\
         - If the request is ambiguous, names a table or column that does not exist, is not a schema change, \
         or could lose data unasked, send no changes and a `refusal` with the closest real names and an \
         example request that would work.\n\
         - Give one summary line per change and a snake_case slug such as add_email_to_users.\n\
         Example of one change in the tool input: {example}\n\n\
         Current schema (one line per table: columns as `name type [pk] [identity] [null] [default ...]`, NOT NULL unless marked null, \
         then constraints, indexes and foreign keys):\n{schema_text}",
        engine = engine_name(engine),
        schema_text = schema_text::render(schema, request, schema_text::BUDGET),
    )
}

/// The user turn.
pub fn user_message(request: &str) -> String {
    format!("Request: {request}")
}

/// The follow-up turn after an invalid proposal.
pub fn retry_message(problems: &[String]) -> String {
    let list: Vec<String> = problems.iter().map(|p| format!("- {p}")).collect();
    format!(
        "The proposal was rejected:\n{}\nCall {TOOL_NAME} again with a corrected plan (or a refusal).",
        list.join("\n")
    )
}

/// `users.email varchar(255) NOT NULL DEFAULT ''`, built from the IR types so the example cannot drift.
fn example_change() -> Change {
    Change::AddColumn(AddColumn {
        table: QualifiedName {
            namespace: None,
            name: "users".into(),
        },
        column: Column {
            name: "email".into(),
            data_type: ColumnType::Varchar(Some(255)),
            nullable: false,
            default: Some("''".into()),
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        },
    })
}
