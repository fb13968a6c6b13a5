//! Parses the stored `CREATE VIEW` text down to the `SELECT` that defines the view.

use super::lexer::tokenize;
use super::{Cursor, ParseError};

/// The `SELECT` (or `WITH ... SELECT`, `VALUES`) of a `CREATE VIEW`, as written.
pub fn select_text(sql: &str) -> Result<String, ParseError> {
    let tokens = tokenize(sql)?;
    let mut cur = Cursor::new(sql, &tokens);
    cur.expect_word("CREATE")?;
    let _ = cur.eat_word("TEMP") || cur.eat_word("TEMPORARY");
    cur.expect_word("VIEW")?;
    if cur.eat_word("IF") {
        cur.expect_word("NOT")?;
        cur.expect_word("EXISTS")?;
    }
    cur.qualified_name()?;
    if cur.peek_punct("(") {
        cur.group()?;
    }
    cur.expect_word("AS")?;
    let mut end = tokens.len();
    while end > cur.pos && tokens[end - 1].is_punct(sql, ";") {
        end -= 1;
    }
    Ok(cur.between(cur.pos, end).to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_select_as_written() {
        assert_eq!(
            super::select_text(
                "CREATE VIEW IF NOT EXISTS \"v\" (a, b) AS\n  SELECT 1 AS \"as\", 2 -- note\n"
            )
            .unwrap(),
            "SELECT 1 AS \"as\", 2"
        );
    }
}
