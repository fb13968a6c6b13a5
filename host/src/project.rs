//! The project configuration: `ai-shell.toml` in the working directory, overridden by command-line options.
//!
//! ```toml
//! [migrations]
//! dir = "migrations"              # where NNN_slug.sql files live
//! table = "ai_shell_migrations"   # the history table (its event log is <table>_log)
//! lock_timeout_secs = 600         # how long a run waits for another run's lock
//!
//! [migrations.production]         # settings for `--env production` (or AI_SHELL_ENV=production)
//! zero-downtime = true            # online strategies for every change that has one
//! online-threshold-rows = 100000  # otherwise: online only for tables at least this big
//! batch-size = 10000              # backfill batch
//! lock-timeout-ms = 50            # how long DDL waits for a lock before backing off
//! replicas = ["mysql://app@replica-2:3306/shop"]  # MySQL replicas to watch besides the listed ones
//!
//! [environments.staging]          # a named database: `--env staging` uses it (see `ai-shell connections`)
//! url = "postgres://app:${STAGING_DB_PASSWORD}@staging.db:5432/shop"  # ${VAR} is read from the environment
//! group = "environments"          # set by `connections add-group`
//!
//! [connection]
//! default = "staging"             # the database when no --env is given (set by `ai-shell connect`)
//!
//! [drift]                         # `schema detect-drift`, `verify`: objects that legitimately differ
//! ignore = ["audit_log", "users.last_seen", "tmp_*"]
//!
//! [policy.rules]                  # rules of the policy plugins: error | warn | info | off (see
//! drop-column = "error"           # docs/policies.md and policy/config.rs)
//!
//! [llm]                           # the LLM planner (the API key only ever comes from the environment)
//! provider = "anthropic"          # or "openai" for any OpenAI-compatible endpoint (Ollama, vLLM...)
//! model = "claude-sonnet-4-6"
//! base_url = "https://api.anthropic.com"
//! timeout_secs = 120
//! max_retries = 2
//! fallback = true                 # offline planner first; the LLM only for what it cannot understand
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

use crate::connection::DatabaseUrl;

/// The configuration file's name.
pub const CONFIG_FILE: &str = "ai-shell.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    migrations: MigrationsSection,
    llm: Option<LlmSettings>,
    #[serde(default)]
    environments: BTreeMap<String, NamedConnection>,
    #[serde(default)]
    connection: ConnectionSection,
    #[serde(default)]
    drift: DriftSection,
    /// Read by `policy::config` (its rule tables have open-ended keys).
    policy: Option<toml::Value>,
}

/// `[drift]`: what `schema detect-drift` and its siblings leave out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DriftSection {
    #[serde(default)]
    ignore: Vec<String>,
}

/// `[connection]`: which named connection commands use when no `--env` is given.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionSection {
    default: Option<String>,
}

/// `[environments.NAME]`: a named database connection.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NamedConnection {
    /// The URL as written: may hold a password, and `${VAR}` references resolved only when it is used.
    pub url: String,
    /// The group `connections add-group` tagged it with.
    pub group: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct MigrationsSection {
    dir: Option<PathBuf>,
    table: Option<String>,
    lock_timeout_secs: Option<u64>,
    /// Seconds (or a duration such as `5m`) a migration may run before it is cancelled.
    timeout: Option<toml::Value>,
    #[serde(default)]
    safety: SafetySettings,
    #[serde(default)]
    backup: BackupSettings,
    #[serde(default)]
    vcs: VcsSettings,
    /// Read by `notify::config` (channels have open-ended keys: the sinks' options).
    notify: Option<toml::Value>,
    /// `[migrations.ENV]` tables; anything else here is an unknown key.
    #[serde(flatten)]
    rest: BTreeMap<String, toml::Value>,
}

/// Rollout settings of one environment, `[migrations.NAME]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EnvironmentSettings {
    pub zero_downtime: Option<bool>,
    pub online_threshold_rows: Option<u64>,
    pub batch_size: Option<u64>,
    pub lock_timeout_ms: Option<u64>,
    /// MySQL/MariaDB replicas whose lag backfills watch, besides the ones the primary lists.
    pub replicas: Option<Vec<String>>,
}

