//! Changes to existing columns: unique, NOT NULL / nullable, defaults, check constraints
//! ("price must be positive", "age between 0 and 150", "theme (light/dark)") and type changes.

use super::{Ctx, KEYWORDS, column, finish, table_with_column, user_tables};
use crate::model::{AlterColumnType, Change, Column, ColumnType, SetDefault, Table};
use crate::planner::build;
use crate::planner::find::{self, Tables};
use crate::planner::plan::{Plan, Refusal};
use crate::planner::resolve;
use crate::planner::spec;
use crate::planner::sql;
use crate::planner::tokens::Tok;
use crate::planner::types;

const EXAMPLE: &str = "make email unique in users";

/// Words of the request that may be column names.
fn candidates(toks: &[Tok], skip_types: bool, engine: crate::connection::Engine) -> Vec<String> {
    let mut out = vec![];
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if let Tok::Ident(n) = t {
            out.push(n.clone());
        } else if let Tok::Word(w) = t {
            if skip_types && let Some((_, used)) = types::parse(toks, i, engine) {
                i += used;
                continue;
            }
            if !KEYWORDS.contains(&w.as_str())
                && !matches!(w.as_str(), "true" | "false" | "yes" | "no")
            {
                out.push(w.clone());
            }
        }
        i += 1;
    }
    out
}

/// The table and columns a constraint request is about.
pub(super) fn target<'a>(
    ctx: &Ctx<'a>,
    toks: &mut Vec<Tok>,
    skip: &[String],
) -> Result<(&'a Table, Vec<&'a Column>), Refusal> {
    let table = match find::take(toks, &ctx.names)? {
        Some(Tables::One(t)) => Some(t),
        Some(Tables::All) => {
            return Err(Refusal::unsupported(
                "this change applies to one table at a time; name it",
            )
            .example(EXAMPLE));
        }
        None => None,
    };
    // Words of the sentence's grammar ("we", "two", "nobody") name no column unless the schema has one.
    let words: Vec<String> = candidates(toks, false, ctx.engine)
        .into_iter()
        .filter(|w| !skip.contains(w))
        .filter(|w| ctx.names.may_name_column(w))
        .collect();
    // "order_items quantity should be at least 1", "customers' email must be unique"
    let table = table.or_else(|| {
        let (first, second) = (words.first()?, words.get(1)?);
        let t = ctx.names.table_sure(first)?;
        ctx.names.column_sure(t, second)?;
        Some(t)
    });
    let words: Vec<String> = match table {
        Some(t)
            if words
                .first()
                .is_some_and(|w| ctx.names.table_sure(w) == Some(t))
                && words.len() > 1
                && ctx.names.column_sure(t, &words[0]).is_none() =>
        {
            words[1..].to_vec()
        }
        _ => words,
    };
    let table = match table {
        Some(t) => t,
        None => {
            let Some(first) = words.first() else {
                return Err(
                    Refusal::ambiguous("which column? the request names none").example(EXAMPLE)
                );
            };
            table_with_column(ctx, first, EXAMPLE)?
        }
    };
    let mut cols: Vec<&Column> = vec![];
    let mut seen = std::collections::HashSet::new();
    for w in &words {
        match ctx.names.column(table, w) {
            resolve::Found::One(c, _) if seen.insert(c.name.as_str()) => {
                cols.push(c);
            }
            _ if cols.is_empty() && words.len() == 1 => {
                column(ctx, table, w, EXAMPLE)?;
            }
            _ => {}
        }
    }
    if cols.is_empty() {
        let first = words.first().cloned().unwrap_or_default();
        if first.is_empty() {
            return Err(Refusal::ambiguous(format!(
                "which column of {}? the request names none",
                table.name.display()
            ))
            .example(EXAMPLE));
        }
        column(ctx, table, &first, EXAMPLE)?;
    }
    Ok((table, cols))
}

/// A number after position `i` (skipping filler words).
fn number_after(toks: &[Tok], i: usize) -> Option<String> {
    toks[i + 1..].iter().take(4).find_map(|t| match t {
        Tok::Num(n) => Some(n.clone()),
        Tok::Word(w) if w == "zero" => Some("0".into()),
        _ => None,
    })
}

