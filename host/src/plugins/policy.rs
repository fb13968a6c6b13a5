//! A typed handle on a policy plugin: identity, rules and the two checks, each one sandboxed call.

use std::sync::Arc;

use super::bindings::policy::PolicyPre;
use super::bindings::policy::exports::ai_shell::plugin::policy_api::{
    Finding, PlanInput, Rule, SchemaInput,
};
use super::runtime::{HostState, Runtime};
use super::{PluginCallError, PluginLoadError, PluginMeta, PluginSource, wit_version};

/// A loaded policy plugin, compiled and linked once per process.
pub struct PolicyPlugin {
    runtime: Arc<Runtime>,
    meta: PluginMeta,
    rules: Vec<Rule>,
    pre: PolicyPre<HostState>,
}

impl PolicyPlugin {
    /// Checks the declared WIT version, compiles (or loads from cache), links, and reads the identity.
    pub async fn load(
        runtime: Arc<Runtime>,
        label: &str,
        source: PluginSource,
        bytes: &[u8],
    ) -> Result<PolicyPlugin, PluginLoadError> {
        let declared = wit_version::check(label, bytes)?;
        let pre = runtime.prepare_policy(label, bytes)?;
        let info = runtime
            .call_policy(&pre, label, "info", |p, store| {
                Box::pin(async move { p.ai_shell_plugin_policy_api().call_info(store).await })
            })
            .await
            .map_err(|source| PluginLoadError::Call {
                plugin: label.to_string(),
                source: Box::new(source),
            })?;
        Ok(PolicyPlugin {
            runtime,
            meta: PluginMeta {
                name: info.name,
                kind: declared.kind,
                version: info.version,
                wit_version: declared.wit_version.to_string(),
                description: info.description,
                url_schemes: vec![],
                dialects: vec![],
                source,
                sha256: super::sha256(bytes),
            },
            rules: info.rules,
            pre,
        })
    }

    pub fn meta(&self) -> &PluginMeta {
        &self.meta
    }

    /// Every rule the plugin can report.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Findings about one plan.
    pub async fn check_plan(&self, input: &PlanInput) -> Result<Vec<Finding>, PluginCallError> {
        let input = input.clone();
        self.runtime
            .call_policy(&self.pre, &self.meta.name, "check-plan", |p, store| {
                Box::pin(async move {
                    p.ai_shell_plugin_policy_api()
                        .call_check_plan(store, &input)
                        .await
                })
            })
            .await?
            .map_err(|error| self.failed("check-plan", error))
    }

    /// Findings about a whole schema.
    pub async fn check_schema(&self, input: &SchemaInput) -> Result<Vec<Finding>, PluginCallError> {
        let input = input.clone();
        self.runtime
            .call_policy(&self.pre, &self.meta.name, "check-schema", |p, store| {
                Box::pin(async move {
                    p.ai_shell_plugin_policy_api()
                        .call_check_schema(store, &input)
                        .await
                })
            })
            .await?
            .map_err(|error| self.failed("check-schema", error))
    }

    fn failed(&self, call: &'static str, error: crate::model::PluginError) -> PluginCallError {
        PluginCallError::Failed {
            plugin: self.meta.name.clone(),
            version: self.meta.version.clone(),
            call,
            error,
        }
    }
}
