//! On-disk cache of compiled components, keyed by the wasm's sha256, the engine's compatibility hash and the
//! ai-shell version, so only the first run after an install or upgrade pays for compilation.
//!
//! A compiled component is native code that wasmtime runs without checking it, so an entry is used only if
//! it carries a keyed hash (HMAC-SHA256) made when it was compiled, with a secret only this user can read.
//! The secret lives apart from the cache, in the user's configuration folder (`ai-shell/cache.key`, mode
//! 0600 in a 0700 folder), so that whoever can write the cache folder still cannot forge an entry. An entry
//! that fails the check is recompiled and replaced. The cache folder is created readable by the user only;
//! an existing one that others can write, or that belongs to someone else, is not used (plugins are then
//! compiled in memory on every run).

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ring::hmac;
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::error::PluginLoadError;

/// The start of every entry: this marker, then the tag, then the serialized component.
const MAGIC: &[u8; 16] = b"ai-shell cache 1";
const TAG_LEN: usize = 32;
const HEADER_LEN: usize = MAGIC.len() + TAG_LEN;
const KEY_LEN: usize = 32;
/// The key's file name in the user's configuration folder.
const KEY_FILE: &str = "cache.key";

/// Where compiled components are kept; `None` disables the cache.
#[derive(Clone, Debug)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
    key_file: Option<PathBuf>,
    /// The checked folder and the loaded key, set up on first use and shared by clones.
    opened: Arc<OnceLock<Option<Opened>>>,
}

/// A cache folder that passed its checks, and the key that signs its entries.
#[derive(Debug)]
struct Opened {
    dir: PathBuf,
    key: hmac::Key,
}

/// What reading an entry found.
enum Entry {
    /// No entry, or one that cannot be read: compile.
    Missing,
    /// An entry written by an ai-shell from before entries were signed: compile and replace it quietly.
    Unsigned,
    /// An entry whose tag does not match its contents: compile, replace it, and say so.
    Tampered,
    /// The serialized component, its tag verified.
    Verified(Vec<u8>),
}

/// Why the cache is not used in this process.
enum Unusable {
    /// Something others could write; said on stderr, since it may be an attack and the user can fix it.
    Unsafe(String),
    /// The folder or key cannot be created or read (a read-only home, say): the cache stays off quietly,
    /// as it always has.
    Io,
}

impl ComponentCache {
    /// The cache in `dir`, signed with the user's key (`ai-shell/cache.key` in the configuration folder).
    pub fn at(dir: impl Into<PathBuf>) -> ComponentCache {
        ComponentCache {
            dir: Some(dir.into()),
            key_file: dirs::config_dir().map(|d| d.join("ai-shell").join(KEY_FILE)),
            opened: Arc::default(),
        }
    }

    /// The same cache, with its key kept in `key_file` instead (whose folder must be the user's only).
    pub fn with_key_file(self, key_file: impl Into<PathBuf>) -> ComponentCache {
        ComponentCache {
            dir: self.dir,
            key_file: Some(key_file.into()),
            opened: Arc::default(),
        }
    }

