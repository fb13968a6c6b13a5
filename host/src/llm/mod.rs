//! The LLM planner: turns a request and the live schema into the change IR by asking a model through tool use
//! (Anthropic Messages or any OpenAI-compatible chat-completions endpoint). The model's answer is data parsed
//! into [`Change`]s and validated; it is never executed as SQL. An invalid proposal is sent back once with the
//! problems, then the planner fails naming them.

mod anthropic;
mod config;
mod error;
mod http;
mod openai;
mod prompt;
mod schema_text;
mod tool;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use self::config::{ANTHROPIC_MODEL, ApiKey, LlmConfig, Provider};
pub use self::error::LlmError;
pub use self::tool::input_schema;
use crate::connection::Engine;
use crate::model::{Change, DatabaseSchema};

/// What the model proposed, parsed and validated.
#[derive(Clone, Debug, PartialEq)]
pub struct LlmPlan {
    pub changes: Vec<Change>,
    /// One line in words per change.
    pub summary: Vec<String>,
    /// snake_case migration name.
    pub slug: String,
}

/// One call of our tool read from an answer: its id (to reply to it) and its input, or why the input is unreadable.
#[derive(Debug)]
struct ToolCall {
    id: String,
    input: Result<Value, String>,
}

/// Asks the configured model for a plan of `request` on `schema`, an `engine` database.
///
/// `validate` checks the parsed changes against the schema (the caller's simulation); its errors, like parse
/// errors, are sent back to the model once. A refusal by the model comes back as [`LlmError::Refused`].
pub async fn plan(
    config: &LlmConfig,
    request: &str,
    schema: &DatabaseSchema,
    engine: Engine,
    validate: impl Fn(&[Change]) -> Result<(), Vec<String>>,
) -> Result<LlmPlan, LlmError> {
    let client = http::client(config)?;
    let system = prompt::system_prompt(engine, schema, request);
    let user = prompt::user_message(request);
    let mut body = match config.provider {
        Provider::Anthropic => anthropic::request(config, &system, &user),
        Provider::OpenAi => openai::request(config, &system, &user),
    };
    let mut problems = Vec::new();
    for turn in 0..2 {
        let response = http::post(config, &client, &body).await?;
        let call = match config.provider {
            Provider::Anthropic => anthropic::tool_call(&response)?,
            Provider::OpenAi => openai::tool_call(&response)?,
        };
        problems = match call.as_ref().map(|c| &c.input) {
            None => vec![format!(
                "the answer did not call the {} tool",
                tool::TOOL_NAME
            )],
            Some(Err(e)) => vec![e.clone()],
            Some(Ok(input)) => match tool::parse(input, request) {
                Ok(tool::Parsed::Refusal(r)) => return Err(LlmError::Refused(r)),
                Ok(tool::Parsed::Plan {
                    changes,
                    summary,
                    slug,
                }) => match validate(&changes) {
                    Ok(()) => {
                        return Ok(LlmPlan {
                            changes,
                            summary,
                            slug,
                        });
                    }
                    Err(p) if p.is_empty() => vec!["the plan was rejected".into()],
                    Err(p) => p,
                },
                Err(p) => p,
            },
        };
        if turn == 0 {
            match config.provider {
                Provider::Anthropic => {
                    anthropic::reject(&mut body, &response, call.as_ref(), &problems)
                }
                Provider::OpenAi => openai::reject(&mut body, &response, call.as_ref(), &problems),
            }
        }
    }
    let problems = problems.iter().map(|p| http::redact(p, config)).collect();
    Err(LlmError::InvalidPlan { problems })
}