/// A check expression the words describe, if any.
fn check_expression(ctx: &Ctx, toks: &[Tok], table: &Table, col: &str) -> Option<String> {
    let c = sql::ident(ctx.engine, col);
    // A number, or another column of the table ("net_pay not higher than gross_pay").
    let number_after = |toks: &[Tok], i: usize| {
        number_after(toks, i).or_else(|| {
            toks[i + 1..]
                .iter()
                .take(5)
                .filter_map(Tok::name)
                .filter(|n| !n.eq_ignore_ascii_case(col))
                .find_map(|n| ctx.names.column_sure(table, n))
                .map(|other| sql::ident(ctx.engine, &other.name))
        })
    };
    let w = |k: usize| toks.get(k).and_then(Tok::word);
    let negated = |i: usize| {
        (i.saturating_sub(2)..i)
            .any(|k| toks[k].is_any(&["not", "non", "cant", "cannot", "never", "no"]))
    };
    // "nobody earns more than", "can never go above", "must not exceed": the bound is the other side.
    let denied = |i: usize| {
        (i.saturating_sub(3)..i).any(|k| {
            toks[k].is_any(&[
                "not", "cant", "cannot", "never", "no", "nobody", "none", "nothing", "mustnt",
                "shouldnt", "wont",
            ])
        })
    };
    // A comparison at `i` ("more than 5", "not higher than gross_pay"): `above` for greater/more; a
    // denied one is its complement ("not more than" is `<=`).
    let bound = |i: usize, above: bool| {
        let eq = w(i + 1) == Some("than") && w(i + 2) == Some("or") && w(i + 3) == Some("equal");
        let denied = denied(i);
        let op = match (above != denied, eq != denied) {
            (true, false) => ">",
            (true, true) => ">=",
            (false, false) => "<",
            (false, true) => "<=",
        };
        number_after(toks, i).map(|n| format!("{c} {op} {n}"))
    };
    // Every bound the words give: "at most 1,000,000 and never negative" is both.
    let mut found: Vec<String> = vec![];
    for (i, t) in toks.iter().enumerate() {
        let Some(word) = t.word() else {
            match t {
                Tok::Punct('>') if toks.get(i + 1).is_some_and(|t| t.is_punct('=')) => {
                    found.extend(number_after(toks, i + 1).map(|n| format!("{c} >= {n}")));
                }
                Tok::Punct('<') if toks.get(i + 1).is_some_and(|t| t.is_punct('=')) => {
                    found.extend(number_after(toks, i + 1).map(|n| format!("{c} <= {n}")));
                }
                Tok::Punct('>')
                    if !toks.get(i + 1).is_some_and(|t| t.is_punct('='))
                        && !toks[..i].last().is_some_and(|t| t.is_punct('-')) =>
                {
                    found.extend(number_after(toks, i).map(|n| format!("{c} > {n}")))
                }
                Tok::Punct('<') if !toks.get(i + 1).is_some_and(|t| t.is_punct('=')) => {
                    found.extend(number_after(toks, i).map(|n| format!("{c} < {n}")))
                }
                _ => {}
            }
            continue;
        };
        // "zero or above", "18 or older", "100 or less": the number is the bound, and included.
        let before = i.checked_sub(1).and_then(|k| match &toks[k] {
            Tok::Num(n) => Some(n.clone()),
            Tok::Word(w) if w == "zero" => Some("0".to_string()),
            _ => None,
        });
        if word == "or"
            && let Some(n) = before
        {
            match w(i + 1) {
                Some("above" | "more" | "higher" | "greater" | "over" | "older" | "larger") => {
                    found.push(format!("{c} >= {n}"))
                }
                Some("below" | "less" | "lower" | "under" | "fewer" | "younger" | "smaller") => {
                    found.push(format!("{c} <= {n}"))
                }
                _ => {}
            }
            continue;
        }
        match word {
            "positive" if negated(i) => found.push(format!("{c} <= 0")),
            "positive" => found.push(format!("{c} > 0")),
            "non_negative" | "nonnegative" => found.push(format!("{c} >= 0")),
            "negative" if negated(i) => found.push(format!("{c} >= 0")),
            "negative" => found.push(format!("{c} < 0")),
            "between" => {
                let nums: Vec<String> = toks[i + 1..]
                    .iter()
                    .filter_map(|t| match t {
                        Tok::Num(n) => Some(n.clone()),
                        _ => None,
                    })
                    .take(2)
                    .collect();
                if nums.len() == 2 {
                    found.push(format!("{c} BETWEEN {} AND {}", nums[0], nums[1]));
                    break;
                }
            }
            "least" | "minimum" | "min" => {
                found.extend(number_after(toks, i).map(|n| format!("{c} >= {n}")));
            }
            "most" | "maximum" | "max" => {
                found.extend(number_after(toks, i).map(|n| format!("{c} <= {n}")));
            }
            "greater" | "more" | "above" | "over" | "exceeds" | "exceed" | "higher" | "larger"
            | "bigger" => found.extend(bound(i, true)),
            "less" | "below" | "under" | "fewer" | "lower" | "smaller" => {
                found.extend(bound(i, false))
            }
            _ => {}
        }
    }
    found.dedup();
    if !found.is_empty() {
        return Some(found.join(" AND "));
    }
    // "theme (light/dark)", "status one of a, b, c"
    let open = toks.iter().position(|t| t.is_punct('('));
    if let Some(open) = open
        && let Some(close) = toks[open..].iter().position(|t| t.is_punct(')'))
    {
        let vals = spec::values(&toks[open + 1..open + close]);
        if !vals.is_empty() {
            return Some(sql::in_list(ctx.engine, col, &vals));
        }
    }
    if let Some(i) = toks
        .windows(2)
        .position(|p| p[0].is("one") && p[1].is("of"))
    {
        let vals = spec::values(&toks[i + 2..]);
        if !vals.is_empty() {
            return Some(sql::in_list(ctx.engine, col, &vals));
        }
    }
    None
}

