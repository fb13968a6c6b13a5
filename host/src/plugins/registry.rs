//! Where plugins come from: the built-ins embedded in the binary and `.wasm` files the operator installed.
//! An installed dialect that serves a URL scheme takes precedence over the built-in one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use super::runtime::{Limits, Runtime};
use super::untrusted::{escape, invalid_name, invalid_version};
use super::{
    DialectPlugin, PluginKind, PluginLoadError, PluginMeta, PolicyPlugin, SinkPlugin,
    StrategyPlugin, embedded,
};
use crate::connection::DatabaseUrl;
use crate::plugins::cache::ComponentCache;

/// Where a plugin was loaded from.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "path")]
pub enum PluginSource {
    BuiltIn,
    Installed(PathBuf),
}

impl PluginSource {
    pub fn label(&self) -> &'static str {
        match self {
            PluginSource::BuiltIn => "built-in",
            PluginSource::Installed(_) => "installed",
        }
    }
}

/// A plugin of either kind.
pub enum LoadedPlugin {
    Dialect(DialectPlugin),
    Strategy(StrategyPlugin),
    Policy(PolicyPlugin),
    Sink(SinkPlugin),
}

impl LoadedPlugin {
    pub fn meta(&self) -> &PluginMeta {
        match self {
            LoadedPlugin::Dialect(p) => p.meta(),
            LoadedPlugin::Strategy(p) => p.meta(),
            LoadedPlugin::Policy(p) => p.meta(),
            LoadedPlugin::Sink(p) => p.meta(),
        }
    }
}

/// The plugins available to this process.
pub struct PluginRegistry {
    runtime: Arc<Runtime>,
    installed_dir: Option<PathBuf>,
}

impl PluginRegistry {
    pub fn new(runtime: Arc<Runtime>, installed_dir: Option<PathBuf>) -> PluginRegistry {
        PluginRegistry {
            runtime,
            installed_dir,
        }
    }

