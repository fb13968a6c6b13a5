//! Database URLs: which engine, and a form safe to print.

use super::ConnectionError;

/// The database engines ai-shell speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    Postgres,
    MySql,
    Sqlite,
}

impl Engine {
    /// The name of the built-in dialect plugin for this engine.
    pub fn dialect_name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::MySql => "mysql",
            Engine::Sqlite => "sqlite",
        }
    }
}

/// A parsed database URL. `Display` never shows the password.
#[derive(Clone, Debug)]
pub struct DatabaseUrl {
    raw: String,
    engine: Engine,
    scheme: String,
    password: Option<String>,
}

impl DatabaseUrl {
    /// Parses `sqlite://FILE`, `sqlite:FILE`, `postgres://...`, `postgresql://...`, `mysql://...`, `mariadb://...`.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, ConnectionError> {
        let invalid = |reason: &str| ConnectionError::InvalidUrl {
            url: redact_password_in(raw),
            reason: reason.to_string(),
        };
        let (scheme, _) = raw
            .split_once(':')
            .ok_or_else(|| invalid("it has no scheme (such as sqlite:// or postgres://)"))?;
        let scheme = scheme.to_ascii_lowercase();
        let engine = match scheme.as_str() {
            "postgres" | "postgresql" => Engine::Postgres,
            "mysql" | "mariadb" => Engine::MySql,
            "sqlite" => Engine::Sqlite,
            other => return Err(invalid(&format!("unsupported scheme `{other}`"))),
        };
        let mut password = None;
        if engine != Engine::Sqlite {
            let parsed = url::Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(invalid("it names no host"));
            }
            password = parsed.password().map(percent_decode);
        } else if raw
            .trim_start_matches("sqlite:")
            .trim_start_matches("//")
            .is_empty()
        {
            return Err(invalid("it names no file"));
        }
        Ok(DatabaseUrl {
            raw: raw.to_string(),
            engine,
            scheme,
            password,
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The URL exactly as given (contains the password: never print it).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The URL in the form sqlx expects for this engine.
    pub(crate) fn sqlx_url(&self) -> String {
        match self.scheme.as_str() {
            "mariadb" => format!("mysql{}", &self.raw["mariadb".len()..]),
            _ => self.raw.clone(),
        }
    }

    /// The same URL (user, password, database, options) for another server, `host:port`.
    pub fn with_host_port(&self, host: &str, port: u16) -> String {
        match url::Url::parse(&self.raw) {
            Ok(mut u) if self.engine != Engine::Sqlite => {
                let moved = u.set_host(Some(host)).is_ok() && u.set_port(Some(port)).is_ok();
                if moved {
                    u.to_string()
                } else {
                    self.raw.clone()
                }
            }
            _ => self.raw.clone(),
        }
    }

    /// The database a server URL names (its path), if any.
    pub fn database_name(&self) -> Option<String> {
        if self.engine == Engine::Sqlite {
            return None;
        }
        let u = url::Url::parse(&self.raw).ok()?;
        let name = u.path().trim_start_matches('/');
        (!name.is_empty()).then(|| percent_decode(name))
    }

    /// The same URL (server, user, password, options) for another database on the server.
    pub fn with_database(&self, name: &str) -> String {
        match url::Url::parse(&self.raw) {
            Ok(mut u) if self.engine != Engine::Sqlite => {
                u.set_path(&format!("/{name}"));
                u.to_string()
            }
            _ => self.raw.clone(),
        }
    }

    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact_password_in(&self.raw)
    }

    /// `text` with every occurrence of the password replaced by `***` (driver errors may quote the URL).
    pub fn redact_text(&self, text: &str) -> String {
        let mut text = text.replace(&self.raw, &self.redacted());
        if let Some(p) = self.password.as_deref().filter(|p| !p.is_empty()) {
            text = text.replace(p, "***");
        }
        text
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// Replaces the password of `scheme://user:password@host` with `***`, even in a URL that does not parse.
fn redact_password_in(raw: &str) -> String {
    let Some(after_scheme) = raw.find("://").map(|i| i + 3) else {
        return raw.to_string();
    };
    let rest = &raw[after_scheme..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &raw[..after_scheme],
            &authority[..colon],
            &rest[at..]
        ),
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_server_keeps_user_password_database_and_options() {
        let url =
            DatabaseUrl::parse("mysql://app:p%40ss@primary:3306/shop?ssl-mode=disabled").unwrap();
        assert_eq!(
            url.with_host_port("10.0.0.7", 3307),
            "mysql://app:p%40ss@10.0.0.7:3307/shop?ssl-mode=disabled"
        );
    }

    #[test]
    fn passwords_never_show() {
        let url = DatabaseUrl::parse("postgres://admin:s3cr%40t@db.example:5432/app").unwrap();
        assert_eq!(url.redacted(), "postgres://admin:***@db.example:5432/app");
        assert_eq!(
            url.redact_text("auth failed for s3cr@t"),
            "auth failed for ***"
        );
        assert_eq!(url.to_string(), "postgres://admin:***@db.example:5432/app");
    }

    #[test]
    fn malformed_urls_are_rejected_without_the_password() {
        let err = DatabaseUrl::parse("postgres://admin:hunter2@:5432/app").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("host"), "{text}");
        let err = DatabaseUrl::parse("oracle://x").unwrap_err().to_string();
        assert!(err.contains("unsupported scheme `oracle`"), "{err}");
        assert!(DatabaseUrl::parse("just-a-file.db").is_err());
    }

    #[test]
    fn engines_by_scheme() {
        for (url, engine) in [
            ("sqlite://demo.db", Engine::Sqlite),
            ("sqlite:demo.db", Engine::Sqlite),
            ("postgresql://u@h/d", Engine::Postgres),
            ("mariadb://root@127.0.0.1/test", Engine::MySql),
        ] {
            assert_eq!(DatabaseUrl::parse(url).unwrap().engine(), engine, "{url}");
        }
        assert_eq!(
            DatabaseUrl::parse("mariadb://root@h/d").unwrap().sqlx_url(),
            "mysql://root@h/d"
        );
    }
}
