//! Picks the intent family of a request and hands it to its parser.

mod add;
mod alter;
mod create;
mod drop;
mod fill;
mod index;
mod refactor;
mod rename;
pub(crate) mod reshape;

use super::find;
use super::names;
use super::plan::{Plan, Refusal};
use super::resolve::{self, Found};
use super::summary;
use super::tokens::{self, Tok};
use super::types;
use crate::connection::Engine;
use crate::model::{Change, Column, DatabaseSchema, Table};

/// What every intent parser needs.
pub struct Ctx<'a> {
    pub schema: &'a DatabaseSchema,
    pub engine: Engine,
    /// The schema's names, derived once; every lookup goes through it.
    pub names: resolve::Names<'a>,
}

impl<'a> Ctx<'a> {
    pub fn new(schema: &'a DatabaseSchema, engine: Engine) -> Ctx<'a> {
        Ctx {
            schema,
            engine,
            names: resolve::Names::new(schema),
        }
    }
}

const ADD: &[&str] = &[
    "add",
    "include",
    "introduce",
    "append",
    "put",
    "attach",
    "give",
    "store",
    "track",
    "insert",
];
const CREATE: &[&str] = &[
    "create", "build", "define", "setup", "set_up", "new", "make",
];
const DROP: &[&str] = &[
    "drop",
    "remove",
    "delete",
    "destroy",
    "eliminate",
    "kill",
    "erase",
    "get",
    "discard",
    "rm",
];
const CHANGE: &[&str] = &[
    "change", "alter", "modify", "convert", "update", "switch", "turn", "widen", "increase",
    "extend", "shrink", "set", "make", "cast", "migrate", "shorten", "narrow", "lengthen",
    "enlarge", "expand", "reduce",
];
const QUESTION: &[&str] = &[
    "how", "what", "whats", "which", "who", "whos", "whom", "why", "when", "where", "wheres",
    "show", "list", "select", "count", "find", "display", "print", "describe", "tell", "fetch",
    "explain", "is", "are", "does", "do", "give_me", "query", "search", "lookup", "view", "see",
];
/// Nouns that make a request about the schema rather than the data.
const SCHEMA_NOUNS: &[&str] = &[
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
    "default",
    "key",
    "unique",
    "check",
    "type",
    "attribute",
];
const DATA_NOUNS: &[&str] = &[
    "data",
    "rows",
    "row",
    "records",
    "record",
    "entries",
    "contents",
    "everything",
];

/// New columns listed after a colon, the sentence before it saying which table they are for:
/// "On accounts we need the last login time and how many failed logins there were: - last_login_at
/// (timestamp, null ok) - failed_login_count (int, not null, default 0)". Read as "add <list> to
/// <table>" when that sentence names one table and every item starts with a new name.
fn listed(ctx: &Ctx, toks: &[Tok]) -> Option<Vec<Tok>> {
    let c = toks.iter().position(|t| t.is_punct(':'))?;
    if toks[..c].iter().any(|t| {
        t.word().is_some_and(|w| {
            is_verb(w) && !matches!(w, "new" | "keep" | "store" | "track" | "have")
        })
    }) {
        return None;
    }
    let mut tables: Vec<&Table> = vec![];
    for t in &toks[..c] {
        if let Some(x) = t.name().and_then(|n| ctx.names.table_sure(n))
            && !tables.iter().any(|y| y.name == x.name)
        {
            tables.push(x);
        }
    }
    let [table] = tables[..] else {
        return None;
    };
    // "- a (int) - b (text)": a bullet between items leaves only the closing parenthesis.
    let mut list: Vec<Tok> = vec![];
    for t in &toks[c + 1..] {
        if list.last().is_some_and(|p: &Tok| p.is_punct(')')) && t.name().is_some() {
            list.push(Tok::Punct(','));
        }
        list.push(t.clone());
    }
    let items = split_items(&list);
    let new_name = |item: &Vec<Tok>| {
        let first = item
            .iter()
            .find(|t| !t.is_punct('-') && !t.is_any(&["a", "an", "the"]));
        first.and_then(Tok::name).is_some_and(|n| {
            (super::spec::is_all(n) && item.len() > 1)
                || (!KEYWORDS.contains(&n)
                    && ctx.names.table_sure(n).is_none()
                    && !ctx.names.has_column(table, n)
                    && (n.contains('_') || item.len() > 1))
        })
    };
    if items.len() < 2 || !items.iter().all(new_name) {
        return None;
    }
    let mut out = vec![Tok::Word("add".into())];
    out.extend(list);
    out.push(Tok::Word("to".into()));
    out.push(Tok::Word(table.name.name.clone()));
    Some(out)
}

/// New columns placed on a table without a verb: "height_cm on payslips please", "view_count (int,
/// default 0) on job_titles", "commission (decimal 5,2) should go on orders". The first word is a
/// new name, never a column the table has; read as "add ... to <table>".
fn placed(ctx: &Ctx, toks: &[Tok]) -> Option<Vec<Tok>> {
    if toks
        .iter()
        .any(|t| t.word().is_some_and(|w| is_verb(w) && w != "new"))
    {
        return None;
    }
    let p = toks
        .iter()
        .rposition(|t| t.is_any(&["on", "in", "to", "into"]))?;
    let table = toks
        .get(p + 1)
        .and_then(Tok::name)
        .and_then(|n| ctx.names.table_sure(n))?;
    let first = toks.first()?.name()?;
    if KEYWORDS.contains(&first)
        || ctx.names.table_sure(first).is_some()
        || ctx.names.column_sure(table, first).is_some()
        || types::parse(toks, 0, ctx.engine).is_some()
    {
        return None;
    }
    // "should go on", "needs to go on", "belongs on": the placing words.
    let mut head: Vec<Tok> = toks[..p].to_vec();
    while head.last().is_some_and(|t| {
        t.is_any(&[
            "should", "go", "goes", "need", "needs", "to", "belong", "belongs", "must", "will",
        ])
    }) {
        head.pop();
    }
    // Only names, types and options: "bonus in employees must be positive" says something else.
    let plain = |t: &Tok| {
        matches!(
            t,
            Tok::Punct(_) | Tok::Num(_) | Tok::Str(_) | Tok::Ident(_) | Tok::Break
        ) || t.is_any(&[
            "please", "pls", "plz", "type", "default", "not", "null", "nullable", "unique",
            "required", "optional", "and", "a", "an", "new", "column", "columns", "field",
        ]) || t.word().is_some_and(|w| {
            types::parse(std::slice::from_ref(t), 0, ctx.engine).is_some()
                || (w.contains('_') && !ctx.names.any_table_has_column(w))
        })
    };
    let tail = &toks[p + 2..];
    let named_plainly = head.iter().all(|t| {
        plain(t)
            || t.name()
                .is_some_and(|n| !KEYWORDS.contains(&n) && ctx.names.table_sure(n).is_none())
    });
    if !tail.iter().all(plain)
        || !named_plainly
        || head
            .iter()
            .any(|t| t.is_any(&["is", "are", "be", "must", "should", "can", "never"]))
    {
        return None;
    }
    let mut out = vec![Tok::Word("add".into())];
    out.extend(head);
    out.extend(tail.iter().cloned());
    out.push(Tok::Word("to".into()));
    out.push(Tok::Word(table.name.name.clone()));
    Some(out)
}

/// A wish for a new column said by a person: "we need last_login_at for orders, please to add it",
/// "in posts I need a column contact_email", "i want that products have one more column
/// external_ref". Read as "add <what is wished> to <table>", when the table is named and the
/// wish is the whole request.
fn wish(ctx: &Ctx, toks: &[Tok]) -> Option<Vec<Tok>> {
    let mut toks: Vec<Tok> = toks.to_vec();
    // A trailing ", please to add it": the instruction the wish already made.
    if let Some(c) = toks.iter().rposition(|t| t.is_punct(','))
        && toks[c + 1..]
            .iter()
            .all(|t| t.is_any(&["please", "pls", "to", "it", "them", "kindly"]) || t.is_any(ADD))
        && toks[c + 1..].iter().any(|t| t.is_any(ADD))
    {
        toks.truncate(c);
    }
    // A leading "in posts": the table, said first.
    let mut table: Option<&Table> = None;
    if toks
        .first()
        .is_some_and(|t| t.is_any(&["in", "on", "for", "to"]))
        && let Some(t) = toks
            .get(1)
            .and_then(Tok::name)
            .and_then(|n| ctx.names.table_sure(n))
    {
        table = Some(t);
        toks.drain(..2);
        if toks.first().is_some_and(|t| t.is_punct(',')) {
            toks.remove(0);
        }
    }
    let person = toks
        .first()
        .is_some_and(|t| t.is_any(&["i", "we", "id", "im"]));
    let k = toks
        .iter()
        .take(4)
        .position(|t| t.is_any(&["need", "needs", "want", "wants", "like"]))?;
    if !person
        || toks[..k]
            .iter()
            .any(|t| !t.is_any(&["i", "we", "id", "would", "really", "also"]))
    {
        return None;
    }
    let mut rest: Vec<Tok> = toks[k + 1..].to_vec();
    // "want that products have ...", "need to have ...", "would like to add ...".
    while rest
        .first()
        .is_some_and(|t| t.is_any(&["to", "have", "that", "also", "add"]))
    {
        rest.remove(0);
        if table.is_none()
            && let Some(t) = rest
                .first()
                .and_then(Tok::name)
                .and_then(|n| ctx.names.table_sure(n))
            && rest
                .get(1)
                .is_some_and(|t| t.is_any(&["have", "has", "get", "gets"]))
        {
            table = Some(t);
            rest.drain(..2);
        }
    }
    if rest.is_empty()
        || rest
            .iter()
            .any(|t| t.word().is_some_and(|w| is_verb(w) && w != "new"))
    {
        return None;
    }
    let mut out = vec![Tok::Word("add".into())];
    out.extend(rest);
    if let Some(t) = table {
        out.push(Tok::Word("to".into()));
        out.push(Tok::Word(t.name.name.clone()));
    } else {
        let mut probe = out.clone();
        find::take(&mut probe, &ctx.names).ok().flatten()?;
    }
    Some(out)
}

/// Plans the request held by `toks`.
pub fn dispatch(ctx: &Ctx, mut toks: Vec<Tok>) -> Result<Plan, Refusal> {
    while toks.first() == Some(&Tok::Break) {
        toks.remove(0);
    }
    if toks.is_empty() {
        return Err(
            Refusal::ambiguous("the request is empty; describe a schema change")
                .example("add email to users"),
        );
    }
    // "make users.city not null, fill missing with 'unknown'": checked before the data-request refusal,
    // which would read "set missing ... to 0" as an UPDATE.
    if let Some(plan) = fill::not_null_with_fill(ctx, &toks) {
        return plan;
    }
    refuse_data_requests(ctx, &toks)?;
    // The verb: the first word, or the one after a "table:" prefix.
    let verb_at = |toks: &[Tok]| {
        if toks.len() > 2 && toks[1].is_punct(':') {
            2
        } else {
            0
        }
    };
    // An add request in other words first ("products need ...", "<reason>, so add ..."): the
    // reason may name the table, so it is read before any preamble is cut off.
    if let Some(restated) = restate(ctx, &toks, toks[verb_at(&toks)].word().unwrap_or("")) {
        return dispatch(ctx, restated);
    }
    let toks = reshape(toks);
    let has = |w: &str| toks.iter().any(|t| t.is(w));
    let has_any = |ws: &[&str]| toks.iter().any(|t| t.is_any(ws));
    let verb_at = verb_at(&toks);
    let verb = toks[verb_at].word().unwrap_or("").to_string();
    let v = verb.as_str();

    // Data reshaped inside one table: a column split or combined, an amount kept as cents, rows moved.
    if !DROP.contains(&v)
        && toks
            .iter()
            .any(|t| t.is("cents") || t.name().is_some_and(|n| n.ends_with("_cents")))
        && let Some(plan) = reshape::to_cents(ctx, &toks)
    {
        return plan;
    }
    if matches!(v, "split" | "divide" | "partition" | "break") {
        if let Some(plan) = reshape::split_column(ctx, &toks) {
            return plan;
        }
        return refactor::split(ctx, toks);
    }
    if matches!(
        v,
        "merge" | "combine" | "fold" | "join" | "absorb" | "consolidate" | "concatenate" | "concat"
    ) {
        if let Some(plan) = reshape::combine_columns(ctx, &toks) {
            return plan;
        }
        return refactor::merge(ctx, toks);
    }
    if matches!(v, "move" | "archive" | "relocate" | "transfer")
        && let Some(plan) = reshape::move_rows(ctx, &toks)
    {
        return plan;
    }
    if matches!(
        v,
        "extract" | "normalize" | "normalise" | "separate" | "pull" | "move"
    ) || (v == "split" && has("out"))
    {
        return refactor::extract(ctx, toks);
    }
    if v == "rename" || (has("rename") && verb_at == 2) {
        return rename::rename(ctx, toks);
    }
    let is_index = has_any(&["index", "indexes", "indices", "fulltext", "full_text"]);
    if DROP.contains(&v) && (v != "get" || has("rid")) {
        return drop::drop(ctx, toks);
    }
    if is_index && (ADD.contains(&v) || CREATE.contains(&v) || v == "index" || v == "put") {
        return index::index(ctx, toks);
    }
    if v == "index" {
        return index::index(ctx, toks);
    }
    // "lookups of products by name are slow, can you add an index for that?"
    if is_index
        && toks.iter().any(|t| t.is_any(&["add", "create"]))
        && !toks.iter().any(|t| t.is_any(DROP))
    {
        return index::index(ctx, toks);
    }
    // "shorten customers.name to varchar(50)", "store order_items.quantity as bigint",
    // "posts.title should be text instead of varchar".
    if (matches!(
        v,
        "shorten" | "lengthen" | "narrow" | "enlarge" | "expand" | "grow" | "resize" | "store"
    ) || !toks[verb_at].word().is_some_and(is_verb))
        && alter::names_a_type(ctx, &toks)
        && index::names_existing_column(ctx, &toks)
    {
        return alter::change_type(ctx, toks);
    }
    // "orders should reference users through a user_id column": a new referencing column.
    if !toks[verb_at].word().is_some_and(is_verb)
        && toks.iter().any(|t| t.is_any(index::REFERS))
        && index::new_reference(ctx, &toks)
    {
        return index::add_reference(ctx, toks);
    }
    // "add customer_name to orders and fill it from customers.name"
    if ADD.contains(&v)
        && has_any(refactor::FILL)
        && let Some(plan) = refactor::denormalize(ctx, &toks)
    {
        return plan;
    }
    // "create a new column is_flagged (boolean) in payslips": a column is added, not created.
    if CREATE.contains(&v)
        && v != "make"
        && toks
            .iter()
            .skip(verb_at + 1)
            .take(3)
            .any(|t| t.is_any(&["column", "columns", "field", "fields", "col", "cols"]))
        && !toks.iter().any(|t| t.is_any(&["table", "tables"]))
    {
        let mut toks = toks.clone();
        toks[verb_at] = Tok::Word("add".into());
        return add::add(ctx, toks);
    }
    let creates_table = (CREATE.contains(&v) || ADD.contains(&v))
        && toks.iter().take(4).any(|t| t.is("table"))
        && !toks.iter().take(4).any(|t| t.is_any(&["to", "in", "on"]));
    if creates_table && !has_any(&["all", "every", "each"]) {
        return create::create(ctx, toks);
    }
    // "make t.c a foreign key to u", "turn t.c into a reference to u"
    if (v == "link" || v == "connect" || v == "relate" || v == "tie")
        || ((ADD.contains(&v)
            || (CHANGE.contains(&v) && has_any(&["key", "fk", "reference", "references"])))
            && has_any(&["foreign", "fk", "relationship", "reference", "references"])
            && index::names_existing_column(ctx, &toks))
    {
        return index::foreign_key(ctx, toks);
    }
    // "enforce uniqueness of c on t", "forbid duplicate c values in t", "enforce a non-negative c".
    let enforces = matches!(
        v,
        "enforce" | "ensure" | "guarantee" | "forbid" | "prevent" | "disallow" | "constrain"
    ) && has_any(&[
        "unique",
        "uniqueness",
        "duplicate",
        "duplicates",
        "non_negative",
        "nonnegative",
        "negative",
        "positive",
    ]);
    if ((ADD.contains(&v) && has_any(&["unique", "check", "constraint", "default", "uniqueness"]))
        || enforces)
        && index::names_existing_column(ctx, &toks)
    {
        return alter::constraint(ctx, toks);
    }
    if ADD.contains(&v) {
        return add::add(ctx, toks);
    }
    if CHANGE.contains(&v) && alter::names_a_type(ctx, &toks) {
        return alter::change_type(ctx, toks);
    }
    if CHANGE.contains(&v)
        || has_any(&[
            "unique",
            "required",
            "optional",
            "nullable",
            "null",
            "default",
            "positive",
            "negative",
            "between",
            "must",
            "should",
            "mandatory",
            "check",
            "nulls",
            "allow",
            "least",
            "most",
            "below",
            "above",
            "exceed",
            "exceeds",
            "higher",
            "lower",
            "never",
            "zero",
        ])
    {
        return alter::constraint(ctx, toks);
    }
    if v == "rename" {
        return rename::rename(ctx, toks);
    }
    Err(Refusal::unsupported(format!(
        "ai-shell cannot tell what schema change \"{}\" asks for",
        tokens::text(&toks)
    ))
    .example("add email to users | make email unique in users | rename column username to user_name in accounts"))
}

/// Whether `word` is one of the words the intent parsers read (verbs, question words, schema and
/// data nouns, constraint words): such a word is never a typo of another keyword.
pub fn is_vocabulary(word: &str) -> bool {
    is_verb(word)
        || QUESTION.contains(&word)
        || SCHEMA_NOUNS.contains(&word)
        || DATA_NOUNS.contains(&word)
        || KEYWORDS.contains(&word)
}

/// Verbs a request may start with.
pub(crate) fn is_verb(v: &str) -> bool {
    ADD.contains(&v)
        || CREATE.contains(&v)
        || DROP.contains(&v)
        || CHANGE.contains(&v)
        || matches!(
            v,
            "rename"
                | "split"
                | "divide"
                | "partition"
                | "break"
                | "merge"
                | "combine"
                | "fold"
                | "join"
                | "absorb"
                | "consolidate"
                | "extract"
                | "normalize"
                | "normalise"
                | "separate"
                | "pull"
                | "move"
                | "index"
                | "link"
                | "connect"
                | "relate"
                | "tie"
                | "shorten"
                | "widen"
                | "store"
        )
}

/// Restates an add request that does not start with its verb: "products need an is_featured
/// flag", "customers should have a website", or a reason first and the request after it ("I'd like
/// to know who owns accounts, so add owner_name"; the table may be named only in the reason).
fn restate(ctx: &Ctx, toks: &[Tok], v: &str) -> Option<Vec<Tok>> {
    if is_verb(v) {
        return None;
    }
    let add = Tok::Word("add".into());
    let to = Tok::Word("to".into());
    // "<table> need(s) / should have / must have <columns>", also after a determiner ("our posts
    // need ...") and with the noun ("the branches table needs ...").
    let mut s0 = 0;
    while toks.get(s0).is_some_and(|t| {
        t.is_any(&[
            "our", "the", "my", "all", "every", "each", "a", "an", "your",
        ]) || (t.is_any(super::normalize::LEAD)
            && t.name().is_none_or(|n| ctx.names.table_sure(n).is_none()))
    }) {
        s0 += 1;
    }
    let noun = usize::from(
        toks.get(s0 + 1)
            .is_some_and(|t| t.is_any(&["table", "tables"])),
    );
    if let Some(table) = toks
        .get(s0)
        .and_then(Tok::name)
        .and_then(|n| ctx.names.table_sure(n))
    {
        let toks = &toks[s0 + noun..];
        let rest_at = match (
            toks.get(1).and_then(Tok::word),
            toks.get(2).and_then(Tok::word),
        ) {
            (Some("need" | "needs" | "want" | "wants" | "require" | "requires"), _) => Some(2),
            (
                Some("should" | "must" | "will" | "could"),
                Some("have" | "get" | "store" | "track"),
            ) => Some(3),
            _ => None,
        };
        if let Some(at) = rest_at {
            let rest = &toks[at..];
            let names_column = rest.iter().any(|t| {
                t.name().is_some_and(|n| {
                    !KEYWORDS.contains(&n) && ctx.names.column_sure(table, n).is_some()
                })
            });
            // "to" of "need to be ..." is no addition; that of "defaulting to now" is an option's.
            let option_to = |k: usize| {
                k > 0 && rest[k - 1].is_any(&["default", "defaults", "defaulting", "defaulted"])
            };
            let infinitive = rest
                .iter()
                .enumerate()
                .any(|(k, t)| t.is("be") || (t.is("to") && !option_to(k)));
            if !rest.is_empty() && !names_column && !infinitive {
                let mut out = vec![add];
                out.extend(rest.iter().cloned());
                out.push(to);
                out.push(Tok::Word(table.name.name.clone()));
                return Some(out);
            }
        }
    }
    if let Some(out) = listed(ctx, toks) {
        return Some(out);
    }
    if let Some(out) = wish(ctx, toks) {
        return Some(out);
    }
    if let Some(out) = placed(ctx, toks) {
        return Some(out);
    }
    // "<reason>, so add ...", "<context>: add ..."
    let at = (1..toks.len()).find(|&j| {
        toks[j].is_any(ADD)
            && (toks[j - 1].is_punct(',')
                || toks[j - 1].is_punct(':')
                || toks[j - 1].is_any(&["so", "then", "therefore", "thus", "hence"]))
    })?;
    let mut rest: Vec<Tok> = toks[at..].to_vec();
    let mut probe = rest.clone();
    if find::take(&mut probe, &ctx.names).ok().flatten().is_none() {
        let mut tables: Vec<&Table> = vec![];
        for t in &toks[..at] {
            if let Some(found) = t.name().and_then(|n| ctx.names.table_sure(n))
                && !tables.iter().any(|x| x.name == found.name)
            {
                tables.push(found);
            }
        }
        if tables.len() != 1 {
            return None;
        }
        rest.push(to);
        rest.push(Tok::Word(tables[0].name.name.clone()));
    }
    Some(rest)
}

/// Rewrites phrasings whose instruction is not the first word into the plain order:
/// "users.state is not needed anymore, remove it" -> "remove users.state";
/// "Each customer belongs to a user: add user_id to customers" -> "add user_id to customers";
/// "we're adding a support desk. please create a tickets table with ..." -> "create tickets table
/// with ..."; "change the name of unused_table to archive" -> "rename unused_table to archive";
/// "users.name -> full_name" -> "rename users.name to full_name".
fn reshape(toks: Vec<Tok>) -> Vec<Tok> {
    let first_is_verb = toks.first().and_then(Tok::word).is_some_and(is_verb);
    // "change the name of X to Y"
    if toks.len() > 4
        && toks[0].is_any(&["change", "update", "modify", "set"])
        && toks[1].is("name")
        && toks[2].is("of")
        && toks[3..].iter().any(|t| t.is_any(&["to", "as"]))
    {
        let mut out = vec![Tok::Word("rename".into())];
        out.extend(toks[3..].iter().cloned());
        return out;
    }
    if first_is_verb {
        return toks;
    }
    // "users.zip -> int": the column's new type, not a column named after it.
    if let Some(k) = toks.iter().position(|t| t.is_punct('>'))
        && k > 0
        && toks[..k]
            .iter()
            .all(|t| t.name().is_some() || t.is_punct('.'))
        && super::types::parse(&toks, k + 1, Engine::Postgres)
            .is_some_and(|(_, used)| k + 1 + used == toks.len())
    {
        let mut out = vec![Tok::Word("change".into())];
        out.extend(toks[..k].iter().cloned());
        out.push(Tok::Word("to".into()));
        out.extend(toks[k + 1..].iter().cloned());
        return out;
    }
    // "users.name -> full_name", "users.name => full_name"
    if let Some(k) = toks.iter().position(|t| t.is_punct('>'))
        && k > 0
        && k + 2 == toks.len()
        && toks[k - 1].name().is_some()
        && toks[k + 1].name().is_some()
        && toks[..k]
            .iter()
            .all(|t| t.name().is_some() || t.is_punct('.') || t.is_punct('='))
    {
        let mut out = vec![Tok::Word("rename".into())];
        out.extend(toks[..k].iter().filter(|t| !t.is_punct('=')).cloned());
        out.push(Tok::Word("to".into()));
        out.push(toks[k + 1].clone());
        return out;
    }
    // "X is not needed anymore, remove it"
    if let Some(p) = toks.iter().position(|t| t.is_punct(','))
        && toks.get(p + 1).and_then(Tok::word).is_some_and(is_verb)
        && toks[p + 2..].iter().any(|t| t.is_any(&["it", "them"]))
    {
        let subject: Vec<Tok> = toks[..p]
            .iter()
            .take_while(|t| {
                !t.is_any(&[
                    "is", "are", "isnt", "arent", "was", "were", "should", "has", "have", "can",
                    "will", "no",
                ])
            })
            .cloned()
            .collect();
        if !subject.is_empty() {
            let mut out = vec![];
            for t in &toks[p + 1..] {
                if t.is_any(&["it", "them"]) {
                    out.extend(subject.iter().cloned());
                } else {
                    out.push(t.clone());
                }
            }
            return out;
        }
    }
    // A preamble before the instruction: "<context>: add ...", "<context> please create a
    // tickets table ...".
    let links = |t: &Tok| t.is_any(&["many", "many_to_many", "join", "junction"]);
    if let Some(p) = toks.iter().position(|t| t.is_punct(':'))
        && p > 1
        && toks.get(p + 1).and_then(Tok::word).is_some_and(is_verb)
        && !toks[..p].iter().any(links)
    {
        // "hire_date in employees: add an index": a subject made of names is what the instruction is
        // about, not a preamble to drop.
        let subject = &toks[..p];
        if subject.len() <= 5
            && subject
                .iter()
                .all(|t| t.name().is_some() || t.is_punct('.') || t.is_any(&["in", "of", "on"]))
        {
            let mut out = toks[p + 1..].to_vec();
            out.push(Tok::Word("on".into()));
            out.extend(subject.iter().cloned());
            return out;
        }
        return toks[p + 1..].to_vec();
    }
    if let Some(p) = toks.iter().position(|t| t.is_any(CREATE) && !t.is("new")) {
        let rest = &toks[p..];
        if rest.iter().take(4).any(|t| t.is("table")) {
            // "books and authors are many to many, make the table book_authors for it": the tables the
            // preamble says the new one links stay with it.
            let preamble = &toks[..p];
            if preamble.iter().any(links) {
                // Before the table's own column list, if it has one.
                let table = rest.iter().position(|t| t.is("table")).unwrap_or(0);
                let at = (table + 1..rest.len())
                    .find(|&i| {
                        rest[i].is_punct('(')
                            || rest[i].is_punct(':')
                            || rest[i].is_any(&[
                                "with",
                                "having",
                                "containing",
                                "columns",
                                "fields",
                            ])
                    })
                    .unwrap_or(rest.len());
                let mut out = rest[..at].to_vec();
                out.push(Tok::Word("linking".into()));
                out.extend(
                    preamble
                        .iter()
                        .filter(|t| t.word().is_some() && !t.is_any(&["is", "are", "be"]))
                        .cloned(),
                );
                out.extend(rest[at..].iter().cloned());
                return out;
            }
            return rest.to_vec();
        }
    }
    toks
}

/// Questions about data and data changes are not schema changes.
fn refuse_data_requests(ctx: &Ctx, toks: &[Tok]) -> Result<(), Refusal> {
    let first = toks[0].word().unwrap_or("");
    let schema_noun = toks.iter().any(|t| t.is_any(SCHEMA_NOUNS));
    let example = "add email to users";
    if QUESTION.contains(&first) {
        return Err(Refusal::not_schema(
            "this asks about the data; ai-shell migrate only changes the schema",
        )
        .example(example));
    }
    if matches!(
        first,
        "truncate" | "empty" | "clear" | "wipe" | "purge" | "insert" | "upsert"
    ) && !(first == "insert" && schema_noun)
    {
        return Err(Refusal::not_schema(
            "this changes rows, not the schema; ai-shell migrate never deletes or edits data",
        )
        .example(example));
    }
    if first == "update" && toks.iter().any(|t| t.is_any(&["set", "where"])) && !schema_noun {
        return Err(Refusal::not_schema(
            "this updates rows, not the schema; ai-shell migrate never edits data",
        )
        .example(example));
    }
    let deletes = matches!(first, "delete" | "drop" | "remove" | "erase" | "destroy");
    if deletes
        && toks.iter().any(|t| t.is_any(DATA_NOUNS))
        && !toks.iter().any(|t| {
            t.is_any(&[
                "column",
                "field",
                "columns",
                "fields",
                "index",
                "constraint",
                "default",
            ])
        })
    {
        return Err(Refusal::not_schema(
            "this deletes data; ai-shell migrate only changes the schema and never empties tables",
        )
        .example("drop table unused_table   (a destructive schema change that needs --allow-destructive)"));
    }
    if first == "delete" && !schema_noun {
        // "delete all users", "delete users where ..." reads as deleting rows.
        let names_table = toks
            .get(1)
            .and_then(Tok::name)
            .is_some_and(|n| ctx.names.is_table(n));
        if toks
            .iter()
            .any(|t| t.is_any(&["all", "where", "every", "inactive", "old"]))
            || names_table
        {
            return Err(Refusal::not_schema(
                "this reads as deleting rows; ai-shell migrate only changes the schema",
            )
            .example("drop table unused_table   (to remove a whole table)"));
        }
    }
    Ok(())
}

/// A finished plan.
pub fn finish(changes: Vec<Change>, slug: &str, destructive: bool, notes: Vec<String>) -> Plan {
    let mut summary = summary::lines(&changes);
    summary.extend(notes.into_iter().map(|n| format!("Note: {n}")));
    Plan {
        changes,
        down: None,
        summary,
        slug: names::slug(slug),
        destructive,
    }
}

/// Resolves a column of a table or refuses with the closest names.
pub fn column<'t>(
    ctx: &Ctx,
    table: &'t Table,
    word: &str,
    example: &str,
) -> Result<&'t Column, Refusal> {
    match ctx.names.column(table, word) {
        Found::One(c, _) => Ok(c),
        Found::Many(m) => Err(Refusal::ambiguous(format!(
            "`{word}` could be several columns of {}",
            table.name.display()
        ))
        .suggest(m.iter().map(|c| c.name.clone()).collect())
        .example(example.to_string())),
        Found::None(close) => Err(Refusal::not_found(format!(
            "table {} has no column `{word}`",
            table.name.display()
        ))
        .suggest(close)
        .example(example.to_string())),
    }
}