    /// No caching: every load compiles.
    pub fn disabled() -> ComponentCache {
        ComponentCache {
            dir: None,
            key_file: None,
            opened: Arc::default(),
        }
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
    /// An entry whose tag does not verify is recompiled and replaced, never loaded.
    pub fn load_or_compile(
        &self,
        engine: &Engine,
        plugin: &str,
        bytes: &[u8],
    ) -> Result<Component, PluginLoadError> {
        let opened = self.open();
        let entry = opened.and_then(|_| self.entry(engine, bytes));
        if let (Some(opened), Some(path)) = (opened, &entry) {
            match opened.read(path) {
                Entry::Verified(compiled) => {
                    // SAFETY: `compiled` carries a valid HMAC under this user's secret key, computed over
                    // the entry's name (the wasm's sha256, this engine's compatibility hash, the ai-shell
                    // version) and its contents when `Component::serialize` wrote them, so these are the
                    // bytes this engine configuration produced for this wasm. They were checked in memory
                    // and are deserialized from the same buffer: the file cannot change in between.
                    if let Ok(component) = unsafe { Component::deserialize(engine, &compiled) } {
                        return Ok(component);
                    }
                }
                Entry::Tampered => eprintln!(
                    "warning: the compiled-plugin cache entry {} failed its integrity check (it was corrupted, or changed by something other than ai-shell); recompiling {}",
                    path.display(),
                    super::untrusted::escape(plugin)
                ),
                Entry::Missing | Entry::Unsigned => {}
            }
        }
        let component = Component::new(engine, bytes).map_err(|e| PluginLoadError::Compile {
            plugin: plugin.to_string(),
            reason: format!("{e:#}"),
        })?;
        if let (Some(opened), Some(path)) = (opened, entry) {
            // The cache is an optimisation: failing to write it is not an error.
            let _ = opened.store(&path, &component);
        }
        Ok(component)
    }

    /// The checked folder and key, or `None` when the cache is off for this process.
    fn open(&self) -> Option<&Opened> {
        self.opened
            .get_or_init(|| {
                let dir = self.dir.as_ref()?;
                let key_file = self.key_file.as_ref()?;
                match Opened::new(dir, key_file) {
                    Ok(opened) => Some(opened),
                    Err(Unusable::Unsafe(why)) => {
                        eprintln!(
                            "warning: not using the compiled-plugin cache: {why}\n\nPlugins are compiled in memory on every run until this is fixed."
                        );
                        None
                    }
                    Err(Unusable::Io) => None,
                }
            })
            .as_ref()
    }
}

impl Opened {
    fn new(dir: &Path, key_file: &Path) -> Result<Opened, Unusable> {
        private_dir(
            dir,
            "cache folder",
            ", or set AI_SHELL_CACHE_DIR to a folder only you can write",
        )?;
        let key = load_or_create_key(key_file)?;
        Ok(Opened {
            dir: dir.to_path_buf(),
            key: hmac::Key::new(hmac::HMAC_SHA256, &key),
        })
    }

    /// What the tag signs: the entry's file name (so an entry copied over another fails) and the sha256 of
    /// the serialized component.
    fn message(path: &Path, compiled: &[u8]) -> Vec<u8> {
        let name = path.file_name().unwrap_or_default().as_encoded_bytes();
        let mut message = Vec::with_capacity(name.len() + 33);
        message.extend_from_slice(name);
        message.push(0);
        message.extend_from_slice(&Sha256::digest(compiled));
        message
    }

    fn read(&self, path: &Path) -> Entry {
        let Ok(mut data) = std::fs::read(path) else {
            return Entry::Missing;
        };
        if !data.starts_with(MAGIC) {
            // wasmtime's own format is an ELF file: an entry from before entries were signed.
            return if data.starts_with(b"\x7fELF") {
                Entry::Unsigned
            } else {
                Entry::Tampered
            };
        }
        if data.len() < HEADER_LEN {
            return Entry::Tampered;
        }
        let compiled = data.split_off(HEADER_LEN);
        let tag = &data[MAGIC.len()..];
        // `verify` compares in constant time.
        match hmac::verify(&self.key, &Opened::message(path, &compiled), tag) {
            Ok(()) => Entry::Verified(compiled),
            Err(_) => Entry::Tampered,
        }
    }

