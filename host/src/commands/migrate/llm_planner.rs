//! `--planner llm`: the configured LLM proposes the changes; the host validates them against the live
//! schema (identifiers included) and sends problems back to the model once before giving up.

use crate::changes::{Plan, is_destructive, validate::validate};
use crate::connection::Engine;
use crate::llm::{self, LlmConfig, LlmError};
use crate::model::DatabaseSchema;
use crate::project::LlmSettings;

use super::planning::PrepareError;

pub async fn plan(
    request: &str,
    schema: &DatabaseSchema,
    engine: Engine,
    settings: Option<&LlmSettings>,
) -> Result<Plan, PrepareError> {
    let config = LlmConfig::from_env(settings)?.ok_or_else(|| {
        anyhow::anyhow!(
            "no LLM is configured\n\nSet ANTHROPIC_API_KEY (Anthropic), or AI_SHELL_LLM_PROVIDER=openai with AI_SHELL_LLM_BASE_URL and AI_SHELL_LLM_MODEL (an OpenAI-compatible endpoint such as Ollama), or add an [llm] table to ai-shell.toml; or use --planner offline."
        )
    })?;
    let check = |changes: &[crate::model::Change]| validate(changes, schema, engine).map(|_| ());
    match llm::plan(&config, request, schema, engine, check).await {
        Ok(p) => Ok(Plan {
            destructive: p.changes.iter().any(is_destructive),
            changes: p.changes,
            down: None,
            summary: p.summary,
            slug: p.slug,
        }),
        Err(LlmError::Refused(r)) => Err(PrepareError::Refused(r)),
        Err(e) => Err(PrepareError::Failed(
            anyhow::Error::new(e)
                .context(format!("the LLM planner ({}) failed", config.endpoint())),
        )),
    }
}