/// Finds the one table that has column `word` when the request names no table.
pub fn table_with_column<'a>(
    ctx: &Ctx<'a>,
    word: &str,
    example: &str,
) -> Result<&'a Table, Refusal> {
    let tables = ctx.names.tables_with_column(word);
    match tables.len() {
        1 => Ok(tables[0]),
        0 => Err(
            Refusal::not_found(format!("no table has a column `{word}`; name the table"))
                .example(example.to_string()),
        ),
        _ => Err(Refusal::ambiguous(format!(
            "column `{word}` exists in several tables; name the table"
        ))
        .suggest(
            tables
                .iter()
                .map(|t| format!("{}.{word}", t.name.display()))
                .collect(),
        )
        .example(example.to_string())),
    }
}

/// Words that are never column names in a constraint or index request.
pub const KEYWORDS: &[&str] = &[
    "make",
    "set",
    "mark",
    "ensure",
    "require",
    "enforce",
    "add",
    "create",
    "change",
    "alter",
    "modify",
    "convert",
    "update",
    "column",
    "columns",
    "field",
    "fields",
    "unique",
    "uniqueness",
    "required",
    "optional",
    "nullable",
    "null",
    "not",
    "non_null",
    "mandatory",
    "default",
    "defaults",
    "defaulting",
    "value",
    "values",
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
    "always",
    "never",
    "table",
    "index",
    "indexes",
    "constraint",
    "check",
    "with",
    "by",
    "drop",
    "remove",
    "delete",
    "it",
    "them",
    "that",
    "allow",
    "allowed",
    "nulls",
    "can",
    "cannot",
    "positive",
    "negative",
    "between",
    "greater",
    "less",
    "than",
    "at",
    "least",
    "most",
    "zero",
    "non_negative",
    "nonnegative",
    "as",
    "type",
    "have",
    "has",
    "no",
    "there",
    "so",
    "keep",
    "every",
    "all",
    "each",
    "row",
    "rows",
    "want",
    "need",
    "only",
    "one",
    "or",
    "equal",
    "above",
    "below",
    "under",
    "over",
    "max",
    "min",
    "maximum",
    "minimum",
    "empty",
    "blank",
    "key",
    "foreign",
    "unique_constraint",
    "let",
    "anymore",
    "instead",
    "now",
    "longer",
    "any",
    "more",
    "composite",
    "new",
    "named",
    "called",
    "lookups",
    "faster",
    "performance",
    "search",
    "searches",
    "querying",
    "queries",
    "using",
    "btree",
    "full",
    "text",
    "fulltext",
    "full_text",
    "indices",
    "missing",
    "their",
    "where",
    "which",
    "idx",
    "shorten",
    "narrow",
    "lengthen",
    "enlarge",
    "expand",
    "reduce",
    "widen",
    "increase",
    "extend",
    "shrink",
];

