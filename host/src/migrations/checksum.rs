//! Checksums of migration sections, blind to line endings, a byte-order mark and trailing whitespace, so that a
//! checkout with `core.autocrlf` or an editor that adds a BOM does not look like tampering.

use sha2::{Digest, Sha256};

/// The lower-case hex SHA-256 of `sql` after removing a leading UTF-8 BOM, turning CRLF and CR into LF, and
/// dropping whitespace at the end of the section. Any other change, including whitespace inside the SQL,
/// changes the checksum.
pub fn checksum(sql: &str) -> String {
    let sql = sql.strip_prefix('\u{feff}').unwrap_or(sql);
    let normalized = super::file::normalize_newlines(sql);
    hex::encode(Sha256::digest(normalized.trim_end().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UP: &str = "CREATE TABLE a (\n  id INTEGER PRIMARY KEY\n);\nCREATE INDEX a_id ON a (id);";

    #[test]
    fn is_sha256_hex() {
        assert_eq!(
            checksum(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(checksum(UP).len(), 64);
        assert!(
            checksum(UP)
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }

    #[test]
    fn line_endings_bom_and_trailing_whitespace_do_not_matter() {
        let base = checksum(UP);
        for variant in [
            UP.replace('\n', "\r\n"),
            UP.replace('\n', "\r"),
            format!("\u{feff}{UP}"),
            format!("\u{feff}{}\r\n", UP.replace('\n', "\r\n")),
            format!("{UP}\n\n  \t\n"),
        ] {
            assert_eq!(checksum(&variant), base, "{variant:?}");
        }
    }

    #[test]
    fn real_edits_change_it() {
        let base = checksum(UP);
        for edit in [
            UP.replace("INTEGER", "BIGINT"),
            UP.replace("  id", "   id"),
            UP.replace("a_id", "a_Id"),
            format!("\n{UP}"),
            format!("{UP}\n-- comment"),
            UP.replace(";\nCREATE", "; CREATE"),
            format!("\u{feff}\u{feff}{UP}"),
        ] {
            assert_ne!(checksum(&edit), base, "{edit:?}");
        }
    }

    #[test]
    fn unicode_is_hashed_as_utf8() {
        assert_ne!(checksum("SELECT 'é'"), checksum("SELECT 'e\u{301}'"));
        assert_eq!(checksum("SELECT '日本'\r\n"), checksum("SELECT '日本'"));
    }
}
