//! Approvals: a person's recorded yes to one migration, bound to what they saw. An approval is a header line
//! of the migration file (so it travels with the file through review):
//!
//! ```text
//! -- approved: by=alice@example.com at=2026-12-07T03:00:00Z env=production checksum=<sha256 of the up section> schema=<fingerprint> policy=<fingerprint> reason="Confirmed unused"
//! ```
//!
//! It holds only while the up section has that checksum, the run is for that environment, the target's
//! schema has that fingerprint when the run starts, the policies (plugins and configuration) have that
//! fingerprint, and it is younger than the configured maximum age: a one-byte edit, drift in the target, a
//! changed policy or time each void it.

use chrono::{DateTime, Utc};

use crate::migrations::MigrationFile;
use crate::model::DatabaseSchema;

/// The header key of an approval.
pub const APPROVED: &str = "approved";
/// The header key a request with `--require-approval` writes (`approval: required`).
pub const APPROVAL: &str = "approval";
/// The header key naming the planner that wrote a migration (`planner: llm`).
pub const PLANNER: &str = "planner";

/// Which migrations need an approval before `migrate apply` runs them (in increasing strictness).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Required {
    /// Only those marked `approval: required`, and destructive ones an LLM wrote.
    #[default]
    Marked,
    /// Also every migration that destroys data.
    Destructive,
    /// Every migration.
    All,
}

impl Required {
    pub fn parse(word: &str) -> Option<Required> {
        match word {
            "none" | "marked" => Some(Required::Marked),
            "destructive" => Some(Required::Destructive),
            "all" => Some(Required::All),
            _ => None,
        }
    }
}

/// One parsed approval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    pub by: String,
    pub at: String,
    pub env: String,
    pub checksum: String,
    pub schema: String,
    pub policy: String,
    /// Rules whose error-level findings this approval lets through.
    pub overrides: Vec<String>,
    pub reason: String,
}

impl Approval {
    /// The header value (after `approved:`).
    pub fn to_header(&self) -> String {
        let overrides = if self.overrides.is_empty() {
            String::new()
        } else {
            format!(" overrides={}", self.overrides.join(","))
        };
        format!(
            "by={} at={} env={} checksum={} schema={} policy={}{overrides} reason=\"{}\"",
            self.by,
            self.at,
            self.env,
            self.checksum,
            self.schema,
            self.policy,
            self.reason.replace(['"', '\n', '\r'], "'")
        )
    }

    /// Reads a header value; `None` when a field is missing.
    pub fn parse(value: &str) -> Option<Approval> {
        let (fields, reason) = match value.find("reason=") {
            Some(at) => (&value[..at], value[at + 7..].trim()),
            None => (value, ""),
        };
        let get = |key: &str| {
            fields
                .split_whitespace()
                .find_map(|f| f.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_string)
        };
        Some(Approval {
            by: get("by")?,
            at: get("at")?,
            env: get("env")?,
            checksum: get("checksum")?,
            schema: get("schema")?,
            policy: get("policy")?,
            overrides: get("overrides")
                .map(|o| o.split(',').map(str::to_string).collect())
                .unwrap_or_default(),
            reason: reason.trim_matches('"').to_string(),
        })
    }
}

/// The environment's name in an approval (`default` when the run names none).
pub fn env_name(environment: Option<&str>) -> String {
    environment.unwrap_or("default").to_string()
}

/// A short, stable fingerprint of a schema (sha256 of its JSON model, 16 hex digits).
pub fn schema_fingerprint(schema: &DatabaseSchema) -> String {
    let json = serde_json::to_vec(schema).unwrap_or_default();
    crate::plugins::sha256(&json)[..16].to_string()
}

