//! One column as a request describes it ("theme (light/dark)", "age integer", "user_id foreign key
//! to users", "is_active default true", "score as decimal(5,2) not null"), before inference.

use super::tokens::Tok;
use super::types;
use crate::connection::Engine;
use crate::model::ColumnType;

/// A default value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A quoted literal.
    Str(String),
    /// A number.
    Num(String),
    /// A bare word (`true`, `now`, `null`, `light`).
    Word(String),
    /// A call of a function without arguments (`gen_random_uuid()`, `now()`): an SQL expression.
    Call(String),
}

/// A column as described in the request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spec {
    pub name: String,
    /// The name was a quoted identifier (kept verbatim).
    pub quoted: bool,
    pub ty: Option<ColumnType>,
    /// `Some(true)` for required/not null, `Some(false)` for optional/nullable.
    pub not_null: Option<bool>,
    pub default: Option<Value>,
    /// Allowed values ("(light/dark)", "one of a, b").
    pub values: Vec<String>,
    pub unique: bool,
    pub index: bool,
    /// "foreign key", "references x", "fk to x".
    pub foreign_key: bool,
    /// The table named after "to"/"references".
    pub references: Option<String>,
    /// The plain word "timestamps" without a name (created_at + updated_at).
    pub timestamps: bool,
    /// "on delete set null", "on delete cascade".
    pub on_delete: Option<crate::model::FkAction>,
    /// "from 1 to 5", "between 0 and 100": inclusive bounds.
    pub range: Option<(String, String)>,
    /// "uuid primary key".
    pub primary_key: bool,
}

/// Words that mean nothing inside a column item.
const FILLER: &[&str] = &[
    "column",
    "columns",
    "field",
    "fields",
    "new",
    "called",
    "named",
    "attribute",
    "property",
    "with",
    "type",
    "of",
    "which",
    "that",
    "is",
    "be",
    "should",
    "must",
    "as",
    "it",
    "its",
    "following",
    "this",
    "these",
    "those",
    "some",
    "two",
    "three",
    "four",
    "couple",
    "few",
    "extra",
    "additional",
    "more",
    "another",
    "both",
];

/// Reads one item. Unknown words form the name, joined with `_`.
pub fn parse(toks: &[Tok], engine: Engine) -> Spec {
    parse_with(toks, engine, false)
}

