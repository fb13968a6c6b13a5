//! The policies at the two places a migration can start to run: a request's plan before its file is
//! written, and `migrate apply` before the first pending migration's first statement. Both check the
//! statements the file holds (or will hold), so they report what `ai-shell lint` reports for that file.

use std::path::Path;

use super::Workspace;
use super::planning::Prepared;
use crate::changes::simulate;
use crate::cli::PlannerChoice;
use crate::commands::Context;
use crate::connection::{Database, Engine};
use crate::migrations::{self, MigrationFile};
use crate::model::{Change, DatabaseSchema};
use crate::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::{
    Author, DataProblem, DataProblemKind, PlanInput,
};
use crate::policy::input::{self, Facts};
use crate::policy::report::{self, Subject};
use crate::policy::{Policies, allow, apply_allowances, approval};
use crate::safety::preflight::Blocker;

/// The policies of this project and environment.
pub(crate) async fn load(ctx: &mut Context, ws: &Workspace) -> anyhow::Result<Policies> {
    let cwd = std::env::current_dir()?;
    let environment = ctx.global.environment.clone();
    Policies::load(
        ctx.registry()?,
        &ws.project.policy,
        environment.as_deref(),
        &cwd,
    )
    .await
}

fn facts(ctx: &Context, ws: &Workspace, engine: Engine, author: Author) -> Facts {
    let environment = ctx.global.environment.clone();
    Facts {
        engine: engine.dialect_name().to_string(),
        server_version: String::new(),
        lock_timeout_ms: environment
            .as_deref()
            .and_then(|e| ws.project.environments.get(e))
            .and_then(|s| s.lock_timeout_ms),
        environment,
        strategy: None,
        author,
        migration_id: None,
        checksum: None,
        has_down: true,
    }
}

/// The findings about a request's plan, checked on `up`, the up section its file will hold.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn check_request(
    ctx: &Context,
    ws: &Workspace,
    policies: &Policies,
    db: &Database,
    prepared: &Prepared,
    up: &str,
    strategy: Option<String>,
    blockers: &[Blocker],
) -> anyhow::Result<Subject> {
    let engine = db.engine();
    let author = match prepared.planner {
        PlannerChoice::Offline => Author::OfflinePlanner,
        PlannerChoice::Llm => Author::Llm,
    };
    let mut facts = facts(ctx, ws, engine, author);
    facts.strategy = strategy;
    facts.has_down = prepared.down.is_ok();
    let sqls = split(up, engine);
    let (mut live, version) =
        crate::commands::lint::read_live(db, Some(&prepared.before), &sqls).await?;
    facts.server_version = version;
    let mut after = prepared.before.clone();
    if simulate::apply_all(&mut after, &prepared.plan.changes).is_ok() {
        live.after = Some(after);
    }
    live.data = blockers
        .iter()
        .filter_map(|b| {
            let change = prepared.plan.changes.get(b.change.checked_sub(1)?)?;
            Some(DataProblem {
                change_index: (b.change - 1) as u32,
                kind: data_kind(change)?,
                rows: b.rows,
                detail: b.to_string(),
            })
        })
        .collect();
    let mut input = input::from_statements(&sqls, &facts, live, policies.settings());
    with_changes(&mut input, &prepared.plan.changes, &prepared.up);
    Ok(Subject {
        name: "this request".into(),
        lines: vec![],
        findings: policies.check_plan(&input).await?,
    })
}

/// The findings about each migration file (`migrate apply`: those it is about to run, with the live schema and
/// table sizes; `migrate review`: one, without a database), with their inline overrides.
pub(crate) async fn check_files(
    ctx: &Context,
    ws: &Workspace,
    policies: &Policies,
    engine: Engine,
    live: Option<(&Database, Option<&DatabaseSchema>)>,
    files: &[&MigrationFile],
) -> anyhow::Result<Vec<Subject>> {
    let mut out = vec![];
    for m in files {
        let statements = migrations::statements(&m.up, engine.into());
        let sqls: Vec<String> = statements.iter().map(|s| s.sql.clone()).collect();
        let mut facts = facts(ctx, ws, engine, Author::File);
        facts.strategy = Some(m.meta.strategy.clone());
        facts.migration_id = Some(m.id());
        facts.checksum = Some(migrations::checksum(&m.up));
        facts.has_down = m.down.as_deref().is_some_and(|d| !d.trim().is_empty());
        let live = match live {
            Some((db, before)) => {
                let (l, version) = crate::commands::lint::read_live(db, before, &sqls).await?;
                facts.server_version = version;
                l
            }
            None => input::Live::default(),
        };
        let allowances = allow::read(&m.up, &statements)
            .map_err(|e| anyhow::anyhow!("{}: {e:#}\n\nNothing was applied.", m.display_name()))?;
        let input = input::from_statements(&sqls, &facts, live, policies.settings());
        let mut findings = policies.check_plan(&input).await?;
        apply_allowances(&mut findings, &allowances);
        policies.enforce(&mut findings);
        out.push(Subject {
            name: m
                .path
                .as_deref()
                .map(Path::display)
                .map(|p| p.to_string())
                .unwrap_or_else(|| m.id()),
            lines: statements.iter().map(|s| s.line).collect(),
            findings,
        });
    }
    Ok(out)
}

