//! Planner tests: a fixture schema and one module per intent family.

pub mod fixture;

mod add;
mod constraints;
mod create;
mod live;
mod phrasing;
mod refactors;
mod refusals;
mod rename_drop;
mod render;
mod scale;