/// Reads an item; `options` for the inside of a parenthesised option list after a name ("score
/// (int, default 0)"), where a type word is the column's type, never its name.
fn parse_with(toks: &[Tok], engine: Engine, options: bool) -> Spec {
    let mut s = Spec::default();
    let mut name: Vec<String> = Vec::new();
    // Where the name's place is known: after "named"/"called"/"with name" (the name starts over), or
    // after the noun of "a counter field renewals" (the name is the word after it).
    let mut noun_at: Option<usize> = None;
    // "..., and it takes ...": once a pronoun describes the column, words no longer add to its name.
    let mut described = false;
    let mut i = 0;
    let w = |k: usize| toks.get(k).and_then(Tok::word);
    while i < toks.len() {
        let t = &toks[i];
        // "the current time by default", "now by default"
        if let Some((v, used)) = current_time(toks, i)
            && w(i + used) == Some("by")
            && w(i + used + 1) == Some("default")
        {
            s.default = Some(v);
            i += used + 2;
            continue;
        }
        if let Some(word) = t.word()
            && !s.quoted
            && explicit_name_at(toks, i, engine)
        {
            // "with name sync_uuid", "called sync_uuid": what came before was no name.
            name.clear();
            noun_at = None;
            described = false;
            i += if word == "name"
                && toks
                    .get(i + 1)
                    .is_some_and(|t| t.is_punct(':') || t.is_punct('='))
            {
                2
            } else {
                1
            };
            continue;
        }
        if let Tok::Ident(id) = t {
            if s.references.is_none()
                && (s.foreign_key || (i > 0 && w(i - 1) == Some("to")))
                && (!name.is_empty() || s.quoted)
            {
                s.references = Some(id.clone());
            } else {
                s.name = id.clone();
                s.quoted = true;
            }
            i += 1;
            continue;
        }
        if t.is_punct('(') {
            // The matching `)`: "(varchar(12), unique)" holds a group of its own.
            let mut depth = 0usize;
            let close = (i..toks.len()).find(|&k| {
                if toks[k].is_punct('(') {
                    depth += 1;
                } else if toks[k].is_punct(')') {
                    depth -= 1;
                }
                depth == 0
            });
            if let Some(close) = close {
                let inner = &toks[i + 1..close];
                let vals = values(inner);
                // "slug (unique)", "depth (all numeric)", "notes (optional, text)"
                let mut m = parse_with(inner, engine, !name.is_empty() || s.quoted);
                // "(timestamp, null)", "(null ok)": a bare null among the modifiers allows NULL.
                if m.not_null.is_none()
                    && inner.iter().enumerate().any(|(k, t)| {
                        t.is_any(&["null", "nulls"])
                            && !(k > 0
                                && inner[k - 1].is_any(&["not", "non", "set", "default", "no"]))
                    })
                {
                    m.not_null = Some(false);
                }
                let modifiers = (m.name.is_empty() || is_all(&m.name))
                    && (m.ty.is_some()
                        || m.not_null.is_some()
                        || m.default.is_some()
                        || m.unique
                        || m.index
                        || m.foreign_key
                        || m.primary_key
                        || m.range.is_some());
                if !vals.is_empty() && !modifiers {
                    s.values = vals;
                } else {
                    s.ty = m.ty.or(s.ty.take());
                    s.not_null = m.not_null.or(s.not_null);
                    s.default = m.default.or(s.default.take());
                    s.unique |= m.unique;
                    s.index |= m.index;
                    s.foreign_key |= m.foreign_key;
                    s.references = m.references.or(s.references.take());
                    s.on_delete = m.on_delete.or(s.on_delete);
                    s.range = m.range.or(s.range.take());
                    s.primary_key |= m.primary_key;
                }
                i = close + 1;
                continue;
            }
        }
        let Some(word) = t.word() else {
            i += 1;
            continue;
        };
        match word {
            "required" | "mandatory" | "non_null" | "nonnull" | "notnull" => {
                s.not_null = Some(true)
            }
            "not" if w(i + 1) == Some("null") || w(i + 1) == Some("nullable") => {
                s.not_null = Some(true);
                i += 1;
            }
            "non" if w(i + 1) == Some("null") || w(i + 1) == Some("nullable") => {
                s.not_null = Some(true);
                i += 1;
            }
            "optional" | "nullable" => s.not_null = Some(false),
            "unique" => s.unique = true,
            "indexed" | "index" => s.index = true,
            "default" | "defaults" | "defaulting" => {
                let mut k = i + 1;
                while w(k).is_some_and(|x| matches!(x, "to" | "of" | "value" | "is" | "=")) {
                    k += 1;
                }
                if toks
                    .get(k)
                    .is_some_and(|t| t.is_punct('=') || t.is_punct(':'))
                {
                    k += 1;
                }
                if let Some((v, used)) = current_time(toks, k) {
                    s.default = Some(v);
                    i = k + used;
                    continue;
                }
                if let Some(v) = value(toks.get(k)) {
                    s.default = Some(v);
                    i = k;
                    // `gen_random_uuid()`: a function call, evaluated by the database.
                    if let Some(Value::Word(f)) = &s.default
                        && toks.get(k + 1).is_some_and(|t| t.is_punct('('))
                        && toks.get(k + 2).is_some_and(|t| t.is_punct(')'))
                    {
                        s.default = Some(Value::Call(f.clone()));
                        i = k + 2;
                    }
                }
            }
            "by" if w(i + 1) == Some("default") => {
                // "true by default", "enabled by default"
                if let Some(prev) = i.checked_sub(1).and_then(|p| value(toks.get(p))) {
                    let v = match prev {
                        Value::Word(w) if w == "enabled" || w == "on" || w == "yes" => {
                            Value::Word("true".into())
                        }
                        Value::Word(w) if w == "disabled" || w == "off" || w == "no" => {
                            Value::Word("false".into())
                        }
                        v => v,
                    };
                    if name
                        .last()
                        .is_some_and(|n| Some(n.as_str()) == toks[i - 1].word())
                    {
                        name.pop();
                    }
                    s.default = Some(v);
                    i += 1;
                }
                // "by default false": the value follows, read by the `default` arm next.
            }
            // A purpose after the name ends the item: "parent_id for threaded replies".
            "for" | "so" | "because" | "since"
                if (!name.is_empty() || s.quoted)
                    && toks[i + 1..].iter().all(|t| t.word().is_some())
                    && !toks[i + 1..]
                        .iter()
                        .any(|t| types::parse(std::slice::from_ref(t), 0, engine).is_some()) =>
            {
                break;
            }
            "on" if w(i + 1).is_some_and(|x| matches!(x, "delete" | "deletion")) => {
                let rest = &toks[i + 2..];
                let action = match rest.first().and_then(Tok::word) {
                    Some("cascade") => Some(crate::model::FkAction::Cascade),
                    Some("set") if rest.get(1).is_some_and(|t| t.is("null")) => {
                        Some(crate::model::FkAction::SetNull)
                    }
                    Some("restrict") => Some(crate::model::FkAction::Restrict),
                    Some("no") if rest.get(1).is_some_and(|t| t.is("action")) => {
                        Some(crate::model::FkAction::NoAction)
                    }
                    _ => None,
                };
                if let Some(a) = action {
                    s.on_delete = Some(a);
                    s.foreign_key = true;
                    i += if matches!(
                        a,
                        crate::model::FkAction::SetNull | crate::model::FkAction::NoAction
                    ) {
                        4
                    } else {
                        3
                    };
                    continue;
                }
            }
            "foreign" if w(i + 1) == Some("key") => {
                s.foreign_key = true;
                i += 1;
            }
            // "fk", "fk tasks", "foreign keys" (of a list: "both foreign keys")
            "fk" | "fks" => {
                s.foreign_key = true;
                if s.references.is_none()
                    && let Some(n) = toks.get(i + 1).and_then(Tok::name)
                    && !FILLER.contains(&n)
                    && !matches!(
                        n,
                        "to" | "on" | "references" | "referencing" | "cascade" | "and"
                    )
                {
                    s.references = Some(n.to_string());
                    i += 1;
                }
            }
            "foreign" if w(i + 1) == Some("keys") => {
                s.foreign_key = true;
                i += 1;
            }
            "pk" => s.primary_key = true,
            "reqd" | "req" => s.not_null = Some(true),
            // "cascade delete", "delete cascade", "cascading deletes"
            "cascade" | "cascading"
                if w(i + 1).is_some_and(|x| matches!(x, "delete" | "deletes" | "on"))
                    || i.checked_sub(1).and_then(|k| toks[k].word()) == Some("delete") =>
            {
                s.on_delete = Some(crate::model::FkAction::Cascade);
                s.foreign_key = true;
                if w(i + 1).is_some_and(|x| matches!(x, "delete" | "deletes")) {
                    i += 1;
                }
            }
            "delete" if w(i + 1) == Some("cascade") => {}
            "references" | "referencing" | "reference" | "pointing" | "linked" | "link" | "to"
            | "points" => {
                let mut k = i + 1;
                while w(k).is_some_and(|x| matches!(x, "to" | "at" | "table")) {
                    k += 1;
                }
                if let Some(n) = toks.get(k).and_then(Tok::name)
                    && (word != "to" || s.foreign_key)
                {
                    s.foreign_key = true;
                    s.references = Some(n.to_string());
                    i = k;
                    // "users(id)" or "users.id"
                    if toks
                        .get(i + 1)
                        .is_some_and(|t| t.is_punct('(') || t.is_punct('.'))
                    {
                        i += if toks.get(i + 1).is_some_and(|t| t.is_punct('(')) {
                            3
                        } else {
                            2
                        };
                    }
                }
            }
            "primary" if w(i + 1) == Some("key") => {
                s.primary_key = true;
                i += 1;
            }
            // "rating from 1 to 5", "discount_percent between 0 and 100"
            "from" | "between"
                if matches!(toks.get(i + 1), Some(Tok::Num(_)))
                    && w(i + 2).is_some_and(|x| matches!(x, "to" | "and"))
                    && matches!(toks.get(i + 3), Some(Tok::Num(_))) =>
            {
                if let (Some(Tok::Num(lo)), Some(Tok::Num(hi))) = (toks.get(i + 1), toks.get(i + 3))
                {
                    s.range = Some((lo.clone(), hi.clone()));
                }
                i += 4;
                continue;
            }
            "primary" | "key" | "and" => {}
            // "(just the date, no time part)", "without time zone": a type ruled out is not the type.
            "no" | "without" | "not"
                if !w(i + 1).is_some_and(|x| matches!(x, "null" | "nullable" | "nulls"))
                    && types::parse(toks, i + 1, engine).is_some() =>
            {
                let used = types::parse(toks, i + 1, engine).map_or(1, |(_, u)| u);
                i += 1 + used;
                while w(i).is_some_and(|x| matches!(x, "part" | "component" | "portion")) {
                    i += 1;
                }
                continue;
            }
            // "date + time", "date and time": both parts are a timestamp.
            "date"
                if w(i + 1) == Some("time")
                    || (w(i + 2) == Some("time")
                        && (w(i + 1) == Some("and")
                            || toks
                                .get(i + 1)
                                .is_some_and(|t| t.is_punct('+') || t.is_punct('&')))) =>
            {
                let used = if w(i + 1) == Some("time") { 2 } else { 3 };
                s.ty = Some(types::timestamp(engine));
                i += used;
                continue;
            }
            // "experience in whole years", "weight in decimal": the type follows.
            "in" if (!name.is_empty() || s.quoted)
                && types::parse(toks, i + 1, engine).is_some() => {}
            "allowed" | "possible" | "valid" if w(i + 1) == Some("values") => {}
            "values" | "either" if i + 1 < toks.len() => {
                // "with values a, b, c", "allowed values: a, b", "either a or b"
                let mut k = i + 1;
                while toks
                    .get(k)
                    .is_some_and(|t| t.is_punct(':') || t.is_any(&["of", "are"]))
                {
                    k += 1;
                }
                let end = toks[k..]
                    .iter()
                    .position(|t| t.is_any(&["default", "required", "optional", "not"]))
                    .map_or(toks.len(), |p| p + k);
                let vals = values(&toks[k..end]);
                if vals.is_empty() {
                    name.push(word.to_string());
                } else {
                    s.values = vals;
                    i = end;
                    continue;
                }
            }
            "one" if w(i + 1) == Some("of") => {
                let end = toks[i + 2..]
                    .iter()
                    .position(|t| t.is_any(&["default", "required", "optional", "not"]))
                    .map_or(toks.len(), |p| p + i + 2);
                s.values = values(&toks[i + 2..end]);
                i = end;
                continue;
            }
            "column" | "field" | "attribute" | "property" if !name.is_empty() => {
                noun_at = Some(name.len())
            }
            "it" | "its" | "which" | "that" | "this"
                if (!name.is_empty() || s.quoted)
                    && (word == "which"
                        || i.checked_sub(1)
                            .is_some_and(|p| toks[p].is("and") || toks[p].is_punct(','))) =>
            {
                described = true
            }
            // "it takes the current time by default", "which gets 0 by default"
            "take" | "takes" | "get" | "gets" | "use" | "uses" | "hold" | "holds" | "receive"
            | "receives"
                if described => {}
            _ if FILLER.contains(&word) => {}
            _ => match types::parse(toks, i, engine) {
                Some((ty, used))
                    if options
                        || used > 1
                        || !(name.is_empty()
                            && !s.quoted
                            && (is_type_name_column(toks, i)
                                || names_the_noun(toks, i, engine))) =>
                {
                    if word == "timestamps" && name.is_empty() && !s.quoted {
                        s.timestamps = true;
                    }
                    s.ty = Some(ty);
                    i += used;
                    continue;
                }
                _ if described => {}
                _ => name.push(word.to_string()),
            },
        }
        i += 1;
    }
    // "a counter field renewals": one word after the noun is the name, the words before it describe.
    if let Some(at) = noun_at
        && name.len() == at + 1
        && !STOP_AFTER_NOUN.contains(&name[at].as_str())
    {
        name.drain(..at);
    }
    if !s.quoted {
        s.name = name.join("_");
    }
    s
}

