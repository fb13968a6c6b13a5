//! `plugin new strategy|policy|sink NAME`: a crate that builds a plugin outside this repository, with the WIT
//! contract copied in (`wit/`), an example that works as it is, unit tests, and a README saying how to build
//! and install it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::cli::NewPluginKind;
use crate::plugins::untrusted::invalid_name;
use crate::plugins::wit_version::HOST_WIT_VERSION;

/// The WIT files, as this host implements them.
const WIT: &[(&str, &str)] = &[
    ("types.wit", include_str!("../../../../wit/types.wit")),
    ("schema.wit", include_str!("../../../../wit/schema.wit")),
    ("changes.wit", include_str!("../../../../wit/changes.wit")),
    ("host.wit", include_str!("../../../../wit/host.wit")),
    ("model.wit", include_str!("../../../../wit/model.wit")),
    ("dialect.wit", include_str!("../../../../wit/dialect.wit")),
    ("strategy.wit", include_str!("../../../../wit/strategy.wit")),
    ("policy.wit", include_str!("../../../../wit/policy.wit")),
    ("notify.wit", include_str!("../../../../wit/notify.wit")),
];

const CARGO_TOML: &str = include_str!("templates/Cargo.toml.in");
/// The toolchain ai-shell is built with (it has the `wasm32-wasip2` target).
const TOOLCHAIN: &str = include_str!("../../../../rust-toolchain.toml");
const README: &str = include_str!("templates/README.md.in");
const POLICY: &str = include_str!("templates/policy.rs.in");
const STRATEGY: &str = include_str!("templates/strategy.rs.in");
const SINK: &str = include_str!("templates/sink.rs.in");

pub fn run(kind: NewPluginKind, name: &str, dir: Option<&Path>) -> anyhow::Result<()> {
    if let Some(why) = invalid_name(name) {
        bail!("`{name}` cannot name a plugin: {why}");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
    {
        bail!(
            "`{name}` cannot name a plugin crate: use lower-case letters, digits and `-`, starting with a letter (e.g. `acme-policy`)"
        );
    }
    let root: PathBuf = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(name));
    if root.exists()
        && std::fs::read_dir(&root)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} already exists and is not empty: choose another folder with --dir",
            root.display()
        );
    }
    let (kind_word, source, description, usage) = match kind {
        NewPluginKind::Policy => (
            "policy",
            POLICY,
            format!("The {name} policy: rules for this organisation's migrations"),
            format!(
                "Once installed, its rule `{name}-table-prefix` runs wherever the built-in rules do: `ai-shell lint`, English requests and `migrate apply`. Set its severity and option in `ai-shell.toml`:\n\n```toml\n[policy.rules]\n{name}-table-prefix = {{ severity = \"error\", prefix = \"acme_\" }}\n```\n\nA project can also use it without installing it, pinned by its hash: `[[policy.plugins]] path = \"...\" sha256 = \"...\"`."
            ),
        ),
        NewPluginKind::Strategy => (
            "strategy",
            STRATEGY,
            format!("The {name} rollout strategy: a confirmed deploy window, then the changes"),
            "Once installed, it is asked before the built-in strategies: `ai-shell migrate \"add a bio column to users\" --zero-downtime` shows it in the plan, stops at its gate, and `ai-shell migrate confirm ID` goes on.".to_string(),
        ),
        NewPluginKind::Sink => (
            "sink",
            SINK,
            format!("The {name} notification sink: each event's summary posted as a chat message"),
            format!(
                "Once installed, name it in a channel of `ai-shell.toml` (the URL stays in an environment variable), then try it with `ai-shell notify test ops`:\n\n```toml\n[migrations.notify.channels.ops]\nsink = \"{name}\"\nurl = \"${{OPS_WEBHOOK_URL}}\"\nevents = [\"applied\", \"failed\", \"rolled_back\"]\nprefix = \"[prod]\"\n```"
            ),
        ),
    };
    let crate_name = format!("{name}-{kind_word}").replace("-policy-policy", "-policy");
    let crate_name = crate_name
        .replace("-strategy-strategy", "-strategy")
        .replace("-sink-sink", "-sink");
    let crate_file = crate_name.replace('-', "_");
    let fill = |text: &str| {
        text.replace("{{name}}", name)
            .replace("{{crate}}", &crate_name)
            .replace("{{crate_file}}", &crate_file)
            .replace("{{description}}", &description)
            .replace("{{kind}}", kind_word)
            .replace(
                "{{world}}",
                if kind_word == "sink" {
                    "notify"
                } else {
                    kind_word
                },
            )
            .replace("{{wit_version}}", HOST_WIT_VERSION)
            .replace("{{host_version}}", env!("CARGO_PKG_VERSION"))
            .replace("{{usage}}", &usage)
    };
    let write = |path: &Path, text: &str| -> anyhow::Result<()> {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
    };
    write(&root.join("Cargo.toml"), &fill(CARGO_TOML))?;
    write(&root.join("README.md"), &fill(README))?;
    write(&root.join("src/lib.rs"), &fill(source))?;
    write(&root.join(".gitignore"), "/target\n")?;
    write(&root.join("rust-toolchain.toml"), TOOLCHAIN)?;
    for (file, text) in WIT {
        write(&root.join("wit").join(file), text)?;
    }
    println!(
        "✓ Created the {kind_word} plugin `{name}` in {}\n\nNext:\n  cd {}\n  cargo build --release --target wasm32-wasip2\n  ai-shell plugin install target/wasm32-wasip2/release/{crate_file}.wasm",
        root.display(),
        root.display()
    );
    Ok(())
}
