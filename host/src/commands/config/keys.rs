//! The settings `ai-shell config` knows: where each lives in `ai-shell.toml`, how its value is written, and
//! what it does.

use std::time::Duration;

use toml_edit::{Array, Value};

/// How a setting's value is written and checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Bool,
    /// A whole number, zero or more.
    Count,
    /// `30s`, `5m`, `12h`, `7d`, `2w`.
    Duration,
    /// A number of seconds, or a duration.
    Seconds,
    Text,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// Comma-separated words, stored as a list.
    List,
    /// Notification event names (`applied,failed,rolled_back`), checked and stored as a list.
    Events,
    /// A secret such as a webhook URL: stored only as `${VAR}`, never as its value.
    Secret,
}

/// One setting: its key (with `<env>` or `<rule>` standing for a name), kind, default and effect.
#[derive(Debug)]
pub struct Spec {
    pub key: &'static str,
    pub kind: Kind,
    pub default: Option<&'static str>,
    pub summary: &'static str,
}

const SEVERITIES: &[&str] = &["error", "warn", "info", "off"];
const APPROVALS: &[&str] = &["destructive", "all", "none"];

/// Every setting, in the order `config list --all` shows them.
pub const KEYS: &[Spec] = &[
    Spec {
        key: "migrations.dir",
        kind: Kind::Text,
        default: Some("migrations"),
        summary: "folder of migration files",
    },
    Spec {
        key: "migrations.table",
        kind: Kind::Text,
        default: Some("ai_shell_migrations"),
        summary: "the history table (its event log is <table>_log)",
    },
    Spec {
        key: "migrations.lock_timeout_secs",
        kind: Kind::Count,
        default: Some("600"),
        summary: "how long a run waits for another run's lock, in seconds",
    },
    Spec {
        key: "migrations.timeout",
        kind: Kind::Seconds,
        default: None,
        summary: "how long one migration may run (seconds, or 5m): then it is cancelled and rolled back where the engine can",
    },
    Spec {
        key: "migrations.safety.enabled",
        kind: Kind::Bool,
        default: Some("true"),
        summary: "whether the safety requirements below apply (consent to destroying data is always required)",
    },
    Spec {
        key: "migrations.safety.require-backup",
        kind: Kind::Bool,
        default: Some("false"),
        summary: "apply and rollback refuse to run without a fresh backup (backup.auto or --backup-first takes one)",
    },
    Spec {
        key: "migrations.safety.require-review",
        kind: Kind::Bool,
        default: Some("false"),
        summary: "apply runs only migrations accepted with `migrate review ID --accept` or approved",
    },
    Spec {
        key: "migrations.backup.auto",
        kind: Kind::Bool,
        default: Some("false"),
        summary: "take a backup before every apply and rollback that changes the database",
    },
    Spec {
        key: "migrations.backup.retention",
        kind: Kind::Duration,
        default: None,
        summary: "delete backups older than this (7d) when a new one is taken; the newest is always kept",
    },
    Spec {
        key: "migrations.backup.dir",
        kind: Kind::Text,
        default: Some(".ai-shell/backups"),
        summary: "where backups are kept",
    },
    Spec {
        key: "migrations.backup.max-age",
        kind: Kind::Duration,
        default: Some("24h"),
        summary: "how old a backup may be and still count as fresh for require-backup",
    },
    Spec {
        key: "migrations.vcs.enabled",
        kind: Kind::Bool,
        default: Some("false"),
        summary: "git integration",
    },
    Spec {
        key: "migrations.vcs.auto-commit",
        kind: Kind::Bool,
        default: Some("false"),
        summary: "commit each migration file ai-shell writes (that file only)",
    },
    Spec {
        key: "migrations.notify.enabled",
        kind: Kind::Bool,
        default: Some("false"),
        summary: "send notifications (true once a channel is configured)",
    },
    Spec {
        key: "migrations.notify.slack",
        kind: Kind::Secret,
        default: None,
        summary: "the Slack incoming webhook of the `slack` channel, as ${VAR}",
    },
    Spec {
        key: "migrations.notify.events",
        kind: Kind::Events,
        default: Some("applied,failed,rolled_back"),
        summary: "the events channels get: planned, started, applied, failed, rolled_back, ... or all",
    },
    Spec {
        key: "migrations.<env>.zero-downtime",
        kind: Kind::Bool,
        default: Some("false"),
        summary: "online strategies for every change that has one, in this environment",
    },
    Spec {
        key: "migrations.<env>.online-threshold-rows",
        kind: Kind::Count,
        default: Some("100000"),
        summary: "otherwise: online only for tables at least this big",
    },
    Spec {
        key: "migrations.<env>.batch-size",
        kind: Kind::Count,
        default: Some("10000"),
        summary: "rows per backfill batch",
    },
    Spec {
        key: "migrations.<env>.lock-timeout-ms",
        kind: Kind::Count,
        default: Some("50"),
        summary: "how long online DDL waits for a lock before backing off",
    },
    Spec {
        key: "migrations.<env>.replicas",
        kind: Kind::List,
        default: None,
        summary: "MySQL replicas whose lag backfills watch (URLs)",
    },
    Spec {
        key: "llm.provider",
        kind: Kind::Choice(&["anthropic", "openai"]),
        default: Some("anthropic"),
        summary: "the LLM planner's API (openai: any OpenAI-compatible endpoint)",
    },
    Spec {
        key: "llm.model",
        kind: Kind::Text,
        default: None,
        summary: "the model the LLM planner asks",
    },
    Spec {
        key: "llm.base_url",
        kind: Kind::Text,
        default: None,
        summary: "the API's address",
    },
    Spec {
        key: "llm.timeout_secs",
        kind: Kind::Count,
        default: Some("120"),
        summary: "how long one LLM call may take",
    },
    Spec {
        key: "llm.max_retries",
        kind: Kind::Count,
        default: Some("2"),
        summary: "retries of a failed LLM call",
    },
    Spec {
        key: "llm.fallback",
        kind: Kind::Bool,
        default: Some("false"),
        summary: "offline planner first, the LLM only for what it cannot understand",
    },
    Spec {
        key: "drift.ignore",
        kind: Kind::List,
        default: None,
        summary: "objects schema detect-drift leaves out (table, table.column, wildcards)",
    },
    Spec {
        key: "policy.approvals",
        kind: Kind::Choice(APPROVALS),
        default: Some("none"),
        summary: "which migrations need `migrate approve`",
    },
    Spec {
        key: "policy.approval-max-age-days",
        kind: Kind::Count,
        default: None,
        summary: "how long an approval holds",
    },
    Spec {
        key: "policy.approver-not-author",
        kind: Kind::Bool,
        default: Some("false"),
        summary: "nobody approves their own migration",
    },
    Spec {
        key: "policy.no-override",
        kind: Kind::List,
        default: None,
        summary: "rules whose findings cannot be overridden",
    },
    Spec {
        key: "policy.rules.<rule>",
        kind: Kind::Choice(SEVERITIES),
        default: None,
        summary: "a policy rule's severity (`ai-shell lint --rules` lists them)",
    },
    Spec {
        key: "policy.environments.<env>.approvals",
        kind: Kind::Choice(APPROVALS),
        default: None,
        summary: "which migrations need approval in this environment",
    },
    Spec {
        key: "policy.environments.<env>.rules.<rule>",
        kind: Kind::Choice(SEVERITIES),
        default: None,
        summary: "a rule's severity in this environment",
    },
];

