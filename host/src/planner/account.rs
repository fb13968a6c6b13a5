//! Accounts for every word of a request once a plan exists, so the planner never guesses.
//!
//! [`read`] gives each word of the request the slot it filled: a keyword of the planner's
//! vocabulary (verb, noun, option, type), filler (articles, politeness, explanation), a name the plan
//! uses (tables, columns, indexes: exact, by plural, by part of a snake_case name or as a typo), a
//! value the plan uses (numbers, quoted strings), or a word in a sentence that only explains why.
//! A content word that fills no slot means the planner did not understand the request: [`check`]
//! refuses, naming the words. It also refuses a plan that removes or rewrites a table or column the
//! request never names, and a new name made of words the request does not present as a name ("a
//! column for the favourite colour" is prose; `favourite_colour`, `"favourite colour"` or "column
//! called favourite" are names). The same [`Reading`] is what `migrate --explain` shows.
//!
//! The vocabulary is not a copy of the parsers' lists: it is every one-word string literal of the
//! planner's own sources ([`SOURCES`]), so a synonym added to a parser is known here at once.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Serialize;

use super::plan::{Plan, Refusal};
use super::resolve::{self, Fit, Found, Names};
use super::tokens::{self, Tok};
use super::{intents, keywords, types};
use crate::connection::Engine;
use crate::model::{Change, DatabaseSchema};

/// The slot a word of the request filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// The instruction: add, create, drop, rename...
    Verb,
    /// A structural noun: table, column, index.
    Noun,
    /// A column or constraint option: unique, default, not null, references...
    Option,
    /// A type: integer, text, decimal...
    Type,
    /// Another word the planner reads (prepositions of structure, quantifiers, synonyms).
    Keyword,
    /// An existing or new table the plan uses.
    Table,
    /// An existing or new column the plan uses.
    Column,
    /// Another name the plan uses (index, constraint).
    Name,
    /// A number or quoted literal the plan uses.
    Value,
    /// Politeness, articles, pronouns, auxiliaries.
    Filler,
    /// A word of a sentence or clause that only says why ("because ...", "<reason>, so ...").
    Explanation,
    /// A content word that fills no slot: the planner did not understand it.
    Unplaced,
}

impl Slot {
    pub fn label(self) -> &'static str {
        match self {
            Slot::Verb => "verb",
            Slot::Noun => "noun",
            Slot::Option => "option",
            Slot::Type => "type",
            Slot::Keyword => "keyword",
            Slot::Table => "table",
            Slot::Column => "column",
            Slot::Name => "name",
            Slot::Value => "value",
            Slot::Filler => "filler",
            Slot::Explanation => "explanation",
            Slot::Unplaced => "UNPLACED",
        }
    }
}

/// One word of the request and how it was read.
#[derive(Debug, Clone, Serialize)]
pub struct Word {
    /// As written (lowercased words; quoted names and literals verbatim).
    pub text: String,
    pub slot: Slot,
    /// What it was read as: "typo of column", "users (plural)", "part of favourite_colour"...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A name of the request matched to a schema object (or a new one the plan creates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameMatch {
    pub word: String,
    /// `table users`, `column users.email`, `new column users.nickname`, `index idx_users_email`.
    pub object: String,
    /// `exact`, `plural/singular form`, `typo (1 edit)`, `part of the name`, `new`.
    pub how: String,
}

/// How the request was read: every word's slot, the names matched, and what could not be placed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reading {
    pub words: Vec<Word>,
    pub names: Vec<NameMatch>,
    /// Content words that fill no slot.
    pub unplaced: Vec<String>,
    /// What the plan would do that the request does not ask for (removes an object it never names, a
    /// new name made of prose).
    pub problems: Vec<String>,
    /// The objects already described, by kind and name, and the matches already listed.
    #[serde(skip)]
    objects: HashMap<(String, String), String>,
    #[serde(skip)]
    listed: HashSet<(String, String)>,
}

/// The planner's sources whose one-word string literals form its vocabulary.
const SOURCES: &[&str] = &[
    include_str!("intents/mod.rs"),
    include_str!("intents/add.rs"),
    include_str!("intents/alter.rs"),
    include_str!("intents/create.rs"),
    include_str!("intents/drop.rs"),
    include_str!("intents/fill.rs"),
    include_str!("intents/index.rs"),
    include_str!("intents/refactor.rs"),
    include_str!("intents/rename.rs"),
    include_str!("intents/reshape.rs"),
    include_str!("intents/reshape.rs"),
    include_str!("keywords.rs"),
    include_str!("tokens.rs"),
    include_str!("spec.rs"),
    include_str!("types.rs"),
    include_str!("infer.rs"),
    include_str!("find.rs"),
    include_str!("sql.rs"),
];

/// Words that carry no schema meaning: articles, pronouns, auxiliaries, prepositions and
/// conjunctions, politeness and chat, and the verbs people wrap a request in ("we want to start
/// collecting ...", "I think we need ..."). Inflected forms are found by [`forms`].
const STOPWORDS: &[&str] = &[
    ORDINALS,
    DETERMINERS,
    PRONOUNS,
    AUXILIARIES,
    LINKS,
    POLITENESS,
    WRAPPERS,
];

/// Ordinals: filler alone ("first, add ..."), and never a name alone (a table renamed to "first"),
/// but part of one with a noun ("first name" -> `first_name`).
const ORDINALS: &str = "first last next previous second third";

