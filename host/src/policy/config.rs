//! `[policy]` in `ai-shell.toml`: rules turned off or given another severity (for every environment or
//! one), rule options, and extra policy plugins pinned by sha256.
//!
//! ```toml
//! [policy]
//! big-table-rows = 50000                  # an option every rule reads (here: when a table is big)
//!
//! [policy.rules]
//! drop-column = "error"                   # error | warn | info | off
//! naming-convention = { severity = "warn", style = "snake_case" }   # severity and the rule's options
//!
//! [policy.environments.production]        # only with `--env production`; wins over [policy]
//! approvals = "all"
//! [policy.environments.production.rules]
//! index-not-concurrent = "error"
//!
//! approvals = "destructive"               # which migrations need `migrate approve`: destructive | all | none
//! approval-max-age-days = 7               # how long an approval holds
//! approver-not-author = true              # nobody approves their own migration
//!
//! org = "../org/policy.toml"              # the organisation's bundle (the same keys as [policy]): its
//! org-sha256 = "…"                        #   severities are floors, its plugins mandatory; pinned by hash
//! no-override = ["drop-table"]            # findings of these rules cannot be overridden
//!
//! [[policy.plugins]]                      # a policy plugin of the project, not installed
//! path = "policies/acme.wasm"
//! sha256 = "9f86d0..."                    # refused when the file's hash differs
//! mandatory = true                        # fails closed (default); false: a broken plugin only warns
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};

use super::approval::Required;
use crate::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::{Setting, Severity};

/// What the configuration says about one rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleConfig {
    /// `None`: the rule's own severity; `Some(None)`: off.
    pub severity: Option<Option<Severity>>,
    /// The rule's options (`key = value` besides `severity`).
    pub options: BTreeMap<String, String>,
}

/// An extra policy plugin named by the project.
#[derive(Clone, Debug, PartialEq)]
pub struct PluginRef {
    pub path: PathBuf,
    pub sha256: Option<String>,
    /// A mandatory policy that cannot run blocks (fail closed); an advisory one warns.
    pub mandatory: bool,
}

/// The `[policy]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyConfig {
    /// Options for every rule (`[policy] key = value`).
    pub options: BTreeMap<String, String>,
    pub rules: BTreeMap<String, RuleConfig>,
    /// `[policy.environments.NAME.rules]`.
    pub environments: BTreeMap<String, BTreeMap<String, RuleConfig>>,
    pub plugins: Vec<PluginRef>,
    /// `approvals = "destructive" | "all" | "none"`: which migrations need an approval.
    pub approvals: Required,
    /// `[policy.environments.NAME] approvals = ...`.
    pub env_approvals: BTreeMap<String, Required>,
    /// `approval-max-age-days` (default 7): how long an approval holds.
    pub approval_max_age_days: u32,
    /// `approver-not-author = true`: the author of a migration cannot approve it.
    pub approver_not_author: bool,
    /// `no-override = [...]`: rules whose findings no inline override or approval lets through
    /// (`[policy.environments.NAME] no-override` adds to it there).
    pub no_override: Vec<String>,
    pub env_no_override: BTreeMap<String, Vec<String>>,
    /// `org = "path"` and `org-sha256`: the organisation's bundle, whose floors this file cannot lower.
    pub org: Option<PathBuf>,
    pub org_sha256: Option<String>,
}

impl Default for PolicyConfig {
    fn default() -> PolicyConfig {
        PolicyConfig {
            options: BTreeMap::new(),
            rules: BTreeMap::new(),
            environments: BTreeMap::new(),
            plugins: vec![],
            approvals: Required::Marked,
            env_approvals: BTreeMap::new(),
            approval_max_age_days: 7,
            approver_not_author: false,
            no_override: vec![],
            env_no_override: BTreeMap::new(),
            org: None,
            org_sha256: None,
        }
    }
}

fn required(v: &toml::Value, where_: &str) -> anyhow::Result<Required> {
    v.as_str()
        .and_then(Required::parse)
        .with_context(|| format!("{where_} approvals must be \"destructive\", \"all\" or \"none\""))
}

impl PolicyConfig {
    /// Which migrations need an approval in `environment`.
    pub fn approvals_for(&self, environment: Option<&str>) -> Required {
        environment
            .and_then(|e| self.env_approvals.get(e))
            .copied()
            .unwrap_or(self.approvals)
    }

