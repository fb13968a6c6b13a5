//! The offline planner: deterministic, schema-aware English -> change IR, no network.
//!
//! [`plan`] lexes the request ([`tokens`]), reads keyword typos as the keyword ([`keywords`]), refuses what is not a schema change, picks the intent
//! family ([`intents`]), resolves names against the live schema ([`resolve`], [`find`]), infers
//! column types ([`infer`]) and returns the changes with a summary, or a [`Refusal`] that names
//! the closest real names and an example that would work. It never produces SQL text except the
//! expressions of check constraints and expression indexes, quoted for the engine ([`sql`]).

mod build;
mod find;
mod infer;
mod intents;
mod keywords;
mod limits;
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

/// Plans `request` against `schema` for `engine`. The work is linear in the size of the request
/// and the schema: names are looked up through an index ([`resolve::Names`]), typo searches are
/// rationed, and the engine's limits ([`limits`]) are checked on every plan.
pub fn plan(request: &str, schema: &DatabaseSchema, engine: Engine) -> Result<Plan, Refusal> {
    plan_request(request, schema, engine).map_err(Refusal::shortened)
}

fn plan_request(request: &str, schema: &DatabaseSchema, engine: Engine) -> Result<Plan, Refusal> {
    limits::request(request)?;
    let mut toks = tokens::lex(request)?;
    let ctx = intents::Ctx::new(schema, engine);
    keywords::correct(&mut toks, &ctx.names);
    let planned = intents::dispatch(&ctx, toks);
    if let Some(refusal) = ctx.names.over_budget() {
        return Err(refusal);
    }
    let plan = planned?;
    limits::check(&plan.changes, schema, engine)?;
    Ok(plan)
}
