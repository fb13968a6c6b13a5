//! The generated evaluation: intent templates × phrasing styles × fixture schemas, written out as cases of
//! the same shape as tests/eval/cases.toml and run by the same runner (fresh database, checks by
//! introspection and SQL, rollback compared).
//!
//! Deterministic: every random choice (which column, which phrasing, which typo) comes from a splitmix64
//! generator seeded with [`SEED`] and the case's template, style and fixture, so the set never changes
//! unless this file or fixtures.rs does. One case per (template, style, fixture) the template has a
//! phrasing for.
//!
//! The phrasings are written as people write requests, not as the planner parses them: do not edit them
//! to make the planner pass. A phrasing that is wrong English, or a check that asks for something the
//! request does not say, is a bug of the set; a request the planner mis-reads is a finding.
//!
//! Split (fixed once, 2026-12-06): a case is in the test part when the FNV-1a 64-bit hash of
//! "<family>/<template>|<style>" is below 30 modulo 100, otherwise in the development part ([`part_of`]).
//! Whole (template, style) pairs go to one side, on every fixture. Tune the planner on dev failures only;
//! read test failures for the number, never to write a rule.

use std::collections::BTreeSet;

use super::checks::Check;
use super::fixtures::{FIXTURES, Fx};
use super::{Case, Outcome, Rollback, Scope};

/// The seed of every choice the generator makes.
pub const SEED: u64 = 0x15_2026_1206;

/// The phrasing styles, in report order.
pub const STYLES: [&str; 14] = [
    "plain",
    "polite",
    "explained",
    "chat",
    "nonnative",
    "abbrev",
    "declarative",
    "terse",
    "bullets",
    "semicolon",
    "typo-keyword",
    "typo-name",
    "synonym",
    "word-order",
];

/// Development (tune on it) or test (never tune on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    Dev,
    Test,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Dev => "dev",
            Part::Test => "test",
        }
    }
}

/// A generated case with where it came from.
pub struct GenCase {
    pub case: Case,
    pub template: &'static str,
    pub style: &'static str,
    pub fixture: &'static str,
    pub part: Part,
}

fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The fixed split: see the module comment.
pub fn part_of(template: &str, style: &str) -> Part {
    if fnv1a(&format!("{template}|{style}")) % 100 < 30 {
        Part::Test
    } else {
        Part::Dev
    }
}

/// splitmix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        if xs.is_empty() {
            None
        } else {
            Some(&xs[self.below(xs.len())])
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Checks

fn col(t: &str, c: &str, ty: &str) -> Check {
    Check {
        column: Some(format!("{t}.{c}")),
        type_: Some(ty.into()),
        ..Check::default()
    }
}

fn col_with(t: &str, c: &str, f: impl FnOnce(&mut Check)) -> Check {
    let mut k = Check {
        column: Some(format!("{t}.{c}")),
        ..Check::default()
    };
    f(&mut k);
    k
}

fn sql(q: String, equals: impl ToString) -> Check {
    Check {
        sql: Some(q),
        equals: Some(equals.to_string()),
        ..Check::default()
    }
}

fn table(t: &str) -> Check {
    Check {
        table: Some(t.into()),
        ..Check::default()
    }
}

fn no_table(t: &str) -> Check {
    Check {
        no_table: Some(t.into()),
        ..Check::default()
    }
}

fn no_column(t: &str, c: &str) -> Check {
    Check {
        no_column: Some(format!("{t}.{c}")),
        ..Check::default()
    }
}

fn fk(t: &str, c: &str, u: &str) -> Check {
    Check {
        fk: Some(format!("{t}({c})")),
        references: Some(u.into()),
        ..Check::default()
    }
}

// ---------------------------------------------------------------------------------------------------------
// Templates

/// The phrasings of one intent, by form. A style that needs a form the template lacks makes no case.
#[derive(Default)]
struct Forms {
    plain: Vec<String>,
    nonnative: Vec<String>,
    declarative: Vec<String>,
    terse: Vec<String>,
    bullets: Vec<String>,
    synonym: Vec<String>,
    order: Vec<String>,
}

/// One intent instantiated on a fixture: its phrasings and what must hold afterwards.
struct Draft {
    forms: Forms,
    expect: Outcome,
    checks: Vec<Check>,
    if_applied: Vec<Check>,
    stderr: Vec<String>,
    flags: Vec<String>,
    rollback: Rollback,
    /// Existing names the request mentions (typo-name misspells one of them).
    refs: Vec<String>,
    scope: Option<Scope>,
    rewrites: bool,
}

impl Draft {
    fn applied(forms: Forms, checks: Vec<Check>, refs: &[&str]) -> Draft {
        Draft {
            forms,
            expect: Outcome::Applied,
            checks,
            if_applied: vec![],
            stderr: vec![],
            flags: vec![],
            rollback: Rollback::Exact,
            refs: refs.iter().map(|s| s.to_string()).collect(),
            scope: None,
            rewrites: false,
        }
    }

    fn refused(forms: Forms, missing: &str, refs: &[&str]) -> Draft {
        Draft {
            expect: Outcome::Refused,
            stderr: vec![missing.to_string()],
            rollback: Rollback::No,
            ..Draft::applied(forms, vec![], refs)
        }
    }

    /// Only `tables` may change, and the only new columns of existing tables are `new_columns`.
    fn scoped(mut self, tables: &[&str], new_columns: &[String]) -> Draft {
        self.scope = Some(Scope {
            tables: tables.iter().map(|s| s.to_string()).collect(),
            new_columns: new_columns.to_vec(),
        });
        self
    }
}

/// Replaces `{key}` by value in each phrasing.
fn fill(list: &[&str], vars: &[(&str, &str)]) -> Vec<String> {
    list.iter()
        .map(|s| {
            let mut s = s.to_string();
            for (k, v) in vars {
                s = s.replace(&format!("{{{k}}}"), v);
            }
            s
        })
        .collect()
}

macro_rules! forms {
    ($vars:expr; $($form:ident: [$($s:expr),* $(,)?]),* $(,)?) => {{
        let vars: &[(&str, &str)] = $vars;
        let mut f = Forms::default();
        $( f.$form = fill(&[$($s),*], vars); )*
        f
    }};
}

/// New columns of a named type: (name, type as written, accepted families).
const TYPED: [(&str, &str, &str); 8] = [
    ("nickname", "varchar(80)", "string|text"),
    ("internal_note", "text", "text|string"),
    ("archived_at", "timestamp", "timestamp"),
    ("is_flagged", "boolean", "boolean"),
    ("priority", "integer", "integer|bigint"),
    ("rating", "decimal", "numeric|float"),
    ("last_checked_on", "date", "date"),
    ("external_ref", "varchar(64)", "string|text"),
];

/// New columns whose type the name makes obvious.
const OBVIOUS: [(&str, &str); 7] = [
    ("approved_at", "timestamp"),
    ("is_archived", "boolean"),
    ("contact_email", "string|text"),
    ("visit_count", "integer|bigint"),
    ("last_login_at", "timestamp"),
    ("website_url", "string|text"),
    ("expires_on", "date|timestamp"),
];

/// A table of `fx` to add to and a pool entry it does not have yet.
fn pick_new<'a, T>(
    fx: &Fx,
    rng: &mut Rng,
    pool: &'a [T],
    name: impl Fn(&T) -> &str,
) -> Option<(&'static str, &'a T)> {
    let t = *rng.pick(fx.add_to)?;
    let free: Vec<&T> = pool.iter().filter(|p| !fx.has_column(t, name(p))).collect();
    let p = *rng.pick(&free)?;
    Some((t, p))
}

type Template = fn(&Fx, &mut Rng) -> Option<Draft>;

