//! The normalising pre-pass: reads a request as people write it into the plain order the intent
//! parsers know, before any intent is picked. General mechanisms, not sentences:
//!
//! - **Clauses.** Sentences (`.`, `!`, `?`) and `;` split the request into clauses. A clause with no
//!   instruction verb first, no schema name, no value and no schema or option word only explains
//!   ("it is needed for the audit", "thanks") and is dropped; a clause that carries part of the
//!   request ("fill missing with 'unknown'") stays, joined to the instruction by a comma. Two
//!   instructions separated by `;` are refused: one change per request.
//! - **Wrappers.** Leading words before the verb that are only politeness or chat ("could you",
//!   "yo can u", "basically") and a trailing tail that names nothing ("because ...", "for the audit",
//!   "pls, ty", "when u get a sec") are cut.
//! - **Terse forms.** `T: a, b`, `T + c (type)`, `+ T.c` (add), `T.c: unique` (make), `index: t(c)`,
//!   `unique(t.c)`, `c -> table` in a new table's list (a reference) become the canonical words.
//! - **Word order.** A fronted phrase ("to T, add c", "with on delete cascade, make ...") moves
//!   after the instruction; "X: drop it" reads "it" as X.
//!
//! Whenever the pass cannot tell request from explanation it leaves the tokens as they were (only
//! the `;`, `+` and `-` marks, which the parsers never see, are removed).

use super::intents;
use super::keywords;
use super::plan::{Plan, Refusal};
use super::resolve::Names;
use super::tokens::{self, Tok};
use crate::connection::Engine;

/// Words that may stand before the instruction verb without meaning anything: politeness, chat,
/// pronouns and modals of a wrapped request ("could you", "yo can u", "I think we need to").
pub(crate) const LEAD: &[&str] = &[
    "could",
    "can",
    "would",
    "will",
    "you",
    "u",
    "ya",
    "we",
    "i",
    "id",
    "lets",
    "let",
    "us",
    "need",
    "needs",
    "want",
    "wanna",
    "to",
    "basically",
    "so",
    "then",
    "now",
    "mind",
    "if",
    "yo",
    "quick",
    "one",
    "actually",
    "maybe",
    "think",
    "guess",
    "should",
    "must",
    "go",
    "ahead",
    "and",
    "sure",
    "pls",
    "plz",
    "ty",
    "good",
    "morning",
    "afternoon",
    "evening",
    "dear",
    "team",
    "folks",
    "all",
    "btw",
    "fyi",
    "also",
    "finally",
    "ok",
    "right",
    "might",
    "may",
    "hmm",
    "um",
    "please",
    "kindly",
    "hey",
    "hi",
    "hello",
    "hiya",
];

/// Words at which a trailing explanation or sign-off may start.
const TAIL_START: &[&str] = &[
    "because", "since", "so", "for", "when", "whenever", "cause", "cuz", "coz", "bc", "pls", "plz",
    "please", "ty", "thx", "kthx", "cheers", "asap", "tia", "thank", "thanks", "lmk",
];

/// Sign-offs: cut from the end of any request.
const SIGN_OFF: &[&str] = &[
    "pls", "plz", "please", "ty", "thx", "kthx", "cheers", "asap", "tia", "thanks", "thank", "you",
];

/// Function words: never content, whatever the keyword lists say.
const FUNCTION: &[&str] = &[
    "to",
    "in",
    "on",
    "of",
    "for",
    "from",
    "into",
    "and",
    "be",
    "is",
    "are",
    "should",
    "must",
    "it",
    "them",
    "that",
    "so",
    "with",
    "by",
    "as",
    "at",
    "can",
    "there",
    "their",
    "which",
    "where",
    "have",
    "has",
    "want",
    "need",
    "let",
    "now",
    "any",
    "more",
    "only",
    "one",
    "or",
    "all",
    "every",
    "each",
    "keep",
    "new",
    "longer",
    "anymore",
    "instead",
    "so",
    "no",
    "than",
    "over",
    "under",
    "above",
    "below",
    "least",
    "most",
    "always",
    "never",
    "search",
    "missing",
    "empty",
    "blank",
    "value",
    "values",
    "type",
    "make",
    "set",
    "change",
    "update",
    "full",
    "text",
    "key",
    "lookups",
    "faster",
    "performance",
    "queries",
    "querying",
    "searches",
];

/// Structural and option words: a clause holding one says something about the schema.
const SCHEMA_WORDS: &[&str] = &[
    "column",
    "columns",
    "field",
    "fields",
    "table",
    "tables",
    "index",
    "indexes",
    "indices",
    "constraint",
    "constraints",
    "unique",
    "null",
    "nullable",
    "nulls",
    "default",
    "defaults",
    "required",
    "optional",
    "mandatory",
    "references",
    "reference",
    "foreign",
    "primary",
    "fk",
    "idx",
    "check",
    "cascade",
    "fill",
    "missing",
    "rename",
];

/// Phrases fronted before the instruction ("to T, add c", "with on delete cascade, make ...").
const FRONTED: &[&str] = &[
    "to",
    "in",
    "on",
    "from",
    "with",
    "for",
    "over",
    "between",
    "into",
    "defaulting",
];

/// A token and the position in the request's tokens it came from (`None`: inserted here).
type At = (Tok, Option<usize>);

fn plain(toks: &[At]) -> Vec<Tok> {
    toks.iter().map(|(t, _)| t.clone()).collect()
}

/// Normalises the corrected tokens `toks` of `request` (`read`: the same tokens before keyword
/// correction, as [`tokens::lex`] gave them) and plans them with `dispatch`. Returns `read` and
/// `toks` without the words the pass set aside as explanation or wrapping (so the accounting reads
/// them as such), and the plan.
pub fn run(
    request: &str,
    read: Vec<Tok>,
    toks: Vec<Tok>,
    names: &Names,
    lenient: bool,
    dispatch: impl Fn(Vec<Tok>) -> Result<Plan, Refusal>,
) -> (Vec<Tok>, Vec<Tok>, Result<Plan, Refusal>) {
    let (normal, kept) = match normalize(request, &read, &toks, names, lenient) {
        Ok(x) => x,
        Err(r) => return (read, toks, Err(r)),
    };
    let planned = dispatch(normal);
    if kept.len() != read.len() || kept.len() != toks.len() {
        return (read, toks, planned);
    }
    let keep = |v: Vec<Tok>| -> Vec<Tok> {
        v.into_iter()
            .zip(&kept)
            .filter(|(_, k)| **k)
            .map(|(t, _)| t)
            .collect()
    };
    (keep(read), keep(toks), planned)
}

/// The normalised tokens, and for each of `toks` whether it was kept (not set aside as
/// explanation or wrapping). `lenient` also sets aside clauses that only tell the story of the
/// request ([`story`]), even when they mention a name or a type word.
pub fn normalize(
    request: &str,
    read: &[Tok],
    toks: &[Tok],
    names: &Names,
    lenient: bool,
) -> Result<(Vec<Tok>, Vec<bool>), Refusal> {
    let clauses = follow_ups(referents(
        records(clauses(request, read, toks), names),
        names,
    ));
    let clauses = clauses
        .into_iter()
        .map(|(c, semi)| (cut_reason(c, names, lenient), semi))
        .collect();
    let picked = pick(clauses, read, names, lenient)?;
    let picked = trim_lead(picked);
    let picked = trim_tail(picked, names, lenient);
    let mut kept = vec![false; toks.len()];
    for (_, at) in &picked {
        if let Some(k) = at.and_then(|k| kept.get_mut(k)) {
            *k = true;
        }
    }
    // Marks the parsers never see are not words either: nothing to set aside.
    for (k, t) in toks.iter().enumerate() {
        if matches!(t, Tok::Punct(_) | Tok::Break) {
            kept[k] = true;
        }
    }
    let toks = plain(&picked);
    let toks = pronoun(toks);
    let toks = front(toks);
    let toks = phrases(joined_columns(toks, names), names);
    // A word the phrase pass consumed without writing it again ("call it", "that holds the raw
    // image") was read as structure or description: set aside, like an explanation.
    let mut written: std::collections::HashMap<&Tok, usize> = std::collections::HashMap::new();
    for t in &toks {
        *written.entry(t).or_default() += 1;
    }
    for (t, at) in &picked {
        if matches!(t, Tok::Punct(_) | Tok::Break) {
            continue;
        }
        match written.get_mut(t) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                if let Some(k) = at.and_then(|k| kept.get_mut(k)) {
                    *k = false;
                }
            }
        }
    }
    let toks = trailing_options(toks, names);
    let toks = arrow(toks, names);
    let toks = rewrite(toks, names);
    let toks = terse(toks, names);
    // "create table `a` (...) + `b` (...)": the plus joins two tables.
    let creates = toks.iter().take(3).any(|t| t.is_any(&["create", "new"]))
        && toks.iter().any(|t| t.is("table"));
    let toks: Vec<Tok> = (0..toks.len())
        .map(|i| {
            if creates
                && toks[i].is_punct('+')
                && toks.get(i + 1).is_some_and(|t| t.name().is_some())
                && toks.get(i + 2).is_some_and(|t| t.is_punct('('))
            {
                Tok::Word("and".into())
            } else if (toks[i].is_punct('+')
                && i > 0
                && (toks[i - 1].is_punct(')') || toks[i - 1].name().is_some())
                || toks[i].is_punct('-') && i > 0 && toks[i - 1].is_punct(')'))
                && toks.get(i + 1).is_some_and(|t| t.name().is_some())
                // "date + time" is one type.
                && !(super::types::parse(&toks, i - 1, Engine::Sqlite).is_some()
                    && super::types::parse(&toks, i + 1, Engine::Sqlite).is_some())
            {
                // "- a (int) - b (text)": an inline bullet after a closed item starts the next one.
                // "add email (varchar 200) + avatar_url (text)", "index post_id + created_at": a list.
                Tok::Punct(',')
            } else {
                toks[i].clone()
            }
        })
        .collect();
    let toks = toks
        .into_iter()
        .filter(|t| !t.is_punct('+') && !t.is_punct(';') && !t.is_punct('-'))
        .collect();
    Ok((toks, kept))
}

/// Subjects of a clause that tells the story around a request: "we filter by date ...", "HR
/// already had ...", "our app sends ...".
const STORY_SUBJECTS: &[&str] = &[
    "we",
    "thats",
    "theres",
    "i",
    "they",
    "our",
    "my",
    "us",
    "hr",
    "people",
    "nobody",
    "everyone",
    "users",
    "customers",
    "he",
    "she",
    "someone",
    "somebody",
    "sorting",
    "finance",
    "sales",
    "support",
    "marketing",
];

/// Words between a story's subject and its verb.
const ADVERBS: &[&str] = &[
    "now",
    "also",
    "already",
    "always",
    "only",
    "just",
    "really",
    "still",
    "often",
    "usually",
    "sometimes",
    "constantly",
    "never",
    "all",
    "recently",
    "currently",
    "actually",
    "even",
];

/// Verbs that keep a clause part of the request ("we need ...", "I want ...", "they should be").
const REQUEST_VERBS: &[&str] = &[
    "need", "needs", "want", "wants", "would", "should", "must", "have", "has", "will", "can",
    "could", "id", "wanna", "gotta", "require", "requires", "expect", "like", "am", "are", "is",
    "be", "shall", "may", "might",
];

/// Whether a clause only tells the story of the request: it starts with a subject
/// ([`STORY_SUBJECTS`]) and a verb that is no instruction and no wish, and it holds no value, no
/// quoted or marked name and no option word. Such a clause may mention a table or a type word in
/// passing ("we filter by date constantly in the admin").
fn story(toks: &[Tok]) -> bool {
    let mut i = 0;
    while toks
        .get(i)
        .is_some_and(|t| t.is_any(&["and", "but", "so", "because", "since", "as"]))
    {
        i += 1;
    }
    if !toks.get(i).is_some_and(|t| t.is_any(STORY_SUBJECTS)) {
        return false;
    }
    i += 1;
    while toks.get(i).is_some_and(|t| t.is_any(ADVERBS)) {
        i += 1;
    }
    let Some(v) = toks.get(i).and_then(Tok::word) else {
        return false;
    };
    if REQUEST_VERBS.contains(&v) || intents::is_verb(v) || keywords::OPTIONS.contains(&v) {
        return false;
    }
    plain_talk(toks)
        && !toks
            .iter()
            .any(|t| t.word().is_some_and(|w| w.contains('_')))
}

/// Whether a clause holds no value, no quoted name and no option or constraint word: it may
/// mention the schema, but it asks nothing of it.
fn plain_talk(toks: &[Tok]) -> bool {
    !toks.iter().any(|t| {
        matches!(t, Tok::Num(_) | Tok::Str(_) | Tok::Ident(_))
            || t.is_any(keywords::OPTIONS)
            || t.is_any(&[
                "null",
                "nulls",
                "not",
                "unique",
                "default",
                "index",
                "key",
                "references",
            ])
    })
}

/// Words that open what a pronoun's sentence asks of its referent ("it should be an integer").
const MODALS: &[&str] = &["should", "must", "needs", "has", "ought", "shall"];

/// The name before the last `is`/`are`/`was`/`were` of a clause, `t . c` or `c`: what a following
/// "it should ..." is about.
fn subject_before_copula(c: &[At]) -> Option<Vec<At>> {
    let k = c
        .iter()
        .rposition(|(t, _)| t.is_any(&["is", "are", "was", "were"]))?;
    let name = |i: usize| {
        c.get(i).is_some_and(|(t, _)| {
            t.name().is_some() && !t.is_any(&["which", "that", "it", "this", "there", "what"])
        })
    };
    // "t.c", "c in t", "c of t".
    if k >= 3
        && name(k - 1)
        && (c[k - 2].0.is_punct('.') || c[k - 2].0.is_any(&["in", "on", "of"]))
        && name(k - 3)
    {
        return Some(c[k - 3..k].to_vec());
    }
    (k >= 1 && name(k - 1)).then(|| c[k - 1..k].to_vec())
}

