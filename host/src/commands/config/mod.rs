//! `ai-shell config set|get|unset|list`: the project's settings in `ai-shell.toml`, or the user's own with
//! `--global` (read under every project's; the project's win).

pub mod file;
mod keys;

use std::path::PathBuf;

use anyhow::Context as _;
use toml_edit::Item;

use self::file::ConfigFile;
use crate::cli::ConfigCommand;
use crate::project::{CONFIG_FILE, global_config_file, redacted_url};

pub fn run(cmd: ConfigCommand) -> anyhow::Result<()> {
    match cmd {
        ConfigCommand::Set { key, value, global } => set(&key, &value, global),
        ConfigCommand::Get { key, json } => get(&key, json),
        ConfigCommand::Unset { key, global } => unset(&key, global),
        ConfigCommand::List { all, json } => list(all, json),
    }
}

fn project_file() -> anyhow::Result<PathBuf> {
    Ok(std::env::current_dir()
        .context("reading the working directory")?
        .join(CONFIG_FILE))
}

fn global_file() -> anyhow::Result<PathBuf> {
    global_config_file().context(
        "no folder for the user's configuration was found: set AI_SHELL_CONFIG_DIR (or HOME)",
    )
}

fn open(global: bool) -> anyhow::Result<ConfigFile> {
    ConfigFile::open_path(if global {
        global_file()?
    } else {
        project_file()?
    })
}

fn set(key: &str, value: &str, global: bool) -> anyhow::Result<()> {
    let resolved = keys::resolve(key)?;
    let dotted = resolved.dotted();
    let parsed = keys::parse_value(resolved.spec, &dotted, value)?;
    let mut file = open(global)?;
    file.set(&resolved.path, parsed.clone())?;
    file.save()?;
    println!(
        "✓ {dotted} = {} (in {})",
        shown(&dotted, &Item::Value(parsed)),
        file.path().display()
    );
    if dotted.starts_with("migrations.vcs.") && !in_git_work_tree() {
        eprintln!(
            "warning: this folder is not in a git work tree: migration files will not be committed until it is (`git init`)"
        );
    }
    if dotted == "migrations.safety.require-backup" {
        let project = crate::project::Project::load(
            &std::env::current_dir().context("reading the working directory")?,
            None,
        )?;
        if project.safety.requires_backup() && project.backup.auto != Some(true) {
            println!(
                "  migrate apply and rollback now need a backup taken since the last change: `ai-shell backup create`, --backup-first, or `ai-shell config set migrations.backup.auto true`."
            );
        }
    }
    Ok(())
}

fn get(key: &str, json: bool) -> anyhow::Result<()> {
    let resolved = keys::resolve(key)?;
    let dotted = resolved.dotted();
    let (value, source) = effective(&resolved)?;
    if json {
        let value = value
            .as_ref()
            .map(|v| serde_json::Value::String(shown(&dotted, v)))
            .unwrap_or(serde_json::Value::Null);
        return crate::commands::write_output(
            None,
            &format!(
                "{}\n",
                serde_json::json!({ "key": dotted, "value": value, "source": source })
            ),
        );
    }
    match value {
        Some(v) => println!("{}", shown(&dotted, &v)),
        None => match resolved.spec.default {
            Some(d) => println!("{d}"),
            None => {
                eprintln!("{dotted} is not set");
                return Err(crate::commands::Exit(1).into());
            }
        },
    }
    Ok(())
}

/// The value of a setting, and where it came from: the project's file, the user's, or the default.
fn effective(resolved: &keys::Resolved) -> anyhow::Result<(Option<Item>, &'static str)> {
    let project = ConfigFile::open_path(project_file()?)?;
    if let Some(v) = project.get(&resolved.path) {
        return Ok((Some(v.clone()), "project"));
    }
    if let Some(path) = global_config_file() {
        let global = ConfigFile::open_path(path)?;
        if let Some(v) = global.get(&resolved.path) {
            return Ok((Some(v.clone()), "global"));
        }
    }
    Ok((None, "default"))
}

fn unset(key: &str, global: bool) -> anyhow::Result<()> {
    let resolved = keys::resolve(key)?;
    let mut file = open(global)?;
    if !file.unset(&resolved.path) {
        println!(
            "{} was not set in {}: nothing to do.",
            resolved.dotted(),
            file.path().display()
        );
        return Ok(());
    }
    file.save()?;
    println!(
        "✓ Removed {} from {}",
        resolved.dotted(),
        file.path().display()
    );
    Ok(())
}

/// One row of `config list`.
#[derive(serde::Serialize)]
struct Row {
    key: String,
    value: Option<String>,
    source: &'static str,
}

fn list(all: bool, json: bool) -> anyhow::Result<()> {
    let mut rows: Vec<Row> = Vec::new();
    let project = ConfigFile::open_path(project_file()?)?;
    let global = match global_config_file() {
        Some(p) => Some(ConfigFile::open_path(p)?),
        None => None,
    };
    for (file, source) in [(Some(&project), "project"), (global.as_ref(), "global")] {
        let Some(file) = file else { continue };
        let mut leaves = Vec::new();
        collect_leaves(
            file.get(&[]).unwrap_or(&Item::None),
            &mut vec![],
            &mut leaves,
        );
        for (path, item) in leaves {
            let key = path.join(".");
            if rows.iter().any(|r| r.key == key) {
                continue;
            }
            rows.push(Row {
                value: Some(shown(&key, &item)),
                key,
                source,
            });
        }
    }
    if all {
        for spec in keys::KEYS.iter().filter(|s| !s.key.contains('<')) {
            if !rows.iter().any(|r| r.key == spec.key) {
                rows.push(Row {
                    key: spec.key.to_string(),
                    value: spec.default.map(str::to_string),
                    source: "default",
                });
            }
        }
    }
    if json {
        return crate::commands::write_output(
            None,
            &format!("{}\n", serde_json::to_string_pretty(&rows)?),
        );
    }
    if rows.is_empty() {
        println!(
            "Nothing is set in {CONFIG_FILE} or the user's configuration; `ai-shell config list --all` shows every setting and its default."
        );
        return Ok(());
    }
    let width = rows.iter().map(|r| r.key.len()).max().unwrap_or(0);
    for r in &rows {
        println!(
            "{:<width$}  {}  ({})",
            r.key,
            r.value.as_deref().unwrap_or("(not set)"),
            r.source
        );
    }
    Ok(())
}

/// Every value under `item` with its key path (tables are walked; arrays are values).
fn collect_leaves(item: &Item, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Item)>) {
    match item.as_table_like() {
        Some(table) => {
            for (k, v) in table.iter() {
                path.push(k.to_string());
                collect_leaves(v, path, out);
                path.pop();
            }
        }
        None if !item.is_none() => out.push((path.clone(), item.clone())),
        None => {}
    }
}

/// A value as `config get` prints it: strings without quotes, URLs without their passwords.
fn shown(key: &str, item: &Item) -> String {
    let text = match item.as_value() {
        Some(toml_edit::Value::String(s)) => s.value().to_string(),
        Some(toml_edit::Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(v) => v.clone().decorated("", "").to_string(),
        None => item.to_string().trim().to_string(),
    };
    if text.contains("://") || key.ends_with(".url") {
        text.split(',')
            .map(redacted_url)
            .collect::<Vec<_>>()
            .join(",")
    } else {
        text
    }
}

fn in_git_work_tree() -> bool {
    std::process::Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
