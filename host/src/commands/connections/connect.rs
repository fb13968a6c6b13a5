//! `ai-shell connect URL|NAME [--name NAME]`: connect, report the server, record the project's default.

use anyhow::Context as _;

use super::warn_if_password_stored;
use crate::cli::ConnectArgs;
use crate::commands::config::file::ConfigFile;
use crate::connection::{Database, Engine};
use crate::project::{CONFIG_FILE, Project, check_name, check_url, expand_variables, redacted_url};

pub async fn connect(args: ConnectArgs) -> anyhow::Result<()> {
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let mut file = ConfigFile::open(&cwd)?;
    let project = Project::load(&cwd, None)?;
    // A URL has a scheme; anything else names a connection already recorded (`ai-shell connect staging`).
    let (name, raw, new_url) = if args.target.contains(':') {
        let name = args.name.unwrap_or_else(|| "default".to_string());
        check_name(&name, "connection")?;
        check_url(&args.target, &name)?;
        match project.connections.get(&name) {
            Some(c) if c.url == args.target => (name, args.target, false),
            Some(c) if !args.replace => anyhow::bail!(
                "connection `{name}` already exists, with url {}\n\nPass --replace to point it to {}, or --name NEW to keep both. Nothing was changed.",
                redacted_url(&c.url),
                redacted_url(&args.target)
            ),
            _ => (name, args.target, true),
        }
    } else {
        if args.name.is_some() {
            anyhow::bail!(
                "--name goes with a URL: `connect {}` names a connection already recorded\n\nGive either a URL and --name, or just the name.",
                args.target.escape_debug()
            );
        }
        check_name(&args.target, "connection")?;
        let Some(c) = project.connections.get(&args.target) else {
            let known: Vec<&str> = project.connections.keys().map(String::as_str).collect();
            anyhow::bail!(
                "`{}` is neither a database URL nor a connection in {CONFIG_FILE} ({})\n\nGive a URL (`ai-shell connect postgres://USER@HOST:PORT/DB --name {0}`), or add it with `ai-shell connections add {0} URL`.",
                args.target,
                if known.is_empty() {
                    "it has none".to_string()
                } else {
                    format!("known: {}", known.join(", "))
                }
            );
        };
        (args.target.clone(), c.url.clone(), false)
    };

    let url = expand_variables(&raw, &name, |v| std::env::var(v).ok())?;
    let db = Database::connect(&url)
        .await
        .with_context(|| format!("nothing was recorded in {CONFIG_FILE}"))?;
    let version = match db.session().await {
        Ok(mut s) => {
            let v = crate::rollout::stats::server_version(&mut s, db.engine()).await;
            s.close().await;
            v
        }
        Err(_) => String::new(),
    };
    let server = match db.engine() {
        Engine::Postgres => "PostgreSQL",
        Engine::MySql if version.to_ascii_lowercase().contains("mariadb") => "MariaDB",
        Engine::MySql => "MySQL",
        Engine::Sqlite => "SQLite",
    };
    let shown = db.url().redacted();
    db.close().await;

    if new_url {
        file.set_connection(&name, &raw, None)?;
    }
    file.set_default(Some(&name))?;
    file.save()?;
    println!("✓ Connected to {shown} ({server} {version})");
    println!(
        "  Recorded in {CONFIG_FILE} as `{name}`, the default connection: commands without --env, --database or DATABASE_URL use it."
    );
    if new_url {
        warn_if_password_stored(&name, &raw);
    }
    if std::env::var_os("DATABASE_URL").is_some_and(|v| !v.is_empty()) {
        eprintln!(
            "warning: DATABASE_URL is set (perhaps by a .env file) and comes before the default connection\n\nUnset it for commands to use `{name}`."
        );
    }
    Ok(())
}
