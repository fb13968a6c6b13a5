//! What the server's version allows: which online DDL algorithms and which syntax.

/// The server a plan is for, from the version string it reports.
#[derive(Clone, Copy, Debug)]
pub struct Server {
    pub mariadb: bool,
    pub version: (u32, u32, u32),
}

impl Server {
    /// Reads `10.11.19-MariaDB-0+deb12u1`, `5.5.5-10.6.12-MariaDB` (the replication-era prefix) or
    /// `8.0.36`; none when no version number can be read.
    pub fn parse(reported: &str) -> Option<Server> {
        let mariadb = reported.to_ascii_lowercase().contains("mariadb");
        let text = if mariadb {
            reported.strip_prefix("5.5.5-").unwrap_or(reported)
        } else {
            reported
        };
        let numbers: String = text
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let mut parts = numbers.split('.').map(|p| p.parse::<u32>());
        let major = parts.next()?.ok()?;
        let minor = parts.next().and_then(|p| p.ok()).unwrap_or(0);
        let patch = parts.next().and_then(|p| p.ok()).unwrap_or(0);
        Some(Server {
            mariadb,
            version: (major, minor, patch),
        })
    }

    fn at_least(&self, mariadb: (u32, u32, u32), mysql: (u32, u32, u32)) -> bool {
        self.version >= if self.mariadb { mariadb } else { mysql }
    }

    /// `ADD COLUMN ..., ALGORITHM=INSTANT` for a column appended last.
    pub fn instant_add_column(&self) -> bool {
        self.at_least((10, 3, 0), (8, 0, 12))
    }

    /// `DROP COLUMN ..., ALGORITHM=INSTANT` (for a column in no index).
    pub fn instant_drop_column(&self) -> bool {
        self.at_least((10, 4, 0), (8, 0, 29))
    }

    /// `ALTER COLUMN ... SET/DROP DEFAULT, ALGORITHM=INSTANT`.
    pub fn instant_default(&self) -> bool {
        self.at_least((10, 3, 0), (8, 0, 12))
    }

    /// `RENAME COLUMN a TO b` exists (otherwise `CHANGE COLUMN` with the full definition).
    pub fn rename_column_syntax(&self) -> bool {
        self.at_least((10, 5, 2), (8, 0, 3))
    }

    /// Renaming a column with `ALGORITHM=INSTANT`.
    pub fn instant_rename_column(&self) -> bool {
        self.at_least((10, 5, 2), (8, 0, 28))
    }

    /// MariaDB's `IF [NOT] EXISTS` on `ADD/DROP COLUMN`, `ADD/DROP INDEX` and `DROP FOREIGN KEY`,
    /// which make a re-run step a no-op.
    pub fn if_exists(&self) -> bool {
        self.mariadb
    }

    /// MariaDB's `SET STATEMENT var = value FOR statement`, scoping a session variable to one statement.
    pub fn set_statement(&self) -> bool {
        self.mariadb && self.version >= (10, 1, 2)
    }
}

/// `IF EXISTS ` (with its space) when the server understands it.
pub fn if_exists(server: &Server) -> &'static str {
    if server.if_exists() { "IF EXISTS " } else { "" }
}

/// `IF NOT EXISTS ` (with its space) when the server understands it.
pub fn if_not_exists(server: &Server) -> &'static str {
    if server.if_exists() {
        "IF NOT EXISTS "
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_servers_spellings() {
        let m = Server::parse("10.11.19-MariaDB-0+deb12u1").unwrap();
        assert!(m.mariadb);
        assert_eq!(m.version, (10, 11, 19));
        let old = Server::parse("5.5.5-10.2.44-MariaDB-log").unwrap();
        assert_eq!(old.version, (10, 2, 44));
        assert!(!old.instant_add_column());
        let my = Server::parse("8.0.36").unwrap();
        assert!(!my.mariadb);
        assert!(my.instant_add_column() && my.instant_drop_column());
        assert!(!Server::parse("8.0.20-log").unwrap().instant_drop_column());
        assert!(!Server::parse("5.7.44").unwrap().rename_column_syntax());
        assert!(Server::parse("unknown").is_none());
    }

    #[test]
    fn mariadb_versions_gate_instant_drop_and_rename() {
        let v103 = Server::parse("10.3.39-MariaDB").unwrap();
        assert!(v103.instant_add_column() && !v103.instant_drop_column());
        assert!(!v103.rename_column_syntax());
        let v105 = Server::parse("10.5.2-MariaDB").unwrap();
        assert!(v105.instant_drop_column() && v105.instant_rename_column());
        assert!(v105.set_statement() && v105.if_exists());
    }
}
