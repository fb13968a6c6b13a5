//! The built-in plugins, compiled to wasm32-wasip2 by `build.rs` and embedded in the binary.

/// Name and component bytes of every built-in plugin.
pub const BUILT_IN: &[(&str, &[u8])] = &[
    (
        "postgres",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_dialect_postgres.wasm"
        )),
    ),
    (
        "mysql",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_dialect_mysql.wasm"
        )),
    ),
    (
        "sqlite",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_dialect_sqlite.wasm"
        )),
    ),
];

/// Name and component bytes of every built-in strategy, in the order they are preferred: the
/// engine-specific ones first, `standard` (any engine) last.
pub const BUILT_IN_STRATEGIES: &[(&str, &[u8])] = &[
    (
        "postgres-online",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_strategy_postgres_online.wasm"
        )),
    ),
    (
        "mysql-online",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_strategy_mysql_online.wasm"
        )),
    ),
    (
        "sqlite-rebuild",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_strategy_sqlite_rebuild.wasm"
        )),
    ),
    (
        "standard",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_strategy_standard.wasm"
        )),
    ),
];

/// Name and component bytes of every built-in policy.
pub const BUILT_IN_POLICIES: &[(&str, &[u8])] = &[(
    "builtin",
    include_bytes!(concat!(
        env!("AI_SHELL_PLUGIN_DIR"),
        "/ai_shell_policy_builtin.wasm"
    )),
)];

/// Name and component bytes of every built-in notification sink.
pub const BUILT_IN_SINKS: &[(&str, &[u8])] = &[
    (
        "slack",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_notify_slack.wasm"
        )),
    ),
    (
        "webhook",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_notify_webhook.wasm"
        )),
    ),
    (
        "file",
        include_bytes!(concat!(
            env!("AI_SHELL_PLUGIN_DIR"),
            "/ai_shell_notify_file.wasm"
        )),
    ),
];

/// The bytes of the built-in plugin `name` (dialect, strategy, policy or sink).
pub fn built_in(name: &str) -> Option<&'static [u8]> {
    BUILT_IN
        .iter()
        .chain(BUILT_IN_STRATEGIES)
        .chain(BUILT_IN_POLICIES)
        .chain(BUILT_IN_SINKS)
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
}
