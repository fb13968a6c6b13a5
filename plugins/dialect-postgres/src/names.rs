//! PostgreSQL's rules for the names it chooses itself (`makeObjectName` in the server):
//! `serial` sequences (`table_column_seq`) and primary keys (`table_pkey`).

/// Longest identifier in bytes (`NAMEDATALEN - 1`).
const MAX_IDENTIFIER: usize = 63;

/// The name the server builds from `name1`, `name2` and `label`, truncating the longer of the
/// two names (at a character boundary) until the result fits in 63 bytes.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut overhead = label.len() + 1;
    if name2.is_some() {
        overhead += 1;
    }
    let avail = MAX_IDENTIFIER.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(name2) = name2 {
        out.push('_');
        out.push_str(clip(name2, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// The longest prefix of `s` of at most `bytes` bytes that ends on a character boundary.
fn clip(s: &str, bytes: usize) -> &str {
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_joined() {
        assert_eq!(
            make_object_name("artist", Some("id"), "seq"),
            "artist_id_seq"
        );
        assert_eq!(make_object_name("artist", None, "pkey"), "artist_pkey");
    }

    #[test]
    fn long_names_are_truncated_like_the_server() {
        // Checked against PostgreSQL 15: CREATE TABLE <60 a's> (<10 b's> serial).
        let t = "a".repeat(60);
        let c = "b".repeat(10);
        let name = make_object_name(&t, Some(&c), "seq");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_{}_seq", "a".repeat(48), "b".repeat(10)));
    }

    #[test]
    fn truncation_respects_characters() {
        let t = "é".repeat(40);
        let name = make_object_name(&t, Some("id"), "seq");
        assert!(name.len() <= 63);
        assert!(name.ends_with("_id_seq"));
    }
}