const DETERMINERS: &str = "\
    a an the this that these those some any each every all both either neither such own other \
    actual proper real genuine \
    another same certain various much many few several lot lots bit little enough whatever \
    whichever something anything everything nothing thing things stuff way ways kind sort part one \
    ones too very really quite rather pretty even still yet already again ever here there";

const PRONOUNS: &str = "\
    i me my mine myself we us our ours ourselves you your yours u ur he him his she her hers it \
    its itself they them their theirs themselves who whom whose what which where when why how \
    someone somebody anyone everyone folks guys everybody";

/// Auxiliaries and modals; a contraction is one word ("we're" -> "were", "don't" -> "dont").
const AUXILIARIES: &str = "\
    be is am are was were been being im ive ill youre weve wed theyre thats theres heres lets do \
    does did done doing dont doesnt didnt have has had having havent hasnt can cant could couldnt \
    shall should shouldnt will wont would wouldnt may might must mustnt need needs ought gonna \
    wanna gotta isnt arent wasnt werent";

/// Prepositions, conjunctions and adverbs of time and manner.
const LINKS: &str = "\
    to of in on at by for with without from into onto upon about above below over under between \
    through throughout during before after until till within inside outside across along around \
    among via per against toward towards besides except like unlike than then and or nor but so if \
    unless because since as while whereas though although also plus thus hence therefore otherwise \
    instead else whether cause cuz coz bc not no yes only just now currently right soon later \
    today anymore actually basically simply probably maybe perhaps definitely certainly obviously \
    ideally hopefully eventually finally well always never sometimes often usually mostly mainly \
    especially";

const POLITENESS: &str = "\
    please pls plz kindly thanks thank thx ty cheers hi hey hello dear ok okay sure great cool \
    nice sorry hmm um uh oh btw fyi asap quick quickly mind appreciate appreciated help assist \
    favor favour possible able";

/// The verbs and nouns a request is wrapped in.
const WRAPPERS: &str = "\
    want wants wanted wish love hope think guess believe feel know knows see seems seem looks look \
    realize realise noticed notice decided decide plan planning going go get got getting let try \
    start begin keep continue stop use using used ensure handle support allow record recording \
    collect capture save hold contain contains put give take bring set setup work works happen \
    needed required necessary important useful request requests change changes schema database db \
    migration migrations update";

/// Structural nouns (for the explanation only; every one is also vocabulary).
const NOUN_WORDS: &str = "\
    column columns field fields table tables index indexes indices constraint constraints key keys \
    attribute attributes property relationship fk pk idx col tbl";

/// Option words (for the explanation only).
const OPTION_WORDS: &str = "\
    unique uniqueness required mandatory optional nullable null nulls not non_null default \
    defaults defaulting check positive negative between references reference referencing foreign \
    primary cascade restrict indexed empty blank missing min max minimum maximum";

/// Words that introduce a name: the words right after them are presented as a name.
const CALLED: &[&str] = &["called", "named", "name", "as"];

/// Words that end an explanation clause or start one ("<reason>, so add ...", "... because ...",
/// "... for soft deletes").
const CLAUSE_BREAKS: &[&str] = &["because", "since", "so", "for", "cause", "cuz", "coz", "bc"];

/// Whether one of `forms` is a word of the space-separated `list`.
fn listed(list: &str, forms: &[String]) -> bool {
    list.split_whitespace()
        .any(|w| forms.iter().any(|f| f == w))
}

fn vocabulary() -> &'static HashSet<&'static str> {
    static VOCABULARY: OnceLock<HashSet<&'static str>> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let mut words: HashSet<&'static str> = SOURCES.iter().flat_map(|s| literals(s)).collect();
        words.extend(intents::reshape::VOCABULARY);
        words.extend(keywords::PHRASE_WORDS);
        words.extend(keywords::STATEMENT_WORDS);
        words.extend(
            keywords::VERBS
                .iter()
                .chain(keywords::NOUNS)
                .chain(keywords::OPTIONS),
        );
        words
    })
}

/// The one-word string literals (`"[a-z][a-z0-9_]*"`) of Rust source, outside comments and the
/// `#[cfg(test)]` part.
fn literals(source: &'static str) -> Vec<&'static str> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    let bytes = code.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            // A character literal: '"', '\'', 'x'.
            b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 3,
            b'\'' if bytes.get(i + 1) == Some(&b'\\') && bytes.get(i + 3) == Some(&b'\'') => i += 4,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let lit = &code[start..j.min(code.len())];
                if lit.len() >= 2
                    && lit.as_bytes()[0].is_ascii_lowercase()
                    && lit
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    out.push(lit);
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The stopwords but the wrapping verbs and nouns ("handle", "record", "support" make good names).
fn function_words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        STOPWORDS
            .iter()
            .filter(|l| !std::ptr::eq(**l, WRAPPERS))
            .flat_map(|l| l.split_whitespace())
            .collect()
    })
}

fn stopwords() -> &'static HashSet<&'static str> {
    static STOP: OnceLock<HashSet<&'static str>> = OnceLock::new();
    STOP.get_or_init(|| {
        STOPWORDS
            .iter()
            .flat_map(|l| l.split_whitespace())
            .collect()
    })
}