/// Every template: (family, template id, builder).
const TEMPLATES: [(&str, &str, Template); 37] = [
    ("add-column", "typed", t_add_typed),
    ("add-column", "obvious", t_add_obvious),
    ("types", "decimal-list", t_decimal_list),
    ("types", "int-default-0", t_int_default),
    ("types", "text-not-null", t_text_not_null),
    ("types", "bool-default-false", t_bool_default),
    ("types", "uuid", t_uuid),
    ("types", "current-time", t_current_time),
    ("types", "unit-suffix", t_unit),
    ("add-columns", "two-typed", t_two_typed),
    ("add-columns", "three-obvious", t_three_obvious),
    ("constraints", "unique", t_unique),
    ("constraints", "not-null-fill-text", t_fill_text),
    ("constraints", "not-null-fill-number", t_fill_number),
    ("constraints", "non-negative", t_non_negative),
    ("constraints", "default", t_default),
    ("constraints", "drop-not-null", t_drop_not_null),
    ("index", "single", t_index),
    ("index", "composite", t_index2),
    ("index", "sql-ish", t_index_sql),
    ("index", "unique-constraint", t_unique_sql),
    ("foreign-key", "reference", t_fk),
    ("foreign-key", "cascade", t_fk_cascade),
    ("create-table", "explicit", t_create),
    ("create-table", "arrow-fk", t_create_arrow),
    ("create-table", "many-to-many", t_join),
    ("create-table", "ties", t_ties),
    ("rename", "table", t_rename_table),
    ("rename", "column", t_rename_column),
    ("change-type", "text-to-int", t_to_int),
    ("change-type", "numeric-12-2", t_widen),
    ("drop", "column", t_drop_column),
    ("drop", "table", t_drop_table),
    ("refuse", "fk-missing-table", t_refuse_fk),
    ("refuse", "add-to-missing-table", t_refuse_add),
    ("refuse", "rename-missing-column", t_refuse_rename),
    ("refuse", "drop-missing-table", t_refuse_drop),
];

/// The (family, template) pairs, for reports and tests.
pub fn templates() -> Vec<(&'static str, &'static str)> {
    TEMPLATES.iter().map(|(f, t, _)| (*f, *t)).collect()
}

fn t_add_typed(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, (c, ty, fam)) = pick_new(fx, rng, &TYPED, |p| p.0)?;
    let f = forms!(&[("t", t), ("c", c), ("ty", ty)];
        plain: ["add a {ty} column {c} to {t}", "add column {c} {ty} to table {t}", "add {c} ({ty}) to the {t} table"],
        nonnative: ["please add in the table {t} a new column {c} which type is {ty}",
            "need to add column {c} in {t}, the type it is {ty}",
            "i want that {t} have one more column {c} of type {ty}"],
        declarative: ["{t} should have a {ty} column called {c}", "the {t} table needs a column {c} of type {ty}",
            "there should be a {c} column ({ty}) on {t}"],
        terse: ["{t}: add {c} {ty}", "{t} + {c} ({ty})"],
        bullets: ["- table: {t}\n- add column: {c}\n- type: {ty}", "Changes:\n* {t}: new column {c} ({ty})"],
        synonym: ["append a {ty} field named {c} to {t}", "introduce a new {ty} attribute {c} on {t}",
            "put a {c} column of type {ty} on {t}", "create a new column {c} ({ty}) in {t}"],
        order: ["to {t}, add a {ty} column named {c}", "on {t} we need a new column {c}, type {ty}"],
    );
    Some(Draft::applied(f, vec![col(t, c, fam)], &[t]).scoped(&[t], &[format!("{t}.{c}")]))
}

fn t_add_obvious(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, (c, fam)) = pick_new(fx, rng, &OBVIOUS, |p| p.0)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add {c} to {t}", "add a {c} column to {t}", "add the field {c} to {t}"],
        nonnative: ["please add to {t} the {c}", "we need {c} for {t}, please to add it", "add for {t} column {c} please"],
        declarative: ["{t} should also store {c}", "{t} needs a {c} column", "{t} is missing a {c} column"],
        terse: ["{t}: +{c}", "{t} += {c}", "+ {t}.{c}"],
        bullets: ["- add {c} to {t}", "TODO:\n- {t}: add column {c}"],
        synonym: ["append a {c} field to {t}", "introduce {c} on {t}", "include a {c} column in {t}"],
        order: ["to {t}, add {c}", "in {t} I need a column {c}"],
    );
    Some(Draft::applied(f, vec![col(t, c, fam)], &[t]).scoped(&[t], &[format!("{t}.{c}")]))
}

fn t_decimal_list(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let pool = ["discount_rate", "tax_rate", "weight", "commission"];
    let (t, c) = pick_new(fx, rng, &pool, |p| p)?;
    let c = *c;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add {c} (decimal 5,2) to {t}", "add a column {c} to {t} (decimal 5,2)", "add {c} to {t}: decimal 5,2"],
        nonnative: ["please add {c} in {t}, it is decimal 5,2", "add to {t} a {c} column, type decimal with 5,2"],
        declarative: ["{t} should have {c} (decimal 5,2)", "{t} needs a {c} stored as decimal 5,2"],
        terse: ["{t}: {c} (decimal 5,2)", "{t} + {c} decimal(5,2)"],
        bullets: ["- {t}\n  - {c} (decimal 5,2)", "* add to {t}: {c} (decimal 5,2)"],
        synonym: ["append {c} (decimal 5,2) to {t}", "introduce a {c} field (decimal 5,2) on {t}"],
        order: ["to {t} add {c} (decimal 5,2)", "{c} (decimal 5,2) should go on {t}"],
    );
    Some(Draft::applied(f, vec![col(t, c, "numeric")], &[t]).scoped(&[t], &[format!("{t}.{c}")]))
}

fn t_int_default(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let pool = ["retry_count", "view_count", "position", "renewals"];
    let (t, c) = pick_new(fx, rng, &pool, |p| p)?;
    let c = *c;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add {c} (int, default 0) to {t}", "add a column {c} to {t} (int, default 0)",
            "add {c} to {t} as an int with default 0"],
        nonnative: ["please add {c} to {t}, int and default is 0", "add in {t} column {c} (int, default 0) thank you"],
        declarative: ["{t} should have {c} (int, default 0)", "{t} needs an integer {c} that defaults to 0"],
        terse: ["{t}: {c} (int, default 0)", "{t} + {c} int default 0"],
        bullets: ["- {t}: {c} (int, default 0)", "new column:\n- table {t}\n- name {c}\n- int, default 0"],
        synonym: ["append {c} (int, default 0) to {t}", "introduce a counter field {c} on {t} (int, default 0)"],
        order: ["to {t}, add {c} (int, default 0)", "{c} (int, default 0) on {t}, please"],
    );
    let checks = vec![
        col_with(t, c, |k| {
            k.type_ = Some("integer|bigint".into());
            k.default_like = Some("0".into());
        }),
        sql(
            format!("SELECT COUNT(*) FROM {t} WHERE {c} = 0"),
            fx.rows(t),
        ),
    ];
    Some(Draft::applied(f, checks, &[t]).scoped(&[t], &[format!("{t}.{c}")]))
}

fn t_text_not_null(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let pool = ["summary", "source_label", "remarks"];
    let (t, c) = pick_new(fx, rng, &pool, |p| p)?;
    let c = *c;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add {c} (text, not null) to {t}", "add a column {c} to {t} (text, not null)"],
        nonnative: ["please add {c} in {t}, text and not null", "add to {t} column {c}, is text, cannot be null"],
        declarative: ["{t} should have {c} (text, not null)", "{t} needs a required text column {c}"],
        terse: ["{t}: {c} (text, not null)", "{t} + {c} text not null"],
        bullets: ["- {t}: {c} (text, not null)"],
        synonym: ["append {c} (text, not null) to {t}", "introduce a mandatory text field {c} on {t}"],
        order: ["to {t}, add {c} (text, not null)"],
    );
    // A NOT NULL column without a default on a table with rows: either a refusal or a column that is
    // NOT NULL; either way no row is lost.
    let mut d = Draft::applied(
        f,
        vec![sql(format!("SELECT COUNT(*) FROM {t}"), fx.rows(t))],
        &[t],
    )
    .scoped(&[t], &[format!("{t}.{c}")]);
    d.expect = Outcome::AppliedOrRefused;
    d.if_applied = vec![col_with(t, c, |k| {
        k.type_ = Some("text|string".into());
        k.nullable = Some(false);
    })];
    Some(d)
}

