//! ai-shell: describe a database schema change in plain English, review it, apply it safely.
//!
//! The host owns connections, history, the LLM client and execution; every dialect, strategy, policy and
//! notification sink is a sandboxed WebAssembly component (see `docs/architecture.md`).

pub mod backup;
pub mod changes;
pub mod cli;
pub mod commands;
pub mod connection;
pub mod diff;
pub mod executor;
pub mod history;
pub mod llm;
pub mod migrations;
pub mod model;
pub mod notify;
pub mod planner;
pub mod plugins;
pub mod policy;
pub mod project;
pub mod rollout;
pub mod safety;
pub mod schema;

pub use cli::run;
