//! What ai-shell trusts about plugins, through the built binary: compiled-cache entries are verified before
//! they run and recompiled when they fail, the cache is the user's only, and what a plugin says about
//! itself (name, version) never reaches the terminal raw. Installing refuses non-wasm files in words and
//! does not silently replace a plugin of the same name.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::ai_shell_cmd;

/// A private home for one test: its own compiled cache, key folder and installed plugins.
struct Home {
    root: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            root: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn cache(&self) -> PathBuf {
        self.path("cache")
    }

    fn components(&self) -> PathBuf {
        self.cache().join("components")
    }

    fn plugins(&self) -> PathBuf {
        self.path("plugins")
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = ai_shell_cmd();
        cmd.env("AI_SHELL_CACHE_DIR", self.cache())
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("AI_SHELL_PLUGINS_DIR", self.plugins())
            .args(args);
        cmd.output().expect("running ai-shell")
    }

    fn install(&self, file: &Path, force: bool) -> Output {
        let file = file.to_str().unwrap();
        if force {
            self.run(&["plugin", "install", "--force", file])
        } else {
            self.run(&["plugin", "install", file])
        }
    }

    fn entries(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.components())
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "cwasm"));
        files.sort();
        files
    }

    fn installed(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.plugins())
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "ai-shell failed ({}):\n{}",
        out.status,
        stderr(out)
    );
    stdout(out)
}

#[track_caller]
fn failed(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected a clean failure, got {}:\n{}{}",
        out.status,
        stdout(out),
        stderr(out)
    );
    stderr(out)
}

/// Neither stream carries a raw escape or other control character (line breaks and tabs aside).
#[track_caller]
fn no_raw_controls(out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        let bad: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
            .collect();
        assert!(bad.is_empty(), "raw {bad:?} in {stream}:\n{text}");
    }
}

fn hostile_wasm() -> PathBuf {
    PathBuf::from(env!("AI_SHELL_PLUGIN_DIR")).join("ai_shell_hostile.wasm")
}

/// The hostile plugin with the name and version its `info` returns (`hostile`, `0.1.0`, stored side by side
/// in its data) replaced by strings of the same length.
fn hostile_reporting(home: &Home, file: &str, name: &[u8; 7], version: &[u8; 5]) -> PathBuf {
    let bytes = std::fs::read(hostile_wasm()).unwrap();
    let from = b"hostile0.1.0";
    let at: Vec<usize> = bytes
        .windows(from.len())
        .enumerate()
        .filter(|(_, w)| w == from)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 1, "the identity strings of the hostile plugin");
    let mut patched = bytes;
    patched[at[0]..at[0] + 7].copy_from_slice(name);
    patched[at[0] + 7..at[0] + 12].copy_from_slice(version);
    let path = home.path(file);
    std::fs::write(&path, patched).unwrap();
    path
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_corrupted_cache_entry_is_recompiled_not_run() {
    let home = Home::new();
    let first = home.run(&["plugin", "list", "--json"]);
    let expected = ok(&first);
    assert!(!stderr(&first).contains("warning"), "{}", stderr(&first));
    let entries = home.entries();
    assert!(
        entries.len() >= 4,
        "one entry per built-in plugin: {entries:?}"
    );
    let originals: Vec<Vec<u8>> = entries.iter().map(|p| std::fs::read(p).unwrap()).collect();

    type Corrupt<'a> = &'a dyn Fn(&mut Vec<u8>);
    let corruptions: [(&str, Corrupt); 3] = [
        ("flipped bytes", &|b| {
            let middle = b.len() / 2;
            for byte in &mut b[middle..middle + 4096] {
                *byte ^= 0xff;
            }
        }),
        ("truncated", &|b| b.truncate(b.len() / 3)),
        ("another entry's bytes", &|b| *b = originals[0].clone()),
    ];
    for (i, (how, corrupt)) in corruptions.iter().enumerate() {
        // Entry 0 is the donor of the third corruption; corrupt the others.
        let entry = &entries[i + 1];
        let mut bytes = originals[i + 1].clone();
        corrupt(&mut bytes);
        std::fs::write(entry, &bytes).unwrap();

        let out = home.run(&["plugin", "list", "--json"]);
        assert_eq!(ok(&out), expected, "{how}: the plugins behave as before");
        let err = stderr(&out);
        assert!(
            err.contains("failed its integrity check") && err.contains(&*entry.to_string_lossy()),
            "{how}: the bad entry is reported:\n{err}"
        );
        assert_eq!(
            std::fs::read(entry).unwrap(),
            originals[i + 1],
            "{how}: the entry was compiled again"
        );

        let again = home.run(&["plugin", "list", "--json"]);
        assert_eq!(ok(&again), expected);
        assert!(
            !stderr(&again).contains("integrity"),
            "{how}: the rewritten entry verifies:\n{}",
            stderr(&again)
        );
    }
}

#[test]
fn the_cache_and_its_key_are_created_for_the_user_only() {
    let home = Home::new();
    ok(&home.install(&hostile_wasm(), false));
    assert_eq!(mode(&home.cache()), 0o700, "AI_SHELL_CACHE_DIR");
    assert_eq!(mode(&home.components()), 0o700, "the components folder");
    let entries = home.entries();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(mode(&entries[0]), 0o600, "a cache entry");
    let key = home.path("config/ai-shell/cache.key");
    assert_eq!(mode(key.parent().unwrap()), 0o700, "the key's folder");
    assert_eq!(mode(&key), 0o600, "the key");
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
}

