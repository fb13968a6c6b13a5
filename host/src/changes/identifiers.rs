//! Checks on names that come from a request or an LLM, before any dialect quotes them.
//!
//! Quoting makes any name safe to embed; these checks refuse names the engine would reject or silently
//! truncate, and names that can only be a mistake (control characters, empty).

use crate::connection::Engine;

/// The longest identifier the engine keeps as given, in bytes.
pub fn max_len(engine: Engine) -> usize {
    match engine {
        Engine::Postgres => 63,
        Engine::MySql => 64,
        Engine::Sqlite => 1024,
    }
}

/// Why `name` cannot be used on `engine`, if it cannot.
pub fn check(name: &str, engine: Engine) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("an empty name".into());
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(format!("the name {name:?} contains a control character"));
    }
    if name.len() > max_len(engine) {
        return Err(format!(
            "the name `{name}` is {} bytes long; {} keeps at most {}",
            name.len(),
            engine.dialect_name(),
            max_len(engine)
        ));
    }
    if engine == Engine::MySql && name.ends_with(' ') {
        return Err(format!(
            "the name `{name}` ends with a space, which MySQL does not allow"
        ));
    }
    if engine == Engine::Sqlite && name.to_ascii_lowercase().starts_with("sqlite_") {
        return Err(format!(
            "the name `{name}` starts with `sqlite_`, which SQLite reserves"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injection_looking_names_are_just_names() {
        assert!(check("x; DROP TABLE users", Engine::Postgres).is_ok());
        assert!(check("a\"b`c", Engine::MySql).is_ok());
    }

    #[test]
    fn refuses_what_engines_reject() {
        assert!(check("", Engine::Sqlite).is_err());
        assert!(check("a\nb", Engine::Postgres).is_err());
        assert!(check(&"x".repeat(64), Engine::Postgres).is_err());
        assert!(check(&"x".repeat(64), Engine::MySql).is_ok());
        assert!(check("name ", Engine::MySql).is_err());
        assert!(check("sqlite_stat9", Engine::Sqlite).is_err());
    }
}
