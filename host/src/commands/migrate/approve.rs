//! `migrate approve ID --reason "..." [--override RULE]...`: a person's approval of one migration for the
//! environment of this run, written into the file's header (see `policy::approval`).

use anyhow::{Context as _, bail};

use super::{Workspace, records};
use crate::commands::Context;
use crate::history::record::current_user;
use crate::migrations::{self, directory};
use crate::policy::approval::{self, APPROVED, Approval};

pub async fn run(
    ctx: &mut Context,
    reference: &str,
    reason: &str,
    overrides: &[String],
) -> anyhow::Result<()> {
    if reason.trim().is_empty() {
        bail!("an approval needs a reason: --reason \"why it is safe to run\"");
    }
    let ws = Workspace::load(ctx)?;
    let (db, dialect) = ctx.connect().await?;
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await;
    drop(s);
    let recs = match recs {
        Ok(r) => r,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let version = match ws.resolve(reference, &recs) {
        Ok(v) => v,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let Some(m) = ws.files.iter().find(|f| f.version == version) else {
        db.close().await;
        bail!("migration {reference} has no file to approve");
    };
    if recs
        .get(&version)
        .is_some_and(|r| r.status == crate::history::Status::Applied)
    {
        db.close().await;
        bail!(
            "{} is already applied here: there is nothing to approve",
            m.id()
        );
    }
    let who = current_user();
    let environment = ctx.global.environment.clone();
    if ws.project.policy.approver_not_author
        && m.meta
            .author
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(&who))
    {
        db.close().await;
        bail!(
            "{} was written by {who}, who cannot approve it ([policy] approver-not-author = true): ask someone else to run `ai-shell migrate approve {}`",
            m.id(),
            m.id()
        );
    }
    let policies = super::policy_gate::load(ctx, &ws).await;
    let schema = super::planning::live_schema(&db, &dialect, &ws.history).await;
    db.close().await;
    let (policies, schema) = (policies?, schema?);
    for rule in overrides {
        if !policies.rules().iter().any(|(_, r)| &r.id == rule) {
            bail!(
                "--override {rule}: no policy has that rule (`ai-shell lint --rules` lists them)"
            );
        }
    }
    let a = Approval {
        by: who.clone(),
        at: crate::history::record::now(),
        env: approval::env_name(environment.as_deref()),
        checksum: migrations::checksum(&m.up),
        schema: approval::schema_fingerprint(&schema),
        policy: policies.fingerprint(),
        overrides: overrides.to_vec(),
        reason: reason.trim().to_string(),
    };
    let path = m.path.as_ref().context("the migration has no file")?;
    directory::add_header_line(path, APPROVED, &a.to_header())?;
    println!(
        "✓ Approved {} for environment {} by {who} ({} days; it holds while the SQL, the target's schema and the policies stay as they are now)",
        m.id(),
        a.env,
        ws.project.policy.approval_max_age_days
    );
    if !overrides.is_empty() {
        println!("  Overrides: {}", overrides.join(", "));
    }
    println!("Apply it with `ai-shell migrate apply {}`.", m.id());
    let event = crate::notify::NewEvent {
        event_type: "approval.granted",
        migration: Some(crate::commands::notify::migration_info(m)),
        summary: format!("{} approved by {who} for {}: {}", m.id(), a.env, a.reason),
        data: serde_json::json!({
            "approver": who, "reason": a.reason, "overrides": a.overrides,
            "expires": null,
        }),
    };
    crate::commands::notify::emit_now(ctx, &ws, event).await;
    Ok(())
}
