//! Constructors for the planner's refusals. `Plan`, `Refusal` and `RefusalKind` are the shared types of
//! `crate::changes`, re-exported here.

pub use crate::changes::{Plan, Refusal, RefusalKind};

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