    fn store(&self, path: &Path, component: &Component) -> std::io::Result<()> {
        let compiled = component
            .serialize()
            .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
        let tag = hmac::sign(&self.key, &Opened::message(path, &compiled));
        let mut data = Vec::with_capacity(HEADER_LEN + compiled.len());
        data.extend_from_slice(MAGIC);
        data.extend_from_slice(tag.as_ref());
        data.extend_from_slice(&compiled);
        debug_assert!(path.starts_with(&self.dir));
        write_atomically(path, &data)
    }
}

/// Writes `data` to `path` through a user-only temporary file beside it, renamed into place, so that readers
/// see the old file or the complete new one.
fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("cache files live in a directory");
    let tmp = dir.join(format!(
        ".{}.{}.{:016x}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id(),
        fastrand::u64(..)
    ));
    let result = private_file(&tmp)
        .and_then(|mut f| f.write_all(data).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Creates `path`, which must not exist, readable and writable by this user only.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes sure `dir` exists and only this user can write it. A missing folder (and any missing parent) is
/// created with mode 0700; an existing one is checked and refused if others can write it. `or` ends the hint.
fn private_dir(dir: &Path, what: &str, or: &str) -> Result<(), Unusable> {
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|_| Unusable::Io)?;
        // Ours now (unless another process of this user got there first): the umask may have taken bits
        // away from 0700, but the user's own must be there.
        #[cfg(unix)]
        if owner_and_mode(dir).is_some_and(|(uid, _)| uid == current_user()) {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    if !dir.is_dir() {
        return Err(Unusable::Unsafe(format!(
            "the {what} {} is not a folder\n\nRemove it{or}.",
            dir.display()
        )));
    }
    #[cfg(unix)]
    {
        let (uid, mode) = owner_and_mode(dir).ok_or(Unusable::Io)?;
        if uid != current_user() {
            return Err(Unusable::Unsafe(format!(
                "the {what} {} belongs to user id {uid}, not to you (user id {})\n\nRemove it{or}.",
                dir.display(),
                current_user()
            )));
        }
        if mode & 0o022 != 0 {
            return Err(Unusable::Unsafe(format!(
                "the {what} {} can be written by other users (mode {:03o}), who could plant native code in it\n\nRun `chmod go-w {}`{or}.",
                dir.display(),
                mode & 0o777,
                dir.display()
            )));
        }
    }
    Ok(())
}

/// The user's cache key, created on first use: 32 random bytes in a file only the user can read. A key that
/// others could have read, or of the wrong size, is replaced (entries signed with it are then recompiled).
fn load_or_create_key(path: &Path) -> Result<[u8; KEY_LEN], Unusable> {
    let dir = path.parent().ok_or(Unusable::Io)?;
    private_dir(dir, "folder holding the cache key", "")?;
    // A few rounds: another ai-shell may be creating the key at the same moment.
    for _ in 0..4 {
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                create_key(path)?;
                continue;
            }
            Err(_) => return Err(Unusable::Io),
            Ok(meta) if !meta.file_type().is_file() => {
                return Err(Unusable::Unsafe(format!(
                    "the cache key {} is not a regular file\n\nRemove it; ai-shell creates a new one.",
                    path.display()
                )));
            }
            Ok(_) => {}
        }
        #[cfg(unix)]
        {
            let (uid, mode) = owner_and_mode(path).ok_or(Unusable::Io)?;
            if uid != current_user() {
                return Err(Unusable::Unsafe(format!(
                    "the cache key {} belongs to user id {uid}, not to you (user id {})\n\nRemove it; ai-shell creates a new one.",
                    path.display(),
                    current_user()
                )));
            }
            if mode & 0o077 != 0 {
                // Others may have read it: it can no longer vouch for anything.
                std::fs::remove_file(path).map_err(|_| Unusable::Io)?;
                continue;
            }
        }
        let key = std::fs::read(path).map_err(|_| Unusable::Io)?;
        match <[u8; KEY_LEN]>::try_from(key.as_slice()) {
            Ok(key) => return Ok(key),
            Err(_) => std::fs::remove_file(path).map_err(|_| Unusable::Io)?,
        }
    }
    Err(Unusable::Io)
}