/// A word and the forms it may be an inflection of: plural, -ing, -ed, -ly, -er, possessive.
fn forms(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    let mut push = |s: String| {
        if s.len() >= 2 && !out.contains(&s) {
            out.push(s);
        }
    };
    push(resolve::singular(word));
    for (suffix, stems) in [
        ("ies", &["y"][..]),
        ("es", &[""][..]),
        ("s", &[""][..]),
        ("ing", &["", "e"][..]),
        ("ied", &["y"][..]),
        ("ed", &["", "e"][..]),
        ("ly", &[""][..]),
        ("er", &["", "e"][..]),
        ("ers", &["", "e"][..]),
    ] {
        if let Some(stem) = word.strip_suffix(suffix) {
            for s in stems {
                push(format!("{stem}{s}"));
            }
            // "dropping" -> "drop", "added" -> "add"
            let b = stem.as_bytes();
            if b.len() >= 2 && b[b.len() - 1] == b[b.len() - 2] {
                push(stem[..stem.len() - 1].to_string());
            }
        }
    }
    out
}

fn is_vocabulary(word: &str) -> bool {
    let v = vocabulary();
    forms(word).iter().any(|f| v.contains(f.as_str()))
}

pub(crate) fn is_stopword(word: &str) -> bool {
    let s = stopwords();
    forms(word).iter().any(|f| s.contains(f.as_str()))
}

/// A word of the request's grammar rather than of its subject: a stopword, a verb, a structural
/// noun or an option ("check", "separate", "same"). Type words and the planner's name hints
/// ("email", "text", "date") are not: they make good names.
fn grammar(word: &str) -> bool {
    if is_type_word(word, Engine::Sqlite) {
        return false;
    }
    // Only the plural is undone here: "notes" is no form of "not".
    let fs = [word.to_string(), resolve::singular(word)];
    let any = |list: &[&str]| fs.iter().any(|f| list.contains(&f.as_str()));
    fs.iter().any(|f| function_words().contains(f.as_str()))
        || fs.iter().any(|f| intents::is_verb(f))
        || any(keywords::VERBS)
        || any(keywords::NOUNS)
        || any(keywords::OPTIONS)
        || listed(NOUN_WORDS, fs.as_slice())
        || listed(OPTION_WORDS, fs.as_slice())
        || intents::KEYWORDS.contains(&word)
}

fn is_type_word(word: &str, engine: Engine) -> bool {
    types::parse(&[Tok::Word(word.to_string())], 0, engine).is_some()
}

/// The slot of a keyword.
fn keyword_slot(word: &str, engine: Engine) -> Slot {
    let fs = forms(word);
    let any = |list: &[&str]| fs.iter().any(|f| list.contains(&f.as_str()));
    if fs.iter().any(|f| intents::is_verb(f)) || any(keywords::VERBS) {
        Slot::Verb
    } else if listed(NOUN_WORDS, fs.as_slice()) || any(keywords::NOUNS) {
        Slot::Noun
    } else if listed(OPTION_WORDS, fs.as_slice()) || any(keywords::OPTIONS) {
        Slot::Option
    } else if is_type_word(word, engine) {
        Slot::Type
    } else {
        Slot::Keyword
    }
}

/// What a plan names and uses.
#[derive(Default)]
struct Facts {
    /// Every identifier or value word of the plan, lowercased, with its kind.
    idents: HashMap<String, &'static str>,
    /// The parts of snake_case identifiers (and their singulars), pointing at the whole name.
    pieces: HashMap<String, String>,
    /// Every string of the plan, lowercased (quoted literals are looked up in them).
    strings: Vec<String>,
    /// Numbers the plan uses.
    numbers: HashSet<String>,
    /// Tables and columns (`table.column`) the plan creates.
    new_tables: HashSet<String>,
    new_columns: HashSet<String>,
    /// A new column's name and its `table.column`.
    new_column_of: HashMap<String, String>,
}

impl Facts {
    fn of(plan: &Plan) -> Facts {
        let mut f = Facts::default();
        let mut all = plan.changes.clone();
        all.extend(plan.down.iter().flatten().cloned());
        for c in &all {
            f.kinds(c);
        }
        if let Ok(json) = serde_json::to_value(&all) {
            f.walk(&json);
        }
        f
    }

    fn ident(&mut self, name: &str, kind: &'static str) {
        let k = resolve::key(name);
        let entry = self.idents.entry(k).or_insert(kind);
        if *entry == "name" {
            *entry = kind;
        }
    }

    fn new_column(&mut self, table: &str, column: &str) {
        let (t, c) = (resolve::key(table), resolve::key(column));
        let whole = format!("{t}.{c}");
        self.new_column_of.entry(c).or_insert_with(|| whole.clone());
        self.new_columns.insert(whole);
    }

