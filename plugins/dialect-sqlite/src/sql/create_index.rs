//! Parses the stored `CREATE INDEX` text: key expressions as written, explicit collations, and the
//! `WHERE` clause of a partial index.

use super::lexer::tokenize;
use super::{Cursor, ParseError};

#[derive(Debug, Clone, PartialEq)]
pub struct CreateIndex {
    pub keys: Vec<IndexKey>,
    pub predicate: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexKey {
    /// The key without its `COLLATE` and direction, as written.
    pub text: String,
    /// The key as a plain name when it is a single identifier.
    pub name: Option<String>,
    pub collation: Option<String>,
    pub descending: bool,
}

pub fn parse(sql: &str) -> Result<CreateIndex, ParseError> {
    let tokens = tokenize(sql)?;
    let mut cur = Cursor::new(sql, &tokens);
    cur.expect_word("CREATE")?;
    cur.eat_word("UNIQUE");
    cur.expect_word("INDEX")?;
    if cur.eat_word("IF") {
        cur.expect_word("NOT")?;
        cur.expect_word("EXISTS")?;
    }
    cur.qualified_name()?;
    cur.expect_word("ON")?;
    cur.name()?;
    if !cur.peek_punct("(") {
        return Err(cur.error("expected the key list"));
    }
    let open = cur.pos;
    let close = cur.closing(open)?;
    let mut keys = Vec::new();
    for (from, mut to) in cur.split_commas(open + 1, close) {
        let mut descending = false;
        if to > from + 1
            && (tokens[to - 1].is_word(sql, "DESC") || tokens[to - 1].is_word(sql, "ASC"))
        {
            descending = tokens[to - 1].is_word(sql, "DESC");
            to -= 1;
        }
        let mut collation = None;
        if to > from + 2 && tokens[to - 2].is_word(sql, "COLLATE") && tokens[to - 1].is_name() {
            collation = Some(tokens[to - 1].name(sql));
            to -= 2;
        }
        let name = (to == from + 1 && tokens[from].is_name()).then(|| tokens[from].name(sql));
        keys.push(IndexKey {
            text: cur.between(from, to).to_string(),
            name,
            collation,
            descending,
        });
    }
    cur.pos = close + 1;
    let predicate = if cur.eat_word("WHERE") {
        let mut end = tokens.len();
        while end > cur.pos && tokens[end - 1].is_punct(sql, ";") {
            end -= 1;
        }
        Some(cur.between(cur.pos, end).to_string())
    } else {
        None
    };
    Ok(CreateIndex { keys, predicate })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_keys_and_predicate() {
        let ix = parse(
            "CREATE UNIQUE INDEX IF NOT EXISTS \"i\" ON \"t\" (lower(name) COLLATE NOCASE DESC, \"b\" ASC, c || 'x') WHERE c > 1 AND d IS NOT NULL",
        )
        .unwrap();
        assert_eq!(ix.keys.len(), 3);
        assert_eq!(ix.keys[0].text, "lower(name)");
        assert_eq!(ix.keys[0].collation.as_deref(), Some("NOCASE"));
        assert!(ix.keys[0].descending);
        assert_eq!(ix.keys[1].name.as_deref(), Some("b"));
        assert!(!ix.keys[1].descending);
        assert_eq!(ix.keys[2].text, "c || 'x'");
        assert_eq!(ix.predicate.as_deref(), Some("c > 1 AND d IS NOT NULL"));
    }
}
