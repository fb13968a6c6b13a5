//! Policies: the rules an organisation holds migrations and schemas to, run as sandboxed policy plugins
//! (the built-in one, installed ones, and the project's own pinned by sha256). One evaluation serves every
//! entry point (`lint`, English requests, `migrate apply`), so a migration gets the same findings
//! everywhere. A mandatory policy that cannot run (load error, trap, time-out, memory, wrong hash)
//! blocks: policies fail closed.

pub mod allow;
pub mod approval;
pub mod config;
pub mod input;
pub mod report;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde::Serialize;

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
    /// The organisation bundle's severities: no rule reports below its floor.
    floors: BTreeMap<String, Severity>,
    /// Rules whose findings nothing may let through here.
    no_override: Vec<String>,
    /// Which migrations need an approval here (the stricter of the project's and the bundle's).
    approvals: approval::Required,
    /// The bundle's own hash, when there is one.
    org: Option<String>,
}

impl Policies {
    /// A short fingerprint of the policies in force: each plugin's name, hash and whether it is mandatory,
    /// and the configured severities and options. An approval given under other policies does not hold.
    pub fn fingerprint(&self) -> String {
        let mut text = String::new();
        for l in &self.loaded {
            let m = l.plugin.meta();
            text.push_str(&format!("{} {} {}\n", m.name, m.sha256, l.mandatory));
        }
        text.push_str(&format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            self.rules, self.settings, self.floors, self.no_override, self.approvals, self.org
        ));
        crate::plugins::sha256(text.as_bytes())[..16].to_string()
    }
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
        let mut policies = Policies {
            loaded,
            rules: config.effective(environment),
            settings: config.settings(environment),
            floors: BTreeMap::new(),
            no_override: config.no_override_in(environment),
            approvals: config.approvals_for(environment),
            org: None,
        };
        if let Some(path) = &config.org {
            policies
                .add_org(registry, config, &project_dir.join(path), environment)
                .await?;
        }
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

    /// Adds the organisation's bundle: its hash must be the pinned one, its plugins are mandatory, its
    /// severities are floors the project cannot lower, and its approvals and `no-override` apply.
    async fn add_org(
        &mut self,
        registry: &PluginRegistry,
        project: &PolicyConfig,
        path: &Path,
        environment: Option<&str>,
    ) -> anyhow::Result<()> {
        let fail = |why: String| {
            anyhow::anyhow!(
                "the organisation's policy bundle {}: {why}; nothing is checked or applied until it is fixed (policies fail closed)",
                path.display()
            )
        };
        let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot be read ({e})")))?;
        let found = crate::plugins::sha256(&bytes);
        match &project.org_sha256 {
            None => {
                return Err(fail(format!(
                    "is not pinned: add `org-sha256 = \"{found}\"` to [policy] once you trust it"
                )));
            }
            Some(expected) if *expected != found => {
                return Err(fail(format!(
                    "has sha256 {found}, not the pinned {expected}: it changed since it was pinned"
                )));
            }
            Some(_) => {}
        }
        let text = String::from_utf8(bytes).map_err(|_| fail("is not UTF-8 text".into()))?;
        let value: toml::Value =
            toml::from_str(&text).map_err(|e| fail(format!("is not valid TOML: {e}")))?;
        let org = PolicyConfig::from_toml(Some(&value)).map_err(|e| fail(format!("{e:#}")))?;
        if org.org.is_some() {
            return Err(fail(
                "names another bundle (`org`), which is not allowed".into(),
            ));
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        for p in &org.plugins {
            let plugin = load_pinned(registry, &dir.join(&p.path), p.sha256.as_deref())
                .await
                .map_err(|e| fail(format!("its policy {}: {e:#}", p.path.display())))?;
            self.loaded.push(Loaded {
                plugin,
                mandatory: true,
            });
        }
        for (id, rc) in org.effective(environment) {
            let Some(Some(floor)) = rc.severity else {
                continue;
            };
            if let Some(configured) = self.rules.get(&id).and_then(|r| r.severity)
                && configured.is_none_or(|c| rank(c) > rank(floor))
            {
                bail!(
                    "ai-shell.toml [policy] sets {id} to \"{}\", below the organisation's floor \"{}\" ({}): raise it or remove the line",
                    configured.map(report::severity_word).unwrap_or("off"),
                    report::severity_word(floor),
                    path.display()
                );
            }
            self.floors.insert(id, floor);
        }
        self.no_override.extend(org.no_override_in(environment));
        self.approvals = self.approvals.max(org.approvals_for(environment));
        self.org = Some(found);
        Ok(())
    }

    /// Which migrations need an approval here.
    pub fn approvals(&self) -> approval::Required {
        self.approvals
    }

    /// Takes back the overrides of rules nothing may override here (`no-override`), saying so.
    pub fn enforce(&self, findings: &mut [Reported]) {
        for r in findings {
            if r.allowed.is_some() && self.no_override.contains(&r.finding.rule) {
                r.allowed = None;
                r.finding
                    .message
                    .push_str(" (this rule cannot be overridden here: no-override)");
            }
        }
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
        let severity = match self.rules.get(rule).and_then(|r| r.severity) {
            Some(configured) => configured,
            None => Some(default),
        };
        match self.floors.get(rule) {
            Some(floor) if severity.is_none_or(|s| rank(s) > rank(*floor)) => Some(*floor),
            _ => severity,
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
        let found = crate::plugins::sha256(&bytes);
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