/// Words after a column's noun that continue a description rather than name the column ("a price column
/// in cents").
const STOP_AFTER_NOUN: &[&str] = &["in", "for", "of", "on", "at", "to", "from", "per", "by"];

/// Whether `toks[i]` says that the name comes next: "named X", "called X", "with [the] name X",
/// "name: X". A column called `name` ("add name", "a name column") is not such a marker.
fn explicit_name_at(toks: &[Tok], i: usize, engine: Engine) -> bool {
    let next_is_name = |k: usize| {
        toks.get(k).is_some_and(|t| {
            matches!(t, Tok::Ident(_))
                || t.name().is_some_and(|n| {
                    !FILLER.contains(&n) && types::parse(&toks[k..=k], 0, engine).is_none()
                })
        })
    };
    match toks[i].word() {
        Some("named" | "called") => next_is_name(i + 1),
        Some("name") => {
            let after_with = i > 0 && toks[i - 1].is_any(&["with", "by", "its"]);
            let colon = toks
                .get(i + 1)
                .is_some_and(|t| t.is_punct(':') || t.is_punct('='));
            (after_with && next_is_name(i + 1)) || (colon && next_is_name(i + 2))
        }
        _ => false,
    }
}

/// Whether `word` means nothing inside a column item ("column", "called", "with").
pub fn is_filler(word: &str) -> bool {
    FILLER.contains(&word)
}