    /// Default limits, the cache from `AI_SHELL_CACHE_DIR` (or the user cache dir), installed plugins from
    /// `AI_SHELL_PLUGINS_DIR` (or the user data dir).
    pub fn from_env() -> anyhow::Result<PluginRegistry> {
        let runtime = Runtime::new(Limits::from_env()?, ComponentCache::from_env())?;
        let installed_dir = std::env::var_os("AI_SHELL_PLUGINS_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::data_dir().map(|d| d.join("ai-shell").join("plugins")));
        Ok(PluginRegistry::new(runtime, installed_dir))
    }

    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    pub fn installed_dir(&self) -> Option<&Path> {
        self.installed_dir.as_deref()
    }

    /// Loads a built-in plugin by name.
    pub async fn built_in(&self, name: &str) -> Result<DialectPlugin, PluginLoadError> {
        let bytes = embedded::built_in(name).ok_or_else(|| PluginLoadError::Read {
            path: format!("built-in:{name}"),
            reason: "no such built-in plugin".into(),
        })?;
        DialectPlugin::load(
            self.runtime.clone(),
            name,
            super::PluginSource::BuiltIn,
            bytes,
        )
        .await
    }

    /// Loads a built-in strategy by name.
    pub async fn built_in_strategy(&self, name: &str) -> Result<StrategyPlugin, PluginLoadError> {
        let bytes = embedded::built_in(name).ok_or_else(|| PluginLoadError::Read {
            path: format!("built-in:{name}"),
            reason: "no such built-in plugin".into(),
        })?;
        StrategyPlugin::load(self.runtime.clone(), name, PluginSource::BuiltIn, bytes).await
    }

    /// Loads a built-in policy by name.
    pub async fn built_in_policy(&self, name: &str) -> Result<PolicyPlugin, PluginLoadError> {
        let bytes = embedded::built_in(name).ok_or_else(|| PluginLoadError::Read {
            path: format!("built-in:{name}"),
            reason: "no such built-in plugin".into(),
        })?;
        PolicyPlugin::load(self.runtime.clone(), name, PluginSource::BuiltIn, bytes).await
    }

    /// Loads a policy from a `.wasm` file named by the project's policy configuration (not installed).
    pub async fn policy_from_file(&self, path: &Path) -> Result<PolicyPlugin, PluginLoadError> {
        match self.from_file(path).await? {
            LoadedPlugin::Policy(p) => Ok(p),
            other => Err(PluginLoadError::Read {
                path: path.display().to_string(),
                reason: format!(
                    "it is a {} plugin, not a policy",
                    other.meta().kind.as_str()
                ),
            }),
        }
    }

    /// The built-in policies and the installed ones (a broken installed policy is an error: policies
    /// fail closed).
    pub async fn policies(&self) -> Result<Vec<PolicyPlugin>, PluginLoadError> {
        let mut out = vec![];
        for (name, _) in embedded::BUILT_IN_POLICIES {
            out.push(self.built_in_policy(name).await?);
        }
        for file in self.installed_files() {
            match super::wit_version::check("", &std::fs::read(&file).unwrap_or_default()) {
                Ok(d) if d.kind == PluginKind::Policy => {
                    out.push(self.policy_from_file(&file).await?)
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Loads a plugin of any kind from a `.wasm` file.
    pub async fn from_file(&self, path: &Path) -> Result<LoadedPlugin, PluginLoadError> {
        let bytes = std::fs::read(path).map_err(|e| PluginLoadError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let label = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let source = PluginSource::Installed(path.to_path_buf());
        let plugin = match super::wit_version::check(&label, &bytes)?.kind {
            PluginKind::Dialect => {
                DialectPlugin::load(self.runtime.clone(), &label, source, &bytes)
                    .await
                    .map(LoadedPlugin::Dialect)
            }
            PluginKind::Strategy => {
                StrategyPlugin::load(self.runtime.clone(), &label, source, &bytes)
                    .await
                    .map(LoadedPlugin::Strategy)
            }
            PluginKind::Policy => PolicyPlugin::load(self.runtime.clone(), &label, source, &bytes)
                .await
                .map(LoadedPlugin::Policy),
            PluginKind::Sink => SinkPlugin::load(self.runtime.clone(), &label, source, &bytes)
                .await
                .map(LoadedPlugin::Sink),
        }?;
        check_identity(&label, plugin.meta())?;
        Ok(plugin)
    }

    /// The strategies to consider for `dialect`, most preferred first: installed ones, then the built-ins
    /// (engine-specific before `standard`). A broken installed strategy is reported and skipped.
    pub async fn strategies_for(&self, dialect: &str) -> anyhow::Result<Vec<StrategyPlugin>> {
        let mut out = vec![];
        for file in self.installed_files() {
            match self.from_file(&file).await {
                Ok(LoadedPlugin::Strategy(p)) if p.serves(dialect) => out.push(p),
                Ok(_) => {}
                Err(e) => eprintln!("warning: skipping installed plugin: {e}"),
            }
        }
        for (name, _) in embedded::BUILT_IN_STRATEGIES {
            let p = self
                .built_in_strategy(name)
                .await
                .with_context(|| format!("loading the built-in `{name}` strategy"))?;
            if p.serves(dialect) {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// The installed `.wasm` files, sorted.
    pub fn installed_files(&self) -> Vec<PathBuf> {
        let Some(dir) = &self.installed_dir else {
            return vec![];
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
            .collect();
        files.sort();
        files
    }

    /// Every plugin: built-ins first, then installed ones (each with its load error, if any).
    pub async fn all(&self) -> Vec<(String, Result<LoadedPlugin, PluginLoadError>)> {
        let mut out = vec![];
        for (name, _) in embedded::BUILT_IN {
            out.push((
                name.to_string(),
                self.built_in(name).await.map(LoadedPlugin::Dialect),
            ));
        }
        for (name, _) in embedded::BUILT_IN_STRATEGIES {
            out.push((
                name.to_string(),
                self.built_in_strategy(name)
                    .await
                    .map(LoadedPlugin::Strategy),
            ));
        }
        for (name, _) in embedded::BUILT_IN_POLICIES {
            out.push((
                name.to_string(),
                self.built_in_policy(name).await.map(LoadedPlugin::Policy),
            ));
        }
        for (name, _) in embedded::BUILT_IN_SINKS {
            out.push((
                name.to_string(),
                self.built_in_sink(name).await.map(LoadedPlugin::Sink),
            ));
        }
        for file in self.installed_files() {
            out.push((file.display().to_string(), self.from_file(&file).await));
        }
        out
    }

    /// Loads a built-in notification sink by name.
    pub async fn built_in_sink(&self, name: &str) -> Result<SinkPlugin, PluginLoadError> {
        let bytes = embedded::BUILT_IN_SINKS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
            .ok_or_else(|| PluginLoadError::Read {
                path: format!("built-in:{name}"),
                reason: "no such built-in sink".into(),
            })?;
        SinkPlugin::load(self.runtime.clone(), name, PluginSource::BuiltIn, bytes).await
    }

    /// The sink named `name`: an installed one of that name wins over the built-in.
    pub async fn sink(&self, name: &str) -> Result<SinkPlugin, PluginLoadError> {
        for file in self.installed_files() {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            if super::wit_version::check("", &bytes).is_ok_and(|d| d.kind == PluginKind::Sink)
                && let Ok(LoadedPlugin::Sink(p)) = self.from_file(&file).await
                && p.meta().name == name
            {
                return Ok(p);
            }
        }
        self.built_in_sink(name).await
    }

    /// The dialect for a database URL: an installed plugin serving its scheme, else the built-in.
    pub async fn dialect_for(&self, url: &DatabaseUrl) -> anyhow::Result<DialectPlugin> {
        let scheme = url
            .as_str()
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        for file in self.installed_files() {
            match self.from_file(&file).await {
                Ok(LoadedPlugin::Dialect(p)) if p.meta().url_schemes.contains(&scheme) => {
                    return Ok(p);
                }
                Ok(_) => {}
                Err(e) => eprintln!("warning: skipping installed plugin: {e}"),
            }
        }
        let name = url.engine().dialect_name();
        self.built_in(name)
            .await
            .with_context(|| format!("loading the built-in `{name}` dialect"))
    }

    /// Validates a `.wasm` file (version, compilation, identity) and copies it into the installed directory.
    /// A plugin of the same name already installed is replaced only with `force`; the replaced files are
    /// returned with the new plugin.
    pub async fn install(
        &self,
        path: &Path,
        force: bool,
    ) -> anyhow::Result<(LoadedPlugin, Vec<PathBuf>)> {
        let dir = self
            .installed_dir
            .as_ref()
            .context("no directory for installed plugins: set AI_SHELL_PLUGINS_DIR")?;
        let plugin = self
            .from_file(path)
            .await
            .with_context(|| format!("cannot install {}", path.display()))?;
        let name = plugin.meta().name.clone();
        let target = dir.join(format!("{name}.wasm"));
        let existing = self.holders_of(&name, &target).await;
        if !existing.is_empty() && !force {
            let files = existing
                .iter()
                .map(|p| escape(&p.display().to_string()).into_owned())
                .collect::<Vec<_>>()
                .join(", ");
            anyhow::bail!(
                "a plugin named `{name}` is already installed, in {files}\n\nRun `ai-shell plugin install --force {}` to replace it, or `ai-shell plugin remove {name}` first.",
                path.display()
            );
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the plugin directory {}", dir.display()))?;
        copy_atomically(path, &target)
            .with_context(|| format!("copying {} to {}", path.display(), target.display()))?;
        // Other files that also called themselves `name` are replaced by the new one.
        for other in existing.iter().filter(|p| **p != target) {
            std::fs::remove_file(other).with_context(|| {
                format!(
                    "removing {}, which held the replaced `{name}` plugin",
                    other.display()
                )
            })?;
        }
        let installed = self.from_file(&target).await?;
        Ok((installed, existing))
    }

    /// The installed files that hold a plugin called `name`: `target` if it exists (whatever it holds, it
    /// would be overwritten), and any other installed file whose plugin reports that name.
    async fn holders_of(&self, name: &str, target: &Path) -> Vec<PathBuf> {
        let mut holders = vec![];
        for file in self.installed_files() {
            if file == target {
                holders.push(file);
            } else if let Ok(p) = self.from_file(&file).await
                && p.meta().name == name
            {
                holders.push(file);
            }
        }
        if target.exists() && !holders.iter().any(|p| p == target) {
            holders.push(target.to_path_buf());
        }
        holders
    }

    /// Removes an installed plugin by name.
    pub fn remove(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = self
            .installed_dir
            .as_ref()
            .context("no directory for installed plugins: set AI_SHELL_PLUGINS_DIR")?;
        let target = dir.join(format!("{name}.wasm"));
        if name.contains(['/', '\\']) || !target.exists() {
            anyhow::bail!(
                "no installed plugin named `{}`\n\nRun `ai-shell plugin list` to see installed plugins.",
                escape(name)
            );
        }
        std::fs::remove_file(&target).with_context(|| format!("removing {}", target.display()))?;
        Ok(target)
    }
}

/// Refuses a plugin whose name or version could not be printed or used as a file name safely.
fn check_identity(label: &str, meta: &PluginMeta) -> Result<(), PluginLoadError> {
    if let Some(reason) = invalid_name(&meta.name) {
        return Err(PluginLoadError::InvalidName {
            plugin: label.to_string(),
            name: meta.name.clone(),
            reason,
        });
    }
    if let Some(reason) = invalid_version(&meta.version) {
        return Err(PluginLoadError::InvalidVersion {
            plugin: label.to_string(),
            name: meta.name.clone(),
            version: meta.version.clone(),
            reason,
        });
    }
    Ok(())
}

/// Copies `from` to `to` through a temporary file in `to`'s directory, so that `to` is either the old file
/// or the complete new one, never a partial copy.
fn copy_atomically(from: &Path, to: &Path) -> std::io::Result<()> {
    let dir = to.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        to.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::copy(from, &tmp).and_then(|_| std::fs::rename(&tmp, to));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
