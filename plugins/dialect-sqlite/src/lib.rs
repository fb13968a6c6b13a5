//! tmp
#[cfg(test)]
mod t { #[test] fn x() { let _ = ai_shell_plugin_sdk::WIT_VERSION; } }