/// "all", "each", "both": a word that applies what follows to every column of a list.
pub fn is_all(name: &str) -> bool {
    matches!(
        name,
        "all" | "each" | "both" | "every" | "all_them" | "each_them" | "both_them"
    )
}

/// "a currency field, char(3)", "a date column (not null)": a type word right before the column
/// noun, with no name after the noun, names the column.
fn names_the_noun(toks: &[Tok], i: usize, engine: Engine) -> bool {
    toks.get(i + 1)
        .is_some_and(|t| t.is_any(&["field", "column", "col"]))
        && toks.get(i + 2).is_none_or(|t| {
            matches!(t, Tok::Punct(_) | Tok::Break)
                || types::parse(toks, i + 2, engine).is_some()
                || t.is_any(&[
                    "required", "optional", "unique", "default", "not", "nullable",
                ])
        })
}

/// "add date to events": a type word that is the only word of the item is the column's name.
fn is_type_name_column(toks: &[Tok], i: usize) -> bool {
    let word = toks[i].word().unwrap_or("");
    word != "timestamps"
        && !toks[i + 1..].iter().any(|t| {
            t.word().is_some_and(|w| {
                !FILLER.contains(&w)
                    && !matches!(
                        w,
                        "required"
                            | "optional"
                            | "unique"
                            | "default"
                            | "not"
                            | "null"
                            | "nullable"
                            | "indexed"
                    )
            })
        })
        && !toks[..i]
            .iter()
            .any(|t| t.name().is_some_and(|w| !FILLER.contains(&w)))
}