fn t_bool_default(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let pool = ["is_hidden", "needs_review", "is_pinned"];
    let (t, c) = pick_new(fx, rng, &pool, |p| p)?;
    let c = *c;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add {c} (boolean, default false) to {t}", "add a column {c} to {t} (boolean, default false)",
            "add a boolean {c} to {t} that defaults to false"],
        nonnative: ["please add {c} in {t}, boolean and by default false", "add to {t} column {c} (boolean, default false) please"],
        declarative: ["{t} should have {c} (boolean, default false)", "{t} needs a flag {c} that is false by default"],
        terse: ["{t}: {c} (boolean, default false)", "{t} + {c} bool default false"],
        bullets: ["- {t}: {c} (boolean, default false)"],
        synonym: ["append {c} (boolean, default false) to {t}", "introduce a yes/no field {c} on {t}, false by default"],
        order: ["to {t}, add {c} (boolean, default false)", "defaulting to false, add a boolean {c} to {t}"],
    );
    let checks = vec![
        col_with(t, c, |k| {
            k.type_ = Some("boolean".into());
            k.default = Some(true);
        }),
        sql(
            format!("SELECT COUNT(*) FROM {t} WHERE {c} = FALSE"),
            fx.rows(t),
        ),
    ];
    Some(Draft::applied(f, checks, &[t]).scoped(&[t], &[format!("{t}.{c}")]))
}

fn t_uuid(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let pool = ["public_id", "external_id", "sync_uuid"];
    let (t, c) = pick_new(fx, rng, &pool, |p| p)?;
    let c = *c;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add a UUID column {c} to {t}", "add {c} (UUID) to {t}", "add {c} to {t} as a UUID"],
        nonnative: ["please add {c} to {t}, the type is UUID", "add UUID column for {t} with name {c}"],
        declarative: ["{t} should have a UUID {c}", "{t} needs a {c} column holding a UUID"],
        terse: ["{t}: {c} uuid", "{t} + {c} (UUID)"],
        bullets: ["- {t}: add {c} (UUID)", "* {c} on {t}, type UUID"],
        synonym: ["append a UUID field {c} to {t}", "introduce a {c} identifier of type UUID on {t}"],
        order: ["to {t}, add a UUID column {c}", "{c}, a UUID, should be added to {t}"],
    );
    Some(Draft::applied(f, vec![col(t, c, "uuid")], &[t]).scoped(&[t], &[format!("{t}.{c}")]))
}

fn t_current_time(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let pool = ["reviewed_at", "synced_at", "checked_at"];
    let (t, c) = pick_new(fx, rng, &pool, |p| p)?;
    let c = *c;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add {c} to {t}, default to the current time", "add a {c} timestamp to {t} that defaults to the current time",
            "add {c} to {t} with default now"],
        nonnative: ["add {c} in {t}, the default should be the time of now", "please add {c} to {t} and it take the current time by default"],
        declarative: ["{t} should have a {c} that defaults to the current time", "{t} needs a {c} timestamp, defaulting to now"],
        terse: ["{t}: {c} timestamp default now()", "{t} + {c} (timestamp, default current time)"],
        bullets: ["- {t}: add {c}\n- default: the current time", "* {c} on {t} (default to the current time)"],
        synonym: ["append a {c} field to {t} that defaults to the current time", "introduce {c} on {t}, defaulting to the present time"],
        order: ["to {t}, add {c}, default to the current time", "defaulting to the current time, add {c} to {t}"],
    );
    let checks = vec![col_with(t, c, |k| {
        k.type_ = Some("timestamp".into());
        k.default = Some(true);
    })];
    Some(Draft::applied(f, checks, &[t]).scoped(&[t], &[format!("{t}.{c}")]))
}

fn t_unit(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let pool = ["weight_kg", "height_cm", "distance_km", "duration_minutes"];
    let (t, c) = pick_new(fx, rng, &pool, |p| p)?;
    let c = *c;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add {c} to {t}", "add a {c} column to {t}", "add column {c} to {t}"],
        nonnative: ["please add {c} in {t}", "add {c} for the {t} please"],
        declarative: ["{t} should record {c}", "{t} needs a {c} column"],
        terse: ["{t}: + {c}", "{t} += {c}"],
        bullets: ["- {t}: {c}", "* add {c} to {t}"],
        synonym: ["append {c} to {t}", "introduce a {c} measure on {t}"],
        order: ["to {t} add {c}", "{c} on {t} please"],
    );
    // A measure is a number, never text.
    Some(
        Draft::applied(f, vec![col(t, c, "numeric|float|integer|bigint")], &[t])
            .scoped(&[t], &[format!("{t}.{c}")]),
    )
}

fn t_two_typed(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let t = *rng.pick(fx.add_to)?;
    let free: Vec<&(&str, &str, &str)> = TYPED.iter().filter(|p| !fx.has_column(t, p.0)).collect();
    if free.len() < 2 {
        return None;
    }
    let i = rng.below(free.len());
    let j = (i + 1 + rng.below(free.len() - 1)) % free.len();
    let ((c1, ty1, f1), (c2, ty2, f2)) = (free[i], free[j]);
    let f = forms!(&[("t", t), ("c1", c1), ("ty1", ty1), ("c2", c2), ("ty2", ty2)];
        plain: ["add {c1} ({ty1}) and {c2} ({ty2}) to {t}", "add columns {c1} {ty1} and {c2} {ty2} to {t}",
            "add two columns to {t}: {c1} ({ty1}) and {c2} ({ty2})"],
        nonnative: ["please add in {t} two columns, {c1} is {ty1} and {c2} is {ty2}",
            "add to {t} the columns {c1} ({ty1}) also {c2} ({ty2})"],
        declarative: ["{t} should have {c1} ({ty1}) and {c2} ({ty2})", "{t} needs two new columns: {c1} ({ty1}) and {c2} ({ty2})"],
        terse: ["{t}: {c1} {ty1}, {c2} {ty2}", "{t} + {c1} ({ty1}), {c2} ({ty2})"],
        bullets: ["add to {t}:\n- {c1} ({ty1})\n- {c2} ({ty2})", "{t}\n* {c1}: {ty1}\n* {c2}: {ty2}"],
        synonym: ["append {c1} ({ty1}) and {c2} ({ty2}) to {t}", "introduce the fields {c1} ({ty1}) and {c2} ({ty2}) on {t}"],
        order: ["to {t}, add {c1} ({ty1}) and {c2} ({ty2})", "{c1} ({ty1}) and {c2} ({ty2}) need to go on {t}"],
    );
    Some(
        Draft::applied(f, vec![col(t, c1, f1), col(t, c2, f2)], &[t])
            .scoped(&[t], &[format!("{t}.{c1}"), format!("{t}.{c2}")]),
    )
}

