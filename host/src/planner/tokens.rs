//! Turns a request into tokens: lowercased words, verbatim quoted identifiers and literals,
//! punctuation, and list breaks for bullet lists. Politeness and articles are dropped here so the
//! intent parsers only see what carries meaning.

use super::plan::Refusal;

/// One token of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tok {
    /// A lowercased word of letters, digits and underscores (a hyphen inside a word becomes `_`).
    Word(String),
    /// A `"double-quoted"` or `` `backticked` `` identifier, verbatim.
    Ident(String),
    /// A `'single-quoted'` literal, verbatim.
    Str(String),
    /// A number as written (`12`, `-1`, `0.5`).
    Num(String),
    /// Punctuation that carries structure: `( ) , / : . = < > | ; + -` (`;`, `+` and `-` are read
    /// by the normalising pre-pass and never reach the intent parsers).
    Punct(char),
    /// The start of a bullet or numbered list item.
    Break,
}

impl Tok {
    /// The word, if this is one.
    pub fn word(&self) -> Option<&str> {
        match self {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }

    /// Whether this is the word `w`.
    pub fn is(&self, w: &str) -> bool {
        self.word() == Some(w)
    }

    /// Whether this is one of the words `ws`.
    pub fn is_any(&self, ws: &[&str]) -> bool {
        self.word().is_some_and(|x| ws.contains(&x))
    }

    /// A name: a word or a quoted identifier.
    pub fn name(&self) -> Option<&str> {
        match self {
            Tok::Word(w) | Tok::Ident(w) => Some(w),
            _ => None,
        }
    }

    pub fn is_punct(&self, c: char) -> bool {
        *self == Tok::Punct(c)
    }

    /// A list separator: a comma, a bullet, or the word `and`.
    pub fn is_separator(&self) -> bool {
        matches!(self, Tok::Break | Tok::Punct(',')) || self.is("and") || self.is("plus")
    }
}

/// Words that never carry meaning in a request.
const NOISE: &[&str] = &[
    "a", "an", "the", "please", "kindly", "thanks", "thx", "hey", "hi", "hello", "just", "also",
    "quickly", "ok", "okay",
];

/// Polite openings dropped from the start of a request (as word sequences).
const OPENINGS: &[&[&str]] = &[
    &["could", "you"],
    &["can", "you"],
    &["would", "you"],
    &["will", "you"],
    &["would", "you", "mind"],
    &["i", "want", "to"],
    &["i", "would", "like", "to"],
    &["id", "like", "to"],
    &["i", "need", "to"],
    &["we", "need", "to"],
    &["we", "want", "to"],
    &["we", "should"],
    &["lets"],
    &["let", "us"],
    &["go", "ahead", "and"],
    &["i", "need", "you", "to"],
    &["help", "me"],
    &["ai_shell"],
    &["migrate"],
    &["migration", "to"],
    &["you", "should"],
];

/// Splits a request into tokens. Refuses control characters and unterminated quoted identifiers. A
/// `;` is punctuation: identifiers and values are always quoted by the dialect.
pub fn lex(request: &str) -> Result<Vec<Tok>, Refusal> {
    lex_raw(request).map(clean)
}

/// [`lex`] keeping politeness and articles: every word as written, for accounting.
pub fn lex_raw(request: &str) -> Result<Vec<Tok>, Refusal> {
    if let Some(c) = request
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Refusal::unsafe_(format!(
            "the request contains a control character (U+{:04X}); write it as plain text",
            c as u32
        )));
    }
    // One trailing `;` ("DROP TABLE unused_table;") ends the request; it separates nothing.
    let request = request.trim_end();
    let request = request.strip_suffix(';').unwrap_or(request);
    let mut out = Vec::new();
    for line in request.lines() {
        let rest = bullet(line, &mut out);
        lex_line(rest, &mut out)?;
    }
    Ok(out)
}

