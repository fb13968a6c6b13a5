//! Text helpers of the diff: definitions compared after normalising whitespace, whole-word mentions of
//! names in view definitions, and a dependency order with cycles broken by the given order.

/// A definition as compared: whitespace outside quotes collapsed to one space, trimmed, no trailing `;`.
/// Quoted text (`'...'`, `"..."`, `` `...` ``) is kept verbatim, so literals stay significant.
pub fn normalise(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut space = false;
    for c in sql.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => space = true,
            None => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                if matches!(c, '\'' | '"' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    while out.ends_with(';') || out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whether `text` mentions `name` as a whole word, ignoring case (`orders` in `FROM orders o`, not in
/// `orders_archive`).
pub fn mentions(text: &str, name: &str) -> bool {
    let text = text.to_lowercase();
    let name = name.to_lowercase();
    if name.is_empty() {
        return false;
    }
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
    let mut from = 0;
    while let Some(pos) = text[from..].find(&name) {
        let start = from + pos;
        let end = start + name.len();
        if !ident(text[..start].chars().next_back()) && !ident(text[end..].chars().next()) {
            return true;
        }
        from = start + name.len().max(1);
    }
    false
}

/// Indices `0..n` ordered so that each comes after those it depends on (`deps(i)`); members of a cycle keep
/// their given order.
pub fn dependency_order(n: usize, deps: impl Fn(usize) -> Vec<usize>) -> Vec<usize> {
    fn visit(i: usize, deps: &dyn Fn(usize) -> Vec<usize>, state: &mut [u8], out: &mut Vec<usize>) {
        if state[i] != 0 {
            return; // done, or on the current path (a cycle)
        }
        state[i] = 1;
        for d in deps(i) {
            if d != i {
                visit(d, deps, state, out);
            }
        }
        state[i] = 2;
        out.push(i);
    }
    let mut state = vec![0u8; n];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        visit(i, &deps, &mut state, &mut out);
    }
    out
}
