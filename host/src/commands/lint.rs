//! `ai-shell lint [FILES | --git-base REF]`: migration files checked against the policies, with an exit code
//! for CI (1 when a finding of severity error is not allowed by an inline override).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use super::Context;
use crate::cli::{DialectName, LintArgs, LintFormat};
use crate::connection::{Database, DatabaseUrl, Engine};
use crate::migrations::{self, MigrationDir, MigrationFile};
use crate::model::{DatabaseSchema, QualifiedName};
use crate::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::{Author, TableSize};
use crate::policy::input::{self, Facts, Live};
use crate::policy::report::{self, Subject};
use crate::policy::{Policies, allow, apply_allowances};
use crate::project::Project;

pub async fn run(ctx: &mut Context, args: LintArgs) -> anyhow::Result<()> {
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let project = Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
    let environment = ctx.global.environment.clone();
    let policies = Policies::load(
        ctx.registry()?,
        &project.policy,
        environment.as_deref(),
        &cwd,
    )
    .await?;
    if args.rules {
        print_rules(&policies);
        return Ok(());
    }
    let engine = match args.dialect {
        Some(d) => d.engine(),
        None => DatabaseUrl::parse(&ctx.global.database)?.engine(),
    };
    let files = match (&args.git_base, args.files.is_empty()) {
        (Some(base), _) => changed_since(base, &project.migrations_dir)?,
        (None, false) => args.files.clone(),
        (None, true) => MigrationDir::load(&project.migrations_dir)
            .with_context(|| format!("reading {}", project.migrations_dir.display()))?
            .migrations
            .into_iter()
            .filter_map(|m| m.path)
            .collect(),
    };
    let live = if args.live {
        let (db, dialect) = ctx.connect().await?;
        let history = crate::history::History::new(&project.history_table)?;
        let schema = crate::commands::schema::introspect(&db, &dialect, Some(&history)).await?;
        Some((db, schema))
    } else {
        None
    };
    let lock_timeout_ms = environment
        .as_deref()
        .and_then(|e| project.environments.get(e))
        .and_then(|s| s.lock_timeout_ms);
    let mut subjects = vec![];
    for path in &files {
        let m = read(path)?;
        let mut facts = Facts {
            engine: engine.dialect_name().to_string(),
            server_version: String::new(),
            environment: environment.clone(),
            strategy: Some(m.meta.strategy.clone()),
            lock_timeout_ms,
            author: Author::File,
            migration_id: Some(m.id()),
            checksum: Some(migrations::checksum(&m.up)),
            has_down: m.down.as_deref().is_some_and(|d| !d.trim().is_empty()),
        };
        let statements = migrations::statements(&m.up, engine.into());
        let sqls: Vec<String> = statements.iter().map(|s| s.sql.clone()).collect();
        let live_facts = match &live {
            Some((db, schema)) => {
                let (l, version) = read_live(db, Some(schema), &sqls).await?;
                facts.server_version = version;
                l
            }
            None => Live::default(),
        };
        let allowances = allow::read(&m.up, &statements)
            .with_context(|| format!("{}: a bad override", path.display()))?;
        let input = input::from_statements(&sqls, &facts, live_facts, policies.settings());
        let mut findings = policies.check_plan(&input).await?;
        apply_allowances(&mut findings, &allowances);
        policies.enforce(&mut findings);
        let first = up_line(path);
        subjects.push(Subject {
            name: path.display().to_string(),
            lines: statements.iter().map(|s| first + s.line - 1).collect(),
            findings,
        });
    }
    let (errors, warnings, infos) = report::counts(&subjects);
    match args.format {
        LintFormat::Human => {
            for s in subjects.iter().filter(|s| !s.findings.is_empty()) {
                println!("{}", s.name);
                print!("{}", report::human(s));
            }
            println!(
                "{} file{} checked: {errors} blocking error{}, {warnings} warning{}, {infos} info",
                subjects.len(),
                plural(subjects.len()),
                plural(errors),
                plural(warnings)
            );
        }
        LintFormat::Json => println!("{}", report::json(&subjects)),
        LintFormat::Github => print!("{}", report::github(&subjects)),
        LintFormat::Sarif => println!("{}", report::sarif(&subjects, &policies.rules())),
    }
    if errors > 0 {
        return Err(super::Exit(1).into());
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn print_rules(policies: &Policies) {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_header(vec![
        "RULE", "SEVERITY", "ENGINES", "CHECKS", "POLICY", "SUMMARY",
    ]);
    for (plugin, r) in policies.rules() {
        let severity = policies
            .severity(&r.id, r.severity)
            .map(report::severity_word)
            .unwrap_or("off");
        let engines = if r.engines.is_empty() {
            "all".to_string()
        } else {
            r.engines.join(",")
        };
        let mut checks = vec![];
        if r.scope.contains(crate::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::RuleScope::PLAN) {
            checks.push("plan");
        }
        if r.scope.contains(crate::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::RuleScope::SCHEMA) {
            checks.push("schema");
        }
        t.add_row(vec![
            r.id.clone(),
            severity.to_string(),
            engines,
            checks.join(","),
            plugin.to_string(),
            r.summary.clone(),
        ]);
    }
    println!("{t}");
}

/// Reads and parses one migration file.
fn read(path: &Path) -> anyhow::Result<MigrationFile> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = migrations::file::decode(path, bytes)?;
    Ok(migrations::parse(path, &text)?)
}

/// The file line where the up section's text starts (the line after `-- +up`; 1 when there is none).
fn up_line(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .position(|l| l.trim().eq_ignore_ascii_case("-- +up"))
        .map(|i| i + 2)
        .unwrap_or(1)
}

/// The migration files under `dir` that changed since git revision `base` (added, copied, modified,
/// renamed), in the order git lists them.
fn changed_since(base: &str, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if base.starts_with('-') {
        bail!("--git-base {base}: a revision cannot start with `-`");
    }
    let out = std::process::Command::new("git")
        .args(["diff", "--name-only", "--diff-filter=ACMR", "--relative"])
        .arg(format!("{base}..."))
        .arg("--")
        .arg(dir)
        .output()
        .context("running git (is it installed?)")?;
    if !out.status.success() {
        bail!(
            "git could not compare with `{base}`: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.ends_with(".sql"))
        .map(PathBuf::from)
        .collect())
}

/// What the database says about the tables `sqls` touch: sizes and the server's version, and the schema
/// before (when `schema` was read; without it, the tables are the ones the statements name).
pub(crate) async fn read_live(
    db: &Database,
    schema: Option<&DatabaseSchema>,
    sqls: &[String],
) -> anyhow::Result<(Live, String)> {
    let words: std::collections::HashSet<String> = sqls
        .iter()
        .flat_map(|s| crate::safety::analysis::identifiers(s))
        .collect();
    let tables: Vec<QualifiedName> = match schema {
        Some(schema) => schema
            .tables
            .iter()
            .filter(|t| words.contains(&t.name.name.to_ascii_lowercase()))
            .map(|t| t.name.clone())
            .collect(),
        None => named_tables(sqls),
    };
    let mut s = db.session().await?;
    let stats = crate::rollout::stats::table_stats(&mut s, db.engine(), &tables).await;
    let version = crate::rollout::stats::server_version(&mut s, db.engine()).await;
    Ok((
        Live {
            before: schema.cloned(),
            after: None,
            stats: stats
                .into_iter()
                .map(|t| TableSize {
                    table: t.table,
                    rows: t.rows,
                    bytes: t.bytes,
                })
                .collect(),
            // Every table the statements touch was asked about: one absent from the answer is new or empty.
            stats_known: true,
            data: vec![],
        },
        version,
    ))
}

/// The existing tables statements name: after `ALTER TABLE`, `UPDATE`, `DELETE FROM`, `TRUNCATE`, `DROP
/// TABLE`, `ON` (an index's table) and `INSERT INTO ... SELECT ... FROM`.
fn named_tables(sqls: &[String]) -> Vec<QualifiedName> {
    let mut out: Vec<QualifiedName> = vec![];
    for sql in sqls {
        let words: Vec<&str> = sql.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let upper = w.to_ascii_uppercase();
            let after = match upper.as_str() {
                "TABLE" | "UPDATE" | "FROM" | "ON" | "TRUNCATE" | "INTO" => i + 1,
                _ => continue,
            };
            let mut at = after;
            while let Some(next) = words.get(at)
                && ["IF", "EXISTS", "NOT", "ONLY", "TABLE"]
                    .contains(&next.to_ascii_uppercase().as_str())
            {
                at += 1;
            }
            let Some(raw) = words.get(at) else { continue };
            let raw = raw
                .split('(')
                .next()
                .unwrap_or_default()
                .trim_end_matches([';', ',']);
            let parts: Vec<String> = raw
                .split('.')
                .map(|p| {
                    p.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']')
                        .to_string()
                })
                .collect();
            let name = match parts.as_slice() {
                [n] if !n.is_empty() => QualifiedName {
                    namespace: None,
                    name: n.clone(),
                },
                [ns, n] if !n.is_empty() => QualifiedName {
                    namespace: Some(ns.clone()),
                    name: n.clone(),
                },
                _ => continue,
            };
            if !out.iter().any(|t| t.name.eq_ignore_ascii_case(&name.name)) {
                out.push(name);
            }
        }
    }
    out
}

impl DialectName {
    pub fn engine(self) -> Engine {
        match self {
            DialectName::Postgres => Engine::Postgres,
            DialectName::Mysql => Engine::MySql,
            DialectName::Sqlite => Engine::Sqlite,
        }
    }
}
