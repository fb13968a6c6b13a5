//! The change IR as the host works with it: what planners return ([`Plan`], [`Refusal`]), applying changes to
//! a schema model without a database ([`simulate`]), checking them ([`validate`]) and deriving the changes
//! that undo them ([`inverse`]).

pub mod describe;
pub mod identifiers;
pub mod inverse;
pub mod simulate;
pub mod validate;

use serde::{Deserialize, Serialize};

use crate::model::{Change, QualifiedName};

/// What a planner (offline or LLM) proposes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Set only when the planner knows a better down than the automatic inverse (refactors that move data).
    pub down: Option<Vec<Change>>,
    /// One line in words per proposed change.
    pub summary: Vec<String>,
    /// Snake-case name for the migration file, e.g. `add_email_to_users`.
    pub slug: String,
    /// Drops a table or column, or narrows a type: needs `--allow-destructive` or an interactive yes.
    pub destructive: bool,
}

/// Why a request was refused, spelled snake_case wherever it is serialized (`--json`, the LLM tool's JSON
/// Schema, which is generated from it); the model's kebab-case spellings are accepted too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// The request could mean several things.
    Ambiguous,
    /// A table or column it names does not exist.
    #[serde(alias = "not-found")]
    NotFound,
    /// It asks about or changes data, not the schema.
    #[serde(alias = "not-a-schema-change")]
    NotASchemaChange,
    /// A schema change the planner (or the engine) cannot express.
    Unsupported,
    /// Following it could lose data or run unchecked SQL.
    Unsafe,
}

/// A refused request: a clear message, the closest real names, and a request that would work. Returned by
/// the offline planner and by the LLM's tool call alike.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Refusal {
    pub kind: RefusalKind,
    /// Why, in one or two sentences naming the real tables or columns concerned.
    pub message: String,
    /// The closest real table or column names, when something was not found.
    #[serde(default)]
    pub suggestions: Vec<String>,
    /// A request that would work on this schema.
    #[serde(default)]
    pub example: Option<String>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)?;
        // A name the message already gives (`table orders already exists`) is no suggestion.
        let named = |s: &str| {
            self.message
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .any(|w| w == s)
        };
        let suggestions: Vec<&str> = self
            .suggestions
            .iter()
            .map(String::as_str)
            .filter(|s| !named(s))
            .collect();
        if !suggestions.is_empty() {
            write!(f, "\n\nDid you mean: {}?", suggestions.join(", "))?;
        }
        if let Some(example) = &self.example {
            write!(
                f,
                "\n\nA request that would work: ai-shell migrate \"{example}\""
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

/// Whether a change can lose data on its own: drops of tables, columns and views' data-bearing objects.
pub fn is_destructive(change: &Change) -> bool {
    matches!(
        change,
        Change::DropTable(_)
            | Change::DropColumn(_)
            | Change::DropSequence(_)
            | Change::DropEnumType(_)
            | Change::DropNamespace(_)
            | Change::RawSql(_)
    )
}

/// Whether change `i` of `changes` can lose data: [`is_destructive`], except raw SQL that only writes what
/// the same plan created before it (`UPDATE t SET c = ...` of columns it added, `INSERT INTO t` of a table it
/// created), as the planner's data steps do.
pub fn is_destructive_at(changes: &[Change], i: usize) -> bool {
    let Some(Change::RawSql(r)) = changes.get(i) else {
        return changes.get(i).is_some_and(is_destructive);
    };
    let earlier = &changes[..i];
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let sql = r.up.trim();
    let words: Vec<&str> = sql.split_whitespace().collect();
    // The table's own name: the last part of a qualified name, without its quotes.
    let bare = |w: &str| {
        let last = w.rsplit("\".\"").next().unwrap_or(w);
        let last = last.rsplit("`.`").next().unwrap_or(last);
        last.trim_matches(|c| c == '"' || c == '`').to_string()
    };
    match words.as_slice() {
        [insert, into, table, ..] if same(insert, "INSERT") && same(into, "INTO") => {
            let t = bare(table.split('(').next().unwrap_or(table));
            !earlier
                .iter()
                .any(|c| matches!(c, Change::CreateTable(x) if same(&x.name.name, &t)))
        }
        [update, table, set, ..] if same(update, "UPDATE") && same(set, "SET") => {
            let t = bare(table);
            let rest = sql.splitn(4, char::is_whitespace).nth(3).unwrap_or("");
            let assigned = assigned_columns(rest);
            assigned.is_empty()
                || !assigned.iter().all(|col| {
                    earlier.iter().any(|c| {
                        matches!(c, Change::AddColumn(a) if same(&a.table.name, &t) && same(&a.column.name, col))
                    })
                })
        }
        _ => true,
    }
}

/// The columns an `UPDATE ... SET` list assigns (`"a" = ..., "b" = ...`), read at parenthesis depth 0 and
/// outside quotes; empty when the list does not read that way (then the statement counts as destructive).
fn assigned_columns(set_list: &str) -> Vec<String> {
    let mut out = vec![];
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut piece = String::new();
    let mut pieces = vec![];
    for ch in set_list.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None => match ch {
                '\'' | '"' | '`' => quote = Some(ch),
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    pieces.push(std::mem::take(&mut piece));
                    continue;
                }
                _ => {}
            },
        }
        piece.push(ch);
    }
    pieces.push(piece);
    for p in pieces {
        let Some((lhs, _)) = p.split_once('=') else {
            return vec![];
        };
        let lhs = lhs.trim();
        let name = lhs.trim_matches(|c| c == '"' || c == '`');
        if name.is_empty() || name.contains(char::is_whitespace) || name.contains('.') {
            return vec![];
        }
        out.push(name.to_string());
    }
    out
}

/// The existing table a change works on (for data moves, the table rows are read from or written to);
/// none for changes that only create objects or are not tied to one table.
pub fn existing_table(change: &Change) -> Option<&QualifiedName> {
    Some(match change {
        Change::DropTable(n) | Change::DropPrimaryKey(n) => n,
        Change::RenameTable(r) => &r.table,
        Change::AddColumn(a) => &a.table,
        Change::DropColumn(c)
        | Change::SetNotNull(c)
        | Change::DropNotNull(c)
        | Change::DropDefault(c) => &c.table,
        Change::RenameColumn(r) => &r.table,
        Change::AlterColumnType(a) => &a.table,
        Change::SetDefault(d) => &d.table,
        Change::SetIdentity(s) => &s.table,
        Change::SetTableOptions(s) => &s.table,
        Change::SetCollation(s) => &s.table,
        Change::AddPrimaryKey(p) => &p.table,
        Change::AddIndex(a) => &a.table,
        Change::DropIndex(o)
        | Change::DropUnique(o)
        | Change::DropForeignKey(o)
        | Change::DropCheck(o) => &o.table,
        Change::AddUnique(u) => &u.table,
        Change::AddForeignKey(f) => &f.table,
        Change::AddCheck(c) => &c.table,
        Change::CopyRows(c) => &c.source,
        Change::FillColumn(f) => &f.target,
        Change::FillNulls(f) | Change::RestoreNulls(f) => &f.column.table,
        _ => return None,
    })
}