/// `[migrations.safety]`: what must hold before a migration changes a database. `enabled = false` turns
/// these requirements off; consent to destroying data is never optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SafetySettings {
    pub enabled: Option<bool>,
    /// `migrate apply` and `rollback` refuse to run without a fresh backup (`backup.auto` or
    /// `--backup-first` takes one).
    #[serde(alias = "requireBackup", alias = "require_backup")]
    pub require_backup: Option<bool>,
    /// `migrate apply` runs only migrations a person accepted with `migrate review ID --accept` (or approved).
    #[serde(alias = "requireReview", alias = "require_review")]
    pub require_review: Option<bool>,
}

impl SafetySettings {
    pub fn requires_backup(&self) -> bool {
        self.enabled != Some(false) && self.require_backup == Some(true)
    }

    pub fn requires_review(&self) -> bool {
        self.enabled != Some(false) && self.require_review == Some(true)
    }
}

/// `[migrations.backup]`: backups taken by ai-shell (`backup create`, `--backup-first`, `auto`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BackupSettings {
    /// Take a backup before every `migrate apply` and `migrate rollback` that changes something.
    pub auto: Option<bool>,
    /// Backups older than this (`7d`, `12h`) are deleted when a new one is taken; the newest is always kept.
    pub retention: Option<String>,
    /// Where backups are kept (default `.ai-shell/backups` in the project folder).
    pub dir: Option<PathBuf>,
    /// How old a backup may be and still count as fresh for `safety.require-backup` (default `24h`).
    pub max_age: Option<String>,
}

/// `[migrations.vcs]`: git integration.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VcsSettings {
    pub enabled: Option<bool>,
    /// Commit every migration file ai-shell writes (`git add` + `git commit` of that file only).
    #[serde(alias = "autoCommit", alias = "auto_commit")]
    pub auto_commit: Option<bool>,
}

impl VcsSettings {
    pub fn auto_commits(&self) -> bool {
        self.enabled == Some(true) && self.auto_commit == Some(true)
    }
}

/// The `[llm]` table: which model the LLM planner asks. Never holds the API key.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LlmSettings {
    /// `anthropic` or `openai` (any OpenAI-compatible chat-completions endpoint).
    pub provider: Option<String>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub timeout_secs: Option<u64>,
    pub max_retries: Option<u32>,
    /// `true`: requests use the offline planner, and the LLM only for what it cannot understand.
    pub fallback: Option<bool>,
}

/// Settings of the project in the working directory.
#[derive(Clone, Debug)]
pub struct Project {
    pub migrations_dir: PathBuf,
    pub history_table: String,
    pub lock_timeout: Duration,
    /// The `[llm]` table, when present.
    pub llm: Option<LlmSettings>,
    /// `[migrations.NAME]` rollout settings by environment name.
    pub environments: BTreeMap<String, EnvironmentSettings>,
    /// `[environments.NAME]` database connections by name.
    pub connections: BTreeMap<String, NamedConnection>,
    /// `[connection] default`: the connection used when no `--env` is given.
    pub default_connection: Option<String>,
    /// `[drift] ignore`: objects that may differ from the migrations (`table`, `table.column`,
    /// `table.index`, a view or trigger name; `*` and `?` as wildcards).
    pub drift_ignore: Vec<String>,
    /// `[policy]`: rule severities and options, extra policy plugins.
    pub policy: crate::policy::PolicyConfig,
    /// `[migrations] timeout`: how long one migration may run before it is cancelled.
    pub timeout: Option<Duration>,
    pub safety: SafetySettings,
    pub backup: BackupSettings,
    /// `[migrations.backup] retention`, read.
    pub backup_retention: Option<Duration>,
    /// `[migrations.backup] max-age`, read (default 24 hours).
    pub backup_max_age: Duration,
    pub vcs: VcsSettings,
    /// `[migrations.notify]`: channels and the events they get.
    pub notify: crate::notify::NotifyConfig,
}