/// Why `m` needs an approval before it runs, or `None`.
pub fn needed(m: &MigrationFile, required: Required, destructive: bool) -> Option<String> {
    if m.meta
        .extra(APPROVAL)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("required"))
    {
        return Some("it was written with --require-approval".into());
    }
    if destructive
        && m.meta
            .extra(PLANNER)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("llm"))
    {
        return Some("an LLM wrote it and it destroys data".into());
    }
    match required {
        Required::All => Some("[policy] approvals = \"all\"".into()),
        Required::Destructive if destructive => {
            Some("it destroys data and [policy] approvals = \"destructive\"".into())
        }
        _ => None,
    }
}

/// What an approval must match to hold for this run.
pub struct Expected<'a> {
    pub env: &'a str,
    pub checksum: &'a str,
    pub schema: &'a str,
    pub policy: &'a str,
    pub max_age: chrono::Duration,
    pub now: DateTime<Utc>,
}

/// The approval of `m` that holds, or why none does (each approval's reason for not holding).
pub fn valid<'a>(approvals: &'a [Approval], e: &Expected<'_>) -> Result<&'a Approval, String> {
    if approvals.is_empty() {
        return Err("it has no approval".into());
    }
    let mut why = vec![];
    for a in approvals {
        let problem = if a.env != e.env {
            Some(format!("is for environment {}, not {}", a.env, e.env))
        } else if a.checksum != e.checksum {
            Some("was given for other SQL (the up section changed since)".into())
        } else if a.policy != e.policy {
            Some("was given under other policies (a policy or [policy] changed since)".into())
        } else if a.schema != e.schema {
            Some("was given for another schema (the target changed since: drift, or other migrations)".into())
        } else {
            match DateTime::parse_from_rfc3339(&a.at) {
                Ok(at) if e.now.signed_duration_since(at) > e.max_age => Some(format!(
                    "expired (given {}, valid {} days)",
                    a.at,
                    e.max_age.num_days()
                )),
                Ok(_) => None,
                Err(_) => Some(format!("has an unreadable time `{}`", a.at)),
            }
        };
        match problem {
            None => return Ok(a),
            Some(p) => why.push(format!("the approval by {} {p}", a.by)),
        }
    }
    Err(why.join("; "))
}

/// The approvals written in `m`'s header.
pub fn of(m: &MigrationFile) -> Vec<Approval> {
    m.meta
        .extra
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(APPROVED))
        .filter_map(|(_, v)| Approval::parse(v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval() -> Approval {
        Approval {
            by: "alice@example.com".into(),
            at: "2026-12-07T03:00:00Z".into(),
            env: "production".into(),
            checksum: "c".repeat(64),
            schema: "0123456789abcdef".into(),
            policy: "fedcba9876543210".into(),
            overrides: vec!["drop-table".into()],
            reason: "Confirmed unused".into(),
        }
    }

    #[test]
    fn an_approval_reads_back_what_it_wrote() {
        let a = approval();
        assert_eq!(Approval::parse(&a.to_header()), Some(a));
    }

    #[test]
    fn an_approval_holds_only_for_what_was_approved() {
        let a = approval();
        let checksum = "c".repeat(64);
        let now = DateTime::parse_from_rfc3339("2026-12-08T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ok = Expected {
            env: "production",
            checksum: &checksum,
            schema: "0123456789abcdef",
            policy: "fedcba9876543210",
            max_age: chrono::Duration::days(7),
            now,
        };
        let list = [a];
        assert!(valid(&list, &ok).is_ok());
        let other = "d".repeat(64);
        for (e, word) in [
            (
                Expected {
                    env: "staging",
                    ..ok
                },
                "environment",
            ),
            (
                Expected {
                    checksum: &other,
                    ..ok
                },
                "other SQL",
            ),
            (Expected { schema: "1", ..ok }, "another schema"),
            (Expected { policy: "1", ..ok }, "other policies"),
            (
                Expected {
                    max_age: chrono::Duration::hours(1),
                    ..ok
                },
                "expired",
            ),
        ] {
            let why = valid(&list, &e).unwrap_err();
            assert!(why.contains(word), "{why}");
        }
    }
}