    /// The kinds of the names the plan's changes create or touch.
    fn kinds(&mut self, change: &Change) {
        match change {
            Change::CreateTable(t) => {
                self.ident(&t.name.name, "table");
                self.new_tables.insert(resolve::key(&t.name.name));
                for c in &t.columns {
                    self.ident(&c.name, "column");
                    self.new_column(&t.name.name, &c.name);
                }
            }
            Change::AddColumn(a) => {
                self.ident(&a.table.name, "table");
                self.ident(&a.column.name, "column");
                self.new_column(&a.table.name, &a.column.name);
            }
            Change::RenameTable(r) => {
                self.ident(&r.table.name, "table");
                self.ident(&r.new_name, "table");
            }
            Change::RenameColumn(r) => {
                self.ident(&r.table.name, "table");
                self.ident(&r.column, "column");
                self.ident(&r.new_name, "column");
            }
            Change::DropTable(t) => self.ident(&t.name, "table"),
            Change::FillNulls(f) => {
                self.ident(&f.column.table.name, "table");
                self.ident(&f.column.column, "column");
            }
            Change::DropColumn(c) | Change::SetNotNull(c) | Change::DropNotNull(c) => {
                self.ident(&c.table.name, "table");
                self.ident(&c.column, "column");
            }
            Change::AlterColumnType(a) => {
                self.ident(&a.table.name, "table");
                self.ident(&a.column, "column");
            }
            Change::SetDefault(d) => {
                self.ident(&d.table.name, "table");
                self.ident(&d.column, "column");
            }
            Change::AddIndex(a) => {
                self.ident(&a.table.name, "table");
                self.ident(&a.index.name, "index");
            }
            Change::AddForeignKey(a) => {
                self.ident(&a.table.name, "table");
                self.ident(&a.foreign_key.referenced_table.name, "table");
                for c in &a.foreign_key.columns {
                    self.ident(c, "column");
                }
            }
            Change::CopyRows(c) => {
                self.ident(&c.source.name, "table");
                self.ident(&c.target.name, "table");
            }
            Change::FillColumn(c) => {
                self.ident(&c.source.name, "table");
                self.ident(&c.target.name, "table");
                self.ident(&c.column, "column");
                self.ident(&c.value, "column");
            }
            _ => {}
        }
    }

    /// Every string and number of the plan's JSON form: names, types, defaults, expressions.
    fn walk(&mut self, v: &serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                let lower = s.to_lowercase();
                for w in lower.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                    if w.is_empty() {
                        continue;
                    }
                    if w.chars().all(|c| c.is_ascii_digit()) {
                        self.numbers.insert(w.to_string());
                    }
                    self.ident(w, "name");
                }
                for n in lower.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')) {
                    if n.parse::<f64>().is_ok() {
                        self.numbers.insert(n.to_string());
                    }
                }
                self.strings.push(lower);
            }
            serde_json::Value::Number(n) => {
                self.numbers.insert(n.to_string());
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| self.walk(x)),
            serde_json::Value::Object(o) => o.values().for_each(|x| self.walk(x)),
            _ => {}
        }
    }

    fn index_pieces(&mut self) {
        let names: Vec<String> = self.idents.keys().cloned().collect();
        for n in names {
            for p in n.split('_').filter(|p| p.len() >= 2) {
                self.pieces.entry(p.to_string()).or_insert(n.clone());
                self.pieces.entry(resolve::singular(p)).or_insert(n.clone());
            }
        }
    }

    /// The plan's name `word` stands for, and how.
    fn name_of(&self, word: &str) -> Option<(String, &'static str, String)> {
        let k = resolve::key(word);
        if let Some(kind) = self.idents.get(&k) {
            return Some((k, kind, "exact".into()));
        }
        let (sing, plur) = (resolve::singular(&k), resolve::plural(&k));
        for f in [&sing, &plur] {
            if let Some(kind) = self.idents.get(f) {
                return Some((f.clone(), kind, "plural/singular form".into()));
            }
        }
        for f in [&k, &sing] {
            if let Some(whole) = self.pieces.get(f) {
                let kind = self.idents.get(whole).copied().unwrap_or("name");
                return Some((whole.clone(), kind, format!("part of {whole}")));
            }
        }
        if k.len() >= 4 {
            let mut best: Option<(usize, &String)> = None;
            for name in self.idents.keys() {
                let max = if name.len() >= 8 { 2 } else { 1 };
                let d = resolve::distance(&k, name, max);
                if d > 0 && d <= max && best.is_none_or(|(b, _)| d < b) {
                    best = Some((d, name));
                }
            }
            if let Some((d, name)) = best {
                let kind = self.idents[name];
                let edits = if d == 1 { "edit" } else { "edits" };
                return Some((name.clone(), kind, format!("typo ({d} {edits})")));
            }
        }
        None
    }

    fn uses_number(&self, n: &str) -> bool {
        let n = n.trim_start_matches('+');
        self.numbers.contains(n)
            || n.parse::<f64>()
                .is_ok_and(|x| self.numbers.iter().any(|m| m.parse::<f64>() == Ok(x)))
    }

    fn uses_string(&self, s: &str) -> bool {
        let lower = s.to_lowercase();
        let doubled = lower.replace('\'', "''");
        self.strings
            .iter()
            .any(|p| p.contains(&lower) || p.contains(&doubled))
    }
}