/// Checks the approvals of the migrations about to run: one that needs an approval and has none that
/// holds stops the run (nothing applied), naming why; an approval that holds lets the findings of the rules
/// it overrides through.
pub(crate) fn approvals(
    ctx: &Context,
    ws: &Workspace,
    policies: &Policies,
    engine: Engine,
    before: &DatabaseSchema,
    pending: &[&MigrationFile],
    subjects: &mut [Subject],
) -> anyhow::Result<Approved> {
    let environment = ctx.global.environment.as_deref();
    let required = policies.approvals();
    let env = approval::env_name(environment);
    let schema = approval::schema_fingerprint(before);
    let policy = policies.fingerprint();
    let mut out = Approved::default();
    for (m, subject) in pending.iter().zip(subjects.iter_mut()) {
        let checksum = migrations::checksum(&m.up);
        let expected = approval::Expected {
            env: &env,
            checksum: &checksum,
            schema: &schema,
            policy: &policy,
            max_age: chrono::Duration::days(ws.project.policy.approval_max_age_days.into()),
            now: chrono::Utc::now(),
        };
        let given = approval::of(m);
        let holds = approval::valid(&given, &expected);
        if let Ok(a) = &holds {
            for r in &mut subject.findings {
                if r.allowed.is_none() && a.overrides.contains(&r.finding.rule) {
                    r.allowed = Some(format!("approved by {}: {}", a.by, a.reason));
                }
            }
        }
        policies.enforce(&mut subject.findings);
        let sqls = split(&m.up, engine);
        let destructive = input::destructive_statements(&sqls).into_iter().any(|d| d);
        let Some(why) = approval::needed(m, required, destructive || m.meta.destructive) else {
            continue;
        };
        match holds {
            Ok(a) => {
                out.ids.push(m.id());
                out.notes.push((
                    m.id(),
                    format!(
                        "approved by {} at {} for {}: {} (checksum {})",
                        a.by, a.at, a.env, a.reason, a.checksum
                    ),
                ))
            }
            Err(problem) => anyhow::bail!(
                "{} needs an approval ({why}), and {problem}. Nothing was applied.\n\nReview it with `ai-shell migrate review {}`, then approve it for this environment with `ai-shell migrate approve {} --reason \"why it is safe\"`.",
                m.id(),
                m.id(),
                m.id()
            ),
        }
    }
    Ok(out)
}

/// The migrations of a run that need an approval and have one that holds (it is also their consent to the
/// data they destroy), and the notes to record for them.
#[derive(Default)]
pub(crate) struct Approved {
    pub ids: Vec<String>,
    pub notes: Vec<(String, String)>,
}

/// Whether the rules need the schema before a migration to judge its statements (old column types for a
/// type change, existing checks for SET NOT NULL, existing indexes for a new foreign key); other statements
/// are judged from their text and the table sizes, which spares `migrate apply` an introspection.
pub(crate) fn reads_schema(up: &str) -> bool {
    let upper = up.to_ascii_uppercase();
    [
        " TYPE ",
        "MODIFY",
        "CHANGE ",
        "NOT NULL",
        "FOREIGN KEY",
        "REFERENCES",
    ]
    .iter()
    .any(|w| upper.contains(w))
        && upper.contains("ALTER")
}

/// Prints the findings (on stderr, so `--json` output stays one document) and says whether any blocks.
pub(crate) fn show(subjects: &[Subject]) -> bool {
    for s in subjects.iter().filter(|s| !s.findings.is_empty()) {
        eprintln!("Policy findings for {}:", s.name);
        eprint!("{}", report::human(s));
    }
    subjects
        .iter()
        .flat_map(|s| &s.findings)
        .any(|r| r.blocks())
}

/// The sentence that ends a blocked run.
pub(crate) fn blocked_message(subjects: &[Subject], what: &str) -> String {
    let rules: Vec<String> = subjects
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|r| r.blocks())
        .map(|r| r.finding.rule.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    format!(
        "policy: {} blocked by {} ({}); {what}\n\nFix the migration, or allow it with a reason in the comment lines right above the statement: `-- ai-shell:allow {} reason=\"why it is safe\"`, or have it approved with `ai-shell migrate approve ID --override RULE --reason \"...\"` (or change the rule's severity in [policy.rules] of ai-shell.toml).",
        if subjects.len() == 1 {
            "the migration is"
        } else {
            "the migrations are"
        },
        if rules.len() == 1 {
            "the rule"
        } else {
            "the rules"
        },
        rules.join(", "),
        rules.first().cloned().unwrap_or_default()
    )
}

fn split(up: &str, engine: Engine) -> Vec<String> {
    migrations::statements(up, engine.into())
        .into_iter()
        .map(|s| s.sql)
        .collect()
}

/// Gives a file-shaped input the plan's changes: each statement points at the change the dialect rendered
/// it for (matched by text), and takes the dialect's lock and rewrite facts.
fn with_changes(input: &mut PlanInput, changes: &[Change], rendered: &[crate::model::Statement]) {
    input.changes = changes.to_vec();
    for st in &mut input.statements {
        let found = rendered
            .iter()
            .find(|r| r.sql.trim().trim_end_matches(';') == st.sql.trim());
        st.change_index = found.map_or(0, |r| r.change_index);
        if let Some(r) = found {
            st.lock = Some(r.lock);
            st.rewrites_table = Some(r.rewrites_table);
            st.outside_transaction = r.outside_transaction;
        }
    }
}

/// The kind of data problem a change has when the rows are in its way.
fn data_kind(change: &Change) -> Option<DataProblemKind> {
    Some(match change {
        Change::AddUnique(_) | Change::AddPrimaryKey(_) => DataProblemKind::Duplicates,
        Change::AddIndex(a) if a.index.unique => DataProblemKind::Duplicates,
        Change::SetNotNull(_) | Change::AddColumn(_) => DataProblemKind::Nulls,
        Change::AddForeignKey(_) => DataProblemKind::Orphans,
        Change::AddCheck(_) => DataProblemKind::CheckViolations,
        _ => return None,
    })
}
