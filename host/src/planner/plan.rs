//! What a planner proposes (`Plan`) or why it declines (`Refusal`).
//!
//! A private copy of the shared types of the issue 4 contract; the lead moves them to
//! `crate::changes` and this module re-exports them from there.

use serde::{Deserialize, Serialize};

use crate::model::Change;

/// What a planner (offline or LLM) proposes. `down` is only set when the planner knows a better
/// down than the automatic inverse (refactors that move data); otherwise the lead derives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub down: Option<Vec<Change>>,
    /// One line in words per proposed change, e.g. "Add column email varchar(255) to users".
    pub summary: Vec<String>,
    /// Snake-case name for the migration file, e.g. "add_email_to_users".
    pub slug: String,
    /// Drops a table or column, or narrows a type: needs --allow-destructive or an interactive yes.
    pub destructive: bool,
}

/// The reason a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// The request could mean several things.
    Ambiguous,
    /// A table or column it names does not exist.
    NotFound,
    /// It asks about or changes data, not the schema.
    NotASchemaChange,
    /// A schema change this planner (or the engine) cannot express.
    Unsupported,
    /// Following it could lose data or run unchecked SQL.
    Unsafe,
}

impl RefusalKind {
    /// The kind as the `--json` output spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalKind::Ambiguous => "ambiguous",
            RefusalKind::NotFound => "not_found",
            RefusalKind::NotASchemaChange => "not_a_schema_change",
            RefusalKind::Unsupported => "unsupported",
            RefusalKind::Unsafe => "unsafe",
        }
    }
}

/// Why a request was refused: a clear message, the closest real names, and a request that would work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub message: String,
    pub suggestions: Vec<String>,
    pub example: Option<String>,
}

impl Refusal {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Refusal {
        Refusal {
            kind,
            message: message.into(),
            suggestions: vec![],
            example: None,
        }
    }

    pub fn ambiguous(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::Ambiguous, message)
    }

    pub fn not_found(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::NotFound, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::Unsupported, message)
    }

    pub fn unsafe_(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::Unsafe, message)
    }

    pub fn not_schema(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::NotASchemaChange, message)
    }

    pub fn suggest(mut self, suggestions: Vec<String>) -> Refusal {
        self.suggestions = suggestions;
        self
    }

    pub fn example(mut self, example: impl Into<String>) -> Refusal {
        self.example = Some(example.into());
        self
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if !self.suggestions.is_empty() {
            write!(f, " (did you mean: {}?)", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}
