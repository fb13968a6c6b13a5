//! On-disk cache of compiled components, keyed by the wasm's sha256, the engine's compatibility hash and the
//! ai-shell version, so only the first run after an install or upgrade pays for compilation.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::error::PluginLoadError;

/// Where compiled components are kept; `None` disables the cache.
#[derive(Clone, Debug)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
}

impl ComponentCache {
    /// The cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> ComponentCache {
        ComponentCache {
            dir: Some(dir.into()),
        }
    }

    /// No caching: every load compiles.
    pub fn disabled() -> ComponentCache {
        ComponentCache { dir: None }
    }

    /// `$AI_SHELL_CACHE_DIR`, else the user's cache directory, else disabled.
    pub fn from_env() -> ComponentCache {
        match std::env::var_os("AI_SHELL_CACHE_DIR") {
            Some(dir) => ComponentCache::at(PathBuf::from(dir).join("components")),
            None => match dirs::cache_dir() {
                Some(dir) => ComponentCache::at(dir.join("ai-shell").join("components")),
                None => ComponentCache::disabled(),
            },
        }
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The cache file for `bytes` compiled by `engine`.
    pub fn entry(&self, engine: &Engine, bytes: &[u8]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let digest = hex::encode(Sha256::digest(bytes));
        Some(dir.join(format!(
            "{digest}-{:016x}-{}.cwasm",
            hasher.finish(),
            env!("CARGO_PKG_VERSION")
        )))
    }

    /// Loads the compiled form of `bytes`, compiling and storing it on a miss.
    /// A corrupt or unreadable cache entry is recompiled, never trusted.
    pub fn load_or_compile(
        &self,
        engine: &Engine,
        plugin: &str,
        bytes: &[u8],
    ) -> Result<Component, PluginLoadError> {
        let entry = self.entry(engine, bytes);
        if let Some(path) = entry.as_ref().filter(|p| p.exists()) {
            // SAFETY: the file was written by `Component::serialize` of this same engine configuration and
            // ai-shell version (both are in its name), into a directory only this user writes.
            if let Ok(component) = unsafe { Component::deserialize_file(engine, path) } {
                return Ok(component);
            }
        }
        let component = Component::new(engine, bytes).map_err(|e| PluginLoadError::Compile {
            plugin: plugin.to_string(),
            reason: format!("{e:#}"),
        })?;
        if let Some(path) = entry {
            // The cache is an optimisation: failing to write it is not an error.
            let _ = store_atomically(&path, &component);
        }
        Ok(component)
    }
}

fn store_atomically(path: &Path, component: &Component) -> std::io::Result<()> {
    let dir = path.parent().expect("cache entries live in a directory");
    std::fs::create_dir_all(dir)?;
    let bytes = component
        .serialize()
        .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap().to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
