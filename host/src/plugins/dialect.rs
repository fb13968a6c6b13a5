//! A typed handle on a dialect plugin: each method is one sandboxed call.

use std::sync::Arc;

use super::bindings::DialectPre;
use super::runtime::{HostState, Runtime};
use super::{PluginCallError, PluginLoadError, PluginMeta, PluginSource, wit_version};
use crate::connection::{ConnectionError, Database};
use crate::model::{CapabilitySet, Change, ColumnType, DatabaseSchema, PluginError, Statement};

/// A loaded dialect plugin, compiled and linked once per process.
pub struct DialectPlugin {
    runtime: Arc<Runtime>,
    meta: PluginMeta,
    pre: DialectPre<HostState>,
}

/// Introspection fails either in the plugin or in the connection it reads through.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    #[error(transparent)]
    Plugin(#[from] PluginCallError),
    #[error(transparent)]
    Connection(#[from] ConnectionError),
}

macro_rules! call {
    ($self:ident, $name:literal, $session:expr, |$api:ident, $store:ident| $body:expr) => {{
        let (result, session) = $self
            .runtime
            .call_dialect(
                &$self.pre,
                &$self.meta.name,
                $name,
                $session,
                |d, $store| {
                    Box::pin(async move {
                        let $api = d.ai_shell_plugin_dialect_api();
                        $body.await
                    })
                },
            )
            .await;
        (result, session)
    }};
}

impl DialectPlugin {
    /// Checks the declared WIT version, compiles (or loads from cache), links, and reads the plugin's identity.
    pub async fn load(
        runtime: Arc<Runtime>,
        label: &str,
        source: PluginSource,
        bytes: &[u8],
    ) -> Result<DialectPlugin, PluginLoadError> {
        let declared = wit_version::check(label, bytes)?;
        let pre = runtime.prepare_dialect(label, bytes)?;
        let mut plugin = DialectPlugin {
            runtime,
            meta: PluginMeta {
                name: label.to_string(),
                kind: declared.kind,
                version: String::new(),
                wit_version: declared.wit_version.to_string(),
                description: String::new(),
                url_schemes: vec![],
                dialects: vec![],
                source,
                sha256: super::sha256(bytes),
            },
            pre,
        };
        let (info, _) = call!(plugin, "info", None, |api, store| api.call_info(store));
        let info = info.map_err(|source| PluginLoadError::Call {
            plugin: label.to_string(),
            source: Box::new(source),
        })?;
        plugin.meta.name = info.name;
        plugin.meta.version = info.version;
        plugin.meta.description = info.description;
        plugin.meta.url_schemes = info.url_schemes;
        Ok(plugin)
    }

    pub fn meta(&self) -> &PluginMeta {
        &self.meta
    }

    fn failed(&self, call: &'static str, error: PluginError) -> PluginCallError {
        PluginCallError::Failed {
            plugin: self.meta.name.clone(),
            version: self.meta.version.clone(),
            call,
            error,
        }
    }

    /// What the engine can do.
    pub async fn capabilities(&self) -> Result<CapabilitySet, PluginCallError> {
        call!(self, "capabilities", None, |api, store| api
            .call_capabilities(store))
        .0
    }

    /// Reads the live schema of `db` through a read-only session.
    pub async fn introspect(&self, db: &Database) -> Result<DatabaseSchema, IntrospectError> {
        let session = db.read_only_session().await?;
        let (result, session) = call!(self, "introspect", Some(session), |api, store| api
            .call_introspect(store));
        if let Some(session) = session {
            session.finish().await?;
        }
        Ok(result?.map_err(|e| self.failed("introspect", e))?)
    }

    /// Renders `changes`, applied in order to `current`, as SQL statements.
    pub async fn render(
        &self,
        changes: &[Change],
        current: &DatabaseSchema,
    ) -> Result<Vec<Statement>, PluginCallError> {
        let changes = changes.to_vec();
        let current = current.clone();
        call!(self, "render", None, |api, store| api
            .call_render(store, &changes, &current))
        .0?
        .map_err(|e| self.failed("render", e))
    }

    /// Quotes an identifier for this engine.
    pub async fn quote_identifier(&self, name: &str) -> Result<String, PluginCallError> {
        let name = name.to_string();
        call!(self, "quote-identifier", None, |api, store| api
            .call_quote_identifier(store, &name))
        .0
    }

    /// The engine's spelling of a type.
    pub async fn type_name(&self, data_type: &ColumnType) -> Result<String, PluginCallError> {
        let data_type = data_type.clone();
        call!(self, "type-name", None, |api, store| api
            .call_type_name(store, &data_type))
        .0?
        .map_err(|e| self.failed("type-name", e))
    }

    /// Reads the engine's spelling of a type.
    pub async fn parse_type(&self, spelling: &str) -> Result<ColumnType, PluginCallError> {
        let spelling = spelling.to_string();
        call!(self, "parse-type", None, |api, store| api
            .call_parse_type(store, &spelling))
        .0
    }
}