/// "x is a varchar(4) but it should be a number", "... x is a string. It should be an integer.": the
/// pronoun of a clause that says what something should be stands for the name the clause (or the one
/// before) says something *is*; what that something is today is only context.
fn referents(mut clauses: Vec<(Vec<At>, bool)>, names: &Names) -> Vec<(Vec<At>, bool)> {
    let pronoun_modal = |c: &[At], i: usize| {
        c.get(i)
            .is_some_and(|(t, _)| t.is_any(&["it", "they", "this"]))
            && c.get(i + 1).is_some_and(|(t, _)| t.is_any(MODALS))
    };
    for k in 0..clauses.len() {
        let c = &clauses[k].0;
        // Within one clause, after "but": the part before is what is, the part after what should be.
        if let Some(b) = (1..c.len())
            .find(|&b| c[b].0.is_any(&["but", "however", "yet"]) && pronoun_modal(c, b + 1))
            && let Some(subject) = subject_before_copula(&c[..b])
        {
            let mut out = subject;
            out.extend(c[b + 2..].iter().cloned());
            clauses[k].0 = out;
            continue;
        }
        // Opening a sentence: the name the sentence before said something of.
        if k > 0
            && pronoun_modal(c, 0)
            && let Some(subject) = subject_before_copula(&clauses[k - 1].0)
        {
            let mut out = subject;
            out.extend(c[1..].iter().cloned());
            clauses[k].0 = out;
            // The sentence before only said what the thing is today (it gives no instruction).
            let before = plain(&clauses[k - 1].0);
            if !(0..before.len()).any(|i| verb(&before, i)) {
                clauses[k - 1].0.clear();
            }
            continue;
        }
        // "employees.manager_id is just another employee. make it a proper foreign key": an
        // instruction about "it" after a sentence that only says what something is.
        let toks = plain(c);
        let before = if k > 0 {
            plain(&clauses[k - 1].0)
        } else {
            vec![]
        };
        if let Some(v) = verb_first(&toks)
            && toks.get(v + 1).is_some_and(|t| t.is("it"))
            && !before.is_empty()
            && !(0..before.len()).any(|i| verb(&before, i))
            && let Some(subject) = subject_before_copula(&clauses[k - 1].0)
        {
            let mut out = c[..=v].to_vec();
            out.extend(subject);
            out.extend(c[v + 2..].iter().cloned());
            // What it is, when that is a table ("another employee", "a team"), is what it references.
            let copula = before
                .iter()
                .rposition(|t| t.is_any(&["is", "are", "was", "were"]))
                .unwrap_or(0);
            let mut j = copula + 1;
            while before.get(j).is_some_and(|t| {
                t.is_any(&[
                    "just",
                    "really",
                    "actually",
                    "basically",
                    "simply",
                    "a",
                    "an",
                    "another",
                    "the",
                    "id",
                    "of",
                ])
            }) {
                j += 1;
            }
            let is_table = (j + 1 == before.len())
                .then(|| before[j].name().and_then(|n| names.table_sure(n)))
                .flatten();
            let links = toks
                .iter()
                .any(|t| t.is_any(&["foreign", "fk", "reference", "references", "link"]));
            let target_named = toks.windows(2).any(|w| {
                w[0].is_any(&["to", "references", "reference", "at"])
                    && w[1].name().is_some_and(|n| names.table_sure(n).is_some())
            });
            if let Some(t) = is_table.filter(|_| links && !target_named) {
                out.push((Tok::Word("to".into()), None));
                out.push((Tok::Word(t.name.name.clone()), None));
            }
            clauses[k].0 = out;
            clauses[k - 1].0.clear();
        }
    }
    clauses
}

/// A request written as a record, one field a line: "new column:\n- table customers\n- name renewals\n- int,
/// default 0", "- table: people\n- add column: last_checked_on\n- type: date", a table and its new columns
/// ("users\n* last_checked_on: date\n* archived_at: timestamp", "- posts\n  - tax_rate (decimal 5,2)"), or a
/// label over one item ("Changes:\n* users: new column nickname (varchar(80))"). The fields are put in the
/// order of a sentence: "add <column> <type and options> to <table>". Anything else is left as it is.
fn records(clauses: Vec<(Vec<At>, bool)>, names: &Names) -> Vec<(Vec<At>, bool)> {
    let [(only, false)] = clauses.as_slice() else {
        return clauses;
    };
    if !only.iter().any(|(t, _)| *t == Tok::Break) {
        return clauses;
    }
    match record(only, names) {
        Some(out) => vec![(out, false)],
        None => clauses,
    }
}

fn record(toks: &[At], names: &Names) -> Option<Vec<At>> {
    let word = |w: &str| (Tok::Word(w.into()), None);
    let lines: Vec<Vec<At>> = toks
        .split(|(t, _)| *t == Tok::Break)
        .map(|line| {
            let mut line = line.to_vec();
            while line
                .last()
                .is_some_and(|(t, _)| t.is_punct(':') || t.is_punct(','))
            {
                line.pop();
            }
            line
        })
        .filter(|line| !line.is_empty())
        .collect();
    let is = |line: &[At], words: &[&str]| line.iter().all(|(t, _)| t.is_any(words));
    let table_of = |line: &[At]| match line {
        [(t, at)] => t
            .name()
            .and_then(|n| names.table_sure(n))
            .map(|_| (t.clone(), *at)),
        _ => None,
    };
    const LABELS: &[&str] = &[
        "changes",
        "change",
        "todo",
        "tasks",
        "migration",
        "request",
        "please",
        "new",
        "column",
        "columns",
        "field",
        "fields",
        "add",
        "schema",
    ];
    let (first, rest) = lines.split_first()?;
    // A label over one item: the item alone.
    if is(first, LABELS) && rest.len() == 1 {
        return Some(rest[0].clone());
    }
    // A kind of constraint over one item, or before a colon: "indexes:\n* users (city)", "- foreign key:
    // orders.customer_id -> customers(id)".
    const KINDS: &[&str] = &[
        "index", "indexes", "foreign", "key", "keys", "fk", "fks", "unique", "check", "checks",
    ];
    let kind = |label: &[At]| -> Option<Vec<At>> {
        if label.is_empty() || !is(label, KINDS) {
            return None;
        }
        let has = |w: &[&str]| label.iter().any(|(t, _)| t.is_any(w));
        let words: &[&str] = if has(&["index", "indexes"]) {
            &["add", "index", "on"]
        } else if has(&["foreign", "fk", "fks"]) {
            &["add", "foreign", "key"]
        } else if has(&["unique"]) {
            &["add", "unique", "constraint", "on"]
        } else if has(&["check", "checks"]) {
            &["add", "check"]
        } else {
            return None;
        };
        Some(words.iter().map(|w| word(w)).collect())
    };
    if rest.len() == 1
        && let Some(mut out) = kind(first)
    {
        out.extend(rest[0].iter().cloned());
        return Some(out);
    }
    if rest.is_empty()
        && let Some(colon) = first.iter().position(|(t, _)| t.is_punct(':'))
        && let Some(mut out) = kind(&first[..colon])
    {
        // "foreign key: t.c -> u(id)" is read as "fk: t.c -> u(id)", which names a missing target when
        // it refuses.
        if out.iter().any(|(t, _)| t.is("foreign")) {
            if first[0].0.is("fk") {
                return None;
            }
            let mut out = vec![(Tok::Break, None), word("fk")];
            out.extend(first[colon..].iter().cloned());
            return Some(out);
        }
        out.extend(first[colon + 1..].iter().cloned());
        return Some(out);
    }
    let mut table: Option<At> = table_of(first);
    let items = if table.is_some() || is(first, LABELS) {
        rest
    } else {
        &lines[..]
    };
    let mut column: Option<At> = None;
    let mut spec: Vec<At> = vec![];
    let mut listed: Vec<Vec<At>> = vec![];
    for line in items {
        let key_end = line.iter().position(|(t, _)| t.is_punct(':'));
        let key: Vec<&Tok> = line[..key_end.unwrap_or(0)]
            .iter()
            .map(|(t, _)| t)
            .collect();
        let value = &line[key_end.map_or(0, |k| k + 1)..];
        let keyed = |words: &[&str]| !key.is_empty() && key.iter().all(|t| t.is_any(words));
        // "table customers", "name renewals": the key without a colon.
        let (head, tail) = match line.split_first() {
            Some(((t, _), tail)) if key_end.is_none() => (Some(t), tail),
            _ => (None, &line[..0]),
        };
        let one_name = |v: &[At]| match v {
            [(t, at)] if t.name().is_some() => Some((t.clone(), *at)),
            _ => None,
        };
        if keyed(&["table"]) || head.is_some_and(|h| h.is("table")) {
            let v = if key_end.is_some() { value } else { tail };
            table = Some(one_name(v)?);
        } else if keyed(&["name", "column", "add", "new", "col"])
            || head.is_some_and(|h| h.is("name")) && tail.len() == 1
        {
            let v = if key_end.is_some() { value } else { tail };
            column = Some(one_name(v)?);
        } else if keyed(&["type", "data", "datatype"]) || keyed(&["default"]) || keyed(&["options"])
        {
            if keyed(&["default"]) {
                spec.push(word("default"));
            }
            spec.extend(value.iter().cloned());
        } else if key_end.is_none() && column.is_some() {
            // "int, default 0": what the column is.
            spec.extend(line.iter().cloned());
        } else if let Some((name, at)) = line.first().and_then(|(t, at)| t.name().map(|_| (t, at)))
            && table_of(line).is_none()
            && super::types::parse(&plain(line), 0, Engine::Sqlite).is_none()
            && (line
                .get(1)
                .is_some_and(|(t, _)| t.is_punct(':') || t.is_punct('('))
                || line.len() > 1 && !names.any_table_has_column(name.name().unwrap_or_default()))
            && !name.is_any(keywords::VERBS)
        {
            // "last_checked_on: date", "tax_rate (decimal 5,2)": a new column and its type.
            let mut item = vec![(name.clone(), *at)];
            item.extend(line[1..].iter().filter(|(t, _)| !t.is_punct(':')).cloned());
            listed.push(item);
        } else {
            return None;
        }
    }
    let table = table?;
    let mut out = vec![word("add")];
    match (column, listed.is_empty()) {
        (Some(c), true) => {
            out.push(word("column"));
            out.push(c);
            out.extend(spec);
        }
        (None, false) if spec.is_empty() => {
            for (k, item) in listed.into_iter().enumerate() {
                if k > 0 {
                    out.push((Tok::Punct(','), None));
                }
                out.extend(item);
            }
        }
        _ => return None,
    }
    out.push(word("to"));
    out.push(table);
    Some(out)
}

/// "add timezone to teams. Default it to 'UTC'.", "... Make them required.", "... Set its default to
/// 0.": a sentence that says more of what the instruction before it made, through a pronoun, is
/// part of that instruction: its verb and pronoun go and the rest joins it as options, rather than
/// reading as a second instruction (or as words of a column name).
fn follow_ups(mut clauses: Vec<(Vec<At>, bool)>) -> Vec<(Vec<At>, bool)> {
    const VERBS: &[&str] = &[
        "make", "set", "mark", "default", "keep", "have", "let", "give",
    ];
    const PRONOUNS: &[&str] = &["it", "them", "its", "their", "both", "these", "those"];
    let mut instructed = false;
    for clause in &mut clauses {
        let c = plain(&clause.0);
        let mut i = 0;
        while c
            .get(i)
            .is_some_and(|t| t.is_any(&["and", "also", "please", "pls", "then", "but", "just"]))
        {
            i += 1;
        }
        // "... needs a currency field. It is always exactly 3 letters.": what it is, said after.
        let copula = instructed
            && ((c.get(i).is_some_and(|t| t.is_any(&["it", "they"]))
                && c.get(i + 1).is_some_and(|t| t.is_any(&["is", "are"])))
                || c.get(i).is_some_and(|t| t.is("its")))
            && !c
                .iter()
                .any(|t| t.is_any(&["should", "must", "not", "no", "never"]));
        // Only when what follows describes a column (a type, an option, a length), not a reason
        // ("it is needed for the audit").
        let skip = if c.get(i).is_some_and(|t| t.is("its")) {
            i + 1
        } else {
            i + 2
        };
        let describes = |r: &[Tok]| {
            (0..r.len()).any(|k| {
                super::types::parse(r, k, Engine::Sqlite).is_some()
                    || r[k].is_any(keywords::OPTIONS)
                    || r[k].is_any(&["exactly", "letters", "characters", "chars", "digits"])
            }) && !r.iter().any(|t| {
                t.is_any(&[
                    "needed", "used", "for", "because", "since", "so", "by", "when", "why",
                ])
            })
        };
        if copula && describes(&c[skip.min(c.len())..]) {
            let rest: Vec<At> = clause.0[skip..].to_vec();
            if !rest.is_empty() {
                clause.0 = rest;
            }
            continue;
        }
        let follows = instructed
            && c.get(i).is_some_and(|t| t.is_any(VERBS))
            && c.get(i + 1).is_some_and(|t| t.is_any(PRONOUNS));
        if !follows {
            instructed |= verb_first(&c).is_some()
                || c.iter()
                    .any(|t| t.is_any(&["need", "needs", "want", "wants"]));
            continue;
        }
        let default_word = c[i].is("default");
        let mut j = i + 2;
        // "make them both ...", "set its default to 0", "have it default to 'x'", "let it be null".
        while c.get(j).is_some_and(|t| t.is_any(&["both", "all", "be"])) {
            j += 1;
        }
        let mut out: Vec<At> = vec![];
        if c[i + 1].is_any(&["them", "their", "both", "these", "those"]) {
            out.push((Tok::Word("all".into()), None));
        }
        if default_word {
            out.push(clause.0[i].clone());
        }
        let mut rest: Vec<At> = clause.0[j..].to_vec();
        let defaults_to = |r: &[At]| {
            r.first().is_some_and(|(t, _)| t.is("default"))
                && r.get(1)
                    .is_some_and(|(t, _)| t.is_any(&["to", "of", "is", "="]))
        };
        if defaults_to(&rest) {
            rest.remove(1);
        } else if default_word && rest.first().is_some_and(|(t, _)| t.is_any(&["to", "as"])) {
            rest.remove(0);
        }
        out.extend(rest);
        if out.is_empty() {
            continue;
        }
        clause.0 = out;
    }
    clauses
}