impl Project {
    /// Reads `ai-shell.toml` from `dir` when present, over the user's configuration (`config set --global`);
    /// `migrations_dir` overrides both.
    pub fn load(dir: &Path, migrations_dir: Option<&Path>) -> anyhow::Result<Project> {
        let path = dir.join(CONFIG_FILE);
        let text = read_optional(&path)?;
        let Some(global_path) = global_config_file() else {
            return Project::parse(&text, &path, migrations_dir);
        };
        let global = read_optional(&global_path)?;
        if global.trim().is_empty() {
            return Project::parse(&text, &path, migrations_dir);
        }
        // The user's file must hold on its own (its errors name it), then the project's keys win.
        Project::parse(&global, &global_path, None)?;
        let merged = merge_tables(
            toml::from_str(&global).unwrap_or_default(),
            text.parse::<toml::Table>()
                .map_err(|e| anyhow::anyhow!(hide_passwords(&e.to_string(), &text)))
                .with_context(|| format!("{} is not valid TOML", path.display()))?,
        );
        Project::parse(&merged.to_string(), &path, migrations_dir)
    }

    /// Reads the text of a configuration file (`path` names it in errors).
    pub fn parse(
        text: &str,
        path: &Path,
        migrations_dir: Option<&Path>,
    ) -> anyhow::Result<Project> {
        refuse_secrets(text, path)?;
        let file: File = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!(hide_passwords(&e.to_string(), text)))
            .with_context(|| format!("{} is not a valid ai-shell configuration", path.display()))?;
        let m = file.migrations;
        let llm = file.llm;
        let mut environments = BTreeMap::new();
        for (name, value) in m.rest {
            if !value.is_table() {
                anyhow::bail!(
                    "{}: unknown key `{name}` in [migrations] (known: dir, table, lock_timeout_secs, timeout, [migrations.safety], [migrations.backup], [migrations.vcs], [migrations.notify] and [migrations.ENV] tables)",
                    path.display()
                );
            }
            let settings: EnvironmentSettings = value
                .try_into()
                .with_context(|| format!("{}: invalid [migrations.{name}]", path.display()))?;
            environments.insert(name, settings);
        }
        for name in file.environments.keys() {
            check_name(name, "environment").with_context(|| {
                format!("{}: invalid [environments] table name", path.display())
            })?;
        }
        let default_connection = file.connection.default;
        if let Some(default) = &default_connection
            && !file.environments.contains_key(default)
        {
            anyhow::bail!(
                "{}: [connection] default = \"{default}\" names no [environments.{default}] table\n\nAdd it with `ai-shell connections add {default} URL`, or record another with `ai-shell connect URL`.",
                path.display()
            );
        }
        Ok(Project {
            migrations_dir: migrations_dir
                .map(Path::to_path_buf)
                .or(m.dir)
                .unwrap_or_else(|| PathBuf::from("migrations")),
            history_table: m.table.unwrap_or_else(|| "ai_shell_migrations".into()),
            lock_timeout: Duration::from_secs(m.lock_timeout_secs.unwrap_or(600)),
            llm,
            environments,
            connections: file.environments,
            default_connection,
            drift_ignore: file.drift.ignore,
            policy: crate::policy::PolicyConfig::from_toml(file.policy.as_ref())
                .with_context(|| format!("{}: invalid [policy]", path.display()))?,
            timeout: m
                .timeout
                .as_ref()
                .map(seconds_or_duration)
                .transpose()
                .with_context(|| format!("{}: invalid [migrations] timeout", path.display()))?,
            backup_retention: m
                .backup
                .retention
                .as_deref()
                .map(parse_duration)
                .transpose()
                .with_context(|| {
                    format!("{}: invalid [migrations.backup] retention", path.display())
                })?,
            backup_max_age: m
                .backup
                .max_age
                .as_deref()
                .map(parse_duration)
                .transpose()
                .with_context(|| {
                    format!("{}: invalid [migrations.backup] max-age", path.display())
                })?
                .unwrap_or(Duration::from_secs(24 * 3600)),
            notify: crate::notify::NotifyConfig::from_toml(m.notify.as_ref())
                .with_context(|| format!("{}: invalid [migrations.notify]", path.display()))?,
            safety: m.safety,
            backup: m.backup,
            vcs: m.vcs,
        })
    }
}