    /// Reads the `[policy]` table (`None`: absent).
    pub fn from_toml(value: Option<&toml::Value>) -> anyhow::Result<PolicyConfig> {
        let Some(value) = value else {
            return Ok(PolicyConfig::default());
        };
        let table = value.as_table().context("[policy] must be a table")?;
        let mut config = PolicyConfig::default();
        for (key, v) in table {
            match key.as_str() {
                "rules" => config.rules = rules(v, "[policy.rules]")?,
                "environments" => {
                    let envs = v.as_table().context(
                        "[policy.environments] must hold [policy.environments.NAME] tables",
                    )?;
                    for (name, env) in envs {
                        let where_ = format!("[policy.environments.{name}]");
                        let env = env
                            .as_table()
                            .with_context(|| format!("{where_} must be a table"))?;
                        if let Some(k) = env
                            .keys()
                            .find(|k| !["rules", "approvals", "no-override"].contains(&k.as_str()))
                        {
                            bail!(
                                "unknown key `{k}` in {where_} (known: rules, approvals, no-override)"
                            );
                        }
                        if let Some(list) = env.get("no-override") {
                            config
                                .env_no_override
                                .insert(name.clone(), strings(list, &where_)?);
                        }
                        if let Some(a) = env.get("approvals") {
                            config
                                .env_approvals
                                .insert(name.clone(), required(a, &where_)?);
                        }
                        let r = match env.get("rules") {
                            Some(r) => rules(r, &format!("{where_}.rules"))?,
                            None => BTreeMap::new(),
                        };
                        config.environments.insert(name.clone(), r);
                    }
                }
                "approvals" => config.approvals = required(v, "[policy]")?,
                "no-override" => config.no_override = strings(v, "[policy]")?,
                "org" => {
                    config.org = Some(PathBuf::from(v.as_str().context(
                        "[policy] org must be the path of the organisation's policy bundle",
                    )?))
                }
                "org-sha256" => {
                    let h = v
                        .as_str()
                        .filter(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
                        .context("[policy] org-sha256 must be 64 hexadecimal digits")?;
                    config.org_sha256 = Some(h.to_ascii_lowercase());
                }
                "approval-max-age-days" => {
                    config.approval_max_age_days = v
                        .as_integer()
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|n| *n > 0)
                        .context(
                            "[policy] approval-max-age-days must be a positive number of days",
                        )?
                }
                "approver-not-author" => {
                    config.approver_not_author = v
                        .as_bool()
                        .context("[policy] approver-not-author must be true or false")?
                }
                "plugins" => {
                    let list = v.as_array().context(
                        "[[policy.plugins]] must be a list of tables with path and sha256",
                    )?;
                    for p in list {
                        config.plugins.push(plugin_ref(p)?);
                    }
                }
                _ => {
                    config.options.insert(
                        key.clone(),
                        scalar(v).with_context(|| {
                            format!("[policy] {key} must be a string, number or boolean")
                        })?,
                    );
                }
            }
        }
        Ok(config)
    }

    /// The rules' configuration for `environment`: `[policy.rules]` with that environment's entries on top.
    pub fn effective(&self, environment: Option<&str>) -> BTreeMap<String, RuleConfig> {
        let mut out = self.rules.clone();
        if let Some(env) = environment.and_then(|e| self.environments.get(e)) {
            for (id, rc) in env {
                let entry = out.entry(id.clone()).or_default();
                if rc.severity.is_some() {
                    entry.severity = rc.severity;
                }
                entry.options.extend(rc.options.clone());
            }
        }
        out
    }

    /// The options sent to plugins: global ones for `*`, then each rule's.
    pub fn settings(&self, environment: Option<&str>) -> Vec<Setting> {
        let mut out: Vec<Setting> = self
            .options
            .iter()
            .map(|(k, v)| Setting {
                rule: "*".into(),
                key: k.clone(),
                value: v.clone(),
            })
            .collect();
        for (id, rc) in self.effective(environment) {
            out.extend(rc.options.into_iter().map(|(k, v)| Setting {
                rule: id.clone(),
                key: k,
                value: v,
            }));
        }
        out
    }

    /// The rules whose findings cannot be overridden in `environment`.
    pub fn no_override_in(&self, environment: Option<&str>) -> Vec<String> {
        let mut out = self.no_override.clone();
        if let Some(list) = environment.and_then(|e| self.env_no_override.get(e)) {
            out.extend(list.iter().cloned());
        }
        out
    }

    /// Every rule id the configuration names (to check against the rules the plugins know).
    pub fn named_rules(&self) -> Vec<(&str, String)> {
        let mut out: Vec<(&str, String)> = self
            .rules
            .keys()
            .map(|k| (k.as_str(), "[policy.rules]".to_string()))
            .collect();
        for (env, rules) in &self.environments {
            out.extend(
                rules
                    .keys()
                    .map(|k| (k.as_str(), format!("[policy.environments.{env}.rules]"))),
            );
        }
        out
    }
}