/// Reads `request`: `raw` is every token as written, `read` the tokens the planner read (politeness
/// dropped) before keyword typos were corrected, `corrected` after. `plan` is the planner's plan, if
/// it made one.
pub fn read(
    request: &str,
    read: &[Tok],
    corrected: &[Tok],
    names: &Names,
    schema: &DatabaseSchema,
    plan: Option<&Plan>,
    engine: Engine,
) -> Reading {
    let (raw, explaining) = sentences(request);
    let mut facts = plan.map(Facts::of).unwrap_or_default();
    facts.index_pieces();
    // Which raw token each token the planner read stands for (the read ones are a subsequence).
    let mut kept: Vec<Option<usize>> = vec![None; raw.len()];
    let mut at = 0;
    for (i, t) in raw.iter().enumerate() {
        if at < read.len() && *t == read[at] {
            kept[i] = Some(at);
            at += 1;
        }
    }
    let mut reading = Reading::default();
    for (i, t) in raw.iter().enumerate() {
        let word = match t {
            Tok::Punct(_) | Tok::Break => continue,
            // A value the pre-pass set aside (an example: "(like 4.37)") is part of an explanation.
            Tok::Num(n) | Tok::Str(n) if kept[i].is_none() => Word {
                text: n.clone(),
                slot: Slot::Filler,
                detail: None,
            },
            Tok::Num(n) => {
                let used = plan.is_none() || facts.uses_number(n) || thousands(&raw, i, &facts);
                Word {
                    text: n.clone(),
                    slot: if used { Slot::Value } else { Slot::Unplaced },
                    detail: None,
                }
            }
            Tok::Str(s) | Tok::Ident(s) => {
                let quoted = match t {
                    Tok::Str(_) => format!("'{s}'"),
                    _ => format!("\"{s}\""),
                };
                // A quoted literal is a value unless it names a table or column.
                let named = facts.name_of(s).filter(|(_, kind, how)| {
                    how == "exact"
                        && (matches!(t, Tok::Ident(_)) || matches!(*kind, "table" | "column"))
                });
                match named {
                    Some((name, kind, how)) => {
                        reading.matched(s, kind, &name, &how, names, &facts);
                        Word {
                            text: quoted,
                            slot: kind_slot(kind),
                            detail: None,
                        }
                    }
                    None if plan.is_none() || facts.uses_string(s) => Word {
                        text: quoted,
                        slot: Slot::Value,
                        detail: None,
                    },
                    None => Word {
                        text: quoted,
                        slot: Slot::Unplaced,
                        detail: None,
                    },
                }
            }
            Tok::Word(w) => {
                let fixed = kept[i]
                    .and_then(|k| corrected.get(k))
                    .and_then(Tok::word)
                    .filter(|c| c != w);
                if kept[i].is_none() {
                    Word {
                        text: w.clone(),
                        slot: Slot::Filler,
                        detail: None,
                    }
                } else if let Some(c) = fixed {
                    Word {
                        text: w.clone(),
                        slot: keyword_slot(c, engine),
                        detail: Some(format!("typo of `{c}`")),
                    }
                } else {
                    reading.word(w, explaining[i], &facts, names, plan.is_some(), engine)
                }
            }
        };
        if word.slot == Slot::Unplaced && !reading.unplaced.contains(&word.text) {
            reading.unplaced.push(word.text.clone());
        }
        reading.words.push(word);
    }
    if let Some(plan) = plan {
        reading.problems = problems(plan, corrected, names, schema, &facts);
    }
    reading
}

fn kind_slot(kind: &str) -> Slot {
    match kind {
        "table" => Slot::Table,
        "column" => Slot::Column,
        _ => Slot::Name,
    }
}

/// Whether the number at `raw[i]` is a group of one written with thousands separators
/// ("10,000") that the plan uses whole.
fn thousands(raw: &[Tok], i: usize, facts: &Facts) -> bool {
    let num = |k: usize| match raw.get(k) {
        Some(Tok::Num(n)) => Some(n.as_str()),
        _ => None,
    };
    let mut start = i;
    while start >= 2 && raw[start - 1].is_punct(',') && num(start - 2).is_some() {
        start -= 2;
    }
    let mut whole = String::new();
    let mut k = start;
    while let Some(n) = num(k) {
        whole.push_str(n);
        if k >= i && whole.len() > 3 && facts.uses_number(&whole) {
            return true;
        }
        if !(raw.get(k + 1).is_some_and(|t| t.is_punct(','))
            && num(k + 2).is_some_and(|n| n.len() == 3))
        {
            break;
        }
        k += 2;
    }
    false
}

impl Reading {
    /// Classifies one word the planner read.
    fn word(
        &mut self,
        w: &str,
        explaining: bool,
        facts: &Facts,
        names: &Names,
        planned: bool,
        engine: Engine,
    ) -> Word {
        let word = |slot, detail: Option<String>| Word {
            text: w.to_string(),
            slot,
            detail,
        };
        let content = !is_vocabulary(w) && !is_stopword(w);
        if let Some((name, kind, how)) = facts.name_of(w)
            // A keyword that is only a part of a name ("to" of "add_to_cart") stays a keyword.
            && (content || how == "exact" || how == "plural/singular form")
        {
            self.matched(w, kind, &name, &how, names, facts);
            let detail = (how != "exact").then(|| format!("{name} ({how})"));
            return word(kind_slot(kind), detail);
        }
        if !planned
            && (content || names.is_table(w))
            && let Some(m) = schema_match(w, names)
        {
            let slot = if m.object.starts_with("table") {
                Slot::Table
            } else {
                Slot::Column
            };
            if self.listed.insert((m.word.clone(), m.object.clone())) {
                self.names.push(m);
            }
            return word(slot, None);
        }
        if is_vocabulary(w) {
            let slot = match keyword_slot(w, engine) {
                Slot::Keyword if is_stopword(w) => Slot::Filler,
                slot => slot,
            };
            return word(slot, None);
        }
        if is_type_word(w, engine) {
            return word(Slot::Type, None);
        }
        if is_stopword(w) {
            return word(Slot::Filler, None);
        }
        if explaining {
            return word(Slot::Explanation, None);
        }
        word(Slot::Unplaced, None)
    }