/// The user's configuration file (`config set --global`): `$AI_SHELL_CONFIG_DIR/config.toml`, else
/// `ai-shell/config.toml` in the platform's configuration folder.
pub fn global_config_file() -> Option<PathBuf> {
    std::env::var_os("AI_SHELL_CONFIG_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("ai-shell")))
        .map(|d| d.join("config.toml"))
}

/// A file's text; an absent file reads as empty.
fn read_optional(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// `base` with `over`'s keys put in, tables merged key by key (`over` wins).
fn merge_tables(mut base: toml::Table, over: toml::Table) -> toml::Table {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => {
                let merged = merge_tables(std::mem::take(b), o);
                *b = merged;
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
    base
}

/// A duration written as `30s`, `5m`, `12h`, `7d`, `2w` or a combination (`1h 30m`).
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    humantime::parse_duration(text.trim()).map_err(|e| {
        anyhow::anyhow!(
            "`{}` is not a duration ({e}): write a number and a unit, such as 30s, 5m, 12h, 7d or 2w",
            text.escape_debug()
        )
    })
}

/// A whole number of seconds, or a duration text.
fn seconds_or_duration(value: &toml::Value) -> anyhow::Result<Duration> {
    match value {
        toml::Value::Integer(n) if *n > 0 => Ok(Duration::from_secs(*n as u64)),
        toml::Value::String(s) => match s.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(Duration::from_secs(n)),
            _ => parse_duration(s),
        },
        other => anyhow::bail!(
            "expected a positive number of seconds or a duration such as 5m, found {other}"
        ),
    }
}

/// `msg` (a TOML error, which quotes the offending line) without the passwords of the URLs in `text`.
fn hide_passwords(msg: &str, text: &str) -> String {
    let mut msg = msg.to_string();
    for line in text.lines().filter(|l| l.contains("://")) {
        for (i, part) in line.split(['"', '\'']).enumerate() {
            if i % 2 == 1 && part.contains("://") {
                msg = msg.replace(part, &redacted_url(part));
            }
        }
        // A line that does not even split into quoted strings: drop it if it may hold a password.
        if line.contains('@') && msg.contains(line.trim()) {
            msg = msg.replace(line.trim(), "(a line with a database URL)");
        }
    }
    msg
}

/// The URL as written (`${VAR}` references kept) with its password and secret parameters replaced by `***`,
/// even when it does not parse.
pub fn redacted_url(raw: &str) -> String {
    let mut out = match DatabaseUrl::parse(raw) {
        Ok(url) => url.redacted(),
        Err(crate::connection::ConnectionError::InvalidUrl { url, .. }) => url,
        Err(_) => "(an unreadable URL)".to_string(),
    };
    // A password that is only a reference names a variable, not a secret: show which.
    if let Some(password) = url_password(raw)
        && variable_reference(password).is_some()
    {
        out = out.replacen(":***@", &format!(":{password}@"), 1);
    }
    out
}

/// The password of `scheme://user:password@host...`, as written.
pub fn url_password(raw: &str) -> Option<&str> {
    let rest = &raw[raw.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    Some(&authority[colon + 1..at])
}

/// `VAR` when `s` is exactly `${VAR}`.
pub fn variable_reference(s: &str) -> Option<&str> {
    let name = s.strip_prefix("${")?.strip_suffix('}')?;
    valid_variable(name).then_some(name)
}

fn valid_variable(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Refuses a connection or group name that is not letters, digits, `-` and `_` (without echoing it when it
/// looks like a URL, which may hold a password).
pub fn check_name(name: &str, what: &str) -> anyhow::Result<()> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        return Ok(());
    }
    if name.contains(':') || name.contains('@') {
        anyhow::bail!(
            "a URL was given where {what} name was expected\n\nNames come first, then URLs: NAME URL."
        );
    }
    anyhow::bail!(
        "`{}` is not a valid {what} name\n\nUse letters, digits, `-` and `_`, starting with a letter or digit.",
        name.escape_debug()
    )
}

/// `raw` with every `${VAR}` replaced by `lookup(VAR)`; `name` is the environment, for errors. An unset
/// variable is an error naming it; the URL itself is never quoted (it may hold a password).
pub fn expand_variables(
    raw: &str,
    name: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            anyhow::bail!(
                "the url of environment `{name}` has a `${{` without its closing `}}`\n\nWrite variables as ${{NAME}} in [environments.{name}] url in {CONFIG_FILE}."
            );
        };
        let var = &after[..end];
        if !valid_variable(var) {
            anyhow::bail!(
                "the url of environment `{name}` has an invalid variable reference (a name is letters, digits and `_`, not starting with a digit)\n\nFix [environments.{name}] url in {CONFIG_FILE}."
            );
        }
        let Some(value) = lookup(var) else {
            anyhow::bail!(
                "environment variable {var} is not set (the url of environment `{name}` reads ${{{var}}})\n\nSet {var} in the shell or in a .env file, or change [environments.{name}] url in {CONFIG_FILE}."
            );
        };
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `raw` checked as a connection URL: its `${VAR}` references well formed and the rest a database URL
/// (variables stand in as `0`, which fits a host, a port, a user, a password and a database name). `None`
/// when the whole URL is one variable (`${STAGING_DATABASE_URL}`): it is checked when used.
pub fn check_url(raw: &str, name: &str) -> anyhow::Result<Option<DatabaseUrl>> {
    if variable_reference(raw.trim()).is_some() {
        return Ok(None);
    }
    let stand_in = expand_variables(raw, name, |_| Some("0".into()))?;
    Ok(Some(DatabaseUrl::parse(&stand_in)?))
}

/// Where the database URL of a command came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseSource {
    /// `--database` or `DATABASE_URL`.
    Given,
    /// `[environments.NAME]`, chosen by `--env NAME` (or `AI_SHELL_ENV`).
    Environment(String),
    /// `[connection] default`, as `ai-shell connect` recorded it.
    DefaultConnection(String),
    /// The built-in SQLite file.
    BuiltIn,
}

impl std::fmt::Display for DatabaseSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseSource::Given => f.write_str("--database or DATABASE_URL"),
            DatabaseSource::Environment(n) => write!(f, "--env {n}"),
            DatabaseSource::DefaultConnection(n) => write!(f, "the default connection `{n}`"),
            DatabaseSource::BuiltIn => f.write_str("the built-in default"),
        }
    }
}