fn t_three_obvious(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let t = *rng.pick(fx.add_to)?;
    let mut free: Vec<&(&str, &str)> = OBVIOUS.iter().filter(|p| !fx.has_column(t, p.0)).collect();
    if free.len() < 3 {
        return None;
    }
    let mut chosen = Vec::new();
    for _ in 0..3 {
        chosen.push(free.remove(rng.below(free.len())));
    }
    let (c1, c2, c3) = (chosen[0].0, chosen[1].0, chosen[2].0);
    let f = forms!(&[("t", t), ("c1", c1), ("c2", c2), ("c3", c3)];
        plain: ["add {c1}, {c2} and {c3} to {t}", "add columns {c1}, {c2}, {c3} to {t}",
            "add three columns to {t}: {c1}, {c2} and {c3}"],
        nonnative: ["please add to {t} this columns: {c1}, {c2}, {c3}", "in {t} we need also {c1}, {c2} and {c3}, please add"],
        declarative: ["{t} should have {c1}, {c2} and {c3}", "{t} is missing {c1}, {c2} and {c3}"],
        terse: ["{t}: {c1}, {c2}, {c3}", "{t} + {c1}, {c2}, {c3}"],
        bullets: ["add to {t}:\n- {c1}\n- {c2}\n- {c3}", "{t}\n* {c1}\n* {c2}\n* {c3}"],
        synonym: ["append {c1}, {c2} and {c3} to {t}", "introduce the fields {c1}, {c2} and {c3} on {t}"],
        order: ["to {t}, add {c1}, {c2} and {c3}", "{c1}, {c2} and {c3}: add them to {t}"],
    );
    let checks = chosen.iter().map(|(c, fam)| col(t, c, fam)).collect();
    let new: Vec<String> = chosen.iter().map(|(c, _)| format!("{t}.{c}")).collect();
    Some(Draft::applied(f, checks, &[t]).scoped(&[t], &new))
}

fn unique_check(t: &str, c: &str) -> Check {
    Check {
        unique: Some(format!("{t}({c})")),
        ..Check::default()
    }
}

fn t_unique(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c) = *rng.pick(fx.unique_ok)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["make {t}.{c} unique", "add a unique constraint on {c} in {t}", "make {c} unique in the {t} table"],
        nonnative: ["please make that {c} in {t} is unique", "the {c} of {t} must be unique, please do it"],
        declarative: ["{t}.{c} should be unique", "no two rows in {t} may share the same {c}", "{c} must be unique across {t}"],
        terse: ["{t}.{c}: unique", "unique({t}.{c})"],
        bullets: ["- {t}.{c}\n  - unique", "* make {c} unique ({t})"],
        synonym: ["enforce uniqueness of {c} on {t}", "ensure {t}.{c} has no duplicates", "forbid duplicate {c} values in {t}"],
        order: ["in {t}, make {c} unique", "{c} in {t}: make it unique please"],
    );
    Some(Draft::applied(f, vec![unique_check(t, c)], &[t, c]).scoped(&[t], &[]))
}

fn t_fill_text(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c, nulls) = *rng.pick(fx.null_text)?;
    let v = *rng.pick(&["unknown", "n/a"])?;
    let f = forms!(&[("t", t), ("c", c), ("v", v)];
        plain: ["make {t}.{c} not null and fill the missing ones with '{v}'",
            "make {c} in {t} required, setting missing values to '{v}'",
            "fill empty {t}.{c} with '{v}' and make it not null"],
        nonnative: ["please make {c} of {t} not null, for the empty ones put '{v}'",
            "the {t}.{c} must be not null, the missing ones you fill with '{v}'"],
        declarative: ["{t}.{c} can no longer be missing; use '{v}' for the rows that have none",
            "{t}.{c} should never be null, and existing gaps should read '{v}'"],
        terse: ["{t}.{c}: not null, fill '{v}'", "{t}.{c} NOT NULL (missing -> '{v}')"],
        bullets: ["- {t}.{c}: make not null\n- fill missing with '{v}'"],
        synonym: ["require a value in {t}.{c}; backfill the blanks with '{v}'",
            "disallow nulls in {t}.{c}, setting the existing empty ones to '{v}'"],
        order: ["fill missing {c} in {t} with '{v}', then make it not null", "with '{v}' for the missing ones, make {t}.{c} not null"],
    );
    let checks = vec![
        col_with(t, c, |k| k.nullable = Some(false)),
        sql(format!("SELECT COUNT(*) FROM {t} WHERE {c} IS NULL"), 0),
        sql(format!("SELECT COUNT(*) FROM {t} WHERE {c} = '{v}'"), nulls),
    ];
    let mut d = Draft::applied(f, checks, &[t, c]).scoped(&[t], &[]);
    d.rewrites = true;
    Some(d)
}

fn t_fill_number(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c) = *rng.pick(fx.null_num)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["set missing {t}.{c} to 0 and make it NOT NULL", "make {t}.{c} not null, filling missing values with 0"],
        nonnative: ["for {t}.{c} put 0 where is empty and then make it not null"],
        declarative: ["{t}.{c} can no longer be missing; treat missing as 0", "{t}.{c} must always have a value (0 where it is empty today)"],
        terse: ["{t}.{c}: not null, nulls -> 0"],
        bullets: ["- {t}.{c}\n  - missing -> 0\n  - not null"],
        synonym: ["backfill {t}.{c} with 0 and require it from now on"],
        order: ["with 0 for the missing ones, make {t}.{c} not null"],
    );
    let checks = vec![
        col_with(t, c, |k| k.nullable = Some(false)),
        sql(format!("SELECT COUNT(*) FROM {t} WHERE {c} IS NULL"), 0),
    ];
    let mut d = Draft::applied(f, checks, &[t, c]).scoped(&[t], &[]);
    d.rewrites = true;
    Some(d)
}

fn t_non_negative(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c) = *rng.pick(fx.nonneg)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add a check that {t}.{c} is not negative", "add a check constraint on {t} so that {c} >= 0",
            "make sure {t}.{c} can't go below zero with a check constraint"],
        nonnative: ["please add check for {c} in {t}, it must not be negative", "{c} of {t} never can be negative, add the check please"],
        declarative: ["{t}.{c} can never be negative", "{c} in {t} must be zero or more", "{t}.{c} must not drop below 0"],
        terse: ["{t}.{c} >= 0", "check {t}.{c} >= 0"],
        bullets: ["- {t}\n  - {c} >= 0 (check)", "* check: {t}.{c} not negative"],
        synonym: ["enforce a non-negative {c} on {t}", "constrain {t}.{c} to values of zero or above"],
        order: ["on {t}, add a check that {c} is never negative", "that {c} is never negative: add that check to {t}"],
    );
    let checks = vec![Check {
        check: Some(t.into()),
        mentions: Some(c.into()),
        ..Check::default()
    }];
    Some(Draft::applied(f, checks, &[t, c]).scoped(&[t], &[]))
}

fn t_default(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c, v, number) = *rng.pick(fx.defaults)?;
    let shown = if number {
        v.to_string()
    } else {
        format!("'{v}'")
    };
    let f = forms!(&[("t", t), ("c", c), ("v", &shown)];
        plain: ["set the default of {t}.{c} to {v}", "make {t}.{c} default to {v}", "give {c} in {t} a default of {v}"],
        nonnative: ["please the default value for {c} in {t} put {v}", "{t}.{c} default value it should be {v}"],
        declarative: ["{t}.{c} should default to {v}", "new {t} rows should get {v} as their {c} by default"],
        terse: ["{t}.{c} default {v}", "{t}.{c} = {v} by default"],
        bullets: ["- {t}.{c}: default {v}"],
        synonym: ["change the default for {t}.{c} to {v}", "use {v} as the default value of {c} in {t}"],
        order: ["in {t}, set the default of {c} to {v}", "{v} should be the default for {c} in {t}"],
    );
    let checks = vec![col_with(t, c, |k| k.default_like = Some(v.into()))];
    Some(Draft::applied(f, checks, &[t, c]).scoped(&[t], &[]))
}