/// The default value a request gives, as a token.
fn default_value(toks: &[Tok]) -> Option<(usize, spec::Value)> {
    let at = toks
        .iter()
        .position(|t| t.is_any(&["default", "defaults", "defaulting"]))?;
    value_after_default(toks, at).or_else(|| value_before_default(toks, at))
}

/// The value named before "default": "use 0 as the default", "'active' should be the default for status",
/// "make true the default". Only linking words may stand between, and a bare word only when it is a value
/// word (true, now, zero...), never a name.
fn value_before_default(toks: &[Tok], at: usize) -> Option<(usize, spec::Value)> {
    let mut i = at;
    while i > 0
        && toks[i - 1].is_any(&[
            "as", "the", "a", "its", "their", "new", "be", "is", "should", "must", "will", "shall",
            "become", "becomes", "would",
        ])
    {
        i -= 1;
    }
    if i == at || i == 0 {
        return None;
    }
    let j = i - 1;
    match &toks[j] {
        Tok::Str(s) => Some((j, spec::Value::Str(s.clone()))),
        Tok::Num(n) => Some((j, spec::Value::Num(n.clone()))),
        Tok::Word(w)
            if matches!(
                w.as_str(),
                "true"
                    | "false"
                    | "yes"
                    | "no"
                    | "now"
                    | "today"
                    | "zero"
                    | "current_timestamp"
                    | "current_date"
            ) =>
        {
            Some((j, spec::Value::Word(w.clone())))
        }
        _ => None,
    }
}

fn value_after_default(toks: &[Tok], at: usize) -> Option<(usize, spec::Value)> {
    toks.iter()
        .enumerate()
        .skip(at + 1)
        .find_map(|(i, t)| match t {
            Tok::Str(s) => Some((i, spec::Value::Str(s.clone()))),
            Tok::Num(n) => Some((i, spec::Value::Num(n.clone()))),
            // "default to an empty string", "default blank"
            Tok::Word(w)
                if matches!(w.as_str(), "empty" | "blank")
                    && i > 0
                    && toks[i - 1].is_any(&["to", "default", "be", "is", "="]) =>
            {
                Some((i, spec::Value::Str(String::new())))
            }
            // "set the default status to 'x'": a word followed by "to" is the column.
            Tok::Word(_)
                if toks
                    .get(i + 1)
                    .is_some_and(|n| n.is_any(&["to", "of"]) || n.is_punct('=')) =>
            {
                None
            }
            Tok::Word(w)
                if i > 0
                    && toks[i - 1].is_any(&["to", "default", "be", "is", "="])
                    && !KEYWORDS.contains(&w.as_str()) =>
            {
                Some((i, spec::Value::Word(w.clone())))
            }
            Tok::Punct('=') => None,
            _ => None,
        })
}