/// A current-time default at `toks[at]` ("the current time", "current timestamp", "now",
/// "now()", "today", "current date", "the time of insertion") and the tokens used.
fn current_time(toks: &[Tok], at: usize) -> Option<(Value, usize)> {
    let w = |k: usize| toks.get(at + k).and_then(Tok::word);
    let now = || Value::Word("current_timestamp".into());
    let today = || Value::Word("current_date".into());
    let (v, mut used) = match (w(0)?, w(1), w(2)) {
        ("current" | "present", Some("time" | "timestamp" | "datetime" | "date_time"), _) => {
            (now(), 2)
        }
        ("current" | "present", Some("date" | "day"), _) => (today(), 2),
        ("right", Some("now"), _) => (now(), 2),
        ("time" | "moment", Some("of"), Some("insert" | "insertion" | "creation" | "writing")) => {
            (now(), 3)
        }
        ("insert" | "insertion" | "creation", Some("time"), _) => (now(), 2),
        ("now" | "current_timestamp" | "current_time" | "localtimestamp", _, _) => (now(), 1),
        ("today" | "current_date", _, _) => (today(), 1),
        _ => return None,
    };
    // "now()", "current_timestamp()"
    if toks.get(at + used).is_some_and(|t| t.is_punct('('))
        && toks.get(at + used + 1).is_some_and(|t| t.is_punct(')'))
    {
        used += 2;
    }
    Some((v, used))
}

/// Whether a default is the current time or date, evaluated by the database.
pub fn is_current_time(v: &Value) -> bool {
    matches!(v, Value::Word(w) | Value::Call(w) if matches!(
        w.as_str(),
        "now" | "current_timestamp" | "current_time" | "localtimestamp" | "current_date" | "today"
            | "getdate" | "sysdate"
    ))
}

