//! OpenAI-compatible chat completions (OpenAI, Ollama, vLLM, llama.cpp...): the request with one forced
//! function tool, `tool_calls[0].function.arguments` (a JSON string) in the answer, and a `tool` message
//! with the errors as the follow-up turn.

use serde_json::{Value, json};

use super::config::LlmConfig;
use super::error::LlmError;
use super::tool::{TOOL_DESCRIPTION, TOOL_NAME, input_schema};
use super::{ToolCall, prompt};

/// The first request.
pub fn request(config: &LlmConfig, system: &str, user: &str) -> Value {
    json!({
        "model": config.model,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
        "tools": [{
            "type": "function",
            "function": {
                "name": TOOL_NAME,
                "description": TOOL_DESCRIPTION,
                "parameters": input_schema(),
            },
        }],
        "tool_choice": {"type": "function", "function": {"name": TOOL_NAME}},
    })
}

fn message(response: &Value) -> Result<&Value, LlmError> {
    response
        .pointer("/choices/0/message")
        .ok_or_else(|| LlmError::Protocol("the answer has no `choices[0].message`".into()))
}

/// The first tool call, if any. `arguments` is a JSON string by the protocol; an object (as some local
/// servers send) is accepted too.
pub fn tool_call(response: &Value) -> Result<Option<ToolCall>, LlmError> {
    let message = message(response)?;
    let Some(call) = message.pointer("/tool_calls/0") else {
        if response
            .pointer("/choices/0/finish_reason")
            .and_then(Value::as_str)
            == Some("length")
        {
            return Err(LlmError::Protocol(
                "the answer was cut off at the token limit before the tool call was complete"
                    .into(),
            ));
        }
        return Ok(None);
    };
    let id = call
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("call_0")
        .to_string();
    let input = match call.pointer("/function/arguments") {
        Some(Value::String(s)) => serde_json::from_str(s)
            .map_err(|e| format!("the tool call's arguments are not valid JSON: {e}")),
        Some(obj @ Value::Object(_)) => Ok(obj.clone()),
        _ => Err("the tool call has no function.arguments".to_string()),
    };
    Ok(Some(ToolCall { id, input }))
}

/// Appends the model's turn (with only the call we read) and our rejection of it.
pub fn reject(body: &mut Value, response: &Value, call: Option<&ToolCall>, problems: &[String]) {
    let mut assistant = message(response).cloned().unwrap_or_else(|_| json!({}));
    assistant["role"] = json!("assistant");
    if assistant.get("content").is_none() {
        assistant["content"] = Value::Null;
    }
    let text = prompt::retry_message(problems);
    let reply = match call {
        Some(call) => {
            if let Some(first) = assistant.pointer("/tool_calls/0").cloned() {
                let mut first = first;
                first["id"] = json!(call.id);
                assistant["tool_calls"] = json!([first]);
            }
            json!({"role": "tool", "tool_call_id": call.id, "content": text})
        }
        None => json!({"role": "user", "content": text}),
    };
    if let Some(messages) = body["messages"].as_array_mut() {
        messages.push(assistant);
        messages.push(reply);
    }
}