fn default_sql(ctx: &Ctx, col: &Column, v: &spec::Value) -> String {
    use spec::Value;
    let boolean = matches!(col.data_type, ColumnType::Boolean);
    match v {
        Value::Num(n) if boolean => sql::boolean(ctx.engine, n != "0"),
        Value::Num(n) => n.clone(),
        Value::Str(s) if boolean => {
            sql::boolean(ctx.engine, matches!(s.as_str(), "true" | "1" | "yes"))
        }
        Value::Str(s) if sql::is_number(s) && is_numeric(&col.data_type) => s.clone(),
        Value::Str(s) => sql::string(ctx.engine, s),
        Value::Word(w) => match w.as_str() {
            "true" | "yes" | "on" => sql::boolean(ctx.engine, true),
            "false" | "no" | "off" => sql::boolean(ctx.engine, false),
            "now" | "current_timestamp" => "CURRENT_TIMESTAMP".into(),
            "today" | "current_date" => "CURRENT_DATE".into(),
            "zero" => "0".into(),
            "empty" | "blank" => sql::string(ctx.engine, ""),
            w => sql::string(ctx.engine, w),
        },
        Value::Call(f) => format!("{f}()"),
    }
}

/// Whether the type a request says a column has ("from text", "not text") is the column's, as people
/// name types: any string type for "text", any integer size for "integer", either timestamp.
fn loosely_same(said: &ColumnType, actual: &ColumnType) -> bool {
    use ColumnType as T;
    let family = |t: &ColumnType| match t {
        T::Text | T::Varchar(_) | T::Char(_) => 1,
        T::Smallint | T::Integer | T::Bigint => 2,
        T::Timestamp(_) | T::TimestampTz(_) => 3,
        T::Json | T::Jsonb => 4,
        _ => 0,
    };
    said == actual || (family(said) != 0 && family(said) == family(actual))
}

/// `v` as an SQL literal to store in `col`, or why it cannot be stored there.
pub(super) fn value_for(ctx: &Ctx, col: &Column, v: &spec::Value) -> Result<String, String> {
    use spec::Value;
    let shown = match v {
        Value::Str(s) => format!("'{s}'"),
        Value::Num(n) | Value::Word(n) | Value::Call(n) => n.clone(),
    };
    let text = match v {
        Value::Str(s) | Value::Num(s) => s.as_str(),
        _ => return Ok(default_sql(ctx, col, v)),
    };
    match &col.data_type {
        t if is_numeric(t) && !sql::is_number(text) => Err(format!(
            "{shown} is not a number, and {} is {}",
            col.name,
            crate::planner::types::words(t)
        )),
        t if is_numeric(t) => Ok(text.to_string()),
        ColumnType::Varchar(Some(n)) | ColumnType::Char(Some(n))
            if text.chars().count() > *n as usize =>
        {
            Err(format!(
                "{shown} is longer than {} holds ({n} characters)",
                col.name
            ))
        }
        ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Char(_) => {
            Ok(sql::string(ctx.engine, text))
        }
        _ => Ok(default_sql(ctx, col, v)),
    }
}

fn is_numeric(t: &ColumnType) -> bool {
    matches!(
        t,
        ColumnType::Smallint
            | ColumnType::Integer
            | ColumnType::Bigint
            | ColumnType::Real
            | ColumnType::Double
            | ColumnType::Numeric(_)
    )
}

/// Whether the requirement the sentence names is what a verb of removal takes away: the verb right before
/// it, or with only an article or "be" between ("relax the not null on t.c", "remove the required flag from
/// c", "get rid of the not null", "c is no longer mandatory"). "remove duplicates and make c required" asks for it.
fn lifts_requirement(toks: &[Tok]) -> bool {
    let Some(at) = toks.iter().position(|t| {
        t.is_any(&[
            "required",
            "mandatory",
            "non_null",
            "not",
            "non",
            "cannot",
            "cant",
        ])
    }) else {
        return false;
    };
    let mut i = at;
    while i > 0 && toks[i - 1].is_any(&["the", "a", "its", "this", "that", "any", "be", "of"]) {
        i -= 1;
    }
    i > 0
        && toks[i - 1].is_any(&[
            "relax",
            "relaxing",
            "lift",
            "lifting",
            "loosen",
            "loosening",
            "remove",
            "removing",
            "drop",
            "dropping",
            "delete",
            "rid",
            "undo",
            "ease",
            "longer",
        ])
}

