//! A typed handle on a strategy plugin: identity and planning, each one sandboxed call.

use std::sync::Arc;

use super::bindings::strategy::StrategyPre;
use super::bindings::strategy::exports::ai_shell::plugin::strategy_api::{
    Engine, Phase, TableStats,
};
use super::runtime::{HostState, Runtime};
use super::{PluginCallError, PluginLoadError, PluginMeta, PluginSource, wit_version};
use crate::model::{Change, DatabaseSchema};

/// A loaded strategy plugin, compiled and linked once per process.
pub struct StrategyPlugin {
    runtime: Arc<Runtime>,
    meta: PluginMeta,
    /// Keeps tables available while it runs.
    online: bool,
    pre: StrategyPre<HostState>,
}

impl StrategyPlugin {
    /// Checks the declared WIT version, compiles (or loads from cache), links, and reads the identity.
    pub async fn load(
        runtime: Arc<Runtime>,
        label: &str,
        source: PluginSource,
        bytes: &[u8],
    ) -> Result<StrategyPlugin, PluginLoadError> {
        let declared = wit_version::check(label, bytes)?;
        let pre = runtime.prepare_strategy(label, bytes)?;
        let info = runtime
            .call_strategy(&pre, label, "info", |s, store| {
                Box::pin(async move { s.ai_shell_plugin_strategy_api().call_info(store).await })
            })
            .await
            .map_err(|source| PluginLoadError::Call {
                plugin: label.to_string(),
                source: Box::new(source),
            })?;
        Ok(StrategyPlugin {
            runtime,
            meta: PluginMeta {
                name: info.name,
                kind: declared.kind,
                version: info.version,
                wit_version: declared.wit_version.to_string(),
                description: info.description,
                url_schemes: vec![],
                dialects: info.dialects,
                source,
                sha256: super::sha256(bytes),
            },
            online: info.online,
            pre,
        })
    }

    pub fn meta(&self) -> &PluginMeta {
        &self.meta
    }

    /// Whether the strategy keeps tables readable and writable while it runs.
    pub fn online(&self) -> bool {
        self.online
    }

    /// Whether the strategy plans for the dialect plugin called `dialect`.
    pub fn serves(&self, dialect: &str) -> bool {
        self.meta.dialects.is_empty() || self.meta.dialects.iter().any(|d| d == dialect)
    }

    /// The phases carrying out `changes`, or `None` when the strategy does not handle them.
    pub async fn plan(
        &self,
        changes: &[Change],
        schema: &DatabaseSchema,
        stats: &[TableStats],
        engine: &Engine,
    ) -> Result<Option<Vec<Phase>>, PluginCallError> {
        let (changes, schema, stats, engine) = (
            changes.to_vec(),
            schema.clone(),
            stats.to_vec(),
            engine.clone(),
        );
        self.runtime
            .call_strategy(&self.pre, &self.meta.name, "plan", |s, store| {
                Box::pin(async move {
                    s.ai_shell_plugin_strategy_api()
                        .call_plan(store, &changes, &schema, &stats, &engine)
                        .await
                })
            })
            .await?
            .map_err(|error| PluginCallError::Failed {
                plugin: self.meta.name.clone(),
                version: self.meta.version.clone(),
                call: "plan",
                error,
            })
    }
}
