//! What can go wrong asking a model for a plan. No message ever contains the API key.

use serde::{Deserialize, Serialize};

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
    Refused(LlmRefusal),
}

/// The model's reasoned refusal to plan a request (it maps one to one onto the planner's `Refusal`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LlmRefusal {
    pub kind: LlmRefusalKind,
    /// Why, in one or two sentences naming the real tables or columns concerned.
    pub message: String,
    /// The closest real table or column names, when something was not found.
    #[serde(default)]
    pub suggestions: Vec<String>,
    /// A request that would work on this schema.
    #[serde(default)]
    pub example: Option<String>,
}

/// Why a request cannot be planned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LlmRefusalKind {
    Ambiguous,
    NotFound,
    NotASchemaChange,
    Unsupported,
    Unsafe,
}

impl std::fmt::Display for LlmRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)?;
        if !self.suggestions.is_empty() {
            write!(f, "\n\nDid you mean: {}?", self.suggestions.join(", "))?;
        }
        if let Some(example) = &self.example {
            write!(
                f,
                "\n\nA request that would work: ai-shell migrate \"{example}\""
            )?;
        }
        Ok(())
    }
}