fn t_drop_not_null(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c) = *rng.pick(fx.not_null)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["make {t}.{c} nullable", "allow nulls in {t}.{c}", "drop the not null constraint from {t}.{c}"],
        nonnative: ["please make {c} of {t} can be null", "{t}.{c} should to allow empty values"],
        declarative: ["{t}.{c} may be empty from now on", "{t}.{c} is optional now", "{c} in {t} doesn't have to be filled in anymore"],
        terse: ["{t}.{c}: nullable", "{t}.{c} NULL ok"],
        bullets: ["- {t}.{c}: allow null"],
        synonym: ["make {c} optional in {t}", "relax the not null on {t}.{c}"],
        order: ["in {t}, make {c} nullable", "nullable: {t}.{c}, please"],
    );
    let checks = vec![col_with(t, c, |k| k.nullable = Some(true))];
    Some(Draft::applied(f, checks, &[t, c]).scoped(&[t], &[]))
}

fn index_check(t: &str, cols: &str) -> Check {
    Check {
        index: Some(format!("{t}({cols})")),
        ..Check::default()
    }
}

fn t_index(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c) = *rng.pick(fx.index1)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["add an index on {t}.{c}", "index {t} by {c}", "create an index on {c} in {t}"],
        nonnative: ["please make index for {c} in the {t}", "we need index on {t} for column {c}, searching is slow"],
        declarative: ["{t}.{c} should be indexed", "lookups on {t}.{c} need an index"],
        terse: ["{t}({c}): index", "index {t}.{c}"],
        bullets: ["- index {t}.{c}", "indexes:\n* {t} ({c})"],
        synonym: ["speed up lookups on {t}.{c} with an index", "build an index over {c} on {t}"],
        order: ["on {t}, add an index for {c}", "{c} in {t}: add an index"],
    );
    Some(Draft::applied(f, vec![index_check(t, c)], &[t, c]).scoped(&[t], &[]))
}

fn t_index2(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, a, b) = *rng.pick(fx.index2)?;
    let f = forms!(&[("t", t), ("a", a), ("b", b)];
        plain: ["add an index on {t} over {a} and then {b}", "add a composite index on {t}({a}, {b})",
            "create an index on {t} for {a} and {b}, in that order"],
        nonnative: ["please make an index on {t} with {a} first and {b} second", "index for {t} using {a} then {b}"],
        declarative: ["{t} should have an index on ({a}, {b})",
            "queries on {t} filter by {a} and then {b}, so there should be an index on both, in that order"],
        terse: ["{t}({a}, {b}): index", "index {t} ({a}, {b})"],
        bullets: ["- index on {t}\n  - {a}\n  - {b}"],
        synonym: ["build a two-column index on {t}: {a}, then {b}", "create a multi-column index over {a} and {b} on {t}"],
        order: ["on {t}, index {a} and then {b}", "over {a} and then {b}, put an index on {t}"],
    );
    Some(
        Draft::applied(f, vec![index_check(t, &format!("{a}, {b}"))], &[t, a, b]).scoped(&[t], &[]),
    )
}

fn t_index_sql(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c) = *rng.pick(fx.index1)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["CREATE INDEX for {t} {c}", "create index on {t}({c})", "create index {t} {c}"],
        nonnative: ["please CREATE INDEX on {t}({c})"],
        terse: ["index: {t}({c})", "{t}({c}) -> index"],
        bullets: ["- CREATE INDEX for {t} {c}"],
        order: ["for {t} {c}: CREATE INDEX"],
    );
    Some(Draft::applied(f, vec![index_check(t, c)], &[t, c]).scoped(&[t], &[]))
}

fn t_unique_sql(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c) = *rng.pick(fx.unique_ok)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["a unique constraint on {t}({c})", "add a unique constraint on {t}({c})", "add unique index on {t}({c})"],
        nonnative: ["please put unique constraint in {t}({c})"],
        declarative: ["there should be a unique constraint on {t}({c})"],
        terse: ["unique constraint {t}({c})", "{t}({c}) unique"],
        bullets: ["- unique constraint on {t}({c})"],
        synonym: ["add a uniqueness constraint on {t}({c})"],
        order: ["on {t}({c}), a unique constraint please"],
    );
    Some(Draft::applied(f, vec![unique_check(t, c)], &[t, c]).scoped(&[t], &[]))
}

fn t_fk(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c, u) = *rng.pick(fx.fk)?;
    let f = forms!(&[("t", t), ("c", c), ("u", u)];
        plain: ["make {t}.{c} reference {u}.id", "add a foreign key from {t}.{c} to {u}", "make {t}.{c} a foreign key to {u}(id)"],
        nonnative: ["please {t}.{c} make it point to the {u} table", "the {c} of {t} is id of {u}, add foreign key please"],
        declarative: ["{t}.{c} should reference {u}", "every {t}.{c} must point to an existing row in {u}",
            "{t}.{c} is supposed to reference {u}.id"],
        terse: ["{t}.{c} -> {u}.id", "{t}.{c} references {u}(id)"],
        bullets: ["- foreign key: {t}.{c} -> {u}(id)"],
        synonym: ["link {t}.{c} to {u}", "tie {t}.{c} to {u}.id with a foreign key", "connect {t}.{c} to {u}"],
        order: ["to {u}, make {t}.{c} a foreign key", "{t}: {c} should reference {u}"],
    );
    Some(Draft::applied(f, vec![fk(t, c, u)], &[t, c, u]).scoped(&[t], &[]))
}

fn t_fk_cascade(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c, u) = *rng.pick(fx.fk)?;
    let f = forms!(&[("t", t), ("c", c), ("u", u)];
        plain: ["make {t}.{c} reference {u}.id with on delete cascade", "add a foreign key from {t}.{c} to {u} that cascades on delete"],
        nonnative: ["please {t}.{c} reference to {u}, and when delete the {u} row also delete them (cascade)"],
        declarative: ["{t}.{c} should reference {u}, and deleting a row of {u} should delete its {t} rows"],
        terse: ["{t}.{c} -> {u}.id (on delete cascade)"],
        bullets: ["- fk {t}.{c} -> {u}.id\n- on delete: cascade"],
        synonym: ["link {t}.{c} to {u} with cascading deletes"],
        order: ["with on delete cascade, make {t}.{c} reference {u}"],
    );
    let mut k = fk(t, c, u);
    k.on_delete = Some("cascade".into());
    Some(Draft::applied(f, vec![k], &[t, c, u]).scoped(&[t], &[]))
}

fn t_create(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (n, k, _) = *rng.pick(fx.new_tables)?;
    let f = forms!(&[("n", n), ("fk", k)];
        plain: ["create table {n} with id, {fk} integer, label varchar(100), amount decimal(10,2) and created_at timestamp",
            "create a {n} table: id (primary key), {fk} (integer), label (varchar 100), amount (decimal 10,2), created_at (timestamp)"],
        nonnative: ["please create new table {n}, columns are id, {fk} integer, label varchar(100), amount decimal(10,2), created_at timestamp"],
        declarative: ["there should be a {n} table with id, {fk} integer, label varchar(100), amount decimal(10,2) and created_at timestamp"],
        terse: ["{n}: id, {fk} int, label varchar(100), amount decimal(10,2), created_at timestamp"],
        bullets: ["new table {n}:\n- id\n- {fk} integer\n- label varchar(100)\n- amount decimal(10,2)\n- created_at timestamp"],
        synonym: ["set up a new table {n} having id, {fk} integer, label varchar(100), amount decimal(10,2), created_at timestamp"],
        order: ["with id, {fk} integer, label varchar(100), amount decimal(10,2) and created_at timestamp, create a table {n}"],
    );
    let checks = vec![
        table(n),
        Check {
            pk: Some(n.into()),
            ..Check::default()
        },
        col(n, k, "integer|bigint"),
        col(n, "label", "string|text"),
        col(n, "amount", "numeric"),
        col(n, "created_at", "timestamp"),
    ];
    Some(Draft::applied(f, checks, &[]).scoped(&[n], &[]))
}

