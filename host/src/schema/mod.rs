//! Operations on the schema model: turning a schema into the changes that create it, and showing it.

pub mod export;
pub mod scratch;
pub mod show;
