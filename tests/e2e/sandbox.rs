//! The plugin sandbox, proven with a deliberately misbehaving plugin (plugins/testing/hostile): each
//! limit turns into a clear error naming the plugin and the call, and the host keeps running.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ai_shell::plugins::cache::ComponentCache;
use ai_shell::plugins::{
    DialectPlugin, Limits, PluginCallError, PluginLoadError, PluginSource, Runtime,
};

use crate::support::block_on;

fn hostile_bytes() -> Vec<u8> {
    let path = PathBuf::from(env!("AI_SHELL_PLUGIN_DIR")).join("ai_shell_hostile.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn runtime(limits: Limits) -> Arc<Runtime> {
    Runtime::new(
        limits,
        ComponentCache::at(crate::support::cache_dir().join("components")),
    )
    .unwrap()
}

fn hostile(limits: Limits) -> DialectPlugin {
    block_on(DialectPlugin::load(
        runtime(limits),
        "hostile",
        PluginSource::BuiltIn,
        &hostile_bytes(),
    ))
    .expect("the hostile plugin loads")
}

fn misbehave(plugin: &DialectPlugin, how: &str) -> Result<String, PluginCallError> {
    block_on(plugin.quote_identifier(how))
}

#[test]
fn an_infinite_loop_hits_the_deadline_and_the_host_carries_on() {
    let plugin = hostile(Limits {
        call_timeout: Duration::from_millis(300),
        ..Limits::default()
    });
    let err = misbehave(&plugin, "loop").unwrap_err();
    assert!(matches!(err, PluginCallError::Timeout { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("hostile") && text.contains("quote-identifier"),
        "{text}"
    );
    // A fresh instance serves the next call.
    assert_eq!(misbehave(&plugin, "fine").unwrap(), "\"fine\"");
}

#[test]
fn a_two_gib_allocation_hits_the_memory_cap() {
    let plugin = hostile(Limits {
        memory_bytes: 64 << 20,
        ..Limits::default()
    });
    let err = misbehave(&plugin, "alloc").unwrap_err();
    assert!(
        matches!(err, PluginCallError::MemoryLimit { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("64 MiB"), "{err}");
    assert_eq!(misbehave(&plugin, "fine").unwrap(), "\"fine\"");
}

#[test]
fn files_environment_and_network_are_out_of_reach() {
    let plugin = hostile(Limits::default());
    let read = misbehave(&plugin, "read-file").unwrap();
    assert!(
        read.starts_with("denied"),
        "the plugin read a host file: {read}"
    );
    assert!(!read.contains("root:"), "{read}");
    let env = misbehave(&plugin, "env").unwrap();
    assert_eq!(env, "0 variables", "the plugin saw the host environment");
    let net = misbehave(&plugin, "connect").unwrap();
    assert!(
        net.starts_with("denied"),
        "the plugin opened a socket: {net}"
    );
}

#[test]
fn a_panic_becomes_an_error_with_its_message() {
    let plugin = hostile(Limits::default());
    let err = misbehave(&plugin, "panic").unwrap_err();
    match &err {
        PluginCallError::Panic {
            plugin,
            call,
            message,
        } => {
            assert_eq!(plugin, "hostile");
            assert_eq!(*call, "quote-identifier");
            assert!(message.contains("panics on purpose"), "{message}");
        }
        other => panic!("expected a panic error, got {other:?}"),
    }
    assert_eq!(misbehave(&plugin, "fine").unwrap(), "\"fine\"");
}

#[test]
fn an_incompatible_wit_version_is_refused_before_compiling() {
    let bytes = hostile_bytes();
    let from = b"ai-shell:plugin/dialect-api@0.1.0";
    let to = b"ai-shell:plugin/dialect-api@0.9.0";
    let mut patched = bytes.clone();
    let mut replaced = 0;
    let mut i = 0;
    while i + from.len() <= patched.len() {
        if &patched[i..i + from.len()] == from {
            patched[i..i + from.len()].copy_from_slice(to);
            replaced += 1;
        }
        i += 1;
    }
    assert!(replaced > 0, "the plugin's export name was not found");
    let err = block_on(DialectPlugin::load(
        runtime(Limits::default()),
        "old-plugin",
        PluginSource::BuiltIn,
        &patched,
    ))
    .err()
    .expect("refused");
    assert!(
        matches!(err, PluginLoadError::IncompatibleWit { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("0.9.0") && text.contains("0.1"), "{text}");
    assert!(text.contains("Rebuild"), "{text}");
}

#[test]
fn garbage_and_core_modules_are_not_plugins() {
    let rt = runtime(Limits::default());
    let err = block_on(DialectPlugin::load(
        rt.clone(),
        "junk",
        PluginSource::BuiltIn,
        b"not wasm at all",
    ))
    .err()
    .unwrap();
    assert!(
        matches!(err, PluginLoadError::NotAComponent { .. }),
        "{err:?}"
    );
    // The smallest core module: magic and version 1.
    let core = b"\0asm\x01\0\0\0";
    let err = block_on(DialectPlugin::load(rt, "core", PluginSource::BuiltIn, core))
        .err()
        .unwrap();
    assert!(err.to_string().contains("core module"), "{err}");
}

#[test]
fn compiled_components_are_cached_and_a_corrupt_entry_is_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ComponentCache::at(dir.path());
    let rt = Runtime::new(Limits::default(), cache.clone()).unwrap();
    let bytes = hostile_bytes();
    block_on(DialectPlugin::load(
        rt.clone(),
        "hostile",
        PluginSource::BuiltIn,
        &bytes,
    ))
    .unwrap();
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(entries.len(), 1, "one compiled entry is written");
    let entry = entries[0].path();
    assert!(entry.to_string_lossy().ends_with(".cwasm"));
    std::fs::write(&entry, b"corrupted").unwrap();
    let rt = Runtime::new(Limits::default(), cache).unwrap();
    let plugin = block_on(DialectPlugin::load(
        rt,
        "hostile",
        PluginSource::BuiltIn,
        &bytes,
    ))
    .unwrap();
    assert_eq!(block_on(plugin.quote_identifier("x")).unwrap(), "\"x\"");
    assert!(
        std::fs::metadata(&entry).unwrap().len() > 1000,
        "the corrupt entry was replaced"
    );
}
