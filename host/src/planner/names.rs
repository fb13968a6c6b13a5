//! Identifier hygiene: names taken from a request are validated; names ai-shell generates
//! (`idx_<table>_<cols>`, `chk_<table>_<col>`, `fk_<table>_<col>`) are shortened with a hash.

use sha2::{Digest, Sha256};

use super::plan::Refusal;
use crate::connection::Engine;

/// The longest identifier the engine keeps (PostgreSQL truncates at 63 bytes, MySQL refuses over 64).
pub fn max_len(engine: Engine) -> usize {
    match engine {
        Engine::Postgres => 63,
        Engine::MySql => 64,
        Engine::Sqlite => 128,
    }
}

/// Checks a name the request supplies.
pub fn validate(engine: Engine, name: &str) -> Result<(), Refusal> {
    if name.trim().is_empty() {
        return Err(Refusal::ambiguous(
            "a name is empty; give every table and column a name",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Refusal::unsafe_(format!(
            "the name {name:?} contains a control character"
        )));
    }
    if name.len() > max_len(engine) {
        return Err(Refusal::unsupported(format!(
            "the name `{name}` is {} bytes long; {} allows at most {}",
            name.len(),
            engine_name(engine),
            max_len(engine)
        ))
        .example("use a shorter name"));
    }
    if engine == Engine::MySql && name.ends_with(' ') {
        return Err(Refusal::unsupported(format!(
            "MySQL names cannot end with a space (`{name}`)"
        )));
    }
    Ok(())
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
    fn slugs() {
        assert_eq!(slug("add email to users"), "add_email_to_users");
        assert_eq!(slug("x; DROP TABLE \"users\""), "x_drop_table_users");
        assert!(slug(&"word ".repeat(40)).len() <= 60);
    }
}