/// Splits a list of items at commas, bullets and `and`, but not inside parentheses, in
/// "between 1 and 5" or in "decimal 5,2".
pub fn split_items(toks: &[Tok]) -> Vec<Vec<Tok>> {
    let mut items = vec![];
    let mut cur: Vec<Tok> = vec![];
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => depth = depth.saturating_sub(1),
            _ => {}
        }
        let between = t.is("and") && i >= 2 && toks[i - 2].is("between");
        // "decimal 5,2": the comma separates a type's parameters, not items.
        let type_params = t.is_punct(',')
            && i >= 2
            && matches!(toks[i - 1], Tok::Num(_))
            && matches!(toks.get(i + 1), Some(Tok::Num(_)))
            && toks[i - 2].is_any(&["decimal", "numeric"]);
        // "checked_at and it takes the current time": the pronoun describes the item before.
        let described = toks
            .get(i + 1)
            .is_some_and(|n| n.is_any(&["it", "its", "which"]))
            && !cur.is_empty();
        if depth == 0 && t.is_separator() && !between && !type_params && !described {
            if !cur.is_empty() {
                items.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(t.clone());
        }
    }
    if !cur.is_empty() {
        items.push(cur);
    }
    items
}

/// Tables a "to all tables" request touches: every table but ai-shell's and other tools' own.
pub fn user_tables(schema: &DatabaseSchema) -> Vec<&Table> {
    schema
        .tables
        .iter()
        .filter(|t| {
            let n = t.name.name.to_lowercase();
            !(n.starts_with("ai_shell_")
                || n.starts_with("sqlite_")
                || n.starts_with("_sqlx")
                || matches!(
                    n.as_str(),
                    "schema_migrations"
                        | "flyway_schema_history"
                        | "goose_db_version"
                        | "__diesel_schema_migrations"
                ))
        })
        .collect()
}
