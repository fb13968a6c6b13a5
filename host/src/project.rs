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
//! [llm]                           # the LLM planner (the API key only ever comes from the environment)
//! provider = "anthropic"          # or "openai" for any OpenAI-compatible endpoint (Ollama, vLLM...)
//! model = "claude-sonnet-4-6"
//! base_url = "https://api.anthropic.com"
//! timeout_secs = 120
//! max_retries = 2
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

/// The configuration file's name.
pub const CONFIG_FILE: &str = "ai-shell.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    migrations: MigrationsSection,
    llm: Option<LlmSettings>,
}

#[derive(Debug, Default, Deserialize)]
struct MigrationsSection {
    dir: Option<PathBuf>,
    table: Option<String>,
    lock_timeout_secs: Option<u64>,
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
}

impl Project {
    /// Reads `ai-shell.toml` from `dir` when present; `migrations_dir` overrides the file.
    pub fn load(dir: &Path, migrations_dir: Option<&Path>) -> anyhow::Result<Project> {
        let path = dir.join(CONFIG_FILE);
        let file: File = match std::fs::read_to_string(&path) {
            Ok(text) => {
                refuse_secrets(&text, &path)?;
                toml::from_str(&text).with_context(|| {
                    format!("{} is not a valid ai-shell configuration", path.display())
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => File::default(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let m = file.migrations;
        let llm = file.llm;
        let mut environments = BTreeMap::new();
        for (name, value) in m.rest {
            if !value.is_table() {
                anyhow::bail!(
                    "{}: unknown key `{name}` in [migrations] (known: dir, table, lock_timeout_secs, and [migrations.ENV] tables)",
                    path.display()
                );
            }
            let settings: EnvironmentSettings = value
                .try_into()
                .with_context(|| format!("{}: invalid [migrations.{name}]", path.display()))?;
            environments.insert(name, settings);
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
        })
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
}
