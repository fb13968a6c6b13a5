//! The offline planner: deterministic, schema-aware English -> change IR, no network.
//!
//! [`plan`] lexes the request ([`tokens`]), reads keyword typos as the keyword ([`keywords`]), refuses what is not a schema change, picks the intent
//! family ([`intents`]), resolves names against the live schema ([`resolve`], [`find`]), infers
//! column types ([`infer`]) and returns the changes with a summary, or a [`Refusal`] that names
//! the closest real names and an example that would work. It never produces SQL text except the
//! expressions of check constraints and expression indexes, quoted for the engine ([`sql`]).
//! Before a plan leaves, [`account`] checks that it explains every word of the request.

pub mod account;
mod build;
mod compound;
mod find;
mod infer;
mod intents;
mod keywords;
mod limits;
mod names;
mod normalize;
pub mod plan;
pub(crate) mod resolve;
mod spec;
pub(crate) mod sql;
mod summary;
mod tokens;
pub(crate) mod types;

#[cfg(test)]
mod tests;

pub use account::{NameMatch, Reading, Slot, Word};
pub use plan::{Plan, Refusal, RefusalKind};

use crate::connection::Engine;
use crate::model::DatabaseSchema;

/// Plans `request` against `schema` for `engine`. The work is linear in the size of the request
/// and the schema: names are looked up through an index ([`resolve::Names`]), typo searches are
/// rationed, and the engine's limits ([`limits`]) are checked on every plan. A plan that does not
/// account for every word of the request is refused ([`account`]).
pub fn plan(request: &str, schema: &DatabaseSchema, engine: Engine) -> Result<Plan, Refusal> {
    explain(request, schema, engine).outcome
}

/// A plan (or refusal) with how the request was read.
#[derive(Debug)]
pub struct Explanation {
    /// Each word's slot and the names matched; `None` when the request could not be read at all
    /// (too long, a control character, an unclosed quote).
    pub reading: Option<Reading>,
    pub outcome: Result<Plan, Refusal>,
}

/// [`plan`], with the reading that `migrate --explain` shows.
pub fn explain(request: &str, schema: &DatabaseSchema, engine: Engine) -> Explanation {
    let (reading, outcome) = plan_request(request, schema, engine);
    Explanation {
        reading,
        outcome: outcome.map_err(Refusal::shortened),
    }
}

fn plan_request(
    request: &str,
    schema: &DatabaseSchema,
    engine: Engine,
) -> (Option<Reading>, Result<Plan, Refusal>) {
    if let Err(r) = limits::request(request) {
        return (None, Err(r));
    }
    let read = match tokens::lex(request) {
        Ok(t) => t,
        Err(r) => return (None, Err(r)),
    };
    let ctx = intents::Ctx::new(schema, engine);
    let mut toks = read.clone();
    keywords::correct(&mut toks, &ctx.names);
    keywords::quoted_names(&mut toks);
    // As written first; when that is not understood (no plan, or a plan that leaves words
    // unexplained), once more leniently, setting aside what only tells the story. Only a request
    // that failed is read the second way, so it never changes a plan that was understood.
    let mut first: Option<(Reading, Result<Plan, Refusal>)> = None;
    for lenient in [false, true] {
        let (kept_read, kept_toks, planned) = normalize::run(
            request,
            read.clone(),
            toks.clone(),
            &ctx.names,
            lenient,
            |t| compound::plan(schema, engine, &ctx, t),
        );
        if let Some(refusal) = ctx.names.over_budget() {
            // The second reading spent what was left: the first one's answer stands.
            if let Some((reading, planned)) = first {
                return (Some(reading), planned);
            }
            return (None, Err(refusal));
        }
        let planned = planned.and_then(|plan| {
            limits::check(&plan.changes, schema, engine)?;
            Ok(plan)
        });
        let reading = account::read(
            request,
            &kept_read,
            &kept_toks,
            &ctx.names,
            schema,
            planned.as_ref().ok(),
            engine,
        );
        let planned = planned.and_then(|plan| match account::check(&reading) {
            Some(refusal) => Err(refusal),
            None => Ok(plan),
        });
        if planned.is_ok() {
            return (Some(reading), planned);
        }
        if first.is_none() {
            first = Some((reading, planned));
        }
    }
    let (reading, planned) = first.expect("the first reading is kept");
    (Some(reading), planned)
}
