//! `ai-shell schema versions [--all-environments]`: each database's schema version, last migration and when,
//! and how far each is ahead of or behind the others (by the migrations each has applied that another lacks).

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;

use crate::commands::Context;
use crate::connection::DatabaseUrl;
use crate::history::{History, Status};

/// One database's place.
#[derive(Debug, Serialize)]
pub struct Place {
    pub name: String,
    /// The URL with its password and secrets redacted.
    pub url: String,
    pub version: Option<u64>,
    pub last_migration: Option<String>,
    pub applied_at: Option<String>,
    /// The applied versions.
    pub applied: Vec<u64>,
    /// Why it could not be read, when it could not.
    pub error: Option<String>,
    pub status: String,
}

/// Reads one database's history (five seconds at most to connect).
async fn read(name: &str, url: &str, history: &History) -> Place {
    let redacted = DatabaseUrl::parse(url)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| "(invalid URL)".into());
    let mut place = Place {
        name: name.to_string(),
        url: redacted,
        version: None,
        last_migration: None,
        applied_at: None,
        applied: vec![],
        error: None,
        status: String::new(),
    };
    let read = crate::commands::migrate::records_at(url, history);
    match tokio::time::timeout(Duration::from_secs(5), read).await {
        Err(_) => place.error = Some("no answer within 5 s".into()),
        Ok(Err(e)) => place.error = Some(e.to_string().lines().next().unwrap_or_default().into()),
        Ok(Ok(records)) => {
            let applied: Vec<_> = records
                .values()
                .filter(|r| r.status == Status::Applied)
                .collect();
            place.applied = applied.iter().map(|r| r.version).collect();
            if let Some(last) = applied.iter().max_by_key(|r| r.version) {
                place.version = Some(last.version);
                place.last_migration = Some(last.name.clone());
                place.applied_at = last.applied_at.clone();
            }
        }
    }
    place
}

/// How `place` stands against the others: ahead of the ones it has more than, behind the ones that have
/// migrations it lacks, counted in migrations.
fn standing(place: &Place, others: &[&Place]) -> String {
    if place.error.is_some() {
        return "unknown (not reachable)".into();
    }
    let mine: BTreeSet<u64> = place.applied.iter().copied().collect();
    let mut ahead = vec![];
    let mut behind = vec![];
    for other in others
        .iter()
        .filter(|o| o.error.is_none() && o.name != place.name)
    {
        let theirs: BTreeSet<u64> = other.applied.iter().copied().collect();
        let more = mine.difference(&theirs).count();
        let less = theirs.difference(&mine).count();
        if more > 0 {
            ahead.push(format!("{more} ({})", other.name));
        }
        if less > 0 {
            behind.push(format!("{less} ({})", other.name));
        }
    }
    match (ahead.is_empty(), behind.is_empty()) {
        (true, true) => "in sync".into(),
        (false, true) => format!("ahead by {}", ahead.join(" and ")),
        (true, false) => format!("behind by {}", behind.join(" and ")),
        (false, false) => format!(
            "ahead by {}, behind by {}",
            ahead.join(" and "),
            behind.join(" and ")
        ),
    }
}

pub async fn run(ctx: &mut Context, all: bool, json: bool) -> anyhow::Result<()> {
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let project = crate::project::Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
    let history = History::new(&project.history_table)?;
    let sides: Vec<(String, String)> = if all {
        if project.connections.is_empty() {
            anyhow::bail!(
                "no environments in {}: add them with `ai-shell connections add NAME URL` (or `connections add-group`)",
                crate::project::CONFIG_FILE
            );
        }
        project
            .connections
            .iter()
            .map(|(name, c)| {
                crate::project::expand_variables(&c.url, name, |v| std::env::var(v).ok())
                    .map(|url| (name.clone(), url))
            })
            .collect::<anyhow::Result<_>>()?
    } else {
        vec![("current".into(), ctx.global.database.clone())]
    };
    let mut places = vec![];
    for (name, url) in &sides {
        places.push(read(name, url, &history).await);
    }
    // Newest first; unreachable ones last.
    places.sort_by_key(|p| (p.error.is_some(), std::cmp::Reverse(p.version)));
    let statuses: Vec<String> = {
        let all: Vec<&Place> = places.iter().collect();
        places.iter().map(|p| standing(p, &all)).collect()
    };
    for (p, s) in places.iter_mut().zip(statuses) {
        p.status = s;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&places)?);
        return Ok(());
    }
    println!("📊 Schema Versions");
    for p in &places {
        println!();
        match (&p.error, p.version) {
            (Some(e), _) => println!("{}: not reachable ({e})", p.name),
            (None, None) => println!("{}: no migration applied", p.name),
            (None, Some(v)) => println!("{}: version {v}", p.name),
        }
        if let Some(m) = &p.last_migration {
            println!(
                "  Last migration: {m}{}",
                p.applied_at
                    .as_deref()
                    .map(|at| format!(" ({at})"))
                    .unwrap_or_default()
            );
        }
        if places.len() > 1 {
            println!("  Status: {}", p.status);
        }
    }
    Ok(())
}