/// Strips a leading bullet (`-`, `*`, `•`, `1.`, `2)`), pushing a `Break` for it.
fn bullet<'a>(line: &'a str, out: &mut Vec<Tok>) -> &'a str {
    let t = line.trim_start();
    for b in ["--", "-", "*", "•", "+", "·"] {
        if let Some(rest) = t.strip_prefix(b)
            && (rest.starts_with(char::is_whitespace) || rest.is_empty())
        {
            out.push(Tok::Break);
            return rest;
        }
    }
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits < 3 {
        let rest = &t[digits..];
        if let Some(r) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))
            && r.starts_with(char::is_whitespace)
        {
            out.push(Tok::Break);
            return r;
        }
    }
    line
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || symbol_char(c)
}

/// Emoji and other pictographs: part of a name ("party🎉", "add column 🎉 to users"), never
/// dropped from the middle of one. Letters beyond U+FFFF are alphanumeric already; what else lies
/// beyond it is symbols (emoji, their skin tones); below it, the misc-symbol and dingbat blocks and
/// the joiner and variation selector that build emoji sequences.
fn symbol_char(c: char) -> bool {
    u32::from(c) > 0xFFFF
        || ('\u{2600}'..='\u{27BF}').contains(&c)
        || matches!(c, '\u{200D}' | '\u{FE0F}')
}

/// A word made of symbols only (an emoji): decoration at either end of a request.
fn decoration(t: &Tok) -> bool {
    t.word()
        .is_some_and(|w| !w.is_empty() && w.chars().all(symbol_char))
}