/// `[migrations.X]` tables that are settings, not environments.
pub const RESERVED_TABLES: &[&str] = &["safety", "backup", "vcs", "notify"];

/// A key as the user wrote it, matched to its setting.
#[derive(Debug)]
pub struct Resolved {
    pub spec: &'static Spec,
    /// The key path as it is spelled in the file.
    pub path: Vec<String>,
}

impl Resolved {
    pub fn dotted(&self) -> String {
        self.path.join(".")
    }
}

/// Spelling-insensitive form of a key segment: `requireBackup`, `require-backup` and `require_backup` agree.
fn fold(segment: &str) -> String {
    segment
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The setting `key` names, and its path in the file; an unknown key is an error listing the known ones.
pub fn resolve(key: &str) -> anyhow::Result<Resolved> {
    let given: Vec<&str> = key.trim().split('.').collect();
    let mut best: Option<(usize, Resolved)> = None;
    for spec in KEYS {
        let pattern: Vec<&str> = spec.key.split('.').collect();
        if pattern.len() != given.len() {
            continue;
        }
        let mut path = Vec::with_capacity(pattern.len());
        let mut literal = 0;
        let mut ok = true;
        for (p, g) in pattern.iter().zip(&given) {
            if p.starts_with('<') {
                let name_ok = crate::project::check_name(g, "key").is_ok()
                    && !(*p == "<env>" && RESERVED_TABLES.contains(&fold(g).as_str()));
                if !name_ok {
                    ok = false;
                    break;
                }
                path.push((*g).to_string());
            } else if fold(p) == fold(g) {
                literal += 1;
                path.push((*p).to_string());
            } else {
                ok = false;
                break;
            }
        }
        if ok && best.as_ref().is_none_or(|(n, _)| literal > *n) {
            best = Some((literal, Resolved { spec, path }));
        }
    }
    if let Some((_, resolved)) = best {
        return Ok(resolved);
    }
    if matches!(
        given.first().map(|g| fold(g)).as_deref(),
        Some("environments" | "connection")
    ) {
        anyhow::bail!(
            "`{}` is a connection: record connections with `ai-shell connections add NAME URL` and the default with `ai-shell connect URL` (or `ai-shell connections list` to see them)",
            key.escape_debug()
        );
    }
    let close = closest(key);
    anyhow::bail!(
        "unknown setting `{}`{}\n\nKnown settings:\n{}",
        key.escape_debug(),
        close
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default(),
        KEYS.iter()
            .map(|s| format!("  {:<40} {}", s.key, s.summary))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// The known key most like `key`, when one is close.
fn closest(key: &str) -> Option<&'static str> {
    let key = fold(key);
    KEYS.iter()
        .map(|s| (strsim(&fold(s.key), &key), s.key))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance.
fn strsim(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// `text` read as a value of `spec`'s kind, or an error saying what is expected.
pub fn parse_value(spec: &Spec, key: &str, text: &str) -> anyhow::Result<Value> {
    let t = text.trim();
    let bad = |expected: &str| {
        anyhow::anyhow!(
            "`{}` is not a valid value for {key}: {expected}",
            text.escape_debug()
        )
    };
    Ok(match spec.kind {
        Kind::Bool => match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Value::from(true),
            "false" | "no" | "off" | "0" => Value::from(false),
            _ => return Err(bad("expected true or false")),
        },
        Kind::Count => {
            let digits: String = t.chars().filter(|c| *c != '_' && *c != ',').collect();
            let n: i64 = digits
                .parse()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| bad("expected a whole number, 0 or more"))?;
            Value::from(n)
        }
        Kind::Duration => {
            check_duration(t).map_err(|e| bad(&e))?;
            Value::from(t)
        }
        Kind::Seconds => match t.parse::<i64>() {
            Ok(n) if n > 0 => Value::from(n),
            _ => {
                check_duration(t).map_err(|e| bad(&format!("expected seconds (300) or {e}")))?;
                Value::from(t)
            }
        },
        Kind::Text => {
            if t.is_empty() {
                return Err(bad(
                    "expected a value (to remove the setting: `ai-shell config unset KEY`)",
                ));
            }
            Value::from(t)
        }
        Kind::Choice(words) => {
            let w = t.to_ascii_lowercase();
            if !words.contains(&w.as_str()) {
                return Err(bad(&format!("expected one of {}", words.join(", "))));
            }
            Value::from(w)
        }
        Kind::Events => {
            let mut list = Array::new();
            for item in t.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let full =
                    crate::notify::config::event_type(item).map_err(|e| bad(&e.to_string()))?;
                list.push(full);
            }
            Value::Array(list)
        }
        Kind::Secret => Value::from(secret_reference(t).map_err(|e| bad(&e))?),
        Kind::List => {
            let mut list = Array::new();
            for item in t.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                list.push(item);
            }
            Value::Array(list)
        }
    })
}

