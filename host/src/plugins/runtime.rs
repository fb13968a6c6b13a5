//! The sandbox plugins run in: one wasmtime engine per process, a fresh store per call, with a memory cap, a
//! CPU deadline (epoch interruption) and no filesystem, network or environment. Only the interfaces in
//! `wit/host.wit` are linked, and the `sql` interface reads through a read-only session.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder, Trap};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::policy::{Policy, PolicyPre};
use super::bindings::strategy::{Strategy, StrategyPre};
use super::bindings::{Dialect, DialectPre};
use super::cache::ComponentCache;
use super::error::{PluginCallError, PluginLoadError};
use crate::connection::ReadOnlySession;
use crate::model::{DatabaseError, LogLevel, QueryResult, SqlValue};

/// How long one epoch tick lasts; deadlines are counted in ticks.
const TICK: Duration = Duration::from_millis(10);
/// Bytes of a plugin's stderr kept to explain a panic.
const STDERR_CAPACITY: usize = 64 * 1024;

/// Resource limits for each plugin call.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest linear memory an instance may grow to.
    pub memory_bytes: usize,
    /// Wall-clock deadline of one call, including the queries it makes through the host.
    pub call_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 256 << 20,
            call_timeout: Duration::from_secs(60),
        }
    }
}

impl Limits {
    /// The defaults, or `AI_SHELL_PLUGIN_TIMEOUT_MS` and `AI_SHELL_PLUGIN_MEMORY_MB` when set.
    pub fn from_env() -> anyhow::Result<Limits> {
        let read = |name: &str| -> anyhow::Result<Option<u64>> {
            match std::env::var(name) {
                Ok(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| {
                        anyhow::anyhow!("{name} must be a positive whole number, not `{v}`")
                    }),
                Err(_) => Ok(None),
            }
        };
        let defaults = Limits::default();
        Ok(Limits {
            memory_bytes: read("AI_SHELL_PLUGIN_MEMORY_MB")?
                .map_or(defaults.memory_bytes, |mb| (mb as usize) << 20),
            call_timeout: read("AI_SHELL_PLUGIN_TIMEOUT_MS")?
                .map_or(defaults.call_timeout, Duration::from_millis),
        })
    }
}

/// The per-call state a plugin's store carries.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
    stderr: MemoryOutputPipe,
    plugin: String,
    session: Option<ReadOnlySession>,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl super::bindings::ai_shell::plugin::types::Host for HostState {}
impl super::bindings::ai_shell::plugin::schema::Host for HostState {}
impl super::bindings::ai_shell::plugin::changes::Host for HostState {}

impl super::bindings::ai_shell::plugin::sql::Host for HostState {
    async fn query(
        &mut self,
        statement: String,
        params: Vec<SqlValue>,
    ) -> wasmtime::Result<Result<QueryResult, DatabaseError>> {
        let Some(session) = self.session.as_mut() else {
            return Ok(Err(DatabaseError {
                sqlstate: None,
                message: "no database connection was granted to this call".into(),
            }));
        };
        Ok(session
            .query(&statement, &params)
            .await
            .map_err(|e| DatabaseError {
                sqlstate: match &e {
                    crate::connection::ConnectionError::Database { sqlstate, .. } => {
                        sqlstate.clone()
                    }
                    _ => None,
                },
                message: e.to_string(),
            }))
    }
}

impl super::bindings::ai_shell::plugin::log::Host for HostState {
    async fn log(&mut self, level: LogLevel, message: String) -> wasmtime::Result<()> {
        let wanted = crate::cli::verbosity();
        let rank = match level {
            LogLevel::Error => 0,
            LogLevel::Warn => 1,
            LogLevel::Info => 2,
            LogLevel::Debug => 3,
            LogLevel::Trace => 4,
        };
        if rank <= wanted {
            eprintln!(
                "[{}] {level:?}: {}",
                super::untrusted::escape(&self.plugin),
                super::untrusted::escape_lines(&message)
            );
        }
        Ok(())
    }
}

