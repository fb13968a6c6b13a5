//! Edits of `ai-shell.toml` (or the user's configuration) that keep everything else in it: comments,
//! layout, other tables.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

use crate::project::{CONFIG_FILE, Project};

/// The configuration file of a project folder, open for editing.
pub struct ConfigFile {
    path: PathBuf,
    doc: DocumentMut,
}

impl ConfigFile {
    /// Reads `ai-shell.toml` in `dir` (an empty document when there is none).
    pub fn open(dir: &Path) -> anyhow::Result<ConfigFile> {
        ConfigFile::open_path(dir.join(CONFIG_FILE))
    }

    /// Reads the configuration file at `path` (an empty document when there is none).
    pub fn open_path(path: PathBuf) -> anyhow::Result<ConfigFile> {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        // The same checks as every command (and errors that hide passwords) before anything is changed.
        Project::parse(&text, &path, None)?;
        let doc = text
            .parse::<DocumentMut>()
            .with_context(|| format!("{} is not valid TOML", path.display()))?;
        Ok(ConfigFile { path, doc })
    }

    /// The document as it would be written.
    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The value at a dotted key path (`["migrations", "safety", "enabled"]`), if set.
    pub fn get(&self, keys: &[String]) -> Option<&Item> {
        let mut item = self.doc.as_item();
        for k in keys {
            item = item.as_table_like()?.get(k)?;
        }
        Some(item)
    }

    /// Sets the value at a dotted key path, creating the tables on the way (as `[a.b]` headers, or inside
    /// an inline table when the parent is one).
    pub fn set(&mut self, keys: &[String], value: Value) -> anyhow::Result<()> {
        let path = self.path.display().to_string();
        let (last, parents) = keys.split_last().context("an empty key")?;
        let mut table: &mut dyn TableLike = self.doc.as_table_mut();
        for (i, k) in parents.iter().enumerate() {
            let entry = table.entry(k).or_insert_with(|| {
                let mut t = Table::new();
                // `[migrations.safety]` rather than an empty `[migrations]` above it.
                t.set_implicit(true);
                Item::Table(t)
            });
            table = entry
                .as_table_like_mut()
                .with_context(|| format!("{path}: `{}` is not a table", keys[..=i].join(".")))?;
        }
        table.insert(last, Item::Value(value));
        Ok(())
    }

    /// Removes the value at a dotted key path, and the tables it leaves empty; false when it was not set.
    pub fn unset(&mut self, keys: &[String]) -> bool {
        fn remove(table: &mut dyn TableLike, keys: &[String]) -> bool {
            match keys {
                [] => false,
                [last] => table.remove(last).is_some(),
                [first, rest @ ..] => {
                    let Some(child) = table.get_mut(first).and_then(Item::as_table_like_mut) else {
                        return false;
                    };
                    let removed = remove(child, rest);
                    if removed && child.is_empty() {
                        table.remove(first);
                    }
                    removed
                }
            }
        }
        remove(self.doc.as_table_mut(), keys)
    }