/// `${VAR}` for a secret: as written, or the variable whose value it is (the shell expanded
/// `$SLACK_WEBHOOK` before ai-shell saw it); a bare secret is refused, never written to a file.
fn secret_reference(t: &str) -> Result<String, String> {
    if crate::project::variable_reference(t).is_some() {
        return Ok(t.to_string());
    }
    if let Some(var) = t
        .strip_prefix('$')
        .filter(|v| crate::project::variable_reference(&format!("${{{v}}}")).is_some())
    {
        return Ok(format!("${{{var}}}"));
    }
    let mut names: Vec<String> = std::env::vars()
        .filter(|(_, v)| v == t)
        .map(|(k, _)| k)
        .filter(|k| crate::project::variable_reference(&format!("${{{k}}}")).is_some())
        .collect();
    names.sort();
    match names.first() {
        Some(name) => Ok(format!("${{{name}}}")),
        None => Err(
            "a webhook URL is a secret and is not written to a file: put it in an environment variable and give its name, e.g. '${SLACK_WEBHOOK}' (single quotes keep the shell from expanding it)".to_string(),
        ),
    }
}

fn check_duration(t: &str) -> Result<Duration, String> {
    match crate::project::parse_duration(t) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err("expected a duration such as 30s, 5m, 12h, 7d or 2w".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_resolve_whatever_their_spelling() {
        let r = resolve("migrations.safety.requireBackup").unwrap();
        assert_eq!(r.dotted(), "migrations.safety.require-backup");
        assert_eq!(
            resolve("migrations.production.zero_downtime")
                .unwrap()
                .dotted(),
            "migrations.production.zero-downtime"
        );
        // A literal key wins over an environment that happens to share its name.
        assert_eq!(
            resolve("migrations.vcs.enabled").unwrap().spec.key,
            "migrations.vcs.enabled"
        );
        assert!(resolve("migrations.safety.batch-size").is_err());
        let e = resolve("migrations.safety.requireBackp")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("did you mean `migrations.safety.require-backup`"),
            "{e}"
        );
        let e = resolve("environments.prod.url").unwrap_err().to_string();
        assert!(e.contains("connections add"), "{e}");
    }

    #[test]
    fn values_are_checked_by_kind() {
        let spec = resolve("migrations.backup.retention").unwrap().spec;
        assert_eq!(parse_value(spec, "k", "7d").unwrap().as_str(), Some("7d"));
        assert!(parse_value(spec, "k", "seven days").is_err());
        let spec = resolve("migrations.timeout").unwrap().spec;
        assert_eq!(
            parse_value(spec, "k", "300").unwrap().as_integer(),
            Some(300)
        );
        assert_eq!(parse_value(spec, "k", "5m").unwrap().as_str(), Some("5m"));
        assert!(parse_value(spec, "k", "-3").is_err());
        let spec = resolve("migrations.safety.enabled").unwrap().spec;
        assert_eq!(parse_value(spec, "k", "yes").unwrap().as_bool(), Some(true));
        assert!(parse_value(spec, "k", "maybe").is_err());
        let spec = resolve("policy.rules.drop-table").unwrap().spec;
        assert!(
            parse_value(spec, "k", "fatal")
                .unwrap_err()
                .to_string()
                .contains("error, warn, info, off")
        );
        let spec = resolve("drift.ignore").unwrap().spec;
        let v = parse_value(spec, "k", "audit_log, tmp_*").unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
    }
}