impl Project {
    /// Every environment name: `[environments.NAME]` and `[migrations.NAME]`.
    pub fn known_environments(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .connections
            .keys()
            .chain(self.environments.keys())
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Refuses an environment that neither `[environments.NAME]` nor `[migrations.NAME]` defines.
    pub fn check_environment(&self, name: &str) -> anyhow::Result<()> {
        if self.connections.contains_key(name) || self.environments.contains_key(name) {
            return Ok(());
        }
        let known = self.known_environments();
        let known = if known.is_empty() {
            format!("{CONFIG_FILE} defines none")
        } else {
            format!("known: {}", known.join(", "))
        };
        anyhow::bail!(
            "unknown environment `{}` (from --env or AI_SHELL_ENV; {known})\n\nAdd it with `ai-shell connections add NAME URL`, or pick one of `ai-shell connections list`.",
            name.escape_debug()
        )
    }

    /// The database a command uses, by precedence: `given` (`--database`, then `DATABASE_URL`), then the url of
    /// `[environments.ENV]` for `--env ENV`, then `[connection] default`, then `sqlite://ai-shell.db`.
    /// `lookup` reads the variables `${VAR}` names.
    pub fn resolve_database(
        &self,
        given: Option<&str>,
        environment: Option<&str>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<(String, DatabaseSource)> {
        if let Some(env) = environment {
            self.check_environment(env)?;
        }
        if let Some(url) = given.filter(|u| !u.is_empty()) {
            return Ok((url.to_string(), DatabaseSource::Given));
        }
        let named = environment
            .filter(|e| self.connections.contains_key(*e))
            .map(|e| (e, DatabaseSource::Environment(e.to_string())))
            .or_else(|| {
                self.default_connection
                    .as_deref()
                    .map(|d| (d, DatabaseSource::DefaultConnection(d.to_string())))
            });
        match named {
            Some((name, source)) => {
                let url = expand_variables(&self.connections[name].url, name, lookup)?;
                Ok((url, source))
            }
            None => Ok((
                crate::cli::DEFAULT_DATABASE.to_string(),
                DatabaseSource::BuiltIn,
            )),
        }
    }
}

/// Refuses an API key in the `[llm]` table without echoing it (a parse error would quote the line).
fn refuse_secrets(text: &str, path: &Path) -> anyhow::Result<()> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(());
    };
    let Some(toml::Value::Table(llm)) = table.get("llm") else {
        return Ok(());
    };
    if let Some(name) = llm.keys().find(|k| {
        let k = k.to_ascii_lowercase();
        k.contains("key") || k.contains("token") || k.contains("secret")
    }) {
        anyhow::bail!(
            "{} must not hold the LLM API key (`{name}` in [llm])\n\nRemove it and set ANTHROPIC_API_KEY or AI_SHELL_LLM_API_KEY in the environment.",
            path.display()
        );
    }
    Ok(())
}