#[test]
fn a_cache_folder_others_can_write_is_not_used() {
    let home = Home::new();
    std::fs::create_dir_all(home.components()).unwrap();
    std::fs::set_permissions(home.components(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = home.install(&hostile_wasm(), false);
    assert!(ok(&out).contains("Installed dialect hostile"));
    let err = stderr(&out);
    assert!(
        err.contains("not using the compiled-plugin cache")
            && err.contains("can be written by other users")
            && err.contains("chmod go-w"),
        "{err}"
    );
    assert!(home.entries().is_empty(), "nothing was written to it");
    assert_eq!(
        mode(&home.components()),
        0o777,
        "a folder we did not create is left alone"
    );
}

#[test]
fn a_plugin_name_with_control_characters_is_refused_and_never_printed_raw() {
    let home = Home::new();
    let escape = hostile_reporting(&home, "escape.wasm", b"\x1b[31mhi", b"0.1.0");
    let out = home.install(&escape, false);
    let err = failed(&out);
    no_raw_controls(&out);
    assert!(
        err.contains("\"\\u{1b}[31mhi\", which is not a usable plugin name")
            && err.contains("postgres-quirks"),
        "{err}"
    );
    assert!(home.installed().is_empty(), "{:?}", home.installed());

    let version = hostile_reporting(&home, "version.wasm", b"hostile", b"0.1\x07\x08");
    let out = home.install(&version, false);
    let err = failed(&out);
    no_raw_controls(&out);
    assert!(
        err.contains("\"0.1\\u{7}\\u{8}\", which is not a usable version"),
        "{err}"
    );
    assert!(home.installed().is_empty(), "{:?}", home.installed());

    let spaced = hostile_reporting(&home, "spaced.wasm", b"a plugi", b"0.1.0");
    let err = failed(&home.install(&spaced, false));
    assert!(err.contains("it contains ` `"), "{err}");

    // Copied into the plugin folder by hand, it is listed as broken, escaped, and never loaded as a dialect.
    std::fs::create_dir_all(home.plugins()).unwrap();
    std::fs::copy(&escape, home.plugins().join("escape.wasm")).unwrap();
    for args in [&["plugin", "list"][..], &["plugin", "list", "--json"]] {
        let out = home.run(args);
        let text = ok(&out);
        no_raw_controls(&out);
        if args.len() == 2 {
            assert!(!text.contains("31mhi"), "not in the table: {text}");
        }
        assert!(
            stderr(&out).contains("cannot load plugin") && stderr(&out).contains("\\u{1b}[31mhi"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn installing_a_file_that_is_not_wasm_says_what_it_is() {
    let home = Home::new();
    for (file, bytes, says) in [
        (
            "schema.wasm",
            &b"CREATE TABLE t (id integer);\n"[..],
            "looks like text",
        ),
        ("empty.wasm", b"", "the file is empty"),
        (
            "binary.wasm",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            "does not start with the WebAssembly signature",
        ),
        (
            "core.wasm",
            b"\0asm\x01\0\0\0",
            "it is a core module, not a component",
        ),
    ] {
        let path = home.path(file);
        std::fs::write(&path, bytes).unwrap();
        let err = failed(&home.install(&path, false));
        assert!(
            err.contains(&format!("cannot install {}", path.display())),
            "{err}"
        );
        let stem = file.trim_end_matches(".wasm");
        assert!(
            err.contains(&format!("{stem} is not a WebAssembly component: ")) && err.contains(says),
            "{file}: {err}"
        );
        for debug in ["expected=", "actual=", "[0x", "0x0,"] {
            assert!(!err.contains(debug), "{file}: a debug dump: {err}");
        }
    }
    assert!(home.installed().is_empty(), "{:?}", home.installed());
}

#[test]
fn installing_a_name_that_is_already_installed_needs_force() {
    let home = Home::new();
    let first = home.install(&hostile_wasm(), false);
    assert!(ok(&first).contains("Installed dialect hostile 0.1.0"));
    let held_by = home.plugins().join("hostile.wasm");

    // The same file again, and another file whose plugin has the same name: both refused, nothing changed.
    let renamed = home.path("renamed.wasm");
    std::fs::copy(hostile_wasm(), &renamed).unwrap();
    for file in [hostile_wasm(), renamed.clone()] {
        let err = failed(&home.install(&file, false));
        assert!(
            err.contains("a plugin named `hostile` is already installed")
                && err.contains(&*held_by.to_string_lossy())
                && err.contains("--force")
                && err.contains("ai-shell plugin remove hostile"),
            "{err}"
        );
        assert_eq!(home.installed(), ["hostile.wasm"]);
    }

    // --force replaces it, and says so.
    let out = home.install(&renamed, true);
    assert!(ok(&out).contains("Installed dialect hostile"));
    assert!(
        stderr(&out).contains(&format!("Replaced {}", held_by.display())),
        "{}",
        stderr(&out)
    );
    assert_eq!(home.installed(), ["hostile.wasm"]);

    // A second copy put in the folder by hand under another file name is replaced too, so that one name
    // means one plugin.
    let stray = home.plugins().join("stray.wasm");
    std::fs::copy(hostile_wasm(), &stray).unwrap();
    let err = failed(&home.install(&hostile_wasm(), false));
    assert!(err.contains(&*stray.to_string_lossy()), "{err}");
    let out = home.install(&hostile_wasm(), true);
    ok(&out);
    assert!(
        stderr(&out).contains(&format!("Replaced {}", stray.display())),
        "{}",
        stderr(&out)
    );
    assert_eq!(home.installed(), ["hostile.wasm"]);
    let list = ok(&home.run(&["plugin", "list", "--json"]));
    assert_eq!(list.matches("\"name\": \"hostile\"").count(), 1, "{list}");
}