    /// Records that `word` stands for the plan's name `name`.
    fn matched(
        &mut self,
        word: &str,
        kind: &str,
        name: &str,
        how: &str,
        names: &Names,
        facts: &Facts,
    ) {
        let cached = self
            .objects
            .get(&(kind.to_string(), name.to_string()))
            .cloned();
        let object = cached.unwrap_or_else(|| {
            let object = match kind {
                "table" if facts.new_tables.contains(name) => format!("new table {name}"),
                "table" => match names.table(name) {
                    Found::One(t, _) => format!("table {}", t.name.display()),
                    _ => format!("table {name}"),
                },
                "column" => match facts.new_column_of.get(name) {
                    Some(c) => format!("new column {c}"),
                    None => match names.tables_with_column(name).as_slice() {
                        [t] => format!("column {}.{name}", t.name.display()),
                        _ => format!("column {name}"),
                    },
                },
                "index" => format!("index {name}"),
                _ => format!("name {name}"),
            };
            self.objects
                .insert((kind.to_string(), name.to_string()), object.clone());
            object
        });
        if !self.listed.insert((word.to_string(), object.clone())) {
            return;
        }
        let m = NameMatch {
            word: word.to_string(),
            object,
            how: how.to_string(),
        };
        self.names.push(m);
    }
}

/// An existing table or column `word` names (used when no plan was made).
fn schema_match(word: &str, names: &Names) -> Option<NameMatch> {
    let how = |fit: Fit| match fit {
        Fit::Exact => "exact",
        Fit::Form => "plural/singular form",
        Fit::Typo => "typo",
    };
    if let Found::One(t, fit) = names.table(word) {
        return Some(NameMatch {
            word: word.to_string(),
            object: format!("table {}", t.name.display()),
            how: how(fit).into(),
        });
    }
    let tables = names.tables_with_column(word);
    let t = tables.first()?;
    let object = if tables.len() == 1 {
        format!("column {}.{}", t.name.display(), resolve::key(word))
    } else {
        format!("column {} ({} tables)", resolve::key(word), tables.len())
    };
    Some(NameMatch {
        word: word.to_string(),
        object,
        how: "exact".into(),
    })
}

/// The request's tokens as written, and for each whether it lies in a sentence or clause that only
/// explains: one with no instruction verb, no value, no option or type word, when another one of
/// the request gives the instruction.
fn sentences(request: &str) -> (Vec<Tok>, Vec<bool>) {
    let whole = || {
        let toks = tokens::lex_raw(request).unwrap_or_default();
        let n = toks.len();
        (toks, vec![false; n])
    };
    // Sentence ends: . ! ? followed by a space or the end, outside quotes.
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
    let mut toks = vec![];
    let mut clause = vec![];
    let mut n = 0usize;
    for p in pieces {
        let Ok(ts) = tokens::lex_raw(p) else {
            return whole();
        };
        for (k, t) in ts.iter().enumerate() {
            // "because ...", "<reason>, so ...", "<reason>, can you add ...": a clause of its own.
            let verb_next = t.is_punct(',')
                && ts[k + 1..]
                    .iter()
                    .filter_map(Tok::word)
                    .find(|w| !is_stopword(w) || intents::is_verb(w))
                    .is_some_and(intents::is_verb);
            // "<what for>: <the list>": the colon ends a clause.
            if t.is_any(CLAUSE_BREAKS) || verb_next || t.is_punct(':') {
                n += 1;
            }
            clause.push(n);
            toks.push(t.clone());
        }
        n += 1;
    }
    if toks != tokens::lex_raw(request).unwrap_or_default() {
        return whole();
    }
    let clauses = n;
    let mut instructs = vec![false; clauses];
    let mut grouped: Vec<Vec<&Tok>> = vec![vec![]; clauses];
    for (t, c) in toks.iter().zip(&clause) {
        grouped[*c].push(t);
    }
    for c in 0..clauses {
        let ts = &grouped[c];
        // "new" reads as a verb only at the very start; a "for ..." clause says what for.
        let verb_first = !ts.first().is_some_and(|t| t.is("for"))
            && ts
                .iter()
                .filter_map(|t| t.word())
                .find(|w| !is_stopword(w) || intents::is_verb(w))
                .is_some_and(|w| intents::is_verb(w) && w != "new");
        let meaning = ts.iter().any(|t| match t {
            Tok::Num(_) | Tok::Str(_) | Tok::Ident(_) => true,
            Tok::Word(w) => {
                forms(w)
                    .iter()
                    .any(|f| OPTION_WORDS.split_whitespace().any(|o| o == f))
                    || is_type_word(w, Engine::Sqlite)
            }
            _ => false,
        });
        instructs[c] = verb_first || meaning;
    }
    if instructs.iter().filter(|i| **i).count() == 0 {
        let n = toks.len();
        return (toks, vec![false; n]);
    }
    let explaining = clause.iter().map(|c| !instructs[*c]).collect();
    (toks, explaining)
}