/// The engine, linker and compiled-component cache shared by every plugin of a process.
pub struct Runtime {
    engine: Engine,
    linker: Linker<HostState>,
    cache: ComponentCache,
    limits: Limits,
}

impl Runtime {
    /// A runtime with the given limits and component cache.
    pub fn new(limits: Limits, cache: ComponentCache) -> anyhow::Result<Arc<Runtime>> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.wasm_component_model(true);
        let engine = Engine::new(&config).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let ticker = engine.weak();
        std::thread::Builder::new()
            .name("plugin-epoch".into())
            .spawn(move || {
                while let Some(engine) = ticker.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(TICK);
                }
            })?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Dialect::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(Arc::new(Runtime {
            engine,
            linker,
            cache,
            limits,
        }))
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn cache(&self) -> &ComponentCache {
        &self.cache
    }

    /// Compiles (or loads from the cache) a dialect component and links it, ready to instantiate.
    pub fn prepare_dialect(
        &self,
        plugin: &str,
        bytes: &[u8],
    ) -> Result<DialectPre<HostState>, PluginLoadError> {
        self.prepare(plugin, bytes, DialectPre::new)
    }

    /// The compiled component for `bytes`, from the on-disk cache when present.
    pub fn compile(&self, plugin: &str, bytes: &[u8]) -> Result<Component, PluginLoadError> {
        self.cache.load_or_compile(&self.engine, plugin, bytes)
    }

    /// Compiles (or loads from the cache) a strategy component and links it, ready to instantiate.
    /// Strategies import only `log` (already in the linker for dialects) and no SQL session.
    pub fn prepare_strategy(
        &self,
        plugin: &str,
        bytes: &[u8],
    ) -> Result<StrategyPre<HostState>, PluginLoadError> {
        self.prepare(plugin, bytes, StrategyPre::new)
    }

    /// Compiles (or loads from the cache) a policy component and links it, ready to instantiate.
    /// Policies import only `log` and get no SQL session.
    pub fn prepare_policy(
        &self,
        plugin: &str,
        bytes: &[u8],
    ) -> Result<PolicyPre<HostState>, PluginLoadError> {
        self.prepare(plugin, bytes, PolicyPre::new)
    }

    /// Compiles (or loads from cache) and links a component of any world; `wrap` checks its exports.
    pub fn prepare<P>(
        &self,
        plugin: &str,
        bytes: &[u8],
        wrap: fn(wasmtime::component::InstancePre<HostState>) -> wasmtime::Result<P>,
    ) -> Result<P, PluginLoadError> {
        let component = self.compile(plugin, bytes)?;
        let link_error = |e: wasmtime::Error| PluginLoadError::Link {
            plugin: plugin.to_string(),
            reason: format!("{e:#}"),
        };
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(link_error)?;
        wrap(pre).map_err(link_error)
    }

    /// Runs `f` in a fresh store under the limits (no SQL session): it instantiates and calls. A trap, a
    /// time-out or memory exhaustion becomes the matching [`PluginCallError`].
    pub async fn in_store<R, F>(
        &self,
        plugin: &str,
        call: &'static str,
        f: F,
    ) -> Result<R, PluginCallError>
    where
        F: for<'a> FnOnce(
            &'a mut Store<HostState>,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = wasmtime::Result<R>> + Send + 'a>,
        >,
    {
        let mut store = self.store(plugin, None);
        let result = f(&mut store).await;
        let state = store.into_data();
        result.map_err(|e| self.classify(plugin, call, e, &state.stderr))
    }

    /// A fresh store under the limits, lending `session` to the plugin's `sql` import.
    fn store(&self, plugin: &str, session: Option<ReadOnlySession>) -> Store<HostState> {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        // No preopened directories, no environment, no arguments, no sockets: an empty WASI context.
        let wasi = wasmtime_wasi::WasiCtxBuilder::new()
            .stderr(stderr.clone())
            .build();
        let state = HostState {
            wasi,
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new()
                .memory_size(self.limits.memory_bytes)
                .instances(4)
                .trap_on_grow_failure(true)
                .build(),
            stderr,
            plugin: plugin.to_string(),
            session,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        let ticks = (self.limits.call_timeout.as_millis() / TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();
        store
    }

    /// Instantiates `pre` in a fresh store and runs `f` on it under the limits.
    /// The session, if any, is lent to the plugin's `sql` import and handed back afterwards.
    pub async fn call_dialect<R, F>(
        &self,
        pre: &DialectPre<HostState>,
        plugin: &str,
        call: &'static str,
        session: Option<ReadOnlySession>,
        f: F,
    ) -> (Result<R, PluginCallError>, Option<ReadOnlySession>)
    where
        F: for<'a> FnOnce(
            &'a Dialect,
            &'a mut Store<HostState>,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = wasmtime::Result<R>> + Send + 'a>,
        >,
    {
        let mut store = self.store(plugin, session);
        let result = match pre.instantiate_async(&mut store).await {
            Ok(instance) => f(&instance, &mut store).await,
            Err(e) => Err(e),
        };
        let state = store.into_data();
        let result = result.map_err(|e| self.classify(plugin, call, e, &state.stderr));
        (result, state.session)
    }

    /// Instantiates a strategy in a fresh store and runs `f` on it under the limits (no SQL session).
    pub async fn call_strategy<R, F>(
        &self,
        pre: &StrategyPre<HostState>,
        plugin: &str,
        call: &'static str,
        f: F,
    ) -> Result<R, PluginCallError>
    where
        F: for<'a> FnOnce(
            &'a Strategy,
            &'a mut Store<HostState>,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = wasmtime::Result<R>> + Send + 'a>,
        >,
    {
        let mut store = self.store(plugin, None);
        let result = match pre.instantiate_async(&mut store).await {
            Ok(instance) => f(&instance, &mut store).await,
            Err(e) => Err(e),
        };
        let state = store.into_data();
        result.map_err(|e| self.classify(plugin, call, e, &state.stderr))
    }

    /// Instantiates a policy in a fresh store and runs `f` on it under the limits (no SQL session).
    pub async fn call_policy<R, F>(
        &self,
        pre: &PolicyPre<HostState>,
        plugin: &str,
        call: &'static str,
        f: F,
    ) -> Result<R, PluginCallError>
    where
        F: for<'a> FnOnce(
            &'a Policy,
            &'a mut Store<HostState>,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = wasmtime::Result<R>> + Send + 'a>,
        >,
    {
        let mut store = self.store(plugin, None);
        let result = match pre.instantiate_async(&mut store).await {
            Ok(instance) => f(&instance, &mut store).await,
            Err(e) => Err(e),
        };
        let state = store.into_data();
        result.map_err(|e| self.classify(plugin, call, e, &state.stderr))
    }

    fn classify(
        &self,
        plugin: &str,
        call: &'static str,
        error: wasmtime::Error,
        stderr: &MemoryOutputPipe,
    ) -> PluginCallError {
        let plugin = plugin.to_string();
        let detail = format!("{error:?}");
        if let Some(Trap::Interrupt) = error.downcast_ref::<Trap>() {
            return PluginCallError::Timeout {
                plugin,
                call,
                limit: self.limits.call_timeout,
            };
        }
        if detail.contains("forcing trap when growing memory")
            || detail.contains("forcing a memory growth failure")
        {
            return PluginCallError::MemoryLimit {
                plugin,
                call,
                limit_bytes: self.limits.memory_bytes,
            };
        }
        let output = String::from_utf8_lossy(&stderr.contents()).into_owned();
        if let Some(at) = output.find("panicked at") {
            return PluginCallError::Panic {
                plugin,
                call,
                message: output[at..].trim().to_string(),
            };
        }
        let reason = match error.downcast_ref::<Trap>() {
            Some(trap) => trap.to_string(),
            None => format!("{error:#}"),
        };
        PluginCallError::Trap {
            plugin,
            call,
            reason,
        }
    }
}