/// unique / NOT NULL / nullable / default / check on existing columns.
pub fn constraint(ctx: &Ctx, mut toks: Vec<Tok>) -> Result<Plan, Refusal> {
    let has = |toks: &[Tok], w: &str| toks.iter().any(|t| t.is(w));
    let default = default_value(&toks);
    let mut skip = vec![];
    if let Some((_, spec::Value::Word(w))) = &default {
        skip.push(w.clone());
    }
    // Values in "(light/dark)" are not column names; "products(name)" is the column.
    if let Some(open) = toks.iter().position(|t| t.is_punct('(')).filter(|&open| {
        !(open > 0
            && toks[open - 1]
                .name()
                .is_some_and(|n| ctx.names.table_sure(n).is_some()))
    }) {
        for t in toks[open..].iter().take_while(|t| !t.is_punct(')')) {
            if let Some(w) = t.name() {
                skip.push(w.to_string());
            }
        }
    }
    if let Some(i) = toks
        .windows(2)
        .position(|p| p[0].is("one") && p[1].is("of"))
    {
        skip.extend(
            toks[i + 2..]
                .iter()
                .filter_map(|t| t.name().map(str::to_string)),
        );
    }
    let (table, cols) = target(ctx, &mut toks, &skip)?;
    let t = &table.name;
    let mut changes: Vec<Change> = vec![];
    let mut notes = vec![];
    let negated_null = toks.windows(2).any(|p| {
        (p[0].is("not") || p[0].is("non") || p[0].is("no"))
            && p[1].is_any(&["null", "nullable", "nulls"])
    }) || toks.windows(3).any(|p| {
        p[0].is_any(&["cannot", "cant", "never"])
            && p[1].is("be")
            && p[2].is_any(&["null", "empty", "blank", "missing"])
    });
    let required =
        has(&toks, "required") || has(&toks, "mandatory") || has(&toks, "non_null") || negated_null;
    // "relax / lift / get rid of the not null (requirement)": the requirement is what goes.
    let lifted = required && lifts_requirement(&toks);
    let required = required && !lifted;
    let optional = !required
        && (lifted
            || has(&toks, "optional")
            || has(&toks, "nullable")
            || (has(&toks, "null") && !has(&toks, "not"))
            || has(&toks, "nulls"));
    // "forbid duplicate c values", "prevent duplicates in c", "no duplicates": unique.
    let unique = has(&toks, "unique")
        || has(&toks, "uniqueness")
        || (toks
            .iter()
            .any(|t| t.is_any(&["duplicate", "duplicates", "dupes"]))
            && toks
                .iter()
                .any(|t| t.is_any(&["forbid", "prevent", "disallow", "no", "avoid", "without"])));
    let col = cols[0];
    let mut slug = vec![];
    if required {
        for c in &cols {
            if !c.nullable {
                return Err(Refusal::unsupported(format!(
                    "{}.{} is already NOT NULL",
                    t.display(),
                    c.name
                )));
            }
            changes.push(Change::SetNotNull(build::column_ref(t, &c.name)));
            notes.push(format!(
                "making {} NOT NULL fails if a row holds NULL there; fill those rows first",
                c.name
            ));
        }
        slug.push("require");
    }
    if optional {
        for c in &cols {
            if c.nullable {
                return Err(Refusal::unsupported(format!(
                    "{}.{} is already nullable",
                    t.display(),
                    c.name
                )));
            }
            if table
                .primary_key
                .as_ref()
                .is_some_and(|p| p.columns.contains(&c.name))
            {
                return Err(Refusal::unsafe_(format!(
                    "{} is part of the primary key of {}, which cannot hold NULL",
                    c.name,
                    t.display()
                )));
            }
            changes.push(Change::DropNotNull(build::column_ref(t, &c.name)));
        }
        slug.push("make_optional");
    }
    if unique {
        let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
        let already = table.indexes.iter().any(|i| {
            i.unique
                && i.keys.len() == names.len()
                && i.keys.iter().zip(&names).all(
                    |(k, n)| matches!(&k.target, crate::model::IndexTarget::Column(c) if c == n),
                )
        }) || table.uniques.iter().any(|u| u.columns == names)
            || table
                .primary_key
                .as_ref()
                .is_some_and(|p| p.columns == names);
        if already {
            return Err(Refusal::unsupported(format!(
                "{} ({}) is already unique",
                t.display(),
                names.join(", ")
            )));
        }
        changes.push(build::add_index(t, &names, true));
        notes.push(format!(
            "the unique index fails if {} already holds duplicates; NULLs never count as duplicates",
            names.join(", ")
        ));
        slug.push("make_unique");
    }
    if let Some((_, v)) = &default {
        if toks.iter().any(|t| t.is_any(&["no", "without"])) {
            changes.push(Change::DropDefault(build::column_ref(t, &col.name)));
        } else {
            changes.push(Change::SetDefault(SetDefault {
                table: t.clone(),
                column: col.name.clone(),
                default: default_sql(ctx, col, v),
            }));
            slug.push("set_default");
        }
    }
    if let Some(expr) = check_expression(ctx, &toks, table, &col.name) {
        changes.push(build::add_check(t, &col.name, expr));
        slug.push("check");
    }
    // "make order_items.product_id cascade on delete": the foreign key again, with that action.
    if changes.is_empty()
        && let Some(action) = build::on_delete_named(&toks)
        && let Some(fk) = table
            .foreign_keys
            .iter()
            .find(|f| f.columns.contains(&col.name))
    {
        if fk.on_delete == action {
            return Err(Refusal::unsupported(format!(
                "foreign key {} of {} already has that ON DELETE action",
                fk.name,
                t.display()
            )));
        }
        let mut new_fk = fk.clone();
        new_fk.on_delete = action;
        changes.push(Change::DropForeignKey(build::object(t, &fk.name)));
        changes.push(Change::AddForeignKey(crate::model::AddForeignKey {
            table: t.clone(),
            foreign_key: new_fk,
        }));
        slug.push("change_on_delete_of");
    }
    if changes.is_empty() {
        return Err(Refusal::unsupported(format!(
            "ai-shell cannot tell what to change about {}.{}",
            t.display(),
            col.name
        ))
        .example("make email unique in users | make bio optional in users | set default of status to 'active' in users"));
    }
    let cols: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    let what = if slug.len() == 1 {
        slug[0]
    } else {
        "constrain"
    };
    Ok(finish(
        changes,
        &format!("{what} {} in {}", cols.join(" "), t.name),
        false,
        notes,
    ))
}