/// Reads a severity word.
pub fn severity(word: &str) -> Option<Option<Severity>> {
    match word.to_ascii_lowercase().as_str() {
        "error" => Some(Some(Severity::Error)),
        "warn" | "warning" => Some(Some(Severity::Warn)),
        "info" => Some(Some(Severity::Info)),
        "off" => Some(None),
        _ => None,
    }
}

fn rules(value: &toml::Value, where_: &str) -> anyhow::Result<BTreeMap<String, RuleConfig>> {
    let table = value
        .as_table()
        .with_context(|| format!("{where_} must be a table of rule = \"severity\""))?;
    let mut out = BTreeMap::new();
    for (id, v) in table {
        let bad_severity = |s: &str| {
            anyhow::anyhow!(
                "{where_} {id} = \"{s}\" is not a severity (use error, warn, info or off)"
            )
        };
        let rc = match v {
            toml::Value::String(s) => RuleConfig {
                severity: Some(severity(s).ok_or_else(|| bad_severity(s))?),
                options: BTreeMap::new(),
            },
            toml::Value::Table(t) => {
                let mut rc = RuleConfig::default();
                for (k, v) in t {
                    let s = scalar(v).with_context(|| {
                        format!("{where_} {id}.{k} must be a string, number or boolean")
                    })?;
                    if k == "severity" {
                        rc.severity = Some(severity(&s).ok_or_else(|| bad_severity(&s))?);
                    } else {
                        rc.options.insert(k.clone(), s);
                    }
                }
                rc
            }
            _ => bail!(
                "{where_} {id} must be a severity (\"error\", \"warn\", \"info\", \"off\") or a table with severity and options"
            ),
        };
        out.insert(id.clone(), rc);
    }
    Ok(out)
}

fn plugin_ref(value: &toml::Value) -> anyhow::Result<PluginRef> {
    let t = value
        .as_table()
        .context("each [[policy.plugins]] entry must be a table with path and sha256")?;
    let mut path = None;
    let mut sha256 = None;
    let mut mandatory = true;
    for (k, v) in t {
        match k.as_str() {
            "path" => path = v.as_str().map(PathBuf::from),
            "sha256" => sha256 = v.as_str().map(|s| s.to_ascii_lowercase()),
            "mandatory" => {
                mandatory = v
                    .as_bool()
                    .context("[[policy.plugins]] mandatory must be true or false")?
            }
            _ => bail!("unknown key `{k}` in [[policy.plugins]] (known: path, sha256, mandatory)"),
        }
    }
    let path = path.context("a [[policy.plugins]] entry has no path")?;
    if let Some(h) = &sha256
        && (h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()))
    {
        bail!(
            "[[policy.plugins]] sha256 of {} is not 64 hexadecimal digits",
            path.display()
        );
    }
    Ok(PluginRef {
        path,
        sha256,
        mandatory,
    })
}

fn strings(v: &toml::Value, where_: &str) -> anyhow::Result<Vec<String>> {
    v.as_array()
        .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
        .with_context(|| format!("{where_} no-override must be a list of rule ids"))
}

fn scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> anyhow::Result<PolicyConfig> {
        let v: toml::Value = toml::from_str(text).unwrap();
        PolicyConfig::from_toml(v.get("policy"))
    }

    #[test]
    fn severities_options_and_environments_are_read() {
        let c = parse(
            r#"
[policy]
big-table-rows = 5
[policy.rules]
drop-column = "error"
naming-convention = { severity = "off", style = "camelCase" }
[policy.environments.production.rules]
drop-column = "warn"
"#,
        )
        .unwrap();
        let dev = c.effective(None);
        assert_eq!(dev["drop-column"].severity, Some(Some(Severity::Error)));
        assert_eq!(dev["naming-convention"].severity, Some(None));
        let prod = c.effective(Some("production"));
        assert_eq!(prod["drop-column"].severity, Some(Some(Severity::Warn)));
        let settings = c.settings(None);
        assert!(
            settings
                .iter()
                .any(|s| s.rule == "*" && s.key == "big-table-rows" && s.value == "5")
        );
        assert!(
            settings
                .iter()
                .any(|s| s.rule == "naming-convention" && s.value == "camelCase")
        );
    }

    #[test]
    fn bad_severities_and_keys_are_errors_naming_them() {
        let e = parse("[policy.rules]\ndrop-column = \"loud\"\n").unwrap_err();
        assert!(e.to_string().contains("drop-column = \"loud\""), "{e}");
        let e = parse("[[policy.plugins]]\npath = \"x.wasm\"\nsha = \"1\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown key `sha`"), "{e}");
        let e = parse("[[policy.plugins]]\npath = \"x.wasm\"\nsha256 = \"12\"\n").unwrap_err();
        assert!(e.to_string().contains("64 hexadecimal"), "{e}");
    }
}