/// Writes a fresh random key to `path` unless one appears there first (then that one is kept).
fn create_key(path: &Path) -> Result<(), Unusable> {
    use ring::rand::SecureRandom;
    let mut key = [0u8; KEY_LEN];
    ring::rand::SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| Unusable::Io)?;
    let tmp = path.with_file_name(format!(
        ".{KEY_FILE}.{}.{:016x}.tmp",
        std::process::id(),
        fastrand::u64(..)
    ));
    let written =
        private_file(&tmp).and_then(|mut f| f.write_all(&key).and_then(|()| f.sync_all()));
    // A hard link never replaces an existing file: of two processes creating the key, one wins and the
    // other reads the winner's.
    let placed = written.and_then(|()| match std::fs::hard_link(&tmp, path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(_) => std::fs::rename(&tmp, path),
        Ok(()) => Ok(()),
    });
    let _ = std::fs::remove_file(&tmp);
    placed.map_err(|_| Unusable::Io)
}

#[cfg(unix)]
fn owner_and_mode(path: &Path) -> Option<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.uid(), meta.mode()))
}

#[cfg(unix)]
fn current_user() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_key_are_created_for_the_user_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/components");
        let key = tmp.path().join("config/ai-shell/cache.key");
        let opened = Opened::new(&dir, &key).ok().expect("usable");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        assert_eq!(mode(key.parent().unwrap()), 0o700);
        assert_eq!(mode(&key), 0o600);
        assert_eq!(std::fs::read(&key).unwrap().len(), KEY_LEN);
        // The same key is used next time.
        let again = Opened::new(&dir, &key).ok().unwrap();
        let m = Opened::message(&dir.join("x.cwasm"), b"compiled");
        assert!(
            hmac::verify(&again.key, &m, hmac::sign(&opened.key, &m).as_ref()).is_ok(),
            "the key changed between runs"
        );
    }

    #[test]
    fn a_folder_others_can_write_is_not_used() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("components");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let key = tmp.path().join("key/cache.key");
        match Opened::new(&dir, &key) {
            Err(Unusable::Unsafe(why)) => {
                assert!(why.contains("can be written by other users"), "{why}");
                assert!(why.contains("chmod go-w"), "{why}");
            }
            _ => panic!("a world-writable cache folder was accepted"),
        }
    }

    #[test]
    fn a_key_others_could_read_is_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let key = tmp.path().join("key/cache.key");
        let first = load_or_create_key(&key).ok().unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let second = load_or_create_key(&key).ok().unwrap();
        assert_ne!(first, second);
        assert_eq!(mode(&key), 0o600);
        std::fs::write(&key, b"short").unwrap();
        let third = load_or_create_key(&key).ok().unwrap();
        assert_ne!(second, third);
    }

    #[test]
    fn a_tag_binds_the_entry_name_and_contents() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("components");
        let opened = Opened::new(&dir, &tmp.path().join("k/cache.key"))
            .ok()
            .unwrap();
        let a = dir.join("a.cwasm");
        let b = dir.join("b.cwasm");
        let tag = hmac::sign(&opened.key, &Opened::message(&a, b"code"));
        let mut data = MAGIC.to_vec();
        data.extend_from_slice(tag.as_ref());
        data.extend_from_slice(b"code");
        std::fs::write(&a, &data).unwrap();
        std::fs::write(&b, &data).unwrap();
        assert!(matches!(opened.read(&a), Entry::Verified(c) if c == b"code"));
        assert!(matches!(opened.read(&b), Entry::Tampered), "copied entry");
        let mut flipped = data.clone();
        *flipped.last_mut().unwrap() ^= 1;
        std::fs::write(&a, &flipped).unwrap();
        assert!(matches!(opened.read(&a), Entry::Tampered), "flipped byte");
        std::fs::write(&a, &data[..20]).unwrap();
        assert!(matches!(opened.read(&a), Entry::Tampered), "truncated");
        std::fs::write(&a, b"\x7fELF old").unwrap();
        assert!(matches!(opened.read(&a), Entry::Unsigned));
        assert!(matches!(
            opened.read(&dir.join("none.cwasm")),
            Entry::Missing
        ));
    }
}
