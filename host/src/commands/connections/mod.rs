//! `ai-shell connect` and `ai-shell connections ...`: the named databases of `ai-shell.toml`, and which one a
//! command uses.

mod connect;

use anyhow::Context as _;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

pub use self::connect::connect;
use crate::cli::{ConnectionsCommand, GlobalOptions};
use crate::commands::config::file::ConfigFile;
use crate::commands::write_output;
use crate::connection::DatabaseUrl;
use crate::plugins::untrusted::escape;
use crate::project::{
    CONFIG_FILE, DatabaseSource, Project, check_name, check_url, redacted_url, url_password,
    variable_reference,
};

/// The database URL a command uses: `--database`, `DATABASE_URL`, `--env`'s url, the default connection, or
/// the built-in SQLite file (see `Project::resolve_database`).
pub fn resolve_database(global: &GlobalOptions) -> anyhow::Result<String> {
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let project = Project::load(&cwd, global.migrations_dir.as_deref())?;
    let given = Some(global.database.as_str()).filter(|d| !d.is_empty());
    let env = global.environment.as_deref();
    let (url, source) = project.resolve_database(given, env, |v| std::env::var(v).ok())?;
    if let Some(env) = env
        && source == DatabaseSource::Given
        && project.connections.contains_key(env)
        && std::env::var("DATABASE_URL").ok().as_deref() == given
    {
        eprintln!(
            "warning: DATABASE_URL ({}) is used, not the url of environment `{env}`: DATABASE_URL comes first\n\nUnset DATABASE_URL (it may come from a .env file) to use `{env}`'s database.",
            redacted_url(&url)
        );
    }
    if crate::cli::verbosity() >= 2 {
        eprintln!("info: database {} (from {source})", redacted_url(&url));
    }
    Ok(url)
}

pub fn run(cmd: ConnectionsCommand) -> anyhow::Result<()> {
    let cwd = std::env::current_dir().context("reading the working directory")?;
    match cmd {
        ConnectionsCommand::List { json } => list(&cwd, json),
        ConnectionsCommand::Add {
            name,
            url,
            group,
            replace,
        } => add(&cwd, &[(name, url)], group.as_deref(), replace),
        ConnectionsCommand::AddGroup {
            group,
            connections,
            replace,
        } => {
            if connections.len() % 2 != 0 {
                use clap::CommandFactory as _;
                let mut cli = crate::cli::Cli::command();
                let mut usage = cli.clone();
                if let Some(c) = cli
                    .find_subcommand_mut("connections")
                    .and_then(|c| c.find_subcommand_mut("add-group"))
                {
                    usage = c.clone().bin_name("ai-shell connections add-group");
                }
                usage
                    .error(
                        clap::error::ErrorKind::WrongNumberOfValues,
                        "connections add-group takes GROUP then pairs of NAME URL: one name has no URL",
                    )
                    .exit();
            }
            let pairs: Vec<(String, String)> = connections
                .chunks(2)
                .map(|p| (p[0].clone(), p[1].clone()))
                .collect();
            add(&cwd, &pairs, Some(&group), replace)
        }
        ConnectionsCommand::Remove { name, force } => remove(&cwd, &name, force),
    }
}

fn list(dir: &std::path::Path, json: bool) -> anyhow::Result<()> {
    let project = Project::load(dir, None)?;
    let default = project.default_connection.as_deref();
    let rows: Vec<_> = project
        .connections
        .iter()
        .map(|(name, c)| {
            let engine = match check_url(&c.url, name) {
                Ok(Some(url)) => Some(url.engine().dialect_name()),
                _ => None,
            };
            (name, engine, redacted_url(&c.url), c.group.as_deref())
        })
        .collect();
    let text = if json {
        let list: Vec<_> = rows
            .iter()
            .map(|(name, engine, url, group)| {
                serde_json::json!({
                    "name": name,
                    "engine": engine,
                    "url": url,
                    "group": group,
                    "default": Some(name.as_str()) == default,
                })
            })
            .collect();
        serde_json::to_string_pretty(&serde_json::json!({
            "connections": list,
            "default": default,
        }))? + "\n"
    } else if rows.is_empty() {
        eprintln!(
            "No connections in {CONFIG_FILE}.\n\nAdd one with `ai-shell connections add NAME URL`, or record the default with `ai-shell connect URL`."
        );
        return Ok(());
    } else {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            t.force_no_tty();
        }
        t.set_header(["name", "engine", "url", "group", "default"]);
        for (name, engine, url, group) in &rows {
            t.add_row(vec![
                escape(name).into_owned(),
                engine.unwrap_or("?").to_string(),
                escape(url).into_owned(),
                escape(group.unwrap_or("")).into_owned(),
                if Some(name.as_str()) == default {
                    "yes".into()
                } else {
                    String::new()
                },
            ]);
        }
        format!("{t}\n")
    };
    write_output(None, &text)
}

