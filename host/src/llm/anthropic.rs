//! The Anthropic Messages API: the request with one forced tool, the `tool_use` block in the answer, and the
//! follow-up turn with an `is_error` `tool_result`.

use serde_json::{Value, json};

use super::config::LlmConfig;
use super::error::LlmError;
use super::tool::{TOOL_DESCRIPTION, TOOL_NAME, input_schema};
use super::{ToolCall, prompt};

/// The first request.
pub fn request(config: &LlmConfig, system: &str, user: &str) -> Value {
    json!({
        "model": config.model,
        "max_tokens": config.max_tokens,
        "system": system,
        "messages": [{"role": "user", "content": user}],
        "tools": [{
            "name": TOOL_NAME,
            "description": TOOL_DESCRIPTION,
            "input_schema": input_schema(),
        }],
        "tool_choice": {"type": "tool", "name": TOOL_NAME},
    })
}

/// The `tool_use` block calling our tool, if any.
pub fn tool_call(response: &Value) -> Result<Option<ToolCall>, LlmError> {
    let content = response
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| LlmError::Protocol("the answer has no `content` list".into()))?;
    let block = content.iter().find(|b| {
        b.get("type").and_then(Value::as_str) == Some("tool_use")
            && b.get("name").and_then(Value::as_str) == Some(TOOL_NAME)
    });
    let Some(block) = block else {
        if response.get("stop_reason").and_then(Value::as_str) == Some("max_tokens") {
            return Err(LlmError::Protocol(
                "the answer was cut off at max_tokens before the tool call was complete".into(),
            ));
        }
        return Ok(None);
    };
    Ok(Some(ToolCall {
        id: block
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        input: block
            .get("input")
            .cloned()
            .ok_or_else(|| "the tool_use block has no input".to_string()),
    }))
}

/// Appends the model's turn and our rejection of it, so the next request asks again.
pub fn reject(body: &mut Value, response: &Value, call: Option<&ToolCall>, problems: &[String]) {
    let assistant = json!({"role": "assistant", "content": response["content"].clone()});
    let text = prompt::retry_message(problems);
    let reply = match call {
        Some(call) => json!({"role": "user", "content": [{
            "type": "tool_result",
            "tool_use_id": call.id,
            "is_error": true,
            "content": text,
        }]}),
        None => json!({"role": "user", "content": text}),
    };
    if let Some(messages) = body["messages"].as_array_mut() {
        messages.push(assistant);
        messages.push(reply);
    }
}