fn t_create_arrow(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (n, k, u) = *rng.pick(fx.new_tables)?;
    let f = forms!(&[("n", n), ("fk", k), ("u", u)];
        plain: ["create table {n} with {fk} -> {u} and label text", "create table {n}: {fk} -> {u}, label text"],
        nonnative: ["please create table {n}, {fk} -> {u}, and label text"],
        declarative: ["there should be a table {n} where {fk} -> {u} and label is text"],
        terse: ["{n}: {fk} -> {u}, label text", "new table {n} ({fk} -> {u}, label text)"],
        bullets: ["create table {n}\n- {fk} -> {u}\n- label text"],
        synonym: ["set up a {n} table: {fk} -> {u}, label text"],
        order: ["with {fk} -> {u} and a text label, create table {n}"],
    );
    let checks = vec![table(n), fk(n, k, u), col(n, "label", "text|string")];
    Some(Draft::applied(f, checks, &[u]).scoped(&[n], &[]))
}

fn t_join(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (a, _, b, _, n) = *rng.pick(fx.join)?;
    let f = forms!(&[("a", a), ("b", b), ("n", n)];
        plain: ["create a join table {n} for the many-to-many between {a} and {b}",
            "add a many-to-many relationship between {a} and {b} through a table called {n}"],
        nonnative: ["{a} and {b} is many to many, please make the table {n} for it"],
        declarative: ["{a} and {b} should be many-to-many, via a join table named {n}"],
        terse: ["{n}: many-to-many {a} <-> {b}", "m2m {a} <-> {b} (table {n})"],
        bullets: ["- new join table {n}\n- links {a} and {b} (many-to-many)"],
        synonym: ["create a link table {n} connecting {a} and {b} many-to-many", "set up a junction table {n} between {a} and {b}"],
        order: ["between {a} and {b}, create a many-to-many join table {n}"],
    );
    let link = |to: &str| Check {
        linked: Some(n.into()),
        to: Some(to.into()),
        ..Check::default()
    };
    let checks = vec![table(n), link(a), link(b)];
    Some(Draft::applied(f, checks, &[a, b]).scoped(&[n], &[]))
}

fn t_ties(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (a, ak, b, bk, n) = *rng.pick(fx.join)?;
    let f = forms!(&[("a", a), ("ak", ak), ("b", b), ("bk", bk), ("n", n)];
        plain: ["create a table {n} that ties a {ak} to a {bk}", "create table {n} with {ak} referencing {a} and {bk} referencing {b}"],
        nonnative: ["make table {n} which connect {ak} with {bk}"],
        declarative: ["{n} should be a new table that ties a {ak} to a {bk}"],
        terse: ["{n}: {ak} -> {a}, {bk} -> {b}"],
        bullets: ["create table {n}:\n- {ak} -> {a}\n- {bk} -> {b}"],
        synonym: ["add a table {n} pairing each {ak} with a {bk}"],
        order: ["a table {n} that ties a {ak} to a {bk}: please create it"],
    );
    let checks = vec![table(n), fk(n, ak, a), fk(n, bk, b)];
    Some(Draft::applied(f, checks, &[a, b]).scoped(&[n], &[]))
}

fn t_rename_table(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, n) = *rng.pick(fx.rename_t)?;
    let f = forms!(&[("t", t), ("n", n)];
        plain: ["rename table {t} to {n}", "rename {t} to {n}", "rename the {t} table to {n}"],
        nonnative: ["please change the name of table {t}, new name is {n}", "the table {t} i want it called {n}"],
        declarative: ["{t} should be called {n} from now on", "the {t} table should be named {n}"],
        terse: ["{t} -> {n}", "{t} → {n} (table)"],
        bullets: ["- rename table: {t} -> {n}"],
        synonym: ["change the name of the {t} table to {n}", "call the {t} table {n} instead"],
        order: ["to {n}, rename the {t} table", "{t}: rename it to {n}"],
    );
    let checks = vec![
        table(n),
        no_table(t),
        sql(format!("SELECT COUNT(*) FROM {n}"), fx.rows(t)),
    ];
    // Tables with a foreign key to the renamed table change too: no scope.
    Some(Draft::applied(f, checks, &[t]))
}

fn t_rename_column(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c, n) = *rng.pick(fx.rename_c)?;
    let f = forms!(&[("t", t), ("c", c), ("n", n)];
        plain: ["rename {t}.{c} to {n}", "rename column {c} to {n} in {t}", "rename the {c} column of {t} to {n}"],
        nonnative: ["please change name of column {c} in {t} to {n}", "in {t} the column {c} we want to call {n}"],
        declarative: ["{t}.{c} should be called {n}", "the {c} column in {t} should be named {n} instead"],
        terse: ["{t}.{c} -> {n}", "{t}: {c} → {n}", "{t}.{c} => {n}"],
        bullets: ["- {t}: rename {c} -> {n}"],
        synonym: ["change the name of {t}.{c} to {n}", "call {c} in {t} {n} instead"],
        order: ["in {t}, rename {c} to {n}", "{n} is the new name for {t}.{c}"],
    );
    let checks = vec![
        Check {
            column: Some(format!("{t}.{n}")),
            ..Check::default()
        },
        no_column(t, c),
    ];
    Some(Draft::applied(f, checks, &[t, c]).scoped(&[t], &[format!("{t}.{n}")]))
}

fn t_to_int(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c, id, v) = *rng.pick(fx.to_int)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["change {t}.{c} from text to integer", "change the type of {t}.{c} to integer", "convert {c} in {t} to an integer column"],
        nonnative: ["please {t}.{c} make it integer, now it is text", "the {c} in {t} should be type integer not text, change it"],
        declarative: ["{t}.{c} should be an integer, not text", "{t}.{c} only ever holds numbers, so it should be an integer column"],
        terse: ["{t}.{c}: text -> integer", "{t}.{c} → int"],
        bullets: ["- {t}.{c}\n  - type: text -> integer"],
        synonym: ["switch {t}.{c} to an integer type", "turn {t}.{c} into an integer"],
        order: ["to integer, change {t}.{c}", "in {t}, change {c} to integer"],
    );
    let checks = vec![
        col(t, c, "integer|bigint"),
        sql(
            format!("SELECT COUNT(*) FROM {t} WHERE id = {id} AND {c} = {v}"),
            1,
        ),
    ];
    let mut d = Draft::applied(f, checks, &[t, c]).scoped(&[t], &[]);
    d.rollback = Rollback::Shape;
    // A narrowing conversion needs consent, as in the hand-written set.
    d.flags = vec!["--allow-destructive".into()];
    Some(d)
}

fn t_widen(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c, id, v) = *rng.pick(fx.widen)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["change {t}.{c} to numeric(12,2)", "change the type of {t}.{c} to decimal(12,2)", "alter {t}.{c} to numeric(12, 2)"],
        nonnative: ["please {t}.{c} make it numeric(12,2), it is too small", "the type of {c} in {t} should be decimal(12,2), change please"],
        declarative: ["{t}.{c} should be numeric(12,2)", "{t}.{c} needs to hold bigger amounts: numeric(12,2)"],
        terse: ["{t}.{c}: numeric(12,2)", "{t}.{c} → decimal(12,2)"],
        bullets: ["- {t}.{c}\n  - type: numeric(12,2)"],
        synonym: ["widen {t}.{c} to numeric(12,2)", "switch {t}.{c} to decimal(12,2)"],
        order: ["to numeric(12,2), change {t}.{c}", "in {t}, change {c} to decimal(12,2)"],
    );
    let checks = vec![
        col(t, c, "numeric"),
        sql(
            format!("SELECT COUNT(*) FROM {t} WHERE id = {id} AND {c} = {v}"),
            1,
        ),
    ];
    let mut d = Draft::applied(f, checks, &[t, c]).scoped(&[t], &[]);
    d.rollback = Rollback::Shape;
    Some(d)
}

