//! Planner tests: a fixture schema and one module per intent family.

pub mod fixture;

mod accounting;
mod add;
mod constraints;
mod create;
mod live;
mod normalize;
mod phrasing;
mod refactors;
mod refusals;
mod rename_drop;
mod render;
mod scale;
mod sentences;