/// Whether the request names a target type ("to bigint", "a decimal(10,2)").
pub fn names_a_type(ctx: &Ctx, toks: &[Tok]) -> bool {
    if length_in_characters(toks).is_some() {
        return true;
    }
    let typed: Vec<usize> = (0..toks.len())
        .filter(|&i| types::parse(toks, i, ctx.engine).is_some())
        .collect();
    typed.iter().any(|&i| {
        i > 0
            && (toks[i - 1].is_any(&["to", "into", "as", "from", "be"])
                || typed.len() > 1
                || i == toks.len() - 1
                || toks.get(i + 1).is_some_and(|t| {
                    t.is_punct('(')
                        || t.is_any(&["in", "on", "for", "type", "column", "field", "instead"])
                }))
    }) && !toks
        .iter()
        .any(|t| t.is_any(&["default", "unique", "required", "optional", "nullable"]))
}

/// MySQL/MariaDB refuse to change the type of a column a foreign key uses, and a key's two sides
/// must have the same integer type. So the keys on the changed columns are dropped first and added
/// back last, and a referenced key of another type changes too (with every column referencing
/// it). The derived down reverses all of it in the same safe order.
fn around_foreign_keys(
    ctx: &Ctx,
    alters: Vec<Change>,
    new: &ColumnType,
    notes: &mut Vec<String>,
) -> Result<Vec<Change>, Refusal> {
    use crate::model::{AddForeignKey, QualifiedName};
    let mut cols: Vec<(QualifiedName, String)> = alters
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumnType(a) => Some((a.table.clone(), a.column.clone())),
            _ => None,
        })
        .collect();
    let table_of = |n: &QualifiedName| ctx.schema.tables.iter().find(|t| t.name == *n);
    let col_type = |n: &QualifiedName, c: &str| {
        table_of(n)
            .and_then(|t| t.columns.iter().find(|x| x.name == c))
            .map(|x| x.data_type.clone())
    };
    // Referenced keys that must change too, then every column referencing them.
    let mut keys: Vec<(QualifiedName, String)> = vec![];
    let mut i = 0;
    while i < cols.len() {
        let (tn, cn) = cols[i].clone();
        if let Some(t) = table_of(&tn) {
            for f in t.foreign_keys.iter().filter(|f| f.columns == [cn.clone()]) {
                let key = (f.referenced_table.clone(), f.referenced_columns[0].clone());
                if col_type(&key.0, &key.1).as_ref() != Some(new) && !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        for (kt, kc) in keys.clone() {
            for other in &ctx.schema.tables {
                for f in other.foreign_keys.iter().filter(|f| {
                    f.referenced_table.name == kt.name && f.referenced_columns == [kc.clone()]
                }) {
                    let c = (other.name.clone(), f.columns[0].clone());
                    if f.columns.len() == 1 && !cols.contains(&c) {
                        cols.push(c);
                    }
                }
            }
        }
        i += 1;
    }
    let touched = |t: &QualifiedName, c: &str| {
        cols.iter().any(|(a, b)| a == t && b == c) || keys.iter().any(|(a, b)| a == t && b == c)
    };
    let mut drops = vec![];
    let mut adds = vec![];
    for t in &ctx.schema.tables {
        for f in &t.foreign_keys {
            let uses = f.columns.iter().any(|c| touched(&t.name, c))
                || f.referenced_columns
                    .iter()
                    .any(|c| touched(&f.referenced_table, c));
            if uses {
                drops.push(Change::DropForeignKey(build::object(&t.name, &f.name)));
                adds.push(Change::AddForeignKey(AddForeignKey {
                    table: t.name.clone(),
                    foreign_key: f.clone(),
                }));
            }
        }
    }
    if drops.is_empty() {
        return Ok(alters);
    }
    let mut out = drops;
    for (kt, kc) in &keys {
        let Some(old) = col_type(kt, kc) else {
            continue;
        };
        if !types::is_widening(&old, new) {
            return Err(Refusal::unsupported(format!(
                "on MySQL both sides of a foreign key need the same type, and {}.{kc} ({}) cannot become {} safely",
                kt.display(),
                types::words(&old),
                types::words(new)
            )));
        }
        notes.push(format!(
            "on MySQL both sides of a foreign key need the same type, so {}.{kc} becomes {} too",
            kt.display(),
            types::words(new)
        ));
        out.push(Change::AlterColumnType(AlterColumnType {
            table: kt.clone(),
            column: kc.clone(),
            new_type: new.clone(),
            using: None,
        }));
    }
    for (tn, cn) in &cols {
        if col_type(tn, cn).as_ref() == Some(new) {
            continue;
        }
        out.push(Change::AlterColumnType(AlterColumnType {
            table: tn.clone(),
            column: cn.clone(),
            new_type: new.clone(),
            using: None,
        }));
    }
    notes.push(
        "the foreign keys on these columns are dropped and added back around the change (MySQL refuses it otherwise)"
            .into(),
    );
    out.extend(adds);
    Ok(out)
}

/// "to 500 characters", "500 chars long": a string length.
fn length_in_characters(toks: &[Tok]) -> Option<(usize, u32)> {
    toks.windows(2)
        .position(|p| {
            matches!(&p[0], Tok::Num(n) if n.parse::<u32>().is_ok())
                && p[1].is_any(&["characters", "chars", "char", "character", "letters"])
        })
        .and_then(|i| match &toks[i] {
            Tok::Num(n) => n.parse().ok().map(|n| (i, n)),
            _ => None,
        })
}

/// "change user_id from integer to bigint in all tables", "make price a decimal(10,2)".
pub fn change_type(ctx: &Ctx, mut toks: Vec<Tok>) -> Result<Plan, Refusal> {
    // The verb ("widen", "shorten", "store") is no column name.
    if toks.first().and_then(Tok::word).is_some_and(super::is_verb)
        && !toks.first().is_some_and(|t| t.is("make"))
    {
        toks.remove(0);
    }
    // "widen products.name to 500 characters": a varchar of that length.
    if let Some((i, n)) = length_in_characters(&toks) {
        toks.splice(
            i..i + 2,
            [
                Tok::Word("varchar".into()),
                Tok::Punct('('),
                Tok::Num(n.to_string()),
                Tok::Punct(')'),
            ],
        );
    }
    // "text instead of varchar": the type it replaces is no target.
    if let Some(i) = toks
        .windows(2)
        .position(|p| p[0].is("instead") && p[1].is("of"))
        && let Some((_, used)) = types::parse(&toks, i + 2, ctx.engine)
    {
        toks.drain(i..i + 2 + used);
    }
    let tables = find::take(&mut toks, &ctx.names)?;
    // Types: "from X" is the old type, the last other one the new type.
    let mut from = None;
    let mut new = None;
    let mut i = 0;
    let mut words = vec![];
    while i < toks.len() {
        if let Some((ty, used)) = types::parse(&toks, i, ctx.engine) {
            let is_col_name = new.is_none()
                && from.is_none()
                && words.is_empty()
                && !toks[i + used..].is_empty()
                && types::parse(&toks, i + used, ctx.engine).is_none()
                && toks[i + used..]
                    .iter()
                    .any(|t| types::parse(std::slice::from_ref(t), 0, ctx.engine).is_some());
            if !is_col_name {
                // "from text", "an integer, not text", "make it integer, now it is text": the type
                // the column has, not the one asked for.
                let old = i > 0
                    && (toks[i - 1].is_any(&["from", "not", "currently", "was"])
                        || (toks[i - 1].is_any(&["is", "are"])
                            && toks[i.saturating_sub(4)..i - 1]
                                .iter()
                                .any(|t| t.is_any(&["now", "currently", "today"]))));
                if old {
                    from = Some(ty);
                } else {
                    new = Some(ty);
                }
                i += used;
                continue;
            }
        }
        if let Some(n) = toks[i].name()
            && !KEYWORDS.contains(&n)
            && !matches!(n, "type" | "datatype" | "data_type")
            && (matches!(toks[i], Tok::Ident(_)) || ctx.names.may_name_column(n))
        {
            words.push(n.to_string());
        }
        i += 1;
    }
    let Some(new) = new else {
        return Err(Refusal::ambiguous(
            "which type? name it (\"to bigint\", \"to decimal(10,2)\")",
        )
        .example("change price to decimal(10,2) in products"));
    };
    let Some(word) = words.first().cloned() else {
        return Err(Refusal::ambiguous("which column? the request names none")
            .example("change price to decimal(10,2) in products"));
    };
    let example = format!("change {word} to {} in <table>", types::words(&new));
    let targets: Vec<(&Table, &Column)> = match tables {
        Some(Tables::One(t)) => vec![(t, column(ctx, t, &word, &example)?)],
        Some(Tables::All) => user_tables(ctx.schema)
            .into_iter()
            .filter_map(|t| {
                t.columns
                    .iter()
                    .find(|c| resolve::key(&c.name) == resolve::key(&word))
                    .map(|c| (t, c))
            })
            .filter(|(_, c)| from.as_ref().is_none_or(|f| *f == c.data_type))
            .collect(),
        None => {
            let t = table_with_column(ctx, &word, &example)?;
            vec![(t, column(ctx, t, &word, &example)?)]
        }
    };
    if targets.is_empty() {
        return Err(Refusal::not_found(format!(
            "no table has a column `{word}`{}",
            from.as_ref()
                .map(|f| format!(" of type {}", types::words(f)))
                .unwrap_or_default()
        )));
    }
    let mut changes = vec![];
    let mut notes = vec![];
    let mut destructive = false;
    for (t, c) in &targets {
        if let Some(f) = &from
            && !loosely_same(f, &c.data_type)
            && targets.len() == 1
        {
            return Err(Refusal::unsupported(format!(
                "{}.{} is {}, not {}",
                t.name.display(),
                c.name,
                types::words(&c.data_type),
                types::words(f)
            )));
        }
        if c.data_type == new {
            if targets.len() == 1 {
                return Err(Refusal::unsupported(format!(
                    "{}.{} is already {}",
                    t.name.display(),
                    c.name,
                    types::words(&new)
                )));
            }
            continue;
        }
        if !types::is_widening(&c.data_type, &new) {
            destructive = true;
            notes.push(format!(
                "{}.{} goes from {} to {}, which may not keep every value",
                t.name.display(),
                c.name,
                types::words(&c.data_type),
                types::words(&new)
            ));
        }
        changes.push(Change::AlterColumnType(AlterColumnType {
            table: t.name.clone(),
            column: c.name.clone(),
            new_type: new.clone(),
            using: None,
        }));
    }
    if changes.is_empty() {
        return Err(Refusal::unsupported(format!(
            "every `{word}` is already {}",
            types::words(&new)
        )));
    }
    if ctx.engine == crate::connection::Engine::MySql {
        changes = around_foreign_keys(ctx, changes, &new, &mut notes)?;
    }
    let scope = match tables {
        Some(Tables::All) => "all tables".to_string(),
        _ => targets[0].0.name.name.clone(),
    };
    Ok(finish(
        changes,
        &format!("change {word} to {} in {scope}", types::words(&new)),
        destructive,
        notes,
    ))
}
