//! A typed handle on a notification sink plugin: identity, and its three calls, each one sandboxed call.

use std::sync::Arc;

use super::bindings::notify::NotifyPre;
use super::bindings::notify::exports::ai_shell::plugin::sink_api::{
    ChannelContext, Delivery, Event, HttpResponse, Outcome, SinkInfo,
};
use super::runtime::{HostState, Runtime};
use super::{PluginCallError, PluginLoadError, PluginMeta, PluginSource, wit_version};

/// A loaded sink plugin, compiled and linked once per process.
pub struct SinkPlugin {
    runtime: Arc<Runtime>,
    meta: PluginMeta,
    info: SinkInfo,
    pre: NotifyPre<HostState>,
}

impl SinkPlugin {
    /// Checks the declared WIT version, compiles (or loads from cache), links, and reads the identity.
    pub async fn load(
        runtime: Arc<Runtime>,
        label: &str,
        source: PluginSource,
        bytes: &[u8],
    ) -> Result<SinkPlugin, PluginLoadError> {
        let declared = wit_version::check(label, bytes)?;
        let pre = runtime.prepare(label, bytes, NotifyPre::new)?;
        let call_pre = pre.clone();
        let info = runtime
            .in_store(label, "info", move |store| {
                Box::pin(async move {
                    let sink = call_pre.instantiate_async(&mut *store).await?;
                    sink.ai_shell_plugin_sink_api().call_info(store).await
                })
            })
            .await
            .map_err(|source| PluginLoadError::Call {
                plugin: label.to_string(),
                source: Box::new(source),
            })?;
        Ok(SinkPlugin {
            runtime,
            meta: PluginMeta {
                name: info.name.clone(),
                kind: declared.kind,
                version: info.version.clone(),
                wit_version: declared.wit_version.to_string(),
                description: info.description.clone(),
                url_schemes: vec![],
                dialects: vec![],
                source,
                sha256: super::sha256(bytes),
            },
            info,
            pre,
        })
    }

    pub fn meta(&self) -> &PluginMeta {
        &self.meta
    }

    pub fn info(&self) -> &SinkInfo {
        &self.info
    }

    /// The delivery of one event to a channel.
    pub async fn render(
        &self,
        event: &Event,
        channel: &ChannelContext,
    ) -> Result<Delivery, PluginCallError> {
        let (pre, event, channel) = (self.pre.clone(), event.clone(), channel.clone());
        self.runtime
            .in_store(&self.meta.name, "render", move |store| {
                Box::pin(async move {
                    let sink = pre.instantiate_async(&mut *store).await?;
                    sink.ai_shell_plugin_sink_api()
                        .call_render(store, &event, &channel)
                        .await
                })
            })
            .await?
            .map_err(|error| self.failed("render", error))
    }

    /// One delivery for several events (only when the sink says it aggregates).
    pub async fn render_batch(
        &self,
        events: &[Event],
        channel: &ChannelContext,
    ) -> Result<Delivery, PluginCallError> {
        let (pre, events, channel) = (self.pre.clone(), events.to_vec(), channel.clone());
        self.runtime
            .in_store(&self.meta.name, "render-batch", move |store| {
                Box::pin(async move {
                    let sink = pre.instantiate_async(&mut *store).await?;
                    sink.ai_shell_plugin_sink_api()
                        .call_render_batch(store, &events, &channel)
                        .await
                })
            })
            .await?
            .map_err(|error| self.failed("render-batch", error))
    }

    /// What the sink makes of an endpoint's answer.
    pub async fn classify(&self, response: &HttpResponse) -> Result<Outcome, PluginCallError> {
        let (pre, response) = (self.pre.clone(), response.clone());
        self.runtime
            .in_store(&self.meta.name, "classify", move |store| {
                Box::pin(async move {
                    let sink = pre.instantiate_async(&mut *store).await?;
                    sink.ai_shell_plugin_sink_api()
                        .call_classify(store, &response)
                        .await
                })
            })
            .await
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