    /// Sets `[environments.NAME] url` (and `group` when given), keeping the table's other keys.
    pub fn set_connection(
        &mut self,
        name: &str,
        url: &str,
        group: Option<&str>,
    ) -> anyhow::Result<()> {
        let path = self.path.display().to_string();
        let envs = self.doc.entry("environments").or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        });
        let inline = envs.is_inline_table();
        let envs = envs
            .as_table_like_mut()
            .with_context(|| format!("{path}: `environments` is not a table"))?;
        if !envs.contains_key(name) {
            envs.insert(
                name,
                if inline {
                    Item::Value(Value::InlineTable(InlineTable::new()))
                } else {
                    Item::Table(Table::new())
                },
            );
        }
        let env: &mut dyn TableLike = envs
            .get_mut(name)
            .and_then(Item::as_table_like_mut)
            .with_context(|| format!("{path}: `environments.{name}` is not a table"))?;
        env.insert("url", toml_edit::value(url));
        if let Some(group) = group {
            env.insert("group", toml_edit::value(group));
        }
        Ok(())
    }

    /// Removes `[environments.NAME]`; false when there was none.
    pub fn remove_connection(&mut self, name: &str) -> bool {
        let Some(envs) = self
            .doc
            .get_mut("environments")
            .and_then(Item::as_table_like_mut)
        else {
            return false;
        };
        let removed = envs.remove(name).is_some();
        if envs.is_empty() {
            self.doc.remove("environments");
        }
        removed
    }

    /// Sets (or, with `None`, removes) `[connection] default`.
    pub fn set_default(&mut self, name: Option<&str>) -> anyhow::Result<()> {
        match name {
            Some(name) => {
                let connection = self
                    .doc
                    .entry("connection")
                    .or_insert_with(|| Item::Table(Table::new()))
                    .as_table_like_mut()
                    .with_context(|| {
                        format!("{}: `connection` is not a table", self.path.display())
                    })?;
                connection.insert("default", toml_edit::value(name));
            }
            None => {
                if let Some(connection) = self
                    .doc
                    .get_mut("connection")
                    .and_then(Item::as_table_like_mut)
                {
                    connection.remove("default");
                    if connection.is_empty() {
                        self.doc.remove("connection");
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks the edited file as every command reads it, then replaces the file in one step.
    pub fn save(&self) -> anyhow::Result<()> {
        let text = self.text();
        Project::parse(&text, &self.path, None)
            .context("the edited configuration would not be valid; nothing was written")?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())?;
        // Keep the permissions of the file being replaced (a new file gets the usual ones, not 0600).
        let permissions = std::fs::metadata(&self.path)
            .map(|m| m.permissions())
            .ok()
            .or_else(default_permissions);
        if let Some(p) = permissions {
            tmp.as_file().set_permissions(p)?;
        }
        tmp.persist(&self.path)
            .with_context(|| format!("writing {}", self.path.display()))?;
        Ok(())
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_comments_and_other_tables() {
        let dir = tempfile::tempdir().unwrap();
        let original = "# project settings\n[migrations]\ndir = \"db\" # where files live\n\n[llm]\nmodel = \"m\"\n";
        std::fs::write(dir.path().join(CONFIG_FILE), original).unwrap();
        let mut f = ConfigFile::open(dir.path()).unwrap();
        f.set_connection("dev", "sqlite://dev.db", Some("environments"))
            .unwrap();
        f.set_connection("prod", "postgres://app:${PW}@prod/shop", None)
            .unwrap();
        f.set_default(Some("dev")).unwrap();
        f.save().unwrap();
        let text = std::fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap();
        assert!(text.starts_with(original), "{text}");
        assert!(
            text.contains(
                "[environments.dev]\nurl = \"sqlite://dev.db\"\ngroup = \"environments\""
            ),
            "{text}"
        );
        assert!(!text.contains("[environments]\n"), "{text}");
        let p = Project::load(dir.path(), None).unwrap();
        assert_eq!(p.default_connection.as_deref(), Some("dev"));
        assert_eq!(p.connections["prod"].url, "postgres://app:${PW}@prod/shop");
        assert_eq!(p.migrations_dir, PathBuf::from("db"));

        let mut f = ConfigFile::open(dir.path()).unwrap();
        assert!(f.remove_connection("dev"));
        assert!(!f.remove_connection("nope"));
        // The default must name a connection: saving without clearing it is refused, nothing written.
        assert!(f.save().is_err());
        f.set_default(None).unwrap();
        assert!(f.remove_connection("prod"));
        f.save().unwrap();
        let text = std::fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap();
        assert_eq!(text.trim_end(), original.trim_end());
    }

    #[test]
    fn inline_environments_stay_inline() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "environments = { dev = { url = \"sqlite://dev.db\" } }\n",
        )
        .unwrap();
        let mut f = ConfigFile::open(dir.path()).unwrap();
        f.set_connection("qa", "sqlite://qa.db", Some("g")).unwrap();
        f.save().unwrap();
        let p = Project::load(dir.path(), None).unwrap();
        assert_eq!(p.connections["qa"].group.as_deref(), Some("g"));
        assert_eq!(p.connections["dev"].url, "sqlite://dev.db");
    }
}