/// Records `pairs` of NAME URL (all or none), tagged with `group` when given.
fn add(
    dir: &std::path::Path,
    pairs: &[(String, String)],
    group: Option<&str>,
    replace: bool,
) -> anyhow::Result<()> {
    let mut file = ConfigFile::open(dir)?;
    let project = Project::load(dir, None)?;
    if let Some(group) = group {
        check_name(group, "group")?;
    }
    for (i, (name, url)) in pairs.iter().enumerate() {
        check_name(name, "connection")?;
        if pairs[..i].iter().any(|(n, _)| n == name) {
            anyhow::bail!("connection `{name}` is given twice\n\nGive each name once.");
        }
        check_url(url, name)
            .with_context(|| format!("the URL of connection `{name}` is not usable"))?;
        if let Some(existing) = project.connections.get(name)
            && existing.url != *url
            && !replace
        {
            anyhow::bail!(
                "connection `{name}` already exists, with url {}\n\nPass --replace to point it to {}, or choose another name. Nothing was recorded.",
                redacted_url(&existing.url),
                redacted_url(url)
            );
        }
    }
    for (name, url) in pairs {
        file.set_connection(name, url, group)?;
    }
    file.save()?;
    for (name, url) in pairs {
        let verb = match project.connections.get(name) {
            Some(c) if c.url == *url => "Kept",
            Some(_) => "Replaced",
            None => "Added",
        };
        println!("✓ {verb} connection `{name}`: {}", redacted_url(url));
        warn_if_password_stored(name, url);
    }
    if let Some(group) = group {
        println!(
            "  Group `{group}`. Use one with --env NAME, e.g. `ai-shell migrate status --env {}`.",
            pairs[0].0
        );
    } else {
        println!(
            "  Use it with --env {}, e.g. `ai-shell migrate status --env {}`.",
            pairs[0].0, pairs[0].0
        );
    }
    Ok(())
}

fn remove(dir: &std::path::Path, name: &str, force: bool) -> anyhow::Result<()> {
    let mut file = ConfigFile::open(dir)?;
    let project = Project::load(dir, None)?;
    let Some(existing) = project.connections.get(name) else {
        let known: Vec<&str> = project.connections.keys().map(String::as_str).collect();
        anyhow::bail!(
            "no connection named `{}` in {CONFIG_FILE} ({})\n\nSee them with `ai-shell connections list`.",
            name.escape_debug(),
            if known.is_empty() {
                "it has none".to_string()
            } else {
                format!("known: {}", known.join(", "))
            }
        );
    };
    let is_default = project.default_connection.as_deref() == Some(name);
    if is_default && !force {
        anyhow::bail!(
            "`{name}` is the default connection: commands without --env use it\n\nRecord another default first (`ai-shell connect NAME`), or pass --force to remove it (commands then use {} unless --env, --database or DATABASE_URL name a database).",
            crate::cli::DEFAULT_DATABASE
        );
    }
    file.remove_connection(name);
    if is_default {
        file.set_default(None)?;
    }
    file.save()?;
    println!(
        "✓ Removed connection `{name}` ({})",
        redacted_url(&existing.url)
    );
    if is_default {
        println!(
            "  It was the default: commands now use {} unless --env, --database or DATABASE_URL name a database.",
            crate::cli::DEFAULT_DATABASE
        );
    }
    if project.environments.contains_key(name) {
        println!("  Its [migrations.{name}] settings stay in {CONFIG_FILE}.");
    }
    Ok(())
}

/// Whether `raw` holds a password (or a secret parameter) written out, not read from a `${VAR}`.
fn holds_written_secret(raw: &str) -> bool {
    let written = |v: &str| !v.is_empty() && variable_reference(v).is_none();
    if url_password(raw).is_some_and(written) {
        return true;
    }
    let query = raw.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .any(|(name, value)| {
            // The URL module's own rule for which parameters are secret: it redacts them.
            let secret = DatabaseUrl::parse(&format!("sqlite://x?{name}=v"))
                .is_ok_and(|u| u.redacted().ends_with("=***"));
            secret && written(value)
        })
}

/// Warns that a password written in a URL is stored as is, and says how to keep it out of the file.
fn warn_if_password_stored(name: &str, url: &str) {
    if !holds_written_secret(url) {
        return;
    }
    let var = format!(
        "{}_DB_PASSWORD",
        name.to_ascii_uppercase().replace('-', "_")
    );
    eprintln!(
        "warning: the URL of `{name}` holds a password, stored as written in {CONFIG_FILE} (whoever reads the file or its history can read it)\n\nWrite it as ${{{var}}} instead (postgres://USER:${{{var}}}@HOST/DB) and set {var} in the environment or a .env file: `ai-shell connections add {name} URL --replace`."
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_passwords_are_told_apart_from_references() {
        assert!(holds_written_secret("postgres://app:hunter2@h/db"));
        assert!(holds_written_secret("postgres://app@h/db?password=hunter2"));
        assert!(!holds_written_secret("postgres://app:${PW}@h/db"));
        assert!(!holds_written_secret(
            "postgres://app@h/db?password=${PW}&sslmode=require"
        ));
        assert!(!holds_written_secret("postgres://app@h/db"));
        assert!(!holds_written_secret("sqlite://dev.db"));
        assert!(!holds_written_secret("${STAGING_DATABASE_URL}"));
    }
}
