//! Refactors that move data: split a table, merge one into another, extract columns into a new
//! table. Each sets `Plan.down` to the exact reverse, restoring shape and data.

use super::Ctx;
use crate::planner::plan::{Plan, Refusal};
use crate::planner::tokens::Tok;

pub fn split(_ctx: &Ctx, _toks: Vec<Tok>) -> Result<Plan, Refusal> {
    Err(Refusal::unsupported("not yet"))
}

pub fn merge(_ctx: &Ctx, _toks: Vec<Tok>) -> Result<Plan, Refusal> {
    Err(Refusal::unsupported("not yet"))
}

pub fn extract(_ctx: &Ctx, _toks: Vec<Tok>) -> Result<Plan, Refusal> {
    Err(Refusal::unsupported("not yet"))
}