/// A default value token.
fn value(t: Option<&Tok>) -> Option<Value> {
    match t? {
        Tok::Str(s) | Tok::Ident(s) => Some(Value::Str(s.clone())),
        Tok::Num(n) => Some(Value::Num(n.clone())),
        Tok::Word(w) => Some(Value::Word(w.clone())),
        _ => None,
    }
}

/// Words that only ever name a type, never a column or a value.
pub(crate) const TYPE_ONLY: &[&str] = &[
    "int",
    "integer",
    "bigint",
    "smallint",
    "varchar",
    "decimal",
    "numeric",
    "boolean",
    "bool",
    "timestamp",
    "timestamptz",
    "datetime",
    "float",
    "double",
];

/// Allowed values: `light/dark`, `a, b or c`, `'x' | 'y'`.
pub fn values(toks: &[Tok]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let flush = |cur: &mut Vec<String>, out: &mut Vec<String>| {
        if !cur.is_empty() {
            out.push(cur.join(" "));
            cur.clear();
        }
    };
    for t in toks {
        match t {
            Tok::Punct('/' | ',' | '|') | Tok::Break => flush(&mut cur, &mut out),
            Tok::Word(w) if w == "or" || w == "and" => flush(&mut cur, &mut out),
            Tok::Word(w) | Tok::Str(w) | Tok::Ident(w) | Tok::Num(w) => cur.push(w.clone()),
            _ => {}
        }
    }
    flush(&mut cur, &mut out);
    // "(timestamp, null ok)", "(int, not null, default 0)": a type or a constraint, not values.
    let described = toks.iter().any(|t| {
        matches!(t, Tok::Word(_))
            && (t.is_any(&[
                "null",
                "nullable",
                "required",
                "optional",
                "default",
                "unique",
                "not",
                "mandatory",
            ]) || (types::parse(std::slice::from_ref(t), 0, Engine::Sqlite).is_some()
                && (t.is_any(TYPE_ONLY) || t.is_any(&["text", "uuid", "json", "jsonb"]))))
    });
    if described {
        return vec![];
    }
    // "(just the date, no time part)" describes the column; it lists no values.
    let hint = out.iter().any(|v| {
        v.split(' ').count() > 1
            && v.split(' ')
                .any(|w| matches!(w, "no" | "not" | "without" | "only" | "just" | "like"))
    });
    if out.len() < 2 || hint { vec![] } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::tokens::lex;

    fn spec(s: &str) -> Spec {
        parse(&lex(s).unwrap(), Engine::Postgres)
    }

    #[test]
    fn names_types_and_modifiers() {
        let s = spec("theme (light/dark)");
        assert_eq!(s.name, "theme");
        assert_eq!(s.values, vec!["light", "dark"]);
        let s = spec("score as decimal(5,2) not null");
        assert_eq!(s.name, "score");
        assert_eq!(s.ty, Some(types::numeric(5, 2)));
        assert_eq!(s.not_null, Some(true));
        let s = spec("user_id foreign key to users");
        assert!(s.foreign_key);
        assert_eq!(s.references.as_deref(), Some("users"));
        let s = spec("is_active default true");
        assert_eq!(s.default, Some(Value::Word("true".into())));
        let s = spec("token uuid not null default gen_random_uuid()");
        assert_eq!(s.default, Some(Value::Call("gen_random_uuid".into())));
        assert_eq!(s.not_null, Some(true));
        let s = spec("notifications enabled true by default");
        assert_eq!(s.name, "notifications_enabled");
        assert_eq!(s.default, Some(Value::Word("true".into())));
        let s = spec("last login at");
        assert_eq!(s.name, "last_login_at");
        let s = spec("date");
        assert_eq!(s.name, "date");
        assert_eq!(s.ty, None);
        assert!(spec("timestamps").timestamps);
        let s = spec("slug (unique)");
        assert_eq!(s.name, "slug");
        assert!(s.unique);
        let s = spec("depth (all numeric)");
        assert_eq!(s.name, "depth");
        assert_eq!(s.ty, Some(types::numeric(12, 2)));
        let s = spec("fulfillment with values pending, paid, shipped, cancelled");
        assert_eq!(s.name, "fulfillment");
        assert_eq!(s.values, vec!["pending", "paid", "shipped", "cancelled"]);
        let s = spec("status one of active, inactive or banned default 'active'");
        assert_eq!(s.values, vec!["active", "inactive", "banned"]);
        assert_eq!(s.default, Some(Value::Str("active".into())));
    }
}