/// The clauses of the request: split at sentence ends (read from the request text, as the lexer
/// drops them) and at `;`. Each clause keeps whether a real `;` ends it.
fn clauses(request: &str, read: &[Tok], toks: &[Tok]) -> Vec<(Vec<At>, bool)> {
    let sentence = sentence_of(request, read, toks.len());
    let mut out: Vec<(Vec<At>, bool)> = vec![];
    let mut cur = vec![];
    let mut last = sentence.first().copied().unwrap_or(0);
    for (i, t) in toks.iter().enumerate() {
        let s = sentence.get(i).copied().unwrap_or(last);
        if s != last && !cur.is_empty() {
            out.push((std::mem::take(&mut cur), false));
        }
        last = s;
        if t.is_punct(';') {
            out.push((std::mem::take(&mut cur), true));
        } else {
            cur.push((t.clone(), Some(i)));
        }
    }
    out.push((cur, false));
    out
}

/// For each read token, the sentence it lies in (all 0 when the sentences cannot be told apart).
fn sentence_of(request: &str, read: &[Tok], n: usize) -> Vec<usize> {
    let none = vec![0; n];
    if read.len() != n {
        return none;
    }
    let mut pieces = vec![];
    let mut start = 0;
    let mut quote: Option<char> = None;
    let chars: Vec<(usize, char)> = request.char_indices().collect();
    for (k, &(at, c)) in chars.iter().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '`') => quote = Some(c),
            (None, '.' | '!' | '?') if chars.get(k + 1).is_none_or(|&(_, n)| n.is_whitespace()) => {
                pieces.push(&request[start..at + c.len_utf8()]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    pieces.push(&request[start..]);
    let mut raw = vec![];
    let mut piece = vec![];
    for (p, text) in pieces.iter().enumerate() {
        let Ok(ts) = tokens::lex_raw(text) else {
            return none;
        };
        piece.extend(std::iter::repeat_n(p, ts.len()));
        raw.extend(ts);
    }
    if tokens::lex_raw(request).ok().as_ref() != Some(&raw) {
        return none;
    }
    let mut out = Vec::with_capacity(n);
    let mut at = 0;
    for (i, t) in raw.iter().enumerate() {
        if at < n && *t == read[at] {
            out.push(piece[i]);
            at += 1;
        }
    }
    if at != n { none } else { out }
}

/// Whether `w` is an instruction verb here ("get" only in "get rid of").
fn verb(toks: &[Tok], i: usize) -> bool {
    toks[i].word().is_some_and(|w| {
        intents::is_verb(w)
            && w != "new"
            && (w != "get" || toks.get(i + 1).is_some_and(|t| t.is("rid")))
    })
}

/// The position of the instruction verb when only wrapper words stand before it.
fn verb_first(toks: &[Tok]) -> Option<usize> {
    for (i, t) in toks.iter().enumerate() {
        if verb(toks, i) {
            return Some(i);
        }
        let skip = t.is_any(LEAD) || t.is_punct(',') || t.is_punct(':') || *t == Tok::Break;
        if !skip {
            return None;
        }
    }
    None
}

/// Whether a word names something of the schema (a table, by either number, or a column).
fn names_schema(w: &str, names: &Names) -> bool {
    names.is_table(w)
        || names.is_table(&super::resolve::plural(w))
        || names.is_table(&super::resolve::singular(w))
        || names.any_table_has_column(w)
}

/// Whether a token says something about the schema: a value, a quoted name, a schema name, a
/// structural or option word, a type, a keyword the parsers read.
fn content(toks: &[Tok], i: usize, names: &Names) -> bool {
    match &toks[i] {
        Tok::Num(_) | Tok::Str(_) | Tok::Ident(_) => true,
        Tok::Punct(c) => matches!(c, '(' | ')' | '.' | '=' | '<' | '>'),
        Tok::Break => false,
        Tok::Word(w) => {
            if w.contains('_') || names_schema(w, names) || among(w, SCHEMA_WORDS) {
                return true;
            }
            // "it can only be one of: low, medium, high"
            if w == "one" && toks.get(i + 1).is_some_and(|t| t.is("of")) {
                return true;
            }
            if among(w, FUNCTION) {
                return false;
            }
            among(w, intents::KEYWORDS)
                || among(w, keywords::OPTIONS)
                || among(w, keywords::NOUNS)
                || super::types::parse(&toks[i..i + 1], 0, Engine::Sqlite).is_some()
                || verb(toks, i)
        }
    }
}

/// Whether `w` is one of `list`.
fn among(w: &str, list: &[&str]) -> bool {
    list.contains(&w)
}

/// Words that make a run of words a clause of its own (a subject or a finite verb): a clause with
/// one and nothing of the schema only explains ("it is needed for the audit", "the rest stays as
/// it is").
const CLAUSE_MARKS: &[&str] = &[
    "it", "its", "is", "are", "was", "were", "we", "i", "im", "you", "they", "this", "that",
    "there", "nothing", "let", "me", "would", "will", "should", "can", "could", "need", "needs",
    "do", "does", "did", "be", "been", "has", "have", "had", "rest", "else", "all", "stays",
];

/// Sign-offs and chat: a clause of nothing else only closes the request.
const CHAT: &[&str] = &[
    "thanks",
    "thank",
    "lot",
    "cheers",
    "ty",
    "thx",
    "kthx",
    "tia",
    "asap",
    "pls",
    "plz",
    "please",
    "sec",
    "lmk",
    "cool",
    "great",
    "awesome",
    "bye",
    "much",
    "appreciated",
    "u",
    "you",
    "when",
    "get",
    "a",
    "ok",
    "okay",
    "all",
    "for",
    "now",
    "today",
];

/// Whether a clause asks that something stay as it is ("leave books.author_id alone for now", "don't
/// touch the old column", "keep x as it is"): it asks for no change, so it is no part of the plan.
fn hands_off(toks: &[Tok]) -> bool {
    let mut i = 0;
    while toks
        .get(i)
        .is_some_and(|t| t.is_any(&["please", "but", "and", "just", "so", "then"]))
    {
        i += 1;
    }
    let rest = &toks[i.min(toks.len())..];
    let has = |w: &[&str]| rest.iter().any(|t| t.is_any(w));
    let as_is = rest
        .windows(2)
        .any(|w| w[0].is("as") && w[1].is_any(&["is", "it", "they"]));
    match rest.first() {
        Some(t) if t.is("leave") => {
            as_is || has(&["alone", "unchanged", "untouched", "intact", "place"])
        }
        Some(t) if t.is("keep") => as_is || has(&["unchanged", "untouched", "intact"]),
        Some(t) if t.is_any(&["dont", "don"]) => has(&["touch", "change", "modify", "drop"]),
        Some(t) if t.is("do") => {
            rest.get(1).is_some_and(|t| t.is("not")) && has(&["touch", "change", "modify", "drop"])
        }
        _ => false,
    }
}

/// Keeps the clauses that carry the request; sets aside the ones that only explain.
fn pick(
    clauses: Vec<(Vec<At>, bool)>,
    read: &[Tok],
    names: &Names,
    lenient: bool,
) -> Result<Vec<At>, Refusal> {
    // A clause asking that something stay as it is asks for nothing, when another clause asks for more.
    let asks: Vec<bool> = clauses
        .iter()
        .map(|(c, _)| c.is_empty() || !hands_off(&plain(c)))
        .collect();
    let some_ask = clauses
        .iter()
        .zip(&asks)
        .any(|((c, _), a)| !c.is_empty() && *a);
    let clauses: Vec<(Vec<At>, bool)> = if some_ask {
        clauses
            .into_iter()
            .zip(&asks)
            .filter(|(_, a)| **a)
            .map(|(c, _)| c)
            .collect()
    } else {
        clauses
    };
    let joined = |cs: &[(Vec<At>, bool)]| -> Vec<At> {
        let mut out = vec![];
        for (c, semi) in cs {
            out.extend(c.iter().cloned());
            if *semi {
                out.push((Tok::Punct(';'), None));
            }
        }
        out
    };
    let real: Vec<Vec<Tok>> = clauses
        .iter()
        .filter(|(c, _)| !c.is_empty())
        .map(|(c, _)| plain(c))
        .collect();
    let at: Vec<&Vec<At>> = clauses
        .iter()
        .filter(|(c, _)| !c.is_empty())
        .map(|(c, _)| c)
        .collect();
    if real.len() <= 1 {
        return Ok(at.first().map(|c| c.to_vec()).unwrap_or_default());
    }
    let semicolon = clauses.iter().any(|(_, s)| *s);
    let mut instructs: Vec<bool> = real.iter().map(|c| verb_first(c).is_some()).collect();
    // "After the review ..." read as "alter" at the start: a verb only by a typo correction is no
    // instruction when another clause gives one as written.
    if instructs.iter().filter(|x| **x).count() > 1 {
        let as_written: Vec<bool> = at
            .iter()
            .zip(&real)
            .map(|(c, toks)| {
                verb_first(toks).is_some_and(|v| {
                    c[v].1
                        .and_then(|k| read.get(k))
                        .is_some_and(|r| *r == c[v].0)
                })
            })
            .collect();
        if as_written.iter().filter(|x| **x).count() == 1 {
            instructs = as_written;
        }
    }
    let mut wished: Vec<bool> = vec![];
    // Read leniently: of several instructions, the one given as an order ("add middle_name to
    // employees") outweighs a wish that tells what for ("i need to store each employee's middle name").
    if lenient && instructs.iter().filter(|x| **x).count() > 1 {
        let ordered: Vec<bool> = real
            .iter()
            .zip(&instructs)
            .map(|(c, &i)| {
                i && verb_first(c)
                    .is_some_and(|v| !c[..v].iter().any(|t| t.is_any(&["i", "we", "id"])))
            })
            .collect();
        // "i need to store names. add middle_name to users": a verb that says what the data is
        // for ("store", "track", "keep") is the wish; the schema verb is the order.
        let schema_verb: Vec<bool> = real
            .iter()
            .zip(&instructs)
            .map(|(c, &i)| {
                i && verb_first(c).is_some_and(|v| {
                    !c[v].is_any(&[
                        "store", "track", "keep", "record", "save", "capture", "hold", "log",
                        "remember", "have",
                    ])
                })
            })
            .collect();
        let ordered = if ordered.iter().filter(|x| **x).count() == 1 {
            ordered
        } else {
            schema_verb
        };
        if ordered.iter().filter(|x| **x).count() == 1 {
            wished = instructs
                .iter()
                .zip(&ordered)
                .map(|(i, o)| *i && !o)
                .collect();
            instructs = ordered;
        }
    }
    let first_instruction = instructs.iter().position(|x| *x);
    // Read leniently: a sentence before the instruction that gives no instruction and asks nothing
    // of the schema ("comments get listed per post, sorted by created_at. please index ...") only
    // sets the scene.
    let scene = |k: usize| {
        first_instruction.is_some_and(|f| k < f)
            && !instructs[k]
            && plain_talk(&real[k])
            && !(0..real[k].len()).any(|i| verb(&real[k], i))
    };
    let told: Vec<bool> = real
        .iter()
        .enumerate()
        .map(|(k, c)| lenient && (story(c) || wished.get(k).copied().unwrap_or(false) || scene(k)))
        .collect();
    let carries: Vec<bool> = real
        .iter()
        .zip(&told)
        .map(|(c, told)| !told && (0..c.len()).any(|i| !verb(c, i) && content(c, i, names)))
        .collect();
    let verbs = instructs.iter().filter(|x| **x).count();
    if verbs == 0 {
        // Nothing reads as the instruction: the request as it was.
        return Ok(joined(&clauses));
    }
    if verbs > 1 {
        if semicolon {
            return Err(Refusal::unsafe_(
                "the request holds several instructions separated by `;`; ai-shell never runs several statements from one request, ask for one change at a time",
            )
            .example("add email to users"));
        }
        return Ok(joined(&clauses));
    }
    let first = instructs.iter().position(|x| *x).unwrap_or(0);
    // A clause after the instruction is set aside only when it reads as a clause of its own or as
    // a sign-off: "also surname" may be more of the request, and is left for the parsers.
    let aside = |k: usize| {
        let c = &real[k];
        told[k]
            || !carries[k]
                && (k < first
                    || c.iter().any(|t| t.is_any(CLAUSE_MARKS))
                    || c.iter()
                        .all(|t| t.is_any(CHAT) || matches!(t, Tok::Punct(_))))
    };
    if (0..real.len()).any(|k| !instructs[k] && !carries[k] && !aside(k)) {
        return Ok(joined(&clauses));
    }
    // One instruction: keep it and every clause that carries part of it, in order.
    let mut out: Vec<At> = vec![];
    for (k, c) in at.iter().enumerate() {
        if instructs[k] || carries[k] {
            if !out.is_empty() {
                out.push((Tok::Punct(','), None));
            }
            out.extend(c.iter().cloned());
        }
    }
    // A scene set aside may be what names the table: the one whose columns the instruction names.
    let kept = plain(&out);
    let names_table = |c: &[Tok]| {
        c.iter()
            .any(|t| t.name().is_some_and(|n| names.table_sure(n).is_some()))
    };
    if !names_table(&kept)
        && let Some(table) = (0..real.len())
            .filter(|&k| lenient && scene(k))
            .flat_map(|k| {
                real[k]
                    .iter()
                    .filter_map(|t| t.name().and_then(|n| names.table_sure(n)))
            })
            .find(|t| {
                kept.iter()
                    .any(|w| w.name().is_some_and(|n| names.column_sure(t, n).is_some()))
            })
    {
        out.push((Tok::Word("in".into()), None));
        out.push((Tok::Word(table.name.name.clone()), None));
    }
    Ok(out)
}

/// Cuts a reason before the instruction inside one clause: "<reason>, so drop x", "the change:
/// add x", "basically, add x", when the reason names nothing of the schema.
fn cut_reason(at: Vec<At>, names: &Names, lenient: bool) -> Vec<At> {
    let at = if lenient { cut_story_lead(at) } else { at };
    let toks = plain(&at);
    // "<what>: <verb> ..." even when the label is a verb ("the change: add ...").
    let first = verb_first(&toks);
    let Some(p) = (1..toks.len()).find(|&p| {
        verb(&toks, p)
            && (toks[p - 1].is_punct(':')
                || (first.is_none()
                    && (toks[p - 1].is_punct(',')
                        || toks[p - 1].is_any(&[
                            "so",
                            "then",
                            "therefore",
                            "hence",
                            "thus",
                            "basically",
                        ]))))
    }) else {
        return at;
    };
    let named = (0..p).any(|i| !verb(&toks, i) && content(&toks, i, names));
    // "to invoices, make t.c a foreign key": a fronted target, even one the schema lacks, is no
    // reason to cut (the parser names it when it is missing).
    let fronted_target = toks
        .first()
        .is_some_and(|t| t.is_any(&["to", "from", "into"]))
        && toks
            .get(1)
            .is_some_and(|t| t.name().is_some() && !t.is_any(LEAD));
    if !named && !fronted_target {
        return at[p..].to_vec();
    }
    // Read leniently: "loans are almost always looked up by member, so index member_id" is the
    // instruction, in the table the reason is about when the instruction names none but its
    // column is that table's.
    if !lenient || fronted_target {
        return at;
    }
    let rest = &toks[p..];
    if rest
        .iter()
        .any(|t| t.name().is_some_and(|n| names.table_sure(n).is_some()))
    {
        return at[p..].to_vec();
    }
    let Some(table) = toks[..p]
        .iter()
        .find_map(|t| t.name().and_then(|n| names.table_sure(n)))
    else {
        return at;
    };
    if !rest.iter().any(|t| {
        t.name()
            .is_some_and(|n| names.column_sure(table, n).is_some())
    }) {
        return at;
    }
    let mut out = at[p..].to_vec();
    out.push((Tok::Word("in".into()), None));
    out.push((Tok::Word(table.name.name.clone()), None));
    out
}

/// Read leniently: a first part of a clause, up to a comma or a dash, that only tells the story
/// ("we sell in bulk now, order_items.quantity should be a bigint") is set aside.
fn cut_story_lead(at: Vec<At>) -> Vec<At> {
    let toks = plain(&at);
    let Some(p) = toks.iter().position(|t| t.is_punct(',') || t.is_punct('-')) else {
        return at;
    };
    if p + 1 < toks.len() && story(&toks[..p]) {
        at[p + 1..].to_vec()
    } else {
        at
    }
}

/// Cuts wrapper words before the instruction verb ("yo can u add ...", "basically, add ...").
fn trim_lead(toks: Vec<At>) -> Vec<At> {
    match verb_first(&plain(&toks)) {
        Some(j) if j > 0 => toks[j..].to_vec(),
        _ => toks,
    }
}

/// Cuts a trailing explanation or sign-off that names nothing of the schema ("because the audit
/// needs it", "pls, ty", "when u get a sec"). A tail that may continue a list ("and surname", "as
/// well as surname") is never cut.
fn trim_tail(at: Vec<At>, names: &Names, lenient: bool) -> Vec<At> {
    let toks = plain(&at);
    // Read leniently: a tail after a comma or a dash that only tells the story ("..., we filter by
    // date constantly in the admin", "..., that's all it's ever used for") goes, whatever it mentions
    // in passing; after the verb when there is one.
    let first = (0..toks.len())
        .find(|&i| verb(&toks, i))
        .map_or(1, |v| v + 2);
    if lenient
        && let Some(p) = (first..toks.len())
            .find(|&p| (toks[p].is_punct(',') || toks[p].is_punct('-')) && story(&toks[p + 1..]))
    {
        let mut head = at[..p].to_vec();
        while head
            .last()
            .is_some_and(|(t, _)| t.is_punct(',') || t.is_punct('-'))
        {
            head.pop();
        }
        return head;
    }
    let Some(v) = (0..toks.len()).find(|&i| verb(&toks, i)) else {
        // No verb ("a unique constraint on t(c) pls"): only a sign-off is cut.
        let n = toks.len();
        let k = (0..n)
            .rev()
            .take_while(|&i| toks[i].is_any(SIGN_OFF) || toks[i].is_punct(','))
            .count();
        return if k > 0 && k < n {
            at[..n - k].to_vec()
        } else {
            at
        };
    };
    // Read leniently: a purpose after the table ("..., for the UI settings blob the frontend sends
    // us") goes even when it mentions a type word in passing.
    if lenient
        && let Some(p) = (v + 2..toks.len()).find(|&p| {
            toks[p].is_any(&["for", "because", "since", "so"])
                && toks[..p]
                    .iter()
                    .any(|t| t.name().is_some_and(|n| names.table_sure(n).is_some()))
                && !toks[p + 1..].iter().any(|t| {
                    matches!(t, Tok::Num(_) | Tok::Str(_) | Tok::Ident(_))
                        || t.is_any(keywords::OPTIONS)
                        || t.is_any(&[
                            "null", "not", "unique", "default", "index", "each", "every", "all",
                        ])
                        || t.name()
                            .is_some_and(|n| n.contains('_') || names_schema(n, names))
                })
        })
    {
        let mut head = at[..p].to_vec();
        while head.last().is_some_and(|(t, _)| t.is_punct(',')) {
            head.pop();
        }
        return head;
    }
    for p in v + 2..toks.len() {
        // A condition ("if it is empty", "when the table is empty") is never cut; "when u get a
        // sec" is chat.
        let w = if toks[p].is_punct(',') { p + 1 } else { p };
        let condition = toks.get(w).is_some_and(|t| t.is_any(&["when", "whenever"]))
            && !toks
                .get(w + 1)
                .is_some_and(|t| t.is_any(&["u", "you", "ya"]));
        let starts = !condition
            && toks
                .get(w)
                .is_some_and(|t| t.is_any(TAIL_START) || (w > p && t.is_any(CLAUSE_MARKS)));
        if starts && !(p..toks.len()).any(|i| content(&toks, i, names)) {
            let mut head = at[..p].to_vec();
            while head.last().is_some_and(|(t, _)| t.is_punct(',')) {
                head.pop();
            }
            return head;
        }
    }
    at
}

/// "add a many-to-many relationship between posts and users through a table called post_likes",
/// "posts and users should be many-to-many, via a join table named post_likes", "post_likes:
/// many-to-many posts <-> users": a link table between two tables, read as "create join table N
/// for many to many between A and B". Only when both tables exist and the new name is given.
fn many_to_many(toks: &[Tok], names: &Names) -> Option<Vec<Tok>> {
    let words: Vec<&Tok> = toks.iter().filter(|t| !t.is_punct('-')).collect();
    let marked = words
        .iter()
        .any(|t| t.is_any(&["m2m", "many_to_many", "manytomany"]))
        || words
            .windows(3)
            .any(|w| w[0].is("many") && w[1].is("to") && w[2].is("many"));
    if !marked {
        return None;
    }
    let mut tables: Vec<&crate::model::Table> = vec![];
    for t in toks {
        if let Some(x) = t.name().and_then(|n| names.table_sure(n))
            && !tables.iter().any(|y| y.name == x.name)
        {
            tables.push(x);
        }
    }
    let [a, b] = tables[..] else {
        return None;
    };
    let skip = |t: &Tok| {
        t.is_any(&[
            "a", "an", "the", "join", "junction", "link", "linking", "table", "called", "named",
            "new",
        ])
    };
    let after_marker = (0..toks.len())
        .filter(|&i| toks[i].is_any(&["called", "named", "via", "through", "table"]))
        .find_map(|i| {
            toks[i + 1..]
                .iter()
                .find(|t| !skip(t))
                .and_then(Tok::name)
                .filter(|n| !names.is_table(n) && names.table_sure(n).is_none())
        });
    let labelled = toks
        .get(1)
        .filter(|t| t.is_punct(':'))
        .and_then(|_| toks[0].name())
        .filter(|n| names.table_sure(n).is_none());
    let name = after_marker.or(labelled)?;
    let word = |w: &str| Tok::Word(w.into());
    Some(vec![
        word("create"),
        word("join"),
        word("table"),
        word(name),
        word("for"),
        word("many"),
        word("to"),
        word("many"),
        word("between"),
        word(&a.name.name),
        word("and"),
        word(&b.name.name),
    ])
}

/// "give the teams table a column called timezone", "give every member a public_id": the table is
/// the indirect object; read as "add ... to <table>".
fn give(toks: &[Tok], names: &Names) -> Option<Vec<Tok>> {
    if !toks.first()?.is("give") {
        return None;
    }
    let mut j = 1;
    while toks
        .get(j)
        .is_some_and(|t| t.is_any(&["the", "every", "each", "all", "our", "a"]))
    {
        j += 1;
    }
    let table = names.table_sure(toks.get(j)?.name()?)?;
    j += 1;
    while toks
        .get(j)
        .is_some_and(|t| t.is_any(&["table", "tables", "row", "rows", "record", "records"]))
    {
        j += 1;
    }
    let object = toks.get(j)?;
    if !(object.is_any(&["a", "an", "another", "one", "new", "some", "two", "three"])
        || object.name().is_some_and(|n| names.table_sure(n).is_none()))
    {
        return None;
    }
    let into_table = toks[j..].windows(2).any(|w| {
        w[0].is_any(&["to", "in", "on", "into"])
            && w[1].name().is_some_and(|n| names.table_sure(n).is_some())
    });
    if into_table {
        return None;
    }
    let mut out = vec![Tok::Word("add".into())];
    out.extend(toks[j..].iter().cloned());
    out.push(Tok::Word("to".into()));
    out.push(Tok::Word(table.name.name.clone()));
    Some(out)
}

/// "X: drop it", "a, b and c: add them to T": the pronoun after the colon stands for X.
fn pronoun(toks: Vec<Tok>) -> Vec<Tok> {
    // "t.c: make it ...", or without the colon "t.c make it ...".
    let bare = if toks.get(1).is_some_and(|t| t.is_punct('.')) {
        3
    } else {
        1
    };
    let colon = toks.iter().position(|t| t.is_punct(':'));
    let Some(p) = colon.or_else(|| {
        (toks.len() > bare + 1
            && toks[..bare].iter().step_by(2).all(|t| t.name().is_some())
            && verb(&toks, bare)
            && toks[bare + 1].is_any(&["it", "them"]))
        .then_some(bare)
    }) else {
        return toks;
    };
    if p == 0 || (0..p).any(|i| verb(&toks, i)) {
        return toks;
    }
    let rest = &toks[p + usize::from(colon == Some(p))..];
    let Some(v) = verb_first(rest) else {
        return toks;
    };
    let rest = &rest[v..];
    let Some(k) = rest.iter().position(|t| t.is_any(&["it", "them"])) else {
        // "city in users: add an index": what the instruction is about was said before the colon.
        let about = &toks[..p];
        let one_column = matches!(about, [c, w, t] if c.name().is_some() && t.name().is_some()
            && (w.is_punct('.') || w.is_any(&["in", "of", "on"])));
        if colon == Some(p)
            && one_column
            && rest[1..].iter().all(|t| {
                t.name().is_none()
                    || keywords::OPTIONS.contains(&t.name().unwrap_or(""))
                    || t.is_any(&[
                        "an",
                        "a",
                        "index",
                        "idx",
                        "unique",
                        "constraint",
                        "check",
                        "please",
                        "pls",
                    ])
            })
        {
            let mut out = rest.to_vec();
            out.push(Tok::Word("on".into()));
            out.extend(about.iter().cloned());
            return out;
        }
        return toks;
    };
    let subject: Vec<Tok> = toks[..p]
        .iter()
        .filter(|t| !t.is_punct('(') && !t.is_punct(')'))
        .cloned()
        .collect();
    let mut out = rest[..k].to_vec();
    out.extend(subject);
    out.extend(rest[k + 1..].iter().cloned());
    out
}

/// A fronted phrase moved after the instruction: "to T, add c" -> "add c to T".
fn front(toks: Vec<Tok>) -> Vec<Tok> {
    if toks.is_empty() || !toks[0].is_any(FRONTED) || verb_first(&toks).is_some() {
        return toks;
    }
    // The instruction: after a comma, else the first verb after a name.
    let after_comma = (2..toks.len()).find(|&j| toks[j - 1].is_punct(',') && verb(&toks, j));
    let j = after_comma.or_else(|| {
        (2..toks.len())
            .find(|&j| verb(&toks, j))
            .filter(|&j| !toks[..j].iter().any(|t| t.is_punct(',')) && toks[j - 1].name().is_some())
    });
    let Some(j) = j else {
        return toks;
    };
    let mut out = toks[j..].to_vec();
    let mut phrase = toks[..j].to_vec();
    while phrase.last().is_some_and(|t| t.is_punct(',')) {
        phrase.pop();
    }
    out.extend(phrase);
    out
}

/// Declarative and SQL-ish phrasings of known intents: "there should be a column x on t" (add),
/// "make t.c reference u" / "t.c should reference u" (a foreign key), "a unique constraint on
/// t(c)" (t.c).
fn rewrite(mut toks: Vec<Tok>, names: &Names) -> Vec<Tok> {
    if let Some(out) = declarative(&toks, names) {
        return out;
    }
    if let Some(out) = give(&toks, names) {
        return out;
    }
    if let Some(out) = many_to_many(&toks, names) {
        return out;
    }
    // "call the time_entries table worklogs (instead)": a rename.
    if toks.first().is_some_and(|t| t.is("call")) {
        let mut j = 1;
        while toks.get(j).is_some_and(|t| t.is("the")) {
            j += 1;
        }
        if let Some(table) = toks
            .get(j)
            .and_then(Tok::name)
            .and_then(|n| names.table_sure(n))
        {
            let noun = usize::from(toks.get(j + 1).is_some_and(|t| t.is("table")));
            let new_name = toks.get(j + 1 + noun).filter(|t| {
                t.name()
                    .is_some_and(|n| !names.is_table(n) && !names.any_table_has_column(n))
            });
            let tail_ok = toks[(j + 2 + noun).min(toks.len())..].iter().all(|t| {
                t.is_any(&["instead", "from", "now", "on", "please", "pls"]) || t.is_punct(',')
            });
            if let Some(n) = new_name
                && tail_ok
            {
                return vec![
                    Tok::Word("rename".into()),
                    Tok::Word("table".into()),
                    Tok::Word(table.name.name.clone()),
                    Tok::Word("to".into()),
                    n.clone(),
                ];
            }
        }
    }
    let word = |w: &str| Tok::Word(w.into());
    let modal = |t: &Tok| {
        t.is_any(&[
            "is", "are", "should", "must", "will", "needs", "need", "has", "have", "to", "can",
            "shall", "always",
        ])
    };
    // "there should be ..."
    if toks.first().is_some_and(|t| t.is("there")) {
        let k = 1 + toks[1..].iter().take_while(|t| modal(t)).count();
        if toks.get(k).is_some_and(|t| t.is("be"))
            && !(k + 1..toks.len()).any(|i| verb(&toks, i))
            && k + 1 < toks.len()
        {
            let mut out = vec![word("add")];
            out.extend(toks[k + 1..].iter().cloned());
            return out;
        }
    }
    // "t should be called n (from now on)", "the table t, I want it called n": a rename.
    if !(0..toks.len()).any(|i| verb(&toks, i))
        && let Some(k) = toks.iter().position(|t| t.is_any(&["called", "named"]))
        && let Some(new_name) = toks.get(k + 1).filter(|t| t.name().is_some())
    {
        let table_word = usize::from(toks[0].is("table"));
        let subject_end = match toks.get(table_word + 1) {
            Some(t) if t.is_punct('.') => table_word + 3,
            _ => table_word + 1,
        };
        let names_object = toks.get(table_word).and_then(Tok::name).is_some_and(|n| {
            if subject_end == table_word + 3 {
                names.table_sure(n).is_some_and(|t| {
                    toks.get(table_word + 2)
                        .and_then(Tok::name)
                        .is_some_and(|c| names.column_sure(t, c).is_some())
                })
            } else {
                names.table_sure(n).is_some()
            }
        });
        let filler = |t: &Tok| {
            t.is_any(&[
                "should", "be", "is", "will", "must", "i", "we", "want", "wanna", "it", "to",
                "from", "now", "on", "get", "gets", "have", "has", "need", "needs", "would",
                "like",
            ]) || t.is_punct(',')
        };
        if names_object
            && subject_end <= k
            && toks[subject_end..k].iter().all(filler)
            && toks[k + 2..].iter().all(filler)
        {
            let mut out = vec![word("rename")];
            out.extend(toks[..subject_end].iter().cloned());
            out.push(word("to"));
            out.push(new_name.clone());
            return out;
        }
    }
    // A reference: "make t.c reference u", "t.c should reference u", "t.c must point to u".
    let refers = toks.iter().position(|t| {
        t.is_any(&[
            "reference",
            "references",
            "refer",
            "refers",
            "point",
            "points",
        ])
    });
    if let Some(r) = refers
        && r > 0
        && !toks.iter().any(|t| t.is_any(&["foreign", "fk", "key"]))
        && toks.get(r + 1).and_then(Tok::name).is_some()
    {
        let mut after = if toks[r + 1].is("to") { r + 2 } else { r + 1 };
        // "point to a row in patrons": the table.
        if toks
            .get(after)
            .is_some_and(|t| t.is_any(&["row", "rows", "record", "records"]))
            && toks
                .get(after + 1)
                .is_some_and(|t| t.is_any(&["in", "of", "from"]))
        {
            after += 2;
        }
        let v = verb_first(&toks);
        let subject: Option<Vec<Tok>> = match v {
            Some(v) if toks[v].is_any(&["make", "set"]) => Some(toks[v + 1..r].to_vec()),
            None if !(0..toks.len()).any(|i| verb(&toks, i)) => {
                let end = (0..r).rev().take_while(|&i| modal(&toks[i])).count();
                Some(toks[..r - end].to_vec())
            }
            _ => None,
        };
        // The subject is one column: `c` or `t.c` (a new table's list is read by its parser).
        let one_column = |s: &[Tok]| match s {
            [c] => c.name().is_some(),
            [t, dot, c] => t.name().is_some() && dot.is_punct('.') && c.name().is_some(),
            _ => false,
        };
        let subject = subject.map(|s| {
            let k = s
                .iter()
                .take_while(|t| t.is_any(&["every", "each", "all", "any"]))
                .count();
            s[k..].to_vec()
        });
        if let Some(subject) = subject
            && one_column(&subject)
            // "... point to the employees table": the word after the target only says what it is.
            && !toks
                .iter()
                .enumerate()
                .any(|(i, t)| t.is_any(&["table", "tables", "new"]) && i != after + 1)
            && toks.get(after).and_then(Tok::name).is_some()
        {
            let mut out = vec![word("link")];
            out.extend(subject);
            out.push(word("to"));
            out.extend(
                toks[after..]
                    .iter()
                    .enumerate()
                    .filter(|(i, t)| !(*i == 1 && t.is_any(&["table", "tables"])))
                    .map(|(_, t)| t.clone()),
            );
            return out;
        }
    }
    // "a unique constraint on t(c)": t.c
    if toks
        .iter()
        .any(|t| t.is_any(&["unique", "constraint", "check"]))
        && !toks.iter().any(|t| t.is_any(&["index", "idx", "indexes"]))
    {
        let mut i = 0;
        while i + 3 < toks.len() {
            let table = toks[i].name().and_then(|n| names.table_sure(n));
            if let Some(table) = table
                && toks[i + 1].is_punct('(')
                && toks[i + 3].is_punct(')')
                && toks[i + 2]
                    .name()
                    .is_some_and(|c| names.column_sure(table, c).is_some())
            {
                let c = toks[i + 2].clone();
                toks.splice(i + 1..i + 4, [Tok::Punct('.'), c]);
            }
            i += 1;
        }
    }
    toks
}

/// A table or column of the schema at the start of a statement about it: `t.c`, `c in t`, `the c
/// column in t`, `column c of t`, `t`, `the t table`, `table t`. Returns the table token, the column
/// token and where the subject ends.
fn subject(toks: &[Tok], names: &Names) -> Option<(Tok, Option<Tok>, usize)> {
    let table = |k: usize| {
        toks.get(k)
            .and_then(Tok::name)
            .and_then(|n| names.table_sure(n))
    };
    let column_of = |t: &crate::model::Table, k: usize| {
        toks.get(k)
            .and_then(Tok::name)
            .is_some_and(|c| names.column_sure(t, c).is_some())
    };
    let of = |k: usize| {
        toks.get(k)
            .is_some_and(|t| t.is_any(&["in", "of", "on", "from"]))
    };
    // t.c
    if let Some(t) = table(0)
        && toks.get(1).is_some_and(|d| d.is_punct('.'))
        && column_of(t, 2)
    {
        return Some((toks[0].clone(), Some(toks[2].clone()), 3));
    }
    // c in t, c column in t, column c in t
    let (c, after) = match (toks.first(), toks.get(1)) {
        (Some(n), Some(col)) if col.is_any(&["column", "field"]) && n.name().is_some() => (0, 2),
        (Some(col), Some(n)) if col.is_any(&["column", "field"]) && n.name().is_some() => (1, 2),
        (Some(n), _) if n.name().is_some() => (0, 1),
        _ => (usize::MAX, 0),
    };
    if c != usize::MAX
        && of(after)
        && let Some(t) = table(after + 1)
        && column_of(t, c)
    {
        let mut end = after + 2;
        if toks.get(end).is_some_and(|t| t.is_any(&["table"])) {
            end += 1;
        }
        return Some((toks[after + 1].clone(), Some(toks[c].clone()), end));
    }
    // t, t table, table t
    let at = usize::from(toks.first().is_some_and(|t| t.is("table")));
    table(at)?;
    let mut end = at + 1;
    if at == 0 && toks.get(1).is_some_and(|t| t.is("table")) {
        end = 2;
    }
    Some((toks[at].clone(), None, end))
}

/// A statement about a table or column with no instruction verb, read as the instruction it
/// asks for: "t.c should be indexed" (index), "c in t is obsolete and should go" / "t should not
/// exist anymore" (drop), "the c column in t should be named n instead" (rename), "c in t doesn't
/// have to be filled in anymore" (nullable), "t is missing a c column" (add).
fn declarative(toks: &[Tok], names: &Names) -> Option<Vec<Tok>> {
    // "needs an index": the noun, not the verb.
    let noun_index = |i: usize| {
        toks[i].is("index")
            && i > 0
            && toks[i - 1].is_any(&["a", "an", "need", "needs", "require", "requires"])
    };
    if (0..toks.len()).any(|i| verb(toks, i) && !noun_index(i)) {
        return None;
    }
    let (table, column, end) = subject(toks, names)?;
    let rest = &toks[end..];
    let has = |w: &[&str]| rest.iter().any(|t| t.is_any(w));
    let negated = has(&[
        "not", "no", "never", "doesnt", "dont", "isnt", "shouldnt", "neednt",
    ]);
    let copula = |t: &Tok| {
        t.is_any(&[
            "is", "are", "should", "must", "can", "could", "may", "will", "be", "been", "needs",
            "need", "to", "has", "have", "now", "really", "also", "and", "just", "simply",
        ]) || t.is_punct(',')
    };
    let w = |s: &str| Tok::Word(s.into());
    let target = |out: &mut Vec<Tok>| {
        out.push(table.clone());
        if let Some(c) = &column {
            out.push(Tok::Punct('.'));
            out.push(c.clone());
        }
    };
    let mut out = vec![];
    let first = rest.iter().position(|t| !copula(t))?;
    let predicate = &rest[first..];
    let p = |k: usize| predicate.get(k).and_then(Tok::word);
    // "is missing a c column", "lacks c": an addition to the table.
    if column.is_none() && matches!(p(0), Some("missing" | "lacking" | "lacks")) && !negated {
        out.push(w("add"));
        out.extend(predicate[1..].iter().cloned());
        out.push(w("to"));
        out.push(table);
        return Some(out);
    }
    // "should be named n (instead)", "should be called n"
    if matches!(p(0), Some("named" | "called" | "renamed"))
        && !negated
        && let Some(new_name) = predicate.get(1).filter(|t| t.name().is_some())
        && predicate[2..].iter().all(|t| {
            t.is_any(&["instead", "now", "from", "on", "going", "forward"]) || t.is_punct(',')
        })
    {
        out.push(w("rename"));
        if column.is_none() {
            out.push(w("table"));
        }
        target(&mut out);
        out.push(w("to"));
        out.push(new_name.clone());
        return Some(out);
    }
    let only = |words: &[&str]| {
        predicate.iter().all(|t| {
            t.is_any(words)
                || copula(t)
                || t.is_any(&[
                    "not", "no", "never", "doesnt", "dont", "longer", "anymore", "any", "more",
                ])
        })
    };
    // "should be indexed", "needs an index", "lookups ... need an index" (the subject comes first here)
    if column.is_some()
        && !negated
        && only(&["indexed", "index", "an"])
        && has(&["indexed", "index"])
    {
        out.extend([w("add"), w("index"), w("on")]);
        target(&mut out);
        return Some(out);
    }
    // "t should no longer have a c column", "t doesn't need its c field anymore": that column goes.
    if column.is_none()
        && negated
        && has(&["longer", "anymore"])
        && has(&["have", "has", "need", "needs", "keep"])
    {
        let named: Vec<&Tok> = predicate
            .iter()
            .filter(|t| {
                t.name().is_some_and(|n| {
                    table
                        .name()
                        .and_then(|tn| names.table_sure(tn))
                        .is_some_and(|tt| names.column_sure(tt, n).is_some())
                })
            })
            .collect();
        if let [c] = named.as_slice()
            && only(&[
                "have",
                "has",
                "need",
                "keep",
                "a",
                "an",
                "the",
                "its",
                "their",
                "column",
                "field",
                (*c).name().unwrap_or_default(),
            ])
        {
            out.push(w("drop"));
            out.push(table.clone());
            out.push(Tok::Punct('.'));
            out.push((*c).clone());
            return Some(out);
        }
    }
    // "is obsolete and should go", "should not exist anymore", "can be dropped", "is no longer needed"
    let gone = has(&["go", "obsolete", "dropped", "removed", "deleted"]) && !negated;
    let not_there = negated && has(&["exist", "needed"]) && has(&["anymore", "longer"]);
    if (gone || not_there)
        && only(&[
            "go", "obsolete", "dropped", "removed", "deleted", "exist", "needed", "away", "gone",
        ])
    {
        out.push(w("drop"));
        if column.is_none() {
            out.push(w("table"));
        }
        target(&mut out);
        return Some(out);
    }
    // "doesn't have to be filled in anymore", "no longer has to be filled"
    if column.is_some()
        && negated
        && has(&["filled", "set", "given", "provided"])
        && only(&["filled", "in", "set", "given", "provided", "out"])
    {
        out.push(w("make"));
        target(&mut out);
        out.push(w("optional"));
        return Some(out);
    }
    None
}

/// "membership level", "net pay", "hire date": words that spell an existing column's name with
/// spaces for underscores are that column (three words before two).
fn joined_columns(toks: Vec<Tok>, names: &Names) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    'next: while i < toks.len() {
        for n in [3, 2] {
            let Some(ws) = toks.get(i..i + n).and_then(|run| {
                run.iter()
                    .map(|t| match t {
                        Tok::Word(w) => Some(w.as_str()),
                        _ => None,
                    })
                    .collect::<Option<Vec<&str>>>()
            }) else {
                continue;
            };
            let joined = ws.join("_");
            if names.any_table_has_column(&joined) && !names.is_table(&joined) {
                out.push(Tok::Word(joined));
                i += n;
                continue 'next;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// Phrases with one plain meaning, read as the word the parsers know: "null allowed", "can be
/// empty" (nullable); "entity" (table); "not only the name" (a comparison, not a target: cut);
/// "T: new int col c" (add).
/// "multi_column", "two_columns", "single_col": a count of columns joined to the word "column".
pub(crate) fn counted_columns(w: &str) -> bool {
    ["_column", "_columns", "_col", "_cols"]
        .iter()
        .any(|suffix| {
            w.strip_suffix(suffix).is_some_and(|p| {
                matches!(
                    p,
                    "multi"
                        | "multiple"
                        | "single"
                        | "one"
                        | "two"
                        | "three"
                        | "four"
                        | "2"
                        | "3"
                        | "4"
                )
            })
        })
}

fn phrases(toks: Vec<Tok>, names: &Names) -> Vec<Tok> {
    let word = |w: &str| Tok::Word(w.into());
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let w = |k: usize| toks.get(i + k).and_then(Tok::word);
        let t = &toks[i];
        // "null allowed", "nulls ok", "null is fine"
        if t.is_any(&["null", "nulls", "empty", "blank"])
            && !out
                .last()
                .is_some_and(|p: &Tok| p.is_any(&["not", "no", "non", "never"]))
        {
            let k = if w(1) == Some("is") { 2 } else { 1 };
            if w(k).is_some_and(|x| matches!(x, "allowed" | "ok" | "okay" | "fine" | "permitted")) {
                out.push(word("nullable"));
                i += k + 1;
                continue;
            }
            // "null until the order ships", "empty unless it was refunded": nullable, and the
            // condition only says when.
            let end = (i + 2..toks.len())
                .find(|&k| matches!(toks[k], Tok::Punct(',' | ';' | ')') | Tok::Break))
                .unwrap_or(toks.len());
            if w(1).is_some_and(|x| matches!(x, "until" | "till" | "unless" | "before"))
                && toks[(i + 2).min(end)..end].iter().all(|t| {
                    !matches!(t, Tok::Num(_) | Tok::Str(_) | Tok::Ident(_))
                        && !t.is_any(keywords::OPTIONS)
                })
            {
                out.push(word("nullable"));
                i = end;
                continue;
            }
        }
        // "a multi-column index", "a two-column unique key": how many columns, said by the list.
        if t.word().is_some_and(counted_columns)
            && w(1).is_some_and(|x| matches!(x, "index" | "indexes" | "unique" | "key" | "primary"))
        {
            i += 1;
            continue;
        }
        // "has no duplicates", "with no duplicate values": unique.
        if t.is_any(&["has", "have", "with", "contains", "contain"])
            && w(1) == Some("no")
            && w(2).is_some_and(|x| matches!(x, "duplicate" | "duplicates" | "dupes" | "repeats"))
        {
            let k = if w(3).is_some_and(|x| matches!(x, "values" | "entries")) {
                4
            } else {
                3
            };
            out.extend([word("is"), word("unique")]);
            i += k;
            continue;
        }
        // "allow empty values", "allows blank entries": nullable.
        if t.is_any(&["allow", "allows", "allowing", "accept", "accepts"])
            && w(1).is_some_and(|x| matches!(x, "empty" | "blank" | "missing" | "null"))
            && w(2).is_some_and(|x| matches!(x, "values" | "value" | "entries"))
        {
            out.push(word("nullable"));
            i += 3;
            continue;
        }
        // "drop: old_table", "remove: users.zip": the verb, then what it acts on.
        if i == 0
            && t.is_any(&["drop", "remove", "delete"])
            && toks.get(1).is_some_and(|t| t.is_punct(':'))
            && toks.get(2).and_then(Tok::name).is_some()
        {
            out.push(t.clone());
            i += 2;
            continue;
        }
        // "..., new name is n", "the new name should be n": the rename's target.
        if t.is("new") && w(1) == Some("name") && !out.is_empty() {
            let mut k = 2;
            while toks.get(i + k).is_some_and(|t| {
                t.is_any(&["is", "should", "will", "be", "shall"]) || t.is_punct(':')
            }) {
                k += 1;
            }
            if k > 2 && toks.get(i + k).and_then(Tok::name).is_some() {
                if out.last().is_some_and(|p| p.is_punct(',')) {
                    out.pop();
                }
                out.push(word("to"));
                i += k;
                continue;
            }
        }
        // "in users the column zip we want to call postal_code": a rename, said as a wish.
        if t.is_any(&["we", "i"])
            && w(1).is_some_and(|x| matches!(x, "want" | "wanna" | "would" | "like" | "need"))
            && !out.is_empty()
            && !toks.iter().any(|t| t.is("rename"))
        {
            let k = (2..5).find(|&k| w(k) == Some("call"));
            if let Some(k) = k
                && toks.get(i + k + 1).and_then(Tok::name).is_some()
                && i + k + 2 == toks.len()
                && !(0..i).any(|j| verb(&toks, j))
            {
                out.insert(0, word("rename"));
                out.push(word("to"));
                i += k + 1;
                continue;
            }
        }
        // "lookups on t.c need an index", "speed up lookups on t.c with an index": what the index serves
        // names its column.
        let served = |k: usize| {
            toks.get(i + k).is_some_and(|t| {
                t.is_any(&[
                    "lookups",
                    "lookup",
                    "searches",
                    "searching",
                    "queries",
                    "filtering",
                    "sorting",
                ])
            }) && toks
                .get(i + k + 1)
                .is_some_and(|t| t.is_any(&["on", "by", "of", "over"]))
        };
        if out.is_empty() && served(0) {
            i += 2;
            continue;
        }
        if out.is_empty()
            && t.is("speed")
            && w(1) == Some("up")
            && served(2)
            && let Some(with) = (i + 4..toks.len()).find(|&k| {
                toks[k].is("with")
                    && toks[k + 1..]
                        .iter()
                        .all(|t| t.is_any(&["a", "an", "index", "indexes"]))
                    && toks[k + 1..].iter().any(|t| t.is("index"))
            })
        {
            out.extend([word("add"), word("index"), word("on")]);
            out.extend(toks[i + 4..with].iter().cloned());
            i = toks.len();
            continue;
        }
        // "m2m": many to many.
        if t.is("m2m") {
            out.extend([word("many"), word("to"), word("many")]);
            i += 1;
            continue;
        }
        // "set up a reviews table": create.
        if t.is("set") && w(1) == Some("up") && toks[i + 2..].iter().take(4).any(|t| t.is("table"))
        {
            out.push(word("create"));
            i += 2;
            continue;
        }
        // "can be empty", "may be null", "both can be blank"
        if t.is_any(&["can", "may", "could"])
            && w(1) == Some("be")
            && w(2)
                .is_some_and(|x| matches!(x, "null" | "empty" | "blank" | "missing" | "nullable"))
            && !out
                .last()
                .is_some_and(|p: &Tok| p.is_any(&["not", "never"]))
        {
            out.push(word("nullable"));
            i += 3;
            continue;
        }
        // "entity": a table; "attribute", "property": a column (where no such table or column exists)
        if let Some(x) = t.word()
            && !names.is_table(x)
            && !names.any_table_has_column(x)
        {
            let noun = match x {
                "entity" => Some("table"),
                "entities" => Some("tables"),
                "attribute" | "property" | "attr" => Some("column"),
                "attributes" | "properties" | "attrs" => Some("columns"),
                _ => None,
            };
            if let Some(n) = noun {
                out.push(word(n));
                i += 1;
                continue;
            }
        }
        // "..., not only the name": what already holds, named for comparison.
        if t.is("not")
            && w(1).is_some_and(|x| matches!(x, "only" | "just"))
            && out.last().is_some_and(|p| p.is_punct(','))
        {
            out.pop();
            let end = (i..toks.len())
                .find(|&k| toks[k].is_punct(',') || toks[k].is_punct(';'))
                .unwrap_or(toks.len());
            i = end;
            continue;
        }
        // "no two books may share an isbn", "two people must never have the same handle": a unique
        // constraint, stated as what may never happen.
        if (t.is("no") && w(1) == Some("two"))
            || (t.is("two") && (i == 0 || matches!(toks[i - 1], Tok::Punct(_) | Tok::Break)))
        {
            let start = if t.is("no") { i + 2 } else { i + 1 };
            let modal = (start..toks.len()).find(|&k| {
                toks[k].is_any(&[
                    "may", "can", "should", "must", "will", "are", "is", "shall", "could", "ever",
                    "share", "have", "has", "get",
                ])
            });
            let same = modal.and_then(|m| {
                (m..toks.len()).find(|&k| toks[k].is_any(&["same", "share", "sharing"]))
            });
            if let (Some(m), Some(r)) = (modal, same)
                && m > start
            {
                let mut k = r + 1;
                while toks.get(k).is_some_and(|t| {
                    t.is_any(&[
                        "the",
                        "a",
                        "an",
                        "same",
                        "value",
                        "values",
                        "of",
                        "for",
                        "combination",
                        "pair",
                    ])
                }) {
                    k += 1;
                }
                let end = (k..toks.len())
                    .find(|&j| matches!(toks[j], Tok::Punct(',' | ';') | Tok::Break))
                    .unwrap_or(toks.len());
                let subject: Vec<Tok> = toks[start..m]
                    .iter()
                    .filter(|t| !t.is_any(&["rows", "records", "entries", "in", "of", "the"]))
                    .cloned()
                    .collect();
                if end > k && !subject.is_empty() {
                    out.push(word("make"));
                    out.extend(toks[k..end].iter().cloned());
                    out.push(word("unique"));
                    out.push(word("in"));
                    out.extend(subject);
                    i = end;
                    continue;
                }
            }
        }
        // "when an employee is deleted their payslips should go too", "if a branch gets deleted
        // just set the book's branch to null": the foreign key's action on delete.
        if t.is_any(&["when", "if", "whenever", "once"]) {
            let end = (i + 1..toks.len())
                .find(|&k| matches!(toks[k], Tok::Punct(',' | ';' | '(') | Tok::Break))
                .map(|k| {
                    // "when X is deleted, delete its Y": the consequence after the comma belongs.
                    let next = (k + 1..toks.len())
                        .find(|&j| matches!(toks[j], Tok::Punct(';' | '(') | Tok::Break))
                        .unwrap_or(toks.len());
                    if toks[k].is_punct(',')
                        && !(k + 1..next).any(|j| {
                            verb(&toks, j) && !toks[j].is_any(&["delete", "remove", "set", "make"])
                        })
                    {
                        next
                    } else {
                        k
                    }
                })
                .unwrap_or(toks.len());
            let span = &toks[i + 1..end];
            let deleted = span
                .iter()
                .position(|t| t.is_any(&["deleted", "removed", "dropped", "erased"]));
            if let Some(d) = deleted
                && d <= 5
            {
                let after = &span[d + 1..];
                let action: Option<&[&str]> =
                    if after.iter().any(|t| t.is_any(&["null", "nulls", "empty"])) {
                        Some(&["set", "null"])
                    } else if after.iter().any(|t| {
                        t.is_any(&[
                            "delete",
                            "deleted",
                            "go",
                            "goes",
                            "gone",
                            "removed",
                            "disappear",
                            "cascade",
                            "too",
                            "also",
                            "well",
                        ])
                    }) {
                        Some(&["cascade"])
                    } else if after.iter().any(|t| {
                        t.is_any(&[
                            "block",
                            "blocked",
                            "prevent",
                            "prevented",
                            "refuse",
                            "refused",
                            "fail",
                            "restrict",
                            "stop",
                        ])
                    }) {
                        Some(&["restrict"])
                    } else {
                        None
                    };
                if let Some(action) = action {
                    while out.last().is_some_and(|p| p.is_punct(',')) {
                        out.pop();
                    }
                    out.push(word("on"));
                    out.push(word("delete"));
                    out.extend(action.iter().map(|w| word(w)));
                    i = end;
                    continue;
                }
            }
        }
        // "..., it can only be one of: a, b", "... . they must be unique": the pronoun is the subject
        // already named; what follows is said of it.
        if out.last().is_some_and(|p| p.is_punct(',')) && t.is_any(&["it", "they", "its"]) {
            let mut k = i + 1;
            while toks.get(k).is_some_and(|t| {
                t.is_any(&[
                    "can", "must", "should", "will", "may", "has", "have", "to", "only", "always",
                    "be", "is", "are",
                ])
            }) {
                k += 1;
            }
            if k > i + 1
                && toks.get(k).is_some_and(|t| {
                    t.is_any(&["one", "exactly"])
                        || t.is_any(keywords::OPTIONS)
                        || super::types::parse(&toks, k, Engine::Sqlite).is_some()
                })
            {
                i = k;
                continue;
            }
        }
        // "t.c is a varchar(4) but it should be an integer", "c is stored as text but ...": what the
        // column is now only leads up to what it should be.
        if t.is_any(&["is", "was", "holds", "has", "contains"])
            && i > 0
            && out.iter().all(|p| p.name().is_some() || p.is_punct('.'))
            && !out.is_empty()
            && let Some(b) = (i + 1..toks.len()).find(|&k| toks[k].is("but"))
            && !toks[i + 1..b]
                .iter()
                .any(|t| matches!(t, Tok::Str(_) | Tok::Ident(_)))
        {
            let subject = out.clone();
            let rest = &toks[b + 1..];
            let mut k = 0;
            // "but its always digits. convert to int": a second description before the instruction.
            if rest.first().is_some_and(|t| t.is_any(&["its", "theyre"])) {
                k = rest
                    .iter()
                    .position(|t| t.is_punct(','))
                    .map_or(rest.len(), |p| p + 1);
            }
            let rest = &rest[k..];
            if rest.iter().any(|t| t.is_any(&["it", "they", "them"])) {
                out.clear();
                for r in rest {
                    if r.is_any(&["it", "they", "them"]) {
                        out.extend(subject.iter().cloned());
                    } else {
                        out.push(r.clone());
                    }
                }
                i = toks.len();
                continue;
            }
            if rest
                .first()
                .and_then(Tok::word)
                .is_some_and(intents::is_verb)
            {
                out.clear();
                out.extend(rest.iter().cloned());
                out.extend(subject);
                i = toks.len();
                continue;
            }
        }
        // A reference in other words: "with a FK to authors", "as a foreign key to teams", "pointing
        // at teams", "that points to users", "referencing people", "refers to orders".
        {
            let mut k = i;
            if t.is_any(&["that", "which"])
                && w(1).is_some_and(|x| {
                    matches!(
                        x,
                        "points" | "point" | "refers" | "refer" | "references" | "reference"
                    )
                })
            {
                k += 1;
            }
            let at = |j: usize| toks.get(j).and_then(Tok::word);
            let mut target = None;
            if toks[k].is_any(&["with", "as"]) {
                let mut j = k + 1;
                while at(j).is_some_and(|x| matches!(x, "a" | "an" | "the" | "proper")) {
                    j += 1;
                }
                if at(j) == Some("fk") || (at(j) == Some("foreign") && at(j + 1) == Some("key")) {
                    j += if at(j) == Some("fk") { 1 } else { 2 };
                    if at(j).is_some_and(|x| {
                        matches!(
                            x,
                            "to" | "on" | "into" | "referencing" | "references" | "towards"
                        )
                    }) {
                        target = Some(j + 1);
                    }
                }
            } else if toks[k].is_any(&["pointing", "points", "point", "linked", "refers", "refer"])
                && at(k + 1).is_some_and(|x| matches!(x, "at" | "to" | "towards"))
            {
                target = Some(k + 2);
            } else if toks[k].is("referencing") {
                target = Some(k + 1);
            }
            if let Some(j) = target
                && let Some(n) = toks.get(j).and_then(Tok::name)
                && names.table_sure(n).is_some()
            {
                out.push(word("references"));
                out.push(toks[j].clone());
                i = j + 1;
                continue;
            }
        }
        // "milestones belong to a project (project_id)", "each order belongs to a customer via
        // customer_id": a foreign key from the column that holds the other row's id.
        if t.is_any(&["belong", "belongs"])
            && w(1) == Some("to")
            && let Some(owner) = out
                .iter()
                .rev()
                .find_map(|p| p.name().and_then(|n| names.table_sure(n)))
        {
            let mut j = i + 2;
            while toks
                .get(j)
                .is_some_and(|t| t.is_any(&["a", "an", "the", "one", "exactly", "single"]))
            {
                j += 1;
            }
            if let Some(target) = toks
                .get(j)
                .and_then(Tok::name)
                .and_then(|n| names.table_sure(n))
            {
                j += 1;
                let mut col: Option<String> = None;
                let mut k = j;
                if toks.get(k).is_some_and(|t| t.is_punct('(')) {
                    k += 1;
                }
                if toks
                    .get(k)
                    .is_some_and(|t| t.is_any(&["via", "through", "using", "by"]))
                {
                    k += 1;
                }
                if let Some(n) = toks.get(k).and_then(Tok::name)
                    && names.column_sure(owner, n).is_some()
                {
                    col = Some(n.to_string());
                    j = k + 1;
                    if toks.get(j).is_some_and(|t| t.is_punct(')')) {
                        j += 1;
                    }
                }
                let col = col.or_else(|| {
                    let guess = format!("{}_id", super::resolve::singular(&target.name.name));
                    names.column_sure(owner, &guess).map(|c| c.name.clone())
                });
                if let Some(col) = col {
                    out.clear();
                    out.extend([
                        word("add"),
                        word("foreign"),
                        word("key"),
                        word("on"),
                        Tok::Word(owner.name.name.clone()),
                        Tok::Punct('.'),
                        Tok::Word(col),
                        word("references"),
                        Tok::Word(target.name.name.clone()),
                    ]);
                    // ", add the fk with on delete cascade": the same key, said again.
                    let mut rest = j;
                    while toks.get(rest).is_some_and(|t| {
                        t.is_punct(',')
                            || t.is_any(&[
                                "add",
                                "create",
                                "make",
                                "the",
                                "a",
                                "an",
                                "fk",
                                "foreign",
                                "key",
                                "constraint",
                                "with",
                                "and",
                                "so",
                            ])
                    }) {
                        rest += 1;
                    }
                    i = rest;
                    continue;
                }
            }
        }
        // "(like 4.37)", "(e.g. EUR)", ", like EUR or USD", "such as ...": examples, not values.
        if t.is_punct('(')
            && w(1).is_some_and(|x| matches!(x, "like" | "eg" | "e" | "such" | "for" | "say"))
            && (w(1) != Some("for") || w(2) == Some("example"))
            && (w(1) != Some("e") || toks.get(i + 2).is_some_and(|t| t.is_punct('.')))
            && let Some(close) = (i + 1..toks.len()).find(|&k| toks[k].is_punct(')'))
        {
            i = close + 1;
            continue;
        }
        if t.is_punct(',')
            && (w(1) == Some("like") || (w(1) == Some("such") && w(2) == Some("as")))
            && toks[i + 1..].iter().all(|t| {
                !matches!(t, Tok::Ident(_))
                    && !t.is_any(&["default", "unique", "not", "null", "index"])
            })
        {
            let end = (i + 1..toks.len())
                .find(|&k| toks[k].is_punct(',') || toks[k].is_punct(';'))
                .unwrap_or(toks.len());
            i = end;
            continue;
        }
        // "floating point number": a float.
        if t.is("floating") && w(1) == Some("point") {
            out.push(word("float"));
            i += 2;
            while toks
                .get(i)
                .is_some_and(|t| t.is_any(&["number", "numbers", "value", "values"]))
            {
                i += 1;
            }
            continue;
        }
        // "always exactly 3 letters": one word says it.
        if t.is("always") && w(1) == Some("exactly") {
            i += 1;
            continue;
        }
        // "exactly 3 letters, like EUR or USD": examples of the values, no list of them.
        if t.is_punct(',')
            && w(1).is_some_and(|x| matches!(x, "like" | "eg" | "e_g"))
            && out.last().is_some_and(|p: &Tok| p.is_punct(')'))
        {
            let end = (i + 2..toks.len())
                .find(|&k| matches!(toks[k], Tok::Punct(';') | Tok::Break) || toks[k].is_punct(','))
                .unwrap_or(toks.len());
            let examples = toks[i + 2..end].iter().all(|x| {
                x.is_any(&["or", "and"])
                    || matches!(x, Tok::Str(_) | Tok::Num(_))
                    || x.name()
                        .is_some_and(|n| !names_schema(n, names) && !n.contains('_'))
            });
            if examples && end > i + 2 {
                i = end;
                continue;
            }
        }
        // "exactly 3 letters", "always 2 characters": a fixed-length text.
        if t.is_any(&["exactly", "always"])
            && let Some(Tok::Num(n)) = toks.get(i + 1)
            && w(2).is_some_and(|x| {
                matches!(
                    x,
                    "letters" | "characters" | "chars" | "letter" | "character"
                )
            })
        {
            out.extend([
                word("char"),
                Tok::Punct('('),
                Tok::Num(n.clone()),
                Tok::Punct(')'),
            ]);
            i += 3;
            continue;
        }
        // "a column named photo that holds the raw image bytes": what the new column holds
        // describes it; only its type words count.
        if out
            .iter()
            .take(3)
            .any(|f| f.is_any(&["add", "include", "give"]))
            && out.last().is_some_and(|p| p.name().is_some())
            && ((t.is_any(&["that", "which"])
                && w(1).is_some_and(|x| {
                    matches!(x, "holds" | "stores" | "contains" | "keeps" | "will")
                }))
                || t.is_any(&["holding", "storing", "containing"]))
        {
            let end = (i + 1..toks.len())
                .find(|&k| {
                    matches!(toks[k], Tok::Punct(',' | ';' | '(') | Tok::Break)
                        || toks[k].is_any(&["to", "in", "on"])
                })
                .unwrap_or(toks.len());
            for k in i + 1..end {
                if super::types::parse(&toks, k, Engine::Sqlite).is_some()
                    && !toks[k].is_any(&["number", "numbers", "date", "time"])
                    || toks[k].is_any(keywords::OPTIONS)
                {
                    out.push(toks[k].clone());
                }
            }
            i = end;
            continue;
        }
        // "default to 'todo' instead of 'open'", "'standard' rather than 'basic'": the value it has
        // now, said for comparison.
        if ((t.is("instead") && w(1) == Some("of")) || (t.is("rather") && w(1) == Some("than")))
            && out
                .last()
                .is_some_and(|p| matches!(p, Tok::Str(_) | Tok::Num(_)))
            && toks
                .get(i + 2)
                .is_some_and(|n| matches!(n, Tok::Str(_) | Tok::Num(_)))
        {
            i += 3;
            continue;
        }
        // "should really be called", "should actually be called": the adverb adds nothing.
        if t.is_any(&["really", "actually", "rather"])
            && out
                .last()
                .is_some_and(|p| p.is_any(&["should", "must", "would", "be"]))
            && w(1).is_some_and(|x| matches!(x, "be" | "called" | "named"))
        {
            i += 1;
            continue;
        }
        // "can we call that table profiles instead": a rename of the table named before.
        if t.is("call")
            && w(1).is_some_and(|x| matches!(x, "that" | "this" | "the" | "it"))
            && w(2).is_some_and(|x| matches!(x, "table" | "column"))
            && let Some(new_name) = toks.get(i + 3).filter(|n| n.name().is_some())
            && let Some(old) = out
                .iter()
                .chain(&toks[..i])
                .find_map(|p| p.name().filter(|n| names.table_sure(n).is_some()))
        {
            let old = old.to_string();
            out.clear();
            out.extend([
                word("rename"),
                word("table"),
                Tok::Word(old),
                word("to"),
                new_name.clone(),
            ]);
            i = toks.len();
            continue;
        }
        // "unique across employees": unique in that table.
        if t.is("across") && out.last().is_some_and(|p| p.is("unique")) {
            out.push(word("in"));
            i += 1;
            continue;
        }
        // "T: new int col c", "T: new column c"
        if t.is("new")
            && i >= 2
            && toks[i - 1].is_punct(':')
            && !w(1).is_some_and(|x| matches!(x, "table" | "tables"))
            && toks[..i - 1]
                .iter()
                .all(|p| p.name().is_some() || p.is_punct('.'))
        {
            out.push(word("add"));
            i += 1;
            continue;
        }
        out.push(t.clone());
        i += 1;
    }
    named_later(out, names)
}

/// "Kindly add one more field in books table for the number of pages, name it page_count",
/// "products should also have a weight in grams. Call it `weight_grams`": the new column is the name
/// given last; the words that described it only give its type.
fn named_later(toks: Vec<Tok>, names: &Names) -> Vec<Tok> {
    let Some(k) = (0..toks.len()).find(|&k| {
        toks[k].is_any(&["call", "name", "calling", "naming"])
            && toks.get(k + 1).is_some_and(|t| t.is("it"))
            && toks.get(k + 2).is_some_and(|t| t.name().is_some())
    }) else {
        return toks;
    };
    let adds = toks[..k].iter().any(|t| {
        t.is_any(&[
            "add", "include", "have", "need", "needs", "store", "track", "give", "want",
        ])
    });
    let table = toks[..k]
        .iter()
        .find_map(|t| t.name().and_then(|n| names.table_sure(n)));
    let (true, Some(table)) = (adds, table) else {
        return toks;
    };
    let mut out = vec![Tok::Word("add".into()), toks[k + 2].clone()];
    let mut typed: Vec<Vec<Tok>> = vec![];
    let mut j = 0;
    while j < toks.len() {
        if j == k {
            j += 3;
            continue;
        }
        if let Some((_, used)) = super::types::parse(&toks, j, Engine::Sqlite)
            && !toks[j].is_any(&["number", "numbers"])
        {
            // "(only the time, no date)": a type ruled out is not the type.
            let ruled_out = j > 0 && toks[j - 1].is_any(&["no", "not", "without"]);
            let ty = toks[j..j + used].to_vec();
            if !ruled_out && !typed.contains(&ty) {
                typed.push(ty);
            }
            j += used;
            continue;
        }
        if toks[j].is_any(&["default", "unique", "required", "optional", "nullable"]) {
            out.push(toks[j].clone());
            if toks[j].is("default")
                && let Some(v) = toks
                    .get(j + 1)
                    .filter(|t| matches!(t, Tok::Str(_) | Tok::Num(_)))
            {
                out.push(v.clone());
                j += 1;
            }
        }
        j += 1;
    }
    // Two types named for it: which one is meant cannot be told.
    if typed.len() > 1 {
        return toks;
    }
    let options = out.split_off(2);
    out.extend(typed.into_iter().flatten());
    out.extend(options);
    out.push(Tok::Word("to".into()));
    out.push(Tok::Word(table.name.name.clone()));
    out
}

/// "add approved_at to time_off_requests, date + time", "add 'archived_at' to projects, timestamp,
/// nullable": the type and options after the table are the one new column's.
fn trailing_options(toks: Vec<Tok>, names: &Names) -> Vec<Tok> {
    if !toks.first().is_some_and(|t| t.is("add")) {
        return toks;
    }
    let Some(to) = toks.iter().position(|t| t.is_any(&["to", "in", "on"])) else {
        return toks;
    };
    let table_end = to + 2;
    if toks
        .get(to + 1)
        .and_then(Tok::name)
        .is_none_or(|n| names.table_sure(n).is_none())
        || !toks.get(table_end).is_some_and(|t| t.is_punct(','))
        || toks[1..to].iter().any(|t| t.is_punct(',') || t.is("and"))
    {
        return toks;
    }
    let tail = &toks[table_end + 1..];
    let option = |t: &Tok| match t {
        Tok::Num(_) | Tok::Str(_) => true,
        Tok::Punct(c) => matches!(c, ',' | '(' | ')' | '+'),
        Tok::Word(w) => {
            super::types::parse(std::slice::from_ref(t), 0, Engine::Sqlite).is_some()
                || keywords::OPTIONS.contains(&w.as_str())
                || matches!(
                    w.as_str(),
                    "not"
                        | "null"
                        | "nullable"
                        | "unique"
                        | "default"
                        | "and"
                        | "true"
                        | "false"
                        | "now"
                        | "current"
                        | "time"
                        | "date"
                        | "zero"
                        | "optional"
                        | "required"
                )
        }
        _ => false,
    };
    if tail.is_empty() || !tail.iter().all(option) {
        return toks;
    }
    let mut out = toks[..to].to_vec();
    out.extend(tail.iter().filter(|t| !t.is_punct(',')).cloned());
    out.extend(toks[to..table_end].iter().cloned());
    out
}

/// An arrow from a column, with no verb: "tasks.assignee_id -> people(id)" (a reference),
/// "projects.key_code -> unique" (an option), "employees: hire_date → started_on" (a rename; the
/// plain "t.c -> new" is read by the rename parser itself).
fn arrow(toks: Vec<Tok>, names: &Names) -> Vec<Tok> {
    let word = |w: &str| Tok::Word(w.into());
    // "on delete set null" names an action, no instruction.
    let action = |i: usize| {
        (i >= 1 && toks[i - 1].is("on") && toks[i].is("delete"))
            || (i >= 2 && toks[i - 2].is("on") && toks[i - 1].is("delete"))
    };
    let Some(k) = toks.iter().position(|t| t.is_punct('>')) else {
        return toks;
    };
    // "products: rename a -> b", "rename table: a -> b": the arrow of a rename is its "to".
    if toks.iter().any(|t| t.is("rename")) {
        let mut head = k;
        while head > 0 && (toks[head - 1].is_punct('-') || toks[head - 1].is_punct('=')) {
            head -= 1;
        }
        let mut out: Vec<Tok> = vec![];
        for (i, t) in toks[..head].iter().enumerate() {
            let after_keyword = i > 0 && toks[i - 1].is_any(&["rename", "table", "column"]);
            if !(t.is_punct(':') && after_keyword) {
                out.push(t.clone());
            }
        }
        out.push(word("to"));
        out.extend(toks[k + 1..].iter().cloned());
        return out;
    }
    if (0..toks.len()).any(|i| verb(&toks, i) && !action(i)) {
        return toks;
    }
    // "user_details -> user_profiles (tbl)": a table renamed.
    let bare: Vec<&Tok> = toks
        .iter()
        .filter(|t| !t.is_punct('-') && !t.is_punct('=') && !t.is_punct('(') && !t.is_punct(')'))
        .filter(|t| !t.is_any(&["tbl", "table", "rename", "please", "pls"]))
        .collect();
    if let [from, arrow, to] = bare[..]
        && arrow.is_punct('>')
        && from.name().is_some_and(|n| names.table_sure(n).is_some())
        && to
            .name()
            .is_some_and(|n| !names.is_table(n) && !names.any_table_has_column(n))
    {
        return vec![
            word("rename"),
            word("table"),
            from.clone(),
            word("to"),
            to.clone(),
        ];
    }
    // The column: "t.c" or "t: c".
    let mut from: Vec<Tok> = toks[..k]
        .iter()
        .filter(|t| !t.is_punct('-') && !t.is_punct('='))
        .cloned()
        .collect();
    if from.len() == 3 && from[1].is_punct(':') {
        from[1] = Tok::Punct('.');
    }
    if !(from.len() == 3
        && from[1].is_punct('.')
        && from[0].name().is_some()
        && from[2].name().is_some())
    {
        return toks;
    }
    let to: Vec<Tok> = toks[k + 1..]
        .iter()
        .filter(|t| !t.is_any(&["pls", "please", "plz"]))
        .cloned()
        .collect();
    let Some(first) = to.first() else {
        return toks;
    };
    // "-> unique", "-> required", "-> not null"
    if first.is_any(&[
        "unique",
        "required",
        "optional",
        "nullable",
        "indexed",
        "mandatory",
    ]) || (first.is("not") && to.get(1).is_some_and(|t| t.is("null")))
    {
        let mut out = vec![word("make")];
        out.extend(from);
        out.extend(to);
        return out;
    }
    // "-> people(id)", "-> branches.id (fk)", "-> teams"
    if let Some(target) = first.name().filter(|n| names.table_sure(n).is_some()) {
        let mut rest = 1;
        if to.get(1).is_some_and(|t| t.is_punct('(')) && to.get(3).is_some_and(|t| t.is_punct(')'))
        {
            rest = 4;
        } else if to.get(1).is_some_and(|t| t.is_punct('.'))
            && to.get(2).is_some_and(|t| t.name().is_some())
        {
            rest = 3;
        }
        let tail: Vec<&Tok> = to[rest..]
            .iter()
            .filter(|t| !t.is_punct('(') && !t.is_punct(')'))
            .collect();
        let key_word = |t: &Tok| t.is_any(&["fk", "foreign", "key", "reference", "references"]);
        let action_word = |t: &Tok| {
            t.is_any(&[
                "on", "delete", "cascade", "set", "null", "restrict", "no", "action",
            ])
        };
        if tail.iter().all(|t| key_word(t) || action_word(t)) {
            let mut out = vec![word("add"), word("foreign"), word("key"), word("on")];
            out.extend(from);
            out.push(word("references"));
            out.push(Tok::Word(target.to_string()));
            if rest > 1 {
                out.extend(to[1..rest].iter().cloned());
            }
            out.extend(tail.into_iter().filter(|t| action_word(t)).cloned());
            return out;
        }
    }
    // "t: c -> new_name"
    if to.len() == 1 && first.name().is_some() && toks[..k].iter().any(|t| t.is_punct(':')) {
        let mut out = from;
        out.push(Tok::Punct('>'));
        out.push(first.clone());
        return out;
    }
    toks
}

/// "reviews: id, product_id int, label varchar(100)": a name that is no table and nothing like
/// one, then a column list with a key or types, is a new table.
fn new_table_list(toks: Vec<Tok>, names: &Names) -> Vec<Tok> {
    let Some(n) = toks[0].name() else {
        return toks;
    };
    if !toks.get(1).is_some_and(|t| t.is_punct(':'))
        || !matches!(names.table(n), super::resolve::Found::None(_))
        || names.any_table_has_column(n)
    {
        return toks;
    }
    let items = intents::split_items(&toks[2..]);
    let typed = items
        .iter()
        .filter(|item| {
            (1..item.len()).any(|k| super::types::parse(item, k, Engine::Sqlite).is_some())
        })
        .count();
    let keyed = items
        .iter()
        .any(|item| item.first().is_some_and(|t| t.is("id")));
    if items.len() < 2 || !(keyed || typed * 2 >= items.len()) {
        return toks;
    }
    let mut out = vec![
        Tok::Word("create".into()),
        Tok::Word("table".into()),
        toks[0].clone(),
    ];
    out.push(Tok::Word("with".into()));
    out.extend(toks[2..].iter().cloned());
    out
}

/// Terse structural forms read as the canonical words.
fn terse(toks: Vec<Tok>, names: &Names) -> Vec<Tok> {
    let word = |w: &str| Tok::Word(w.into());
    // "+ users.nickname": a single bullet marks nothing.
    let toks: Vec<Tok> = if toks.iter().filter(|t| **t == Tok::Break).count() == 1 {
        toks.into_iter().skip_while(|t| *t == Tok::Break).collect()
    } else {
        toks
    };
    if toks.len() < 2 {
        return toks;
    }
    // "index: t(c)", "idx t(c)", "unique index: t(c)"
    let lead = usize::from(toks[0].is("unique"));
    if toks.get(lead).is_some_and(|t| t.is_any(&["index", "idx"]))
        && toks.get(lead + 1).is_some_and(|t| t.is_punct(':'))
        && toks.iter().any(|t| t.is_punct('('))
    {
        let mut out = vec![word("create")];
        if lead == 1 {
            out.push(word("unique"));
        }
        out.push(word("index"));
        out.push(word("on"));
        out.extend(
            toks[lead + 1..]
                .iter()
                .skip_while(|t| t.is_punct(':'))
                .cloned(),
        );
        return out;
    }
    // "products(name): index", "products(name) -> idx", "t(c) unique index"
    if let [t, open, c, close, marks @ ..] = &toks[..]
        && t.name().is_some_and(|n| names.table_sure(n).is_some())
        && open.is_punct('(')
        && c.name().is_some()
        && close.is_punct(')')
    {
        let words: Vec<&Tok> = marks
            .iter()
            .filter(|m| !matches!(m, Tok::Punct(':' | '>' | '-' | '=')))
            .collect();
        if !words.is_empty()
            && words
                .iter()
                .all(|w| w.is_any(&["index", "idx", "unique", "please", "pls"]))
        {
            let mut out = vec![word("add")];
            if words.iter().any(|w| w.is("unique")) {
                out.push(word("unique"));
            }
            out.extend([word("index"), word("on")]);
            out.extend(toks[..4].iter().cloned());
            return out;
        }
    }
    // "departments.budget >= 0", "loans.due_on > loans.loaned_on": a check.
    if let [t, dot, c, cmp, ..] = &toks[..]
        && t.name().is_some_and(|n| names.table_sure(n).is_some())
        && dot.is_punct('.')
        && c.name().is_some()
        && matches!(cmp, Tok::Punct('>' | '<' | '='))
        && !(0..toks.len()).any(|i| verb(&toks, i))
        && !toks[4..].iter().any(|x| x.is_punct(':'))
        // What it is compared with: a number or a column of the table ("-> town" is a rename).
        && toks[4..]
            .iter()
            .find(|x| !x.is_punct('=') && !x.is_punct('>') && !x.is_punct('<'))
            .is_some_and(|x| {
                matches!(x, Tok::Num(_))
                    || x.name().is_some_and(|n| {
                        names
                            .table_sure(t.name().unwrap_or(""))
                            .is_some_and(|table| names.column_sure(table, n).is_some())
                            || names.table_sure(n).is_some()
                    })
            })
    {
        let mut out = vec![word("add"), word("check")];
        out.extend(toks.iter().cloned());
        return out;
    }
    let has_verb = (0..toks.len()).any(|i| verb(&toks, i));
    let new_table = toks.iter().take(2).any(|t| t.is("new")) && toks.iter().any(|t| t.is("table"));
    // "c -> table" in a new table's column list: a reference.
    if has_verb || new_table {
        let mut out = toks.clone();
        let creates = toks.iter().any(|t| t.is("table"));
        for i in 1..out.len().saturating_sub(1) {
            if creates
                && out[i].is_punct('>')
                && out[i - 1].name().is_some()
                && out[i + 1].name().is_some_and(|n| names.is_table(n))
                && !out.get(i + 2).is_some_and(|t| t.is_punct('.'))
            {
                out[i] = word("references");
            }
        }
        return out;
    }
    if toks.len() < 2 {
        return toks;
    }
    // "unique(t.c)", "unique: t.c"
    if toks[0].is("unique") {
        let inner: Vec<Tok> = toks[1..]
            .iter()
            .filter(|t| !t.is_punct('(') && !t.is_punct(')') && !t.is_punct(':'))
            .cloned()
            .collect();
        if inner.len() == 3 && inner[1].is_punct('.') {
            let mut out = vec![word("make")];
            out.extend(inner);
            out.push(word("unique"));
            return out;
        }
    }
    let table = toks[0].name().and_then(|n| names.table_sure(n));
    let Some(table) = table else {
        return new_table_list(toks, names);
    };
    // "T.c: unique", "T.c: not null, fill 'v'", "T.c: nullable"
    if toks.len() > 4
        && toks[1].is_punct('.')
        && toks[3].is_punct(':')
        && toks[2]
            .name()
            .is_some_and(|c| names.column_named(table, c).is_some())
    {
        let mut out = vec![word("make")];
        out.extend(toks[..3].iter().cloned());
        out.extend(toks[4..].iter().cloned());
        return out;
    }
    // "T.c" alone with a new column ("+ T.c"): add it.
    if toks.len() == 3
        && toks[1].is_punct('.')
        && toks[2]
            .name()
            .is_some_and(|c| names.column_sure(table, c).is_none() && !c.is_empty())
    {
        return vec![word("add"), toks[2].clone(), word("to"), toks[0].clone()];
    }
    // "T: a, b", "T: +c", "T += c", "T + c (type)"
    let mut at = 1;
    let mut marked = false;
    let mut minus = false;
    while toks
        .get(at)
        .is_some_and(|t| t.is_punct(':') || t.is_punct('+') || t.is_punct('=') || t.is_punct('-'))
    {
        marked = true;
        minus |= toks[at].is_punct('-');
        at += 1;
    }
    let rest = &toks[at..];
    // "T: -c": a removal of columns the table has.
    if minus {
        let rest: Vec<Tok> = rest.iter().filter(|t| !t.is_punct('-')).cloned().collect();
        let items = intents::split_items(&rest);
        let all_there = !items.is_empty()
            && items.iter().all(|item| {
                item.len() == 1
                    && item[0]
                        .name()
                        .is_some_and(|c| names.column_sure(table, c).is_some())
            });
        if all_there {
            let mut out = vec![word("drop")];
            out.extend(rest);
            out.push(word("from"));
            out.push(toks[0].clone());
            return out;
        }
        return toks;
    }
    let first_new = rest.first().and_then(Tok::name).is_some_and(|c| {
        !among(c, intents::KEYWORDS)
            && !among(c, SCHEMA_WORDS)
            && names.column_sure(table, c).is_none()
    });
    let items_new = intents::split_items(rest).iter().all(|item| {
        item.first()
            .and_then(Tok::name)
            .is_some_and(|c| names.column_sure(table, c).is_none())
    });
    if marked && first_new && items_new && !rest.iter().any(|t| t.is_punct('.')) {
        let mut out = vec![word("add")];
        out.extend(rest.iter().cloned());
        out.push(word("to"));
        out.push(toks[0].clone());
        return out;
    }
    toks
}