impl Project {
    /// The rollout settings of `environment` (none configured: all defaults).
    pub fn environment(&self, environment: Option<&str>) -> EnvironmentSettings {
        environment
            .and_then(|e| self.environments.get(e))
            .cloned()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_file_and_override() {
        let dir = tempfile::tempdir().unwrap();
        let p = Project::load(dir.path(), None).unwrap();
        assert_eq!(p.migrations_dir, PathBuf::from("migrations"));
        assert_eq!(p.history_table, "ai_shell_migrations");
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[migrations]\ndir = \"db/migrate\"\ntable = \"schema_history\"\n",
        )
        .unwrap();
        let p = Project::load(dir.path(), None).unwrap();
        assert_eq!(p.migrations_dir, PathBuf::from("db/migrate"));
        assert_eq!(p.history_table, "schema_history");
        let p = Project::load(dir.path(), Some(Path::new("other"))).unwrap();
        assert_eq!(p.migrations_dir, PathBuf::from("other"));
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[migrations.production]\nzero-downtime = true\nbatch-size = 500\n",
        )
        .unwrap();
        let p = Project::load(dir.path(), None).unwrap();
        let prod = p.environment(Some("production"));
        assert_eq!(prod.zero_downtime, Some(true));
        assert_eq!(prod.batch_size, Some(500));
        assert_eq!(
            p.environment(Some("staging")),
            EnvironmentSettings::default()
        );
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[migrations.production]\nzero_downtime = true\n",
        )
        .unwrap();
        let err = format!("{:#}", Project::load(dir.path(), None).unwrap_err());
        assert!(err.contains("zero_downtime"), "{err}");
        std::fs::write(dir.path().join(CONFIG_FILE), "[migrations]\ndirr = 1\n").unwrap();
        let err = format!("{:#}", Project::load(dir.path(), None).unwrap_err());
        assert!(err.contains("dirr"), "{err}");
    }

    #[test]
    fn llm_table_is_read_and_refuses_a_key() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Project::load(dir.path(), None).unwrap().llm, None);
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[llm]\nprovider = \"openai\"\nmodel = \"qwen\"\ntimeout_secs = 30\n",
        )
        .unwrap();
        let llm = Project::load(dir.path(), None).unwrap().llm.unwrap();
        assert_eq!(llm.provider.as_deref(), Some("openai"));
        assert_eq!(llm.model.as_deref(), Some("qwen"));
        assert_eq!(llm.timeout_secs, Some(30));
        std::fs::write(dir.path().join(CONFIG_FILE), "[llm]\napi_key = \"sk-x\"\n").unwrap();
        let err = format!("{:#}", Project::load(dir.path(), None).unwrap_err());
        assert!(err.contains("api_key") && !err.contains("sk-x"), "{err}");
    }

    const ENVIRONMENTS: &str = r#"
[environments.dev]
url = "sqlite://dev.db"
group = "environments"

[environments.staging]
url = "postgres://app:${STAGING_PW}@staging.db:5432/shop"

[migrations.production]
zero-downtime = true