fn lex_line(line: &str, out: &mut Vec<Tok>) -> Result<(), Refusal> {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        match c {
            _ if c.is_whitespace() => i += 1,
            '"' | '`' | '“' | '”' => {
                let close = match c {
                    '“' => '”',
                    '”' => '”',
                    c => c,
                };
                let (text, used) = quoted(&chars[i + 1..], close).ok_or_else(|| {
                    Refusal::ambiguous(format!(
                        "the quoted name starting at {c} is never closed; close the quote"
                    ))
                })?;
                if text.is_empty() {
                    return Err(Refusal::ambiguous(
                        "an empty quoted name (\"\") names nothing",
                    ));
                }
                out.push(Tok::Ident(text));
                i += used + 1;
            }
            '\'' | '‘' | '’' if prev.is_some_and(word_char) => i += 1, // user's, users'
            '\'' | '‘' | '’' => {
                let close = if c == '‘' { '’' } else { c };
                match quoted(&chars[i + 1..], close) {
                    Some((text, used)) => {
                        out.push(Tok::Str(text));
                        i += used + 1;
                    }
                    None => i += 1,
                }
            }
            // Punctuation in prose: names and values are quoted by the dialect, so a `;` separates
            // nothing but clauses ([`super::normalize`] reads them); `+` marks a terse addition.
            ';' | '+' => {
                out.push(Tok::Punct(c));
                i += 1;
            }
            // "users: -state": a terse removal (a hyphen inside a word joins it, see [`word`]).
            '-' if next.is_some_and(|n| n.is_alphabetic() || n == '_')
                && !prev.is_some_and(word_char) =>
            {
                out.push(Tok::Punct('-'));
                i += 1;
            }
            '→' | '⇒' => {
                out.push(Tok::Punct('>'));
                i += 1;
            }
            '-' if next.is_some_and(|n| n.is_ascii_digit()) && !prev.is_some_and(word_char) => {
                let (num, used) = number(&chars[i + 1..]);
                out.push(Tok::Num(format!("-{num}")));
                i += used + 1;
            }
            _ if c.is_ascii_digit() => {
                let (num, used) = number(&chars[i..]);
                if chars.get(i + used).is_some_and(|c| word_char(*c)) {
                    let (w, used) = word(&chars[i..]);
                    out.push(Tok::Word(w));
                    i += used;
                } else {
                    out.push(Tok::Num(num));
                    i += used;
                }
            }
            // "w/ 0", "w/o a default": the shorthands of "with" and "without".
            'w' | 'W'
                if !prev.is_some_and(word_char)
                    && next == Some('/')
                    && chars.get(i + 2).is_none_or(|c| {
                        c.is_whitespace() || matches!(c, 'o' | 'O' | '\'' | '"')
                    })
                    && chars
                        .get(i + 3)
                        .is_none_or(|c| !word_char(*c) || !matches!(chars[i + 2], 'o' | 'O')) =>
            {
                if chars.get(i + 2).is_some_and(|c| matches!(c, 'o' | 'O')) {
                    out.push(Tok::Word("without".into()));
                    i += 3;
                } else {
                    out.push(Tok::Word("with".into()));
                    i += 2;
                }
            }
            _ if word_char(c) => {
                let (w, used) = word(&chars[i..]);
                out.push(Tok::Word(w));
                i += used;
            }
            '.' if prev.is_some_and(word_char) && next.is_some_and(word_char) => {
                out.push(Tok::Punct('.'));
                i += 1;
            }
            '(' | ')' | ',' | '/' | ':' | '=' | '<' | '>' | '|' | '[' | ']' => {
                let p = match c {
                    '[' => '(',
                    ']' => ')',
                    c => c,
                };
                out.push(Tok::Punct(p));
                i += 1;
            }
            '≥' | '≤' => {
                out.push(Tok::Punct(if c == '≥' { '>' } else { '<' }));
                out.push(Tok::Punct('='));
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// The text up to the closing quote (a doubled quote stands for itself) and the chars used.
fn quoted(chars: &[char], close: char) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == close {
            if chars.get(i + 1) == Some(&close) && close != '”' && close != '’' {
                text.push(close);
                i += 2;
                continue;
            }
            return Some((text, i + 1));
        }
        text.push(chars[i]);
        i += 1;
    }
    None
}

/// A number; thousands separators are read as part of it ("1,000,000" is 1000000), a comma
/// between other digits is not ("decimal(5,2)").
fn number(chars: &[char]) -> (String, usize) {
    let mut n = String::new();
    let mut i = 0;
    let digit = |k: usize| chars.get(k).is_some_and(|c| c.is_ascii_digit());
    while i < chars.len() {
        let group = chars[i] == ','
            && !n.contains('.')
            && !n.is_empty()
            && (n.len() <= 3 || n.len() >= 4 && chars[..i].contains(&','))
            && digit(i + 1)
            && digit(i + 2)
            && digit(i + 3)
            && !digit(i + 4);
        if group {
            i += 1;
            continue;
        }
        if !(chars[i].is_ascii_digit() || (chars[i] == '.' && digit(i + 1))) {
            break;
        }
        n.push(chars[i]);
        i += 1;
    }
    (n, i)
}

/// A word; hyphens between word characters join (`non-null` -> `non_null`).
fn word(chars: &[char]) -> (String, usize) {
    let mut w = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if word_char(c) {
            w.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '’')
            && i > 0
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
        {
            // i'd, user's, don't
        } else if c == '-' && i > 0 && chars.get(i + 1).is_some_and(|n| word_char(*n)) {
            w.push('_');
        } else {
            break;
        }
        i += 1;
    }
    (w, i)
}

