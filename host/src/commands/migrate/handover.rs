//! From the offline planner to the LLM: when the offline planner refuses because it could not understand a
//! request (ambiguous or unsupported wording, words it could not place; never a name that does not exist or
//! an unsafe request), the refusal names `--planner llm` if an LLM is configured, and with `[llm] fallback =
//! true` the LLM is asked at once. Its plan goes through the same validation gate as any other.

use anstream::eprintln;

use super::Workspace;
use super::planning::{self, PrepareError, Prepared};
use crate::changes::{Refusal, RefusalKind};
use crate::cli::PlannerChoice;
use crate::connection::Engine;
use crate::llm::LlmConfig;
use crate::model::DatabaseSchema;
use crate::plugins::DialectPlugin;

/// Whether `refusal` says the offline planner did not understand the request (which another reader may).
pub fn not_understood(refusal: &Refusal) -> bool {
    matches!(
        refusal.kind,
        RefusalKind::Ambiguous | RefusalKind::Unsupported
    )
}

/// Whether an LLM planner is configured (environment or `[llm]`), without asking it anything.
pub fn llm_configured(ws: &Workspace) -> bool {
    LlmConfig::from_env(ws.project.llm.as_ref())
        .ok()
        .flatten()
        .is_some()
}

/// `[llm] fallback = true`: the offline planner first, the LLM when it cannot understand.
pub fn fallback(ws: &Workspace) -> bool {
    ws.project
        .llm
        .as_ref()
        .is_some_and(|l| l.fallback == Some(true))
}

/// Plans `request` with `planner`; when the offline planner does not understand it, asks the LLM if
/// `fallback` allows it, else names `--planner llm` in the refusal when an LLM is configured.
#[allow(clippy::too_many_arguments)]
pub async fn prepare(
    request: &str,
    planner: PlannerChoice,
    fallback: bool,
    engine: Engine,
    schema: DatabaseSchema,
    dialect: &DialectPlugin,
    ws: &Workspace,
    quiet: bool,
) -> Result<Prepared, PrepareError> {
    let llm = ws.project.llm.as_ref();
    let first = planning::prepare(request, planner, engine, schema.clone(), dialect, llm).await;
    match first {
        Err(PrepareError::Refused(mut refusal))
            if planner == PlannerChoice::Offline && not_understood(&refusal) =>
        {
            let configured = llm_configured(ws);
            if fallback && configured {
                if !quiet {
                    eprintln!(
                        "The offline planner could not read the request ({}); asking the LLM planner.",
                        refusal.message
                    );
                }
                return planning::prepare(
                    request,
                    PlannerChoice::Llm,
                    engine,
                    schema,
                    dialect,
                    llm,
                )
                .await;
            }
            if configured {
                let said = refusal.message.trim_end().trim_end_matches('.');
                refusal.message = format!(
                    "{said}. The configured LLM planner may read it: run the request again with --planner llm (or set `fallback = true` in the [llm] table of ai-shell.toml to ask it automatically)"
                );
            }
            Err(PrepareError::Refused(refusal))
        }
        other => other,
    }
}
