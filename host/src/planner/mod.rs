//! The offline planner: deterministic, schema-aware English -> change IR, no network.
//!
//! [`plan`] lexes the request ([`tokens`]), refuses what is not a schema change, picks the intent
//! family ([`intents`]), resolves names against the live schema ([`resolve`], [`find`]), infers
//! column types ([`infer`]) and returns the changes with a summary, or a [`Refusal`] that names
//! the closest real names and an example that would work. It never produces SQL text except the
//! expressions of check constraints and expression indexes, quoted for the engine ([`sql`]).

mod build;
mod find;
mod infer;
mod intents;
mod names;
pub mod plan;
mod resolve;
mod spec;
mod sql;
mod summary;
mod tokens;
pub(crate) mod types;

#[cfg(test)]
mod tests;

pub use plan::{Plan, Refusal, RefusalKind};

use crate::connection::Engine;
use crate::model::DatabaseSchema;

/// Plans `request` against `schema` for `engine`.
pub fn plan(request: &str, schema: &DatabaseSchema, engine: Engine) -> Result<Plan, Refusal> {
    let toks = tokens::lex(request)?;
    let ctx = intents::Ctx { schema, engine };
    intents::dispatch(&ctx, toks)
}
