//! End-to-end tests of the built `ai-shell` binary and its library against real databases.
//! One test binary made of modules; every database test gets its own freshly created database.
//! A test whose server is unreachable fails: nothing here is skipped.

mod support;

mod backups;
mod cli;
mod diff_corpus;
mod drift;
mod environments;
mod eval;
mod explain;
mod history_true;
mod hostile_cli;
mod llm;
mod migrate;
mod migration_text;
mod mysql;
mod nl;
mod nothing_lost;
mod notify;
mod planner_limits;
mod plugin_trust;
mod policies;
mod postgres;
mod replication;
mod reshape;
mod sandbox;
mod schema_diff;
mod secrets;
mod sqlite;
mod zero_downtime;