/// Where a plan does what the request does not ask for: removes or rewrites an object it never
/// names, or takes a new name from words that are not presented as one.
fn problems(
    plan: &Plan,
    toks: &[Tok],
    names: &Names,
    schema: &DatabaseSchema,
    facts: &Facts,
) -> Vec<String> {
    let mentions = Mentions::of(toks);
    let mut out = vec![];
    let created = |t: &str, c: &str| {
        facts
            .new_columns
            .contains(&format!("{}.{}", resolve::key(t), resolve::key(c)))
    };
    let renamed_to: HashMap<String, String> = plan
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::RenameTable(r) => {
                Some((resolve::key(&r.new_name), resolve::key(&r.table.name)))
            }
            _ => None,
        })
        .collect();
    let table_named = |t: &str| {
        let k = resolve::key(t);
        mentions.names(&k) || renamed_to.get(&k).is_some_and(|old| mentions.names(old))
    };
    // A column whose values the plan copies elsewhere first moves; it is not lost.
    let carried = |t: &str, c: &str| {
        plan.changes.iter().any(|x| match x {
            Change::CopyRows(r) => {
                resolve::key(&r.source.name) == resolve::key(t)
                    && r.columns
                        .iter()
                        .any(|p| resolve::key(&p.source) == resolve::key(c))
            }
            Change::FillColumn(f) => {
                resolve::key(&f.source.name) == resolve::key(t)
                    && resolve::key(&f.value) == resolve::key(c)
            }
            _ => false,
        })
    };
    for c in &plan.changes {
        match c {
            Change::DropTable(t)
                if !facts.new_tables.contains(&resolve::key(&t.name)) && !table_named(&t.name) =>
            {
                out.push(format!("drop table {}", t.display()));
            }
            Change::DropColumn(r)
                if !(created(&r.table.name, &r.column)
                    || mentions.names(&r.column)
                    || (carried(&r.table.name, &r.column) && table_named(&r.table.name))) =>
            {
                out.push(format!("drop column {}.{}", r.table.display(), r.column));
            }
            Change::AlterColumnType(a)
                if !created(&a.table.name, &a.column)
                    && !mentions.names(&a.column)
                    && !linked_to_named(plan, schema, &mentions, &a.table.name, &a.column) =>
            {
                out.push(format!(
                    "change the type of {}.{}",
                    a.table.display(),
                    a.column
                ));
            }
            Change::RenameTable(r) if !mentions.names(&r.table.name) => {
                out.push(format!("rename table {}", r.table.display()));
            }
            Change::RenameColumn(r) if !mentions.names(&r.column) => {
                out.push(format!("rename column {}.{}", r.table.display(), r.column));
            }
            Change::FillColumn(f)
                if !created(&f.target.name, &f.column) && !mentions.names(&f.column) =>
            {
                out.push(format!("overwrite {}.{}", f.target.display(), f.column));
            }
            _ => {}
        }
    }
    let mut out: Vec<String> = out
        .into_iter()
        .map(|what| format!("it would {what}, which the request does not name"))
        .collect();
    // New names come only from words presented as names.
    let mut new_names: Vec<(&'static str, String)> = vec![];
    for c in &plan.changes {
        match c {
            Change::CreateTable(t) => {
                new_names.push(("table", t.name.name.clone()));
                new_names.extend(t.columns.iter().map(|c| ("column", c.name.clone())));
            }
            Change::AddColumn(a) => new_names.push(("column", a.column.name.clone())),
            Change::RenameTable(r) => new_names.push(("table", r.new_name.clone())),
            Change::RenameColumn(r) => new_names.push(("column", r.new_name.clone())),
            _ => {}
        }
    }
    let index = TokIndex::of(toks);
    for (kind, name) in new_names {
        if let Some(words) = prose_name(&name, &index, names) {
            let problem = format!(
                "the new {kind} `{name}` would be named after the words \"{words}\", which the request does not present as a name"
            );
            if !out.contains(&problem) {
                out.push(problem);
            }
        }
    }
    out
}

/// Whether `table.column` changes type only because a column the request names and the plan retypes
/// is linked to it by a foreign key (engines need both sides of a key to have one type).
fn linked_to_named(
    plan: &Plan,
    schema: &DatabaseSchema,
    mentions: &Mentions,
    table: &str,
    column: &str,
) -> bool {
    let same = |a: &str, b: &str| resolve::key(a) == resolve::key(b);
    let linked = |t1: &str, c1: &str, t2: &str, c2: &str| {
        schema.tables.iter().any(|t| {
            t.foreign_keys.iter().any(|fk| {
                let pairs = fk.columns.iter().zip(&fk.referenced_columns);
                pairs.into_iter().any(|(from, to)| {
                    (same(&t.name.name, t1)
                        && same(from, c1)
                        && same(&fk.referenced_table.name, t2)
                        && same(to, c2))
                        || (same(&t.name.name, t2)
                            && same(from, c2)
                            && same(&fk.referenced_table.name, t1)
                            && same(to, c1))
                })
            })
        })
    };
    plan.changes.iter().any(|c| match c {
        Change::AlterColumnType(b) => {
            mentions.names(&b.column) && linked(table, column, &b.table.name, &b.column)
        }
        _ => false,
    })
}