[connection]
default = "dev"
"#;

    fn project(text: &str) -> anyhow::Result<Project> {
        Project::parse(text, Path::new(CONFIG_FILE), None)
    }

    #[test]
    fn environments_and_the_default_connection_are_read() {
        let p = project(ENVIRONMENTS).unwrap();
        assert_eq!(p.connections["dev"].group.as_deref(), Some("environments"));
        assert_eq!(p.default_connection.as_deref(), Some("dev"));
        assert_eq!(p.known_environments(), ["dev", "production", "staging"]);
        let err = format!(
            "{:#}",
            project("[environments.dev]\nurl = \"sqlite://d.db\"\nuri = \"x\"\n").unwrap_err()
        );
        assert!(err.contains("uri"), "{err}");
        let err = format!(
            "{:#}",
            project("[connection]\ndefault = \"qa\"\n").unwrap_err()
        );
        assert!(err.contains("[environments.qa]"), "{err}");
    }

    #[test]
    fn an_invalid_file_is_reported_without_a_password() {
        for text in [
            "[environments.prod]\nurl = \"postgres://app:canary1@h/db\"\nurll = 1\n",
            "[environments.prod]\nurl = \"postgres://app:canary1@h/db\" oops\n",
            "[environments.prod]\nurl = postgres://app:canary1@h/db\n",
        ] {
            let err = format!("{:#}", project(text).unwrap_err());
            assert!(!err.contains("canary1"), "{err}");
        }
    }

    #[test]
    fn variables_are_expanded_and_an_unset_one_is_named() {
        let vars = |v: &str| (v == "PW").then(|| "s3cret".to_string());
        assert_eq!(
            expand_variables("postgres://app:${PW}@h/db", "staging", vars).unwrap(),
            "postgres://app:s3cret@h/db"
        );
        assert_eq!(
            expand_variables("sqlite://$x.db", "dev", vars).unwrap(),
            "sqlite://$x.db"
        );
        let err = expand_variables("postgres://app:${NOPE}@h/db", "staging", vars)
            .unwrap_err()
            .to_string();
        assert!(err.contains("NOPE") && err.contains("`staging`"), "{err}");
        for bad in [
            "postgres://app:${PW@h/db",
            "postgres://app:${hunter 2}@h/db",
        ] {
            let err = expand_variables(bad, "staging", vars)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("`staging`") && !err.contains("hunter"),
                "{err}"
            );
        }
        assert!(check_url("postgres://${USER}:${PW}@${HOST}:${PORT}/${DB}", "x").is_ok());
        assert!(check_url("${STAGING_DATABASE_URL}", "x").unwrap().is_none());
        assert!(check_url("oracle://x", "x").is_err());
        assert_eq!(
            redacted_url("postgres://app:${PW}@h/db?password=canary2"),
            "postgres://app:${PW}@h/db?password=***"
        );
        assert_eq!(
            redacted_url("postgres://app:canary3@h/db"),
            "postgres://app:***@h/db"
        );
    }

    #[test]
    fn the_database_comes_from_flag_then_env_then_default_connection_then_builtin() {
        let p = project(ENVIRONMENTS).unwrap();
        let vars = |v: &str| (v == "STAGING_PW").then(|| "pw".to_string());
        let resolve = |given, env| p.resolve_database(given, env, vars);
        assert_eq!(
            resolve(Some("sqlite://flag.db"), Some("staging")).unwrap(),
            ("sqlite://flag.db".into(), DatabaseSource::Given)
        );
        assert_eq!(
            resolve(None, Some("staging")).unwrap(),
            (
                "postgres://app:pw@staging.db:5432/shop".into(),
                DatabaseSource::Environment("staging".into())
            )
        );
        // An environment with settings but no url: the default connection.
        assert_eq!(
            resolve(Some(""), Some("production")).unwrap(),
            (
                "sqlite://dev.db".into(),
                DatabaseSource::DefaultConnection("dev".into())
            )
        );
        assert_eq!(
            resolve(None, None).unwrap().1,
            DatabaseSource::DefaultConnection("dev".into())
        );
        let bare = project("").unwrap();
        assert_eq!(
            bare.resolve_database(None, None, vars).unwrap(),
            (crate::cli::DEFAULT_DATABASE.into(), DatabaseSource::BuiltIn)
        );
        // An unknown environment is refused even with --database, naming the known ones.
        let err = resolve(Some("sqlite://flag.db"), Some("stagng"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`stagng`") && err.contains("dev, production, staging"),
            "{err}"
        );
        let err = bare
            .resolve_database(None, Some("qa"), vars)
            .unwrap_err()
            .to_string();
        assert!(err.contains("defines none"), "{err}");
        let err = p
            .resolve_database(None, Some("staging"), |_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("STAGING_PW") && err.contains("`staging`"),
            "{err}"
        );
    }
}