fn t_drop_column(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c) = *rng.pick(fx.drop_c)?;
    let f = forms!(&[("t", t), ("c", c)];
        plain: ["drop {t}.{c}", "drop the {c} column from {t}", "remove column {c} from {t}"],
        nonnative: ["please delete column {c} from table {t}, we don't use", "the {c} in {t} is not needed more, remove it"],
        declarative: ["{t} should no longer have a {c} column", "{t}.{c} is obsolete and should go"],
        terse: ["{t}: -{c}", "{t} - {c}"],
        bullets: ["- {t}: drop column {c}"],
        synonym: ["get rid of {t}.{c}", "delete the {c} field from {t}"],
        order: ["from {t}, drop the {c} column", "{c} in {t}: drop it"],
    );
    let mut d = Draft::applied(f, vec![no_column(t, c)], &[t, c]).scoped(&[t], &[]);
    d.flags = vec!["--allow-destructive".into()];
    d.rollback = Rollback::Shape;
    Some(d)
}

fn t_drop_table(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let t = *rng.pick(fx.drop_t)?;
    let f = forms!(&[("t", t)];
        plain: ["drop table {t}", "drop the {t} table", "remove the {t} table"],
        nonnative: ["please delete the table {t}, nobody use it", "the table {t} is not needed more, remove it"],
        declarative: ["{t} should not exist anymore", "the {t} table is obsolete and should go"],
        terse: ["-{t}", "drop: {t}"],
        bullets: ["- drop table {t}"],
        synonym: ["get rid of the {t} table", "delete the {t} table"],
        order: ["the {t} table: drop it", "{t} (the table), please drop"],
    );
    let mut d = Draft::applied(f, vec![no_table(t)], &[t]).scoped(&[t], &[]);
    d.flags = vec!["--allow-destructive".into()];
    d.rollback = Rollback::Shape;
    Some(d)
}

fn t_refuse_fk(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let (t, c) = *rng.pick(fx.fk_any)?;
    let m = *rng.pick(fx.missing_t)?;
    let f = forms!(&[("t", t), ("c", c), ("m", m)];
        plain: ["make {t}.{c} reference {m}.id", "add a foreign key from {t}.{c} to {m}"],
        nonnative: ["please {t}.{c} make reference to {m}"],
        declarative: ["{t}.{c} should reference {m}", "every {t}.{c} must point to a row in {m}"],
        terse: ["{t}.{c} -> {m}.id"],
        bullets: ["- fk: {t}.{c} -> {m}(id)"],
        synonym: ["link {t}.{c} to {m}", "connect {t}.{c} to the {m} table"],
        order: ["to {m}, make {t}.{c} a foreign key"],
    );
    Some(Draft::refused(f, m, &[t, c]))
}

fn t_refuse_add(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let m = *rng.pick(fx.missing_t)?;
    let f = forms!(&[("m", m)];
        plain: ["add a notes column to {m}", "add column notes (text) to {m}"],
        nonnative: ["please add in table {m} the column notes"],
        declarative: ["{m} should have a notes column"],
        terse: ["{m}: + notes text"],
        bullets: ["- {m}: add notes (text)"],
        synonym: ["append a notes field to {m}"],
        order: ["to {m}, add a notes column"],
    );
    Some(Draft::refused(f, m, &[]))
}

fn t_refuse_rename(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let t = *rng.pick(fx.add_to)?;
    let m = *rng.pick(fx.missing_c)?;
    let f = forms!(&[("t", t), ("m", m)];
        plain: ["rename {t}.{m} to legacy_value", "rename column {m} in {t} to legacy_value"],
        nonnative: ["please change name of {m} in {t} to legacy_value"],
        declarative: ["{t}.{m} should be called legacy_value"],
        terse: ["{t}.{m} -> legacy_value"],
        bullets: ["- {t}: rename {m} -> legacy_value"],
        synonym: ["change the name of {t}.{m} to legacy_value"],
        order: ["in {t}, rename {m} to legacy_value"],
    );
    Some(Draft::refused(f, m, &[t]))
}

fn t_refuse_drop(fx: &Fx, rng: &mut Rng) -> Option<Draft> {
    let m = *rng.pick(fx.missing_t)?;
    let f = forms!(&[("m", m)];
        plain: ["drop table {m}", "drop the {m} table"],
        nonnative: ["please delete the table {m}, not used"],
        declarative: ["the {m} table should go"],
        terse: ["drop: {m}"],
        bullets: ["- drop table {m}"],
        synonym: ["get rid of the {m} table"],
        order: ["the {m} table: drop it"],
    );
    let mut d = Draft::refused(f, m, &[]);
    d.flags = vec!["--allow-destructive".into()];
    Some(d)
}

// ---------------------------------------------------------------------------------------------------------
// Styles

/// Words people use around a request; none of them names a table or column of any fixture
/// (`generated_wrappers_name_nothing`).
pub const POLITE: [(&str, &str); 5] = [
    ("Hi! Could you please ", "? Thanks!"),
    ("Hello, could you ", ", thank you."),
    ("Please ", ". Thanks a lot"),
    ("Good morning! Can you ", "? Cheers"),
    ("Would you mind if we ", "? Thank you!"),
];

pub const EXPLAINED: [(&str, &str); 4] = [
    (
        "We are starting to track this for the quarterly report and the dashboards need it soon, so ",
        ". Let me know if anything looks off.",
    ),
    (
        "Context: the analytics folks complained last week that they cannot filter on this. Could you ",
        "? It would unblock them.",
    ),
    (
        "I was reading through the schema and noticed something we should fix before the launch. Basically, ",
        ".",
    ),
    (
        "After the incident review on Tuesday we agreed on a small schema change. The change: ",
        ". That is all for now.",
    ),
];

pub const CHAT: [(&str, &str); 4] = [
    ("hey — ", " pls, ty"),
    ("quick one: ", " when u get a sec 🙏"),
    ("", " asap? thx"),
    ("yo can u ", " kthx"),
];

pub const SEMICOLON: [(&str, &str); 3] = [
    (
        "we talked about it in standup; ",
        "; nothing else needs to change",
    ),
    ("", "; it is needed for the audit; thanks"),
    ("small change today; ", "; the rest stays as it is"),
];

const ABBREVIATIONS: [(&str, &str); 9] = [
    ("foreign key", "fk"),
    ("columns", "cols"),
    ("column", "col"),
    ("table", "tbl"),
    ("index", "idx"),
    ("integer", "int"),
    ("boolean", "bool"),
    ("please", "pls"),
    ("with", "w/"),
];

const KEYWORDS: [&str; 17] = [
    "column",
    "table",
    "index",
    "rename",
    "unique",
    "reference",
    "create",
    "drop",
    "remove",
    "change",
    "make",
    "default",
    "foreign",
    "constraint",
    "check",
    "nullable",
    "integer",
];

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Byte ranges of whole-word occurrences of `word` (case-insensitive) in `text`.
fn word_at(text: &str, word: &str) -> Vec<usize> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before = lower[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word(c));
        let after = lower[end..].chars().next().is_none_or(|c| !is_word(c));
        if before && after {
            out.push(start);
        }
        from = end;
    }
    out
}

fn replace_word(text: &str, word: &str, by: &str) -> String {
    let mut out = text.to_string();
    for start in word_at(text, word).into_iter().rev() {
        out.replace_range(start..start + word.len(), by);
    }
    out
}