/// The words a new name was made of, when they are not presented as a name: a keyword or filler
/// word alone ("check", "separate"), or several words joined when one of them is a keyword, filler
/// or an existing table ("for customers favourite colour"). A quoted or snake_case name, or one
/// right after "called"/"named"/"column", is presented as a name.
fn prose_name(name: &str, index: &TokIndex, names: &Names) -> Option<String> {
    let toks = index.toks;
    let key = resolve::key(name);
    let marked = |i: usize| {
        i > 0
            && (toks[i - 1].is_any(CALLED)
                || toks[i - 1].is_any(keywords::NAME_MARKERS)
                || toks[i - 1].is_punct('('))
    };
    let plain = |w: &str| !grammar(w);
    // A type's name ("the type is UUID") names a type, not a column.
    let type_word =
        |w: &str| types::parse(&[Tok::Word(w.to_string())], 0, Engine::Sqlite).is_some();
    // One token.
    if let Some(&i) = index.by_key.get(&key) {
        let Tok::Word(w) = &toks[i] else {
            return None;
        };
        // "... the type is UUID", "... of type uuid": after a copula or "type", a type's name states a type.
        if type_word(w) && i > 0 && toks[i - 1].is_any(&["is", "be", "are", "type", "as"]) {
            return Some(w.clone());
        }
        if w.contains('_') || w.chars().any(|c| c.is_ascii_digit()) || plain(w) || marked(i) {
            return None;
        }
        return Some(w.clone());
    }
    // Several words joined with `_`, skipping filler the planner drops ("make it wobbly" ->
    // `make_wobbly`).
    let starts = key
        .match_indices('_')
        .filter_map(|(p, _)| index.by_word.get(&key[..p]))
        .flatten()
        .copied();
    for i in starts {
        let Some(first) = toks[i].word() else {
            continue;
        };
        let mut joined = first.to_string();
        let mut j = i;
        let mut parts = 1;
        while joined.len() < key.len() && j + 1 < toks.len() && j < i + 8 {
            j += 1;
            let Some(w) = toks[j].word() else { break };
            let longer = format!("{joined}_{w}");
            if key.starts_with(&longer) {
                joined = longer;
                parts += 1;
            } else if !stopwords().contains(w) {
                break;
            }
        }
        if parts > 1 && joined == key {
            let words = &toks[i..=j];
            let prose = words.iter().filter_map(Tok::word).any(|w| {
                (!plain(w) && !ORDINALS.split_whitespace().any(|o| o == w)) || names.is_table(w)
            });
            return prose.then(|| tokens::text(words));
        }
    }
    // A name made of words of the request that are not next to each other ("nickname ... we
    // need" -> `nickname_we_need`) is prose when one of them is grammar; the planner's own names
    // (`created_at`, `ai_shell_source_id`) and names built from the schema's are not.
    if vocabulary().contains(key.as_str())
        || names.is_table(&key)
        || names.any_table_has_column(&key)
    {
        return None;
    }
    let words = &index.words;
    let pieces: Vec<&str> = key.split('_').collect();
    let from_request = pieces.iter().filter(|p| words.contains(*p)).count();
    let grammar_piece = pieces.iter().find(|p| {
        words.contains(*p)
            && stopwords().contains(**p)
            && !matches!(**p, "at" | "on" | "is" | "has" | "by")
    });
    if pieces.len() > 1 && from_request == pieces.len() && grammar_piece.is_some() {
        return Some(pieces.join(" "));
    }
    None
}

/// The request's tokens by key (first position) and by word (every position).
struct TokIndex<'t> {
    toks: &'t [Tok],
    by_key: HashMap<String, usize>,
    by_word: HashMap<&'t str, Vec<usize>>,
    words: HashSet<&'t str>,
}

impl<'t> TokIndex<'t> {
    fn of(toks: &'t [Tok]) -> TokIndex<'t> {
        let mut index = TokIndex {
            toks,
            by_key: HashMap::new(),
            by_word: HashMap::new(),
            words: HashSet::new(),
        };
        for (i, t) in toks.iter().enumerate() {
            if let Tok::Word(s) | Tok::Ident(s) | Tok::Str(s) = t {
                index.by_key.entry(resolve::key(s)).or_insert(i);
            }
            if let Some(w) = t.word() {
                index.by_word.entry(w).or_default().push(i);
                index.words.insert(w);
            }
        }
        index
    }
}

/// The names a request mentions: each word or quoted name, and runs of up to three words joined
/// with `_` ("order items" for `order_items`).
struct Mentions(Vec<String>, HashSet<String>);

impl Mentions {
    fn of(toks: &[Tok]) -> Mentions {
        let mut out = vec![];
        for i in 0..toks.len() {
            let Some(first) = toks[i].name() else {
                continue;
            };
            let mut joined = resolve::key(first);
            out.push(joined.clone());
            for t in toks.iter().skip(i + 1).take(2) {
                let Some(w) = t.word() else { break };
                joined = format!("{joined}_{w}");
                out.push(joined.clone());
            }
        }
        let exact = out
            .iter()
            .flat_map(|m| [m.clone(), resolve::singular(m)])
            .collect();
        Mentions(out, exact)
    }

    /// Whether the request names `name`: exactly, by plural or singular, or with a small typo.
    fn names(&self, name: &str) -> bool {
        let k = resolve::key(name);
        let s = resolve::singular(&k);
        if self.1.contains(&k) || self.1.contains(&s) {
            return true;
        }
        self.0.iter().any(|m| {
            let max = match k.len() {
                0..=3 => 0,
                4..=7 => 1,
                _ => 2,
            };
            *m == k
                || resolve::singular(m) == s
                || (max > 0 && resolve::distance(m, &k, max) <= max)
        })
    }
}

/// The refusal for a reading with unplaced words or problems; `None` when the plan explains the
/// request.
pub fn check(reading: &Reading) -> Option<Refusal> {
    if !reading.problems.is_empty() {
        return Some(Refusal::ambiguous(format!(
            "ai-shell is not sure it understood the request: {}. Nothing was planned; name what to change as the schema spells it, and write a new name as one word (favourite_colour) or in quotes",
            reading.problems.join("; ")
        )));
    }
    if reading.unplaced.is_empty() {
        return None;
    }
    let words: Vec<String> = reading
        .unplaced
        .iter()
        .map(|w| format!("`{}`", super::names::shown(w)))
        .collect();
    let (these, them) = if words.len() == 1 {
        ("this word", "it")
    } else {
        ("these words", "them")
    };
    Some(Refusal::ambiguous(format!(
        "ai-shell could not place {these} of the request: {}; planning without {them} would be a guess. Rephrase it with the schema's names (a new name as one word or in quotes), see how it was read with --explain, or let the LLM planner read it with --planner llm",
        words.join(", ")
    )))
}
