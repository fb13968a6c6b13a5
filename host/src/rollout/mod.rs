//! Rollouts: how a plan's changes are carried out on a live database. Strategy plugins turn each change
//! into phases ([`plan`]); the phases are stored in the migration file ([`file`]), shown before applying
//! ([`show`]) and run by the executor's phase runner (`executor::phases`). Table sizes come from [`stats`].

pub mod file;
pub mod plan;
pub mod protect;
pub mod show;
pub mod stats;

use serde::Serialize;

/// What kind of work a phase does, and so how the executor runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Statements in one transaction (where the engine has transactional DDL), under a short lock timeout.
    Ddl,
    /// Statements one by one in autocommit (`CREATE INDEX CONCURRENTLY`, MySQL online DDL).
    DdlOutsideTransaction,
    /// A batched data migration by key range.
    Backfill,
    /// Checks that must pass; a query must return no rows.
    Validate,
    /// Waits for an operator's confirmation.
    Gate,
    /// Removes what is no longer needed.
    Cleanup,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ddl => "ddl",
            Kind::DdlOutsideTransaction => "ddl-outside-transaction",
            Kind::Backfill => "backfill",
            Kind::Validate => "validate",
            Kind::Gate => "gate",
            Kind::Cleanup => "cleanup",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [
            Kind::Ddl,
            Kind::DdlOutsideTransaction,
            Kind::Backfill,
            Kind::Validate,
            Kind::Gate,
            Kind::Cleanup,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Whether the phase's statements run inside one transaction on an engine with transactional DDL.
    pub fn transactional(self) -> bool {
        matches!(self, Kind::Ddl | Kind::Cleanup | Kind::Validate)
    }
}

/// A batched backfill, ready to run: the table and key are quoted SQL; `batch` holds `{lo}` and `{hi}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Backfill {
    pub table: String,
    pub key: String,
    pub batch: String,
}

/// One phase of a rollout, with its SQL rendered for the engine.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Phase {
    /// 1-based.
    pub number: usize,
    pub name: String,
    pub kind: Kind,
    pub description: String,
    /// The strategy that planned it.
    pub strategy: String,
    pub statements: Vec<String>,
    pub backfill: Option<Backfill>,
    /// A gate's question.
    pub gate: Option<String>,
    /// Undoes the phase (after every later phase was undone).
    pub rollback: Vec<String>,
    /// `none`, `shared` or `exclusive`.
    pub lock: String,
    pub lock_note: String,
    pub estimated_ms: u64,
}

impl Phase {
    /// Whether the phase waits for an operator's confirmation.
    pub fn is_gate(&self) -> bool {
        self.kind == Kind::Gate
    }
}
