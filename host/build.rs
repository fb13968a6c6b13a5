//! Builds the built-in plugins (the `plugins/` workspace) for wasm32-wasip2 so that `src/plugins/embedded.rs`
//! can embed them. A nested cargo with its own target directory: sharing ours would deadlock on cargo's lock.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().unwrap();
    let plugins = root.join("plugins");
    let target_dir = root.join("target").join("plugins");

    for watched in ["plugins", "wit"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(&plugins)
        .args([
            "build",
            "--release",
            "--workspace",
            "--lib",
            // The hostile strategy and policy, more components of the hostile test plugin, for the e2e tests.
            "--example",
            "hostile_strategy",
            "--example",
            "hostile_policy",
            "--example",
            "hostile_sink",
            "--target",
            "wasm32-wasip2",
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    // Flags meant for the host (coverage, sanitizers, host CPU tuning) must not leak into the guests.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        build.env_remove(var);
    }
    let status = build
        .status()
        .expect("could not run cargo to build the plugins");
    if !status.success() {
        panic!(
            "building the built-in plugins failed (see above).\n\nThe wasm target may be missing: run `rustup toolchain install` in the project directory."
        );
    }
    let out = target_dir.join("wasm32-wasip2").join("release");
    println!("cargo:rustc-env=AI_SHELL_PLUGIN_DIR={}", out.display());
}
