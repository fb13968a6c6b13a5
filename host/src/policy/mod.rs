//! Policies: the rules an organisation holds migrations and schemas to, run as sandboxed policy plugins
//! (the built-in one, installed ones, and the project's own pinned by sha256). One evaluation serves every
//! entry point (`lint`, English requests, `migrate apply`), so a migration gets the same findings
//! everywhere. A mandatory policy that cannot run (load error, trap, time-out, memory, wrong hash)
//! blocks: policies fail closed.

pub mod allow;
pub mod config;
pub mod input;
pub mod report;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde::Serialize;
use sha2::Digest;

pub use config::PolicyConfig;

use crate::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::{
    Finding, PlanInput, Rule, SchemaInput, Setting, Severity,
};
use crate::plugins::{PluginRegistry, PolicyPlugin};
use config::RuleConfig;

/// A finding as shown: which plugin reported it, its severity after the configuration, and the override
/// that allows it, if any.
#[derive(Clone, Debug)]
pub struct Reported {
    pub plugin: String,
    pub finding: Finding,
    /// The reason an inline `-- ai-shell:allow` gave, when one allows it.
    pub allowed: Option<String>,
}

impl Serialize for Reported {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = &self.finding;
        serde_json::json!({
            "plugin": self.plugin,
            "rule": f.rule,
            "severity": report::severity_word(f.severity),
            "message": f.message,
            "change_index": f.change_index,
            "statement_index": f.statement_index,
            "table": f.table.as_ref().map(crate::changes::simulate::display),
            "hint": f.hint,
            "docs": f.docs,
            "allowed": self.allowed,
            "blocks": self.blocks(),
        })
        .serialize(s)
    }
}

impl Reported {
    /// An error-level finding nothing allows: it blocks.
    pub fn blocks(&self) -> bool {
        self.finding.severity == Severity::Error && self.allowed.is_none()
    }
}

struct Loaded {
    plugin: PolicyPlugin,
    mandatory: bool,
}

/// The policy plugins of this run, with the configuration for its environment.
pub struct Policies {
    loaded: Vec<Loaded>,
    rules: BTreeMap<String, RuleConfig>,
    settings: Vec<Setting>,
}

impl Policies {
    /// Loads the built-in and installed policies and the project's `[[policy.plugins]]` (relative paths
    /// from `project_dir`), and checks that every rule the configuration names exists.
    pub async fn load(
        registry: &PluginRegistry,
        config: &PolicyConfig,
        environment: Option<&str>,
        project_dir: &Path,
    ) -> anyhow::Result<Policies> {
        let mut loaded: Vec<Loaded> = registry
            .policies()
            .await
            .context("loading the policy plugins (policies fail closed: nothing is checked or applied until they load)")?
            .into_iter()
            .map(|plugin| Loaded {
                plugin,
                mandatory: true,
            })
            .collect();
        for p in &config.plugins {
            let path = project_dir.join(&p.path);
            match load_pinned(registry, &path, p.sha256.as_deref()).await {
                Ok(plugin) => loaded.push(Loaded {
                    plugin,
                    mandatory: p.mandatory,
                }),
                Err(e) if p.mandatory => {
                    return Err(e.context(format!(
                        "the mandatory policy {} cannot be used, so nothing is checked or applied (mark it `mandatory = false` to make it advisory)",
                        path.display()
                    )));
                }
                Err(e) => eprintln!(
                    "warning: skipping the advisory policy {}: {e:#}",
                    path.display()
                ),
            }
        }
        let policies = Policies {
            loaded,
            rules: config.effective(environment),
            settings: config.settings(environment),
        };
        for (id, where_) in config.named_rules() {
            if !policies.rules().iter().any(|(_, r)| r.id == id) {
                let known: Vec<&str> = policies
                    .rules()
                    .iter()
                    .map(|(_, r)| r.id.as_str())
                    .collect();
                let close = known
                    .iter()
                    .map(|k| (crate::planner::resolve::distance(id, k, 3), *k))
                    .filter(|(d, _)| *d <= 3)
                    .min()
                    .map(|(_, k)| k);
                bail!(
                    "{where_} names the rule `{id}`, which no policy has{}\n\nRun `ai-shell lint --rules` to list the rules.",
                    close
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default()
                );
            }
        }
        Ok(policies)
    }

