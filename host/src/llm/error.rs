//! What can go wrong asking a model for a plan. No message ever contains the API key.

use crate::changes::Refusal;

/// Why the LLM planner gave no plan.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error(
        "could not reach the LLM at {url}: {reason}\n\nCheck that the server is running and the base URL is right."
    )]
    Unreachable { url: String, reason: String },
    #[error("the LLM at {url} did not answer within {:.1} s\n\nRaise `timeout_secs` in the [llm] table of ai-shell.toml, or try again.", timeout.as_secs_f64())]
    Timeout {
        url: String,
        timeout: std::time::Duration,
    },
    #[error("the API key was rejected: check {variable}")]
    Unauthorized { variable: &'static str },
    #[error("the LLM API answered HTTP {status}{}: {message}{}",
        kind.as_deref().map(|k| format!(" ({k})")).unwrap_or_default(),
        if *retries > 0 { format!(" (after {retries} retries)") } else { String::new() })]
    Api {
        status: u16,
        kind: Option<String>,
        message: String,
        retries: u32,
    },
    #[error("the LLM's answer was not understood: {0}")]
    Protocol(String),
    #[error("the LLM proposed an invalid plan twice:\n{}\n\nRephrase the request, or use --planner offline.",
        problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    InvalidPlan { problems: Vec<String> },
    #[error("{0}")]
    Refused(Refusal),
}
