//! Identifier hygiene: names taken from a request are validated; names ai-shell generates
//! (`idx_<table>_<cols>`, `chk_<table>_<col>`, `fk_<table>_<col>`) are shortened with a hash.

use sha2::{Digest, Sha256};

use super::plan::Refusal;
use crate::connection::Engine;

pub use crate::changes::identifiers::shown;

/// The most columns one table may have: PostgreSQL 1600, SQLite 2000 (its default
/// `SQLITE_MAX_COLUMN`), MySQL/MariaDB 1017 with InnoDB (the server's own limit is 4096).
pub fn max_columns(engine: Engine) -> usize {
    match engine {
        Engine::Postgres => 1600,
        Engine::MySql => 1017,
        Engine::Sqlite => 2000,
    }
}

/// Checks a name the request supplies or the plan creates (the rule every plan passes:
/// [`crate::changes::identifiers`]), as a refusal.
pub fn validate(engine: Engine, name: &str) -> Result<(), Refusal> {
    use crate::changes::identifiers::{Problem, problem};
    match problem(name, engine) {
        None => Ok(()),
        Some(Problem::Empty) => Err(Refusal::ambiguous(
            "a name is empty; give every table and column a name",
        )),
        Some(Problem::Unsafe(m)) => Err(Refusal::unsafe_(m)),
        Some(Problem::Unsupported(m)) => Err(Refusal::unsupported(m).example(
            if name.chars().any(|c| u32::from(c) > 0xFFFF) {
                "use a name without emoji or other characters beyond U+FFFF"
            } else {
                "use a shorter name"
            },
        )),
    }
}

pub fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "PostgreSQL",
        Engine::MySql => "MySQL/MariaDB",
        Engine::Sqlite => "SQLite",
    }
}

/// `<prefix>_<table>_<parts...>`, cut to 63 bytes with an 8-hex-digit hash of the full name when
/// longer, so two long names never collide by truncation.
pub fn generated(prefix: &str, table: &str, parts: &[&str]) -> String {
    let mut name = format!("{prefix}_{table}");
    for p in parts {
        name.push('_');
        name.push_str(p);
    }
    shorten(&name, 63)
}

/// Cuts `name` to `max` bytes (on a char boundary) ending in `_` and a short hash of the whole.
pub fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let hash = hex::encode(&Sha256::digest(name.as_bytes())[..4]);
    let mut cut = max - hash.len() - 1;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash}", name[..cut].trim_end_matches('_'))
}

/// Index name for columns of a table.
pub fn index(table: &str, columns: &[String]) -> String {
    let parts: Vec<&str> = columns.iter().map(String::as_str).collect();
    generated("idx", table, &parts)
}

/// Snake-case slug of at most 60 bytes for a migration file name.
pub fn slug(words: &str) -> String {
    let mut s = String::new();
    for c in words.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') && !s.is_empty() {
            s.push('_');
        }
    }
    let s = s.trim_end_matches('_');
    let mut s = if s.len() > 60 {
        let cut = s[..60].rfind('_').unwrap_or(60);
        s[..cut].to_string()
    } else {
        s.to_string()
    };
    if s.is_empty() {
        s = "schema_change".into();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_generated_names_keep_a_hash() {
        let long = "t".repeat(80);
        let a = generated("idx", &long, &["a"]);
        let b = generated("idx", &long, &["b"]);
        assert!(a.len() <= 63 && b.len() <= 63);
        assert_ne!(a, b);
        assert_eq!(generated("idx", "users", &["email"]), "idx_users_email");
    }

    #[test]
    fn validates_request_names() {
        assert!(validate(Engine::Postgres, &"x".repeat(64)).is_err());
        assert!(validate(Engine::MySql, &"x".repeat(64)).is_ok());
        assert!(validate(Engine::Postgres, "").is_err());
        assert!(validate(Engine::Postgres, "a\u{1}b").is_err());
        assert!(validate(Engine::Postgres, "x; DROP TABLE users").is_ok());
    }

    #[test]
    fn limits_count_what_each_engine_counts() {
        // 22 three-byte characters: 66 bytes, 22 characters.
        let cjk = "名".repeat(22);
        assert!(validate(Engine::MySql, &cjk).is_ok());
        assert!(validate(Engine::Postgres, &cjk).is_err());
        assert!(validate(Engine::MySql, &"名".repeat(65)).is_err());
        // Beyond the Basic Multilingual Plane: only MySQL/MariaDB refuse it, naming the character.
        let r = validate(Engine::MySql, "party🎉").unwrap_err();
        assert!(r.message.contains("U+1F389"), "{}", r.message);
        assert!(r.message.contains('🎉'), "{}", r.message);
        assert!(validate(Engine::MySql, "\u{FFFF}x").is_ok());
        assert!(validate(Engine::Postgres, "party🎉").is_ok());
        assert!(validate(Engine::Sqlite, "party🎉").is_ok());
    }

    #[test]
    fn long_names_are_shown_cut_short() {
        let long = "x".repeat(100_000);
        let r = validate(Engine::Postgres, &long).unwrap_err();
        assert!(r.message.len() < 200, "{}", r.message);
        assert!(r.message.contains("…(100000 bytes)"), "{}", r.message);
        assert!(r.message.contains("63"), "{}", r.message);
        assert_eq!(shown("users"), "users");
        assert_eq!(
            shown(&"é".repeat(100)),
            format!("{}…(200 bytes)", "é".repeat(40))
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("add email to users"), "add_email_to_users");
        assert_eq!(slug("x; DROP TABLE \"users\""), "x_drop_table_users");
        assert!(slug(&"word ".repeat(40)).len() <= 60);
    }
}