    /// Every rule, with the plugin that has it.
    pub fn rules(&self) -> Vec<(&str, &Rule)> {
        self.loaded
            .iter()
            .flat_map(|l| {
                l.plugin
                    .rules()
                    .iter()
                    .map(|r| (l.plugin.meta().name.as_str(), r))
            })
            .collect()
    }

    /// The configured severity of `rule` (`None`: off), given the plugin's default.
    pub fn severity(&self, rule: &str, default: Severity) -> Option<Severity> {
        match self.rules.get(rule).and_then(|r| r.severity) {
            Some(configured) => configured,
            None => Some(default),
        }
    }

    /// The options to send with every input.
    pub fn settings(&self) -> Vec<Setting> {
        self.settings.clone()
    }

    /// Findings about one plan, from every policy, with the configured severities.
    pub async fn check_plan(&self, input: &PlanInput) -> anyhow::Result<Vec<Reported>> {
        let mut out = vec![];
        for l in &self.loaded {
            match l.plugin.check_plan(input).await {
                Ok(findings) => out.extend(self.configured(l, findings)),
                Err(e) => self.failed(l, e)?,
            }
        }
        out.sort_by_key(|r| (r.finding.statement_index, rank(r.finding.severity)));
        Ok(out)
    }

    /// Findings about a whole schema.
    pub async fn check_schema(&self, input: &SchemaInput) -> anyhow::Result<Vec<Reported>> {
        let mut out = vec![];
        for l in &self.loaded {
            match l.plugin.check_schema(input).await {
                Ok(findings) => out.extend(self.configured(l, findings)),
                Err(e) => self.failed(l, e)?,
            }
        }
        Ok(out)
    }

    fn configured(&self, l: &Loaded, findings: Vec<Finding>) -> Vec<Reported> {
        findings
            .into_iter()
            .filter_map(|mut f| {
                f.severity = self.severity(&f.rule, f.severity)?;
                Some(Reported {
                    plugin: l.plugin.meta().name.clone(),
                    finding: f,
                    allowed: None,
                })
            })
            .collect()
    }

    fn failed(&self, l: &Loaded, e: crate::plugins::PluginCallError) -> anyhow::Result<()> {
        let name = &l.plugin.meta().name;
        if l.mandatory {
            bail!("the policy `{name}` failed, so nothing is applied (policies fail closed): {e}");
        }
        eprintln!("warning: the advisory policy `{name}` failed and was skipped: {e}");
        Ok(())
    }
}

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warn => 1,
        Severity::Info => 2,
    }
}

/// Loads a policy file, refusing it when its sha256 is not the pinned one.
async fn load_pinned(
    registry: &PluginRegistry,
    path: &Path,
    sha256: Option<&str>,
) -> anyhow::Result<PolicyPlugin> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading the policy {}", path.display()))?;
    if let Some(expected) = sha256 {
        let found = hex::encode(sha2::Sha256::digest(&bytes));
        if found != expected {
            bail!(
                "{} has sha256 {found}, not the pinned {expected}: the file changed since it was pinned",
                path.display()
            );
        }
    }
    let label = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let declared = crate::plugins::wit_version::check(&label, &bytes)?;
    if declared.kind != crate::plugins::PluginKind::Policy {
        bail!(
            "{} is a {} plugin, not a policy",
            path.display(),
            declared.kind.as_str()
        );
    }
    Ok(PolicyPlugin::load(
        registry.runtime().clone(),
        &label,
        crate::plugins::PluginSource::Installed(path.to_path_buf()),
        &bytes,
    )
    .await?)
}

/// Marks the findings an inline override allows (`statement_index` counts the section's statements).
pub fn apply_allowances(findings: &mut [Reported], allowances: &allow::Allowances) {
    for r in findings {
        if let Some(i) = r.finding.statement_index
            && let Some(reason) = allowances.reason(i as usize, &r.finding.rule)
        {
            r.allowed = Some(reason.to_string());
        }
    }
}
