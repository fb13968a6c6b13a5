//! The project configuration: `ai-shell.toml` in the working directory, overridden by command-line options.
//!
//! ```toml
//! [migrations]
//! dir = "migrations"              # where NNN_slug.sql files live
//! table = "ai_shell_migrations"   # the history table (its event log is <table>_log)
//! lock_timeout_secs = 600         # how long a run waits for another run's lock
//! ```

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
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MigrationsSection {
    dir: Option<PathBuf>,
    table: Option<String>,
    lock_timeout_secs: Option<u64>,
}

/// Settings of the project in the working directory.
#[derive(Clone, Debug)]
pub struct Project {
    pub migrations_dir: PathBuf,
    pub history_table: String,
    pub lock_timeout: Duration,
}

impl Project {
    /// Reads `ai-shell.toml` from `dir` when present; `migrations_dir` overrides the file.
    pub fn load(dir: &Path, migrations_dir: Option<&Path>) -> anyhow::Result<Project> {
        let path = dir.join(CONFIG_FILE);
        let file: File = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).with_context(|| {
                format!("{} is not a valid ai-shell configuration", path.display())
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => File::default(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let m = file.migrations;
        Ok(Project {
            migrations_dir: migrations_dir
                .map(Path::to_path_buf)
                .or(m.dir)
                .unwrap_or_else(|| PathBuf::from("migrations")),
            history_table: m.table.unwrap_or_else(|| "ai_shell_migrations".into()),
            lock_timeout: Duration::from_secs(m.lock_timeout_secs.unwrap_or(600)),
        })
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
        std::fs::write(dir.path().join(CONFIG_FILE), "[migrations]\ndirr = 1\n").unwrap();
        let err = format!("{:#}", Project::load(dir.path(), None).unwrap_err());
        assert!(err.contains("dirr"), "{err}");
    }
}