/// Drops noise words and polite openings.
fn clean(tokens: Vec<Tok>) -> Vec<Tok> {
    let mut toks: Vec<Tok> = tokens.into_iter().filter(|t| !t.is_any(NOISE)).collect();
    // "🎉 add email to users 🙏"
    while toks.last().is_some_and(decoration) {
        toks.pop();
    }
    let lead = toks.iter().take_while(|t| decoration(t)).count();
    toks.drain(..lead);
    loop {
        let start = toks.iter().take_while(|t| **t == Tok::Break).count();
        // "Hey, could you ...": a comma left behind by a dropped greeting.
        if toks.get(start).is_some_and(|t| t.is_punct(',')) {
            toks.remove(start);
            continue;
        }
        let found = OPENINGS.iter().find(|o| {
            toks.len() >= start + o.len()
                && o.iter().enumerate().all(|(k, w)| toks[start + k].is(w))
        });
        match found {
            Some(o) => {
                toks.drain(start..start + o.len());
            }
            None => break,
        }
    }
    while toks
        .last()
        .is_some_and(|t| t.is_any(&["thank", "you", "for", "me"]))
    {
        let n = toks.len();
        // "... for me", "... thank you"
        if n >= 2
            && ((toks[n - 1].is("me") && toks[n - 2].is("for"))
                || (toks[n - 1].is("you") && toks[n - 2].is("thank")))
        {
            toks.truncate(n - 2);
        } else {
            break;
        }
    }
    toks
}

/// The words of a token slice, with names verbatim, for messages.
pub fn text(toks: &[Tok]) -> String {
    let mut s = String::new();
    for t in toks {
        let piece = match t {
            Tok::Word(w) | Tok::Num(w) => w.clone(),
            Tok::Ident(w) => format!("\"{w}\""),
            Tok::Str(w) => format!("'{w}'"),
            Tok::Punct(c) => c.to_string(),
            Tok::Break => "-".into(),
        };
        if !s.is_empty() && !matches!(t, Tok::Punct(',' | ')' | '.')) && !s.ends_with(['(', '.']) {
            s.push(' ');
        }
        s.push_str(&piece);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Tok {
        Tok::Word(s.into())
    }

    #[test]
    fn lowercases_and_drops_politeness() {
        let t = lex("Could you please add the Email field to Users table?").unwrap();
        assert_eq!(
            t,
            vec![
                w("add"),
                w("email"),
                w("field"),
                w("to"),
                w("users"),
                w("table")
            ]
        );
    }

    #[test]
    fn keeps_quoted_names_and_literals_verbatim() {
        let t = lex("add column \"x; DROP TABLE users\" default 'it''s'").unwrap();
        assert_eq!(
            t,
            vec![
                w("add"),
                w("column"),
                Tok::Ident("x; DROP TABLE users".into()),
                w("default"),
                Tok::Str("it's".into())
            ]
        );
    }

    #[test]
    fn semicolons_are_punctuation_and_control_characters_are_refused() {
        assert_eq!(
            lex("add x; thanks").unwrap(),
            vec![w("add"), w("x"), Tok::Punct(';')]
        );
        assert!(lex("add x\u{7} to users").is_err());
        assert!(lex("add \"x to users").is_err());
    }

    #[test]
    fn emoji_belong_to_names_and_decorate_the_ends() {
        assert_eq!(
            lex("🎉 add column 🎉 to party🎉 🙏").unwrap(),
            vec![w("add"), w("column"), w("🎉"), w("to"), w("party🎉")]
        );
    }

    #[test]
    fn bullets_become_breaks() {
        let t = lex("create t with:\n  - a\n  * b\n  1. c").unwrap();
        let breaks = t.iter().filter(|t| **t == Tok::Break).count();
        assert_eq!(breaks, 3);
        assert!(t.contains(&Tok::Punct(':')));
    }

    #[test]
    fn numbers_types_and_possessives() {
        let t = lex("make users' price a decimal(10,2) with e-mail").unwrap();
        assert_eq!(
            t,
            vec![
                w("make"),
                w("users"),
                w("price"),
                w("decimal"),
                Tok::Punct('('),
                Tok::Num("10".into()),
                Tok::Punct(','),
                Tok::Num("2".into()),
                Tok::Punct(')'),
                w("with"),
                w("e_mail")
            ]
        );
        assert_eq!(lex("users.email").unwrap()[1], Tok::Punct('.'));
    }
}
