//! Checks on names that come from a request or an LLM, before any dialect quotes them.
//!
//! Quoting makes any name safe to embed; these checks refuse names the engine would reject or silently
//! truncate, and names that can only be a mistake (control characters, empty).

use crate::connection::Engine;

/// The longest identifier the engine keeps: PostgreSQL 63 bytes (it silently truncates longer names),
/// MySQL/MariaDB 64 characters (it refuses longer ones); SQLite has no limit, and ai-shell holds its names to
/// 128 bytes.
pub fn max_len(engine: Engine) -> usize {
    match engine {
        Engine::Postgres => 63,
        Engine::MySql => 64,
        Engine::Sqlite => 128,
    }
}

/// The length of `name` in the unit the engine's limit counts: characters on MySQL/MariaDB, bytes elsewhere.
fn length(engine: Engine, name: &str) -> (usize, &'static str) {
    match engine {
        Engine::MySql => (name.chars().count(), "characters"),
        _ => (name.len(), "bytes"),
    }
}

/// How many characters of user text a message quotes before cutting it short.
const SHOWN: usize = 40;

/// User text as a message quotes it: whole when short, otherwise its first 40 characters and its full size
/// (`xxxx…(100000 bytes)`), so a message never echoes a huge name or request back.
pub fn shown(text: &str) -> String {
    if text.chars().count() <= SHOWN + 8 {
        return text.to_string();
    }
    let cut = text
        .char_indices()
        .nth(SHOWN)
        .map_or(text.len(), |(i, _)| i);
    format!("{}…({} bytes)", &text[..cut], text.len())
}

/// What is wrong with a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Empty or blank.
    Empty,
    /// A control character: only a mistake or an attack.
    Unsafe(String),
    /// Something the engine rejects or would silently change.
    Unsupported(String),
}

impl Problem {
    pub fn message(&self) -> String {
        match self {
            Problem::Empty => "an empty name".into(),
            Problem::Unsafe(m) | Problem::Unsupported(m) => m.clone(),
        }
    }
}

/// Why `name` cannot be used on `engine`, if it cannot.
pub fn problem(name: &str, engine: Engine) -> Option<Problem> {
    if name.trim().is_empty() {
        return Some(Problem::Empty);
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Some(Problem::Unsafe(format!(
            "the name `{}` contains a control character (U+{:04X}); names are plain text",
            shown(&name.replace(|c: char| c.is_control(), "?")),
            c as u32
        )));
    }
    let (len, unit) = length(engine, name);
    if len > max_len(engine) {
        return Some(Problem::Unsupported(format!(
            "the name `{}` is {len} {unit} long; {} allows at most {} {unit}",
            shown(name),
            engine.dialect_name(),
            max_len(engine),
        )));
    }
    if engine == Engine::MySql {
        // MySQL/MariaDB keep identifiers in utf8mb3: no character beyond U+FFFF (emoji, some CJK).
        if let Some(c) = name.chars().find(|c| u32::from(*c) > 0xFFFF) {
            return Some(Problem::Unsupported(format!(
                "the name `{}` contains {c} (U+{:04X}), outside the Basic Multilingual Plane; MySQL/MariaDB identifiers may only use characters U+0001..U+FFFF",
                shown(name),
                u32::from(c)
            )));
        }
        if name.ends_with(' ') {
            return Some(Problem::Unsupported(format!(
                "MySQL names cannot end with a space (`{}`)",
                shown(name)
            )));
        }
    }
    if engine == Engine::Sqlite && name.to_ascii_lowercase().starts_with("sqlite_") {
        return Some(Problem::Unsupported(format!(
            "the name `{}` starts with `sqlite_`, which SQLite reserves",
            shown(name)
        )));
    }
    None
}

/// Why `name` cannot be used on `engine`, if it cannot, as a message.
pub fn check(name: &str, engine: Engine) -> Result<(), String> {
    match problem(name, engine) {
        Some(p) => Err(p.message()),
        None => Ok(()),
    }
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
        assert!(check("party_🎉", Engine::MySql).is_err());
        assert!(check("party_🎉", Engine::Postgres).is_ok());
        assert!(check(&"é".repeat(64), Engine::MySql).is_ok());
        let long = check(&"n".repeat(100_000), Engine::Sqlite).unwrap_err();
        assert!(long.len() < 200, "{long}");
    }
}