/// Optimal string alignment distance (Damerau–Levenshtein without repeated edits).
pub fn osa(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// A misspelling of `word`: two inner letters swapped, or an inner letter dropped or doubled. Keeps the
/// first letter and never touches an underscore.
fn misspell(word: &str, rng: &mut Rng) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return None;
    }
    for _ in 0..12 {
        let mut c = chars.clone();
        match rng.below(3) {
            0 => {
                let i = 1 + rng.below(c.len() - 2);
                if c[i] == c[i + 1] || c[i] == '_' || c[i + 1] == '_' {
                    continue;
                }
                c.swap(i, i + 1);
            }
            1 => {
                let i = 1 + rng.below(c.len() - 2);
                if c[i] == '_' {
                    continue;
                }
                c.remove(i);
            }
            _ => {
                let i = 1 + rng.below(c.len() - 2);
                if c[i] == '_' {
                    continue;
                }
                c.insert(i, c[i]);
            }
        }
        let s: String = c.into_iter().collect();
        if s != word {
            return Some(s);
        }
    }
    None
}

/// Applies a style to a draft's phrasings; None when the style does not apply to this template.
fn phrase(style: &str, d: &Draft, fx: &Fx, rng: &mut Rng) -> Option<String> {
    let pick = |list: &[String], rng: &mut Rng| rng.pick(list).cloned();
    let wrap = |pairs: &[(&str, &str)], rng: &mut Rng| -> Option<String> {
        let base = pick(&d.forms.plain, rng)?;
        let (pre, post) = *rng.pick(pairs)?;
        Some(format!("{pre}{base}{post}"))
    };
    match style {
        "plain" => pick(&d.forms.plain, rng),
        "polite" => wrap(&POLITE, rng),
        "explained" => wrap(&EXPLAINED, rng),
        "chat" => wrap(&CHAT, rng),
        "semicolon" => wrap(&SEMICOLON, rng),
        "nonnative" => pick(&d.forms.nonnative, rng),
        "declarative" => pick(&d.forms.declarative, rng),
        "terse" => pick(&d.forms.terse, rng),
        "bullets" => pick(&d.forms.bullets, rng),
        "synonym" => pick(&d.forms.synonym, rng),
        "word-order" => pick(&d.forms.order, rng),
        "abbrev" => {
            // Every phrasing an abbreviation changes; one of them with all its abbreviations.
            let all: Vec<String> = [&d.forms.plain, &d.forms.terse, &d.forms.order]
                .into_iter()
                .flatten()
                .map(|s| {
                    ABBREVIATIONS
                        .iter()
                        .fold(s.clone(), |s, (long, short)| replace_word(&s, long, short))
                })
                .zip(
                    [&d.forms.plain, &d.forms.terse, &d.forms.order]
                        .into_iter()
                        .flatten(),
                )
                .filter(|(short, long)| short != *long)
                .map(|(short, _)| short)
                .collect();
            pick(&all, rng)
        }
        "typo-keyword" => {
            let base = pick(&d.forms.plain, rng)?;
            let present: Vec<&str> = KEYWORDS
                .iter()
                .copied()
                .filter(|k| !word_at(&base, k).is_empty())
                .filter(|k| !d.refs.iter().any(|r| r == k))
                .collect();
            let k = *rng.pick(&present)?;
            let typo = misspell(k, rng)?;
            let at = word_at(&base, k)[0];
            let mut out = base.clone();
            out.replace_range(at..at + k.len(), &typo);
            Some(out)
        }
        "typo-name" => {
            // A misspelt existing name whose closest name is still the one meant, by a wide margin.
            let base = pick(&d.forms.plain, rng)?;
            let names = fx.names();
            let candidates: Vec<&String> = d
                .refs
                .iter()
                .filter(|r| r.len() >= 5 && !word_at(&base, r).is_empty())
                .collect();
            let r = *rng.pick(&candidates)?;
            let typo = misspell(r, rng)?;
            let clear = !names.contains(&typo.as_str())
                && names
                    .iter()
                    .filter(|n| **n != r.as_str())
                    .all(|n| osa(n, &typo) > 2)
                && osa(r, &typo) <= 2;
            if !clear {
                return None;
            }
            let at = word_at(&base, r)[0];
            let mut out = base.clone();
            out.replace_range(at..at + r.len(), &typo);
            Some(out)
        }
        other => panic!("unknown style {other}"),
    }
}

// ---------------------------------------------------------------------------------------------------------
// The set

/// Every generated case, in a fixed order.
pub fn generate() -> Vec<GenCase> {
    let mut out = Vec::new();
    for (family, template, build) in TEMPLATES {
        for style in STYLES {
            let part = part_of(&format!("{family}/{template}"), style);
            for fx in FIXTURES {
                let key = format!("{family}/{template}|{style}|{}", fx.name);
                let mut rng = Rng::new(SEED ^ fnv1a(&key));
                let Some(d) = build(fx, &mut rng) else {
                    continue;
                };
                let Some(request) = phrase(style, &d, fx, &mut rng) else {
                    continue;
                };
                let mut d = d;
                if family == "drop" && style == "typo-name" {
                    // Refusing to drop an object whose name is misspelt is as right as dropping the one
                    // meant: either way some other table is still there.
                    let other = fx
                        .tables
                        .iter()
                        .map(|t| t.0)
                        .find(|t| !d.refs.iter().any(|r| r == t));
                    d.expect = Outcome::AppliedOrRefused;
                    d.if_applied = std::mem::take(&mut d.checks);
                    d.checks = vec![table(other.expect("a fixture has two tables"))];
                }
                let case = Case {
                    id: format!("{family}-{template}-{style}-{}", fx.name),
                    family: family.to_string(),
                    request,
                    note: Some(format!(
                        "generated: {family}/{template} × {style} on {}",
                        fx.name
                    )),
                    flags: d.flags,
                    engines: None,
                    setup: vec![],
                    expect: d.expect,
                    checks: d.checks,
                    if_applied: d.if_applied,
                    stderr: d.stderr,
                    kind: None,
                    rollback: d.rollback,
                    after_rollback: vec![],
                    preserve_rows: true,
                    fixture: Some(fx.name.to_string()),
                    scope: d.scope,
                    rewrites: d.rewrites,
                };
                out.push(GenCase {
                    case,
                    template,
                    style,
                    fixture: fx.name,
                    part,
                });
            }
        }
    }
    out
}

/// The fixed CI sample: about `n` cases with every (family, part), (style, part) and fixture represented,
/// the rest drawn round-robin over families from a seeded shuffle.
pub fn sample(all: &[GenCase], n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..all.len()).collect();
    let mut rng = Rng::new(SEED);
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut chosen: Vec<usize> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let keys: [fn(&GenCase) -> String; 3] = [
        |g| format!("f:{}:{}", g.case.family, g.part.name()),
        |g| format!("s:{}:{}", g.style, g.part.name()),
        |g| format!("x:{}", g.fixture),
    ];
    for key in keys {
        for &i in &order {
            let k = key(&all[i]);
            if !seen.contains(&k) && !chosen.contains(&i) {
                seen.insert(k);
                chosen.push(i);
            }
        }
        // Later keys may already be covered by earlier picks.
        for &i in &chosen {
            for key in keys {
                seen.insert(key(&all[i]));
            }
        }
    }
    let families: BTreeSet<&str> = all.iter().map(|g| g.case.family.as_str()).collect();
    let mut queues: Vec<Vec<usize>> = families
        .iter()
        .map(|f| {
            order
                .iter()
                .copied()
                .filter(|&i| all[i].case.family == *f && !chosen.contains(&i))
                .collect()
        })
        .collect();
    let mut round = 0;
    while chosen.len() < n && queues.iter().any(|q| round < q.len()) {
        for q in &queues {
            if chosen.len() < n
                && let Some(&i) = q.get(round)
            {
                chosen.push(i);
            }
        }
        round += 1;
    }
    queues.clear();
    chosen.sort();
    chosen
}
