//! Refactors that reshape data inside one table, each with a down section that gives back every value as it
//! was: split a column in two at a separator ("split users.name into first_name and last_name"), combine
//! columns into a new one ("combine city and state into location separated by ', '"), store an amount as
//! integer cents ("replace products.price with integer price_cents"), and move the rows that match a
//! condition into a new table of the same shape ("move orders with total over 50 into big_orders").
//!
//! Each parser returns `None` when the request is not of its shape, so the table-level refactors of
//! [`super::refactor`] still get "split users into accounts and profiles".

use super::drop::drop_column_changes;
use super::{Ctx, finish};
use crate::connection::Engine;
use crate::model::{AddColumn, Change, Column, ColumnType, RawSql, Table};
use crate::planner::names;
use crate::planner::plan::{Plan, Refusal};
use crate::planner::sql::{ident, string};
use crate::planner::tokens::Tok;

/// Words of these requests that carry no name: never read as a new column or table name.
pub const VOCABULARY: &[&str] = &[
    "split",
    "combine",
    "concatenate",
    "concat",
    "join",
    "merge",
    "into",
    "separated",
    "separator",
    "by",
    "at",
    "on",
    "with",
    "using",
    "cents",
    "integer",
    "replace",
    "store",
    "as",
    "move",
    "rows",
    "row",
    "records",
    "where",
    "whose",
    "over",
    "above",
    "under",
    "below",
    "more",
    "less",
    "greater",
    "than",
    "least",
    "most",
    "equal",
    "equals",
    "is",
    "not",
    "new",
    "table",
    "columns",
    "column",
    "fields",
    "field",
    "two",
    "same",
    "first",
    "space",
    "comma",
    "archive",
];

/// An existing column named before `into`: `t.c`, `c in t`, `t c`, or a column only one table has.
fn source_column<'a>(ctx: &Ctx<'a>, toks: &[Tok]) -> Option<(&'a Table, Vec<String>)> {
    let dotted = toks.windows(2).find_map(|w| {
        w[1].is_punct('.')
            .then(|| w[0].name())
            .flatten()
            .and_then(|n| ctx.names.table_sure(n))
    });
    let named = || {
        toks.iter()
            .filter_map(|t| t.name())
            .find_map(|n| ctx.names.table_sure(n))
    };
    let mut cols: Vec<String> = vec![];
    let mut push = |c: &Column| {
        if !cols.contains(&c.name) {
            cols.push(c.name.clone());
        }
    };
    let table = match dotted.or_else(named) {
        Some(t) => {
            for n in toks.iter().filter_map(|x| x.name()) {
                if n != t.name.name.as_str()
                    && let Some(c) = ctx.names.column_sure(t, n)
                {
                    push(c);
                }
            }
            t
        }
        None => {
            let mut found: Option<&Table> = None;
            for n in toks.iter().filter_map(|x| x.name()) {
                if let [t] = ctx.names.tables_with_column(n).as_slice()
                    && found.is_none_or(|f| f.name == t.name)
                    && let Some(c) = ctx.names.column_sure(t, n)
                {
                    found = Some(t);
                    push(c);
                }
            }
            found?
        }
    };
    Some((table, cols))
}

/// The new names after `into`: words and quoted identifiers, list separators and filler skipped.
fn new_names(toks: &[Tok]) -> Vec<String> {
    let mut out = vec![];
    for t in toks {
        if matches!(t, Tok::Str(_)) || t.is_any(&["separated", "by", "using", "with", "at", "on"]) {
            break;
        }
        let Some(n) = t.name() else { continue };
        if t.is_separator()
            || t.is_any(&[
                "new", "columns", "column", "fields", "field", "two", "called", "named",
            ])
        {
            continue;
        }
        out.push(n.to_string());
    }
    out
}

/// The separator a request gives as a quoted literal (`separated by ', '`), else a space; words "comma",
/// "space", "dash" name one too.
fn separator(toks: &[Tok]) -> String {
    if let Some(s) = toks.iter().find_map(|t| match t {
        Tok::Str(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }) {
        return s;
    }
    if toks.iter().any(|t| t.is_any(&["comma", "commas"])) {
        return ", ".into();
    }
    if toks.iter().any(|t| t.is_any(&["dash", "hyphen"])) {
        return "-".into();
    }
    " ".into()
}

fn is_text(t: &ColumnType) -> bool {
    matches!(
        t,
        ColumnType::Varchar(_) | ColumnType::Char(_) | ColumnType::Text
    )
}

fn nullable(c: &Column) -> Column {
    let mut c = c.clone();
    c.nullable = true;
    c.identity = None;
    c.generated = None;
    c
}

fn text_column(name: &str, like: &Column) -> Column {
    crate::planner::infer::column(name, like.data_type.clone())
}

fn raw(up: String, note: &str) -> Change {
    Change::RawSql(RawSql {
        up,
        down: None,
        note: Some(note.into()),
    })
}

/// The position of `sep` in `c` (1-based, 0 when absent), in the engine's spelling.
fn position(engine: Engine, c: &str, sep: &str) -> String {
    match engine {
        Engine::Postgres => format!("strpos({c}, {sep})"),
        Engine::MySql => format!("LOCATE({sep}, {c})"),
        Engine::Sqlite => format!("instr({c}, {sep})"),
    }
}

/// `a || sep || b`, in the engine's spelling.
fn concat(engine: Engine, parts: &[&str]) -> String {
    match engine {
        Engine::MySql => format!("CONCAT({})", parts.join(", ")),
        _ => parts.join(" || "),
    }
}

/// Requests from the table and column refactors' point of view: the table named, the columns named.
fn table_display(t: &Table) -> String {
    t.name.display().to_string()
}

/// "split users.name into first_name and last_name [at ' ']": two new columns holding the text before and
/// after the first separator (no separator: all of it in the first, NULL in the second), the old column
/// dropped. Down: the old column back as first || separator || second (the first alone when the second is
/// NULL), which is every value exactly.
pub fn split_column(ctx: &Ctx, toks: &[Tok]) -> Option<Result<Plan, Refusal>> {
    const EX: &str = "split users.name into first_name and last_name";
    let into = toks.iter().position(|t| t.is("into"))?;
    let (table, cols) = source_column(ctx, &toks[..into])?;
    let [column] = cols.as_slice() else {
        return (!cols.is_empty()).then(|| {
            Err(Refusal::ambiguous(format!(
                "split which column of {}? the request names {}",
                table_display(table),
                cols.join(", ")
            ))
            .example(EX))
        });
    };
    Some(split_plan(ctx, table, column, toks, into))
}

fn split_plan(
    ctx: &Ctx,
    table: &Table,
    column: &str,
    toks: &[Tok],
    into: usize,
) -> Result<Plan, Refusal> {
    const EX: &str = "split users.name into first_name and last_name";
    let source = ctx
        .names
        .column_named(table, column)
        .expect("resolved above");
    let new = new_names(&toks[into + 1..]);
    let [first, second] = new.as_slice() else {
        return Err(Refusal::ambiguous(format!(
            "split {}.{column} into which two columns? name them",
            table_display(table)
        ))
        .example(EX));
    };
    for n in [first, second] {
        names::validate(ctx.engine, n)?;
        if ctx.names.has_column(table, n) && n != column {
            return Err(Refusal::unsupported(format!(
                "{}.{n} already exists; split into new columns",
                table_display(table)
            )));
        }
    }
    if !is_text(&source.data_type) {
        return Err(Refusal::unsupported(format!(
            "{}.{column} is not text; ai-shell splits text columns at a separator",
            table_display(table)
        )));
    }
    let e = ctx.engine;
    let sep_text = separator(&toks[into + 1..]);
    let sep = string(e, &sep_text);
    let len = sep_text.chars().count();
    let (c, a, b) = (ident(e, column), ident(e, first), ident(e, second));
    let t = &table.name;
    let q = crate::planner::sql::table(e, t);
    let pos = position(e, &c, &sep);
    let mut up = vec![
        Change::AddColumn(AddColumn {
            table: t.clone(),
            column: text_column(first, source),
        }),
        Change::AddColumn(AddColumn {
            table: t.clone(),
            column: text_column(second, source),
        }),
        raw(
            format!(
                "UPDATE {q} SET {a} = CASE WHEN {pos} > 0 THEN SUBSTR({c}, 1, {pos} - 1) ELSE {c} END, {b} = CASE WHEN {pos} > 0 THEN SUBSTR({c}, {pos} + {len}) END"
            ),
            &format!("fill {first} and {second} from {column}, split at the first {sep_text:?}"),
        ),
    ];
    up.extend(drop_column_changes(ctx, table, column)?);
    let mut down = vec![
        Change::AddColumn(AddColumn {
            table: t.clone(),
            column: nullable(source),
        }),
        raw(
            format!(
                "UPDATE {q} SET {c} = CASE WHEN {b} IS NULL THEN {a} ELSE {} END",
                concat(e, &[&a, &sep, &b])
            ),
            &format!("give {column} back from {first} and {second}"),
        ),
    ];
    if !source.nullable {
        down.push(Change::SetNotNull(crate::planner::build::column_ref(
            t, column,
        )));
    }
    down.extend(super::refactor::dropped_with(
        table,
        std::slice::from_ref(source),
        t,
    ));
    down.push(Change::DropColumn(crate::planner::build::column_ref(
        t, second,
    )));
    down.push(Change::DropColumn(crate::planner::build::column_ref(
        t, first,
    )));
    let mut plan = finish(
        up,
        &format!("split {column} of {} into {first} and {second}", t.name),
        true,
        vec![format!(
            "{first} gets the text before the first {sep_text:?} of {column} (all of it when there is none), {second} the rest; the rollback puts {column} back exactly"
        )],
    );
    plan.down = Some(down);
    Ok(plan)
}

/// "combine city and state in users into location separated by ', '": a new column holding the named
/// columns joined by the separator (a NULL part and its separator left out). The columns combined are kept,
/// so nothing is lost; the down section drops the new column.
pub fn combine_columns(ctx: &Ctx, toks: &[Tok]) -> Option<Result<Plan, Refusal>> {
    const EX: &str = "combine city and state in users into location separated by ', '";
    let into = toks.iter().position(|t| t.is("into"))?;
    let (table, cols) = source_column(ctx, &toks[..into])?;
    if cols.len() < 2 {
        return None;
    }
    let new = new_names(&toks[into + 1..]);
    let [target] = new.as_slice() else {
        return Some(Err(Refusal::ambiguous(format!(
            "combine {} into which new column? name one",
            cols.join(", ")
        ))
        .example(EX)));
    };
    Some(combine_plan(ctx, table, &cols, target, &toks[into + 1..]))
}

fn combine_plan(
    ctx: &Ctx,
    table: &Table,
    cols: &[String],
    target: &str,
    rest: &[Tok],
) -> Result<Plan, Refusal> {
    names::validate(ctx.engine, target)?;
    if ctx.names.has_column(table, target) {
        return Err(Refusal::unsupported(format!(
            "{}.{target} already exists; combine into a new column",
            table_display(table)
        )));
    }
    let e = ctx.engine;
    let sep_text = separator(rest);
    let sep = string(e, &sep_text);
    let sources: Vec<&Column> = cols
        .iter()
        .filter_map(|c| ctx.names.column_named(table, c))
        .collect();
    // Text of a value: numbers and dates are written as the engine writes them.
    let as_text = |c: &str| match e {
        Engine::Postgres => format!("CAST({} AS text)", ident(e, c)),
        Engine::MySql => format!("CAST({} AS CHAR)", ident(e, c)),
        Engine::Sqlite => format!("CAST({} AS TEXT)", ident(e, c)),
    };
    let mut expr = as_text(&sources[0].name);
    for c in &sources[1..] {
        let next = as_text(&c.name);
        expr = format!(
            "CASE WHEN {expr} IS NULL THEN {next} WHEN {next} IS NULL THEN {expr} ELSE {} END",
            concat(e, &[&expr, &sep, &next])
        );
    }
    let length: Option<u32> = sources
        .iter()
        .map(|c| match c.data_type {
            ColumnType::Varchar(Some(n)) | ColumnType::Char(Some(n)) => Some(n),
            _ => None,
        })
        .sum::<Option<u32>>()
        .map(|n| n + (sources.len() as u32 - 1) * sep_text.chars().count() as u32);
    let column = crate::planner::infer::column(
        target,
        match length {
            Some(n) if n <= 4000 => ColumnType::Varchar(Some(n)),
            _ => ColumnType::Text,
        },
    );
    let t = &table.name;
    let up = vec![
        Change::AddColumn(AddColumn {
            table: t.clone(),
            column,
        }),
        raw(
            format!(
                "UPDATE {} SET {} = {expr}",
                crate::planner::sql::table(e, t),
                ident(e, target)
            ),
            &format!("fill {target} from {}", cols.join(", ")),
        ),
    ];
    let mut plan = finish(
        up,
        &format!("combine {} of {} into {target}", cols.join(" and "), t.name),
        false,
        vec![format!(
            "{target} holds {} joined by {sep_text:?}; {} are kept (drop them once nothing reads them)",
            cols.join(", "),
            cols.join(", ")
        )],
    );
    plan.down = Some(vec![Change::DropColumn(crate::planner::build::column_ref(
        t, target,
    ))]);
    Ok(plan)
}

/// "replace products.price with integer price_cents", "store price in products as cents": a whole-number
/// column of cents (the amount × 100), the amount column dropped. Only amounts of at most two decimals,
/// which cents hold exactly; the down section gives the amount back as cents / 100.
pub fn to_cents(ctx: &Ctx, toks: &[Tok]) -> Option<Result<Plan, Refusal>> {
    let cents_at = toks
        .iter()
        .position(|t| t.is("cents") || t.name().is_some_and(|n| n.ends_with("_cents")))?;
    let (table, cols) = source_column(ctx, &toks[..cents_at])?;
    let [column] = cols.as_slice() else {
        return None;
    };
    let source = ctx.names.column_named(table, column)?;
    let target = toks[cents_at]
        .name()
        .filter(|n| n.ends_with("_cents"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{column}_cents"));
    Some(cents_plan(ctx, table, source, &target))
}

fn cents_plan(ctx: &Ctx, table: &Table, source: &Column, target: &str) -> Result<Plan, Refusal> {
    names::validate(ctx.engine, target)?;
    if ctx.names.has_column(table, target) {
        return Err(Refusal::unsupported(format!(
            "{}.{target} already exists",
            table_display(table)
        )));
    }
    let exact = match &source.data_type {
        ColumnType::Numeric(p) => p.scale.is_none_or(|s| s <= 2),
        ColumnType::Smallint | ColumnType::Integer | ColumnType::Bigint => true,
        _ => false,
    };
    if !exact {
        return Err(Refusal::unsupported(format!(
            "{}.{} is {:?}, which can hold more than two decimals: cents would not keep every value; change it to numeric(p,2) first",
            table_display(table),
            source.name,
            source.data_type
        )));
    }
    let e = ctx.engine;
    let t = &table.name;
    let q = crate::planner::sql::table(e, t);
    let (c, k) = (ident(e, &source.name), ident(e, target));
    let int = match e {
        Engine::MySql => "SIGNED",
        _ => "BIGINT",
    };
    let mut up = vec![
        Change::AddColumn(AddColumn {
            table: t.clone(),
            column: crate::planner::infer::column(target, ColumnType::Bigint),
        }),
        raw(
            format!("UPDATE {q} SET {k} = CAST(ROUND({c} * 100) AS {int})"),
            &format!("fill {target} with {} × 100", source.name),
        ),
    ];
    if !source.nullable {
        up.push(Change::SetNotNull(crate::planner::build::column_ref(
            t, target,
        )));
    }
    up.extend(drop_column_changes(ctx, table, &source.name)?);
    let mut down = vec![
        Change::AddColumn(AddColumn {
            table: t.clone(),
            column: nullable(source),
        }),
        raw(
            format!("UPDATE {q} SET {c} = {k} / 100.0"),
            &format!("give {} back as {target} / 100", source.name),
        ),
    ];
    if !source.nullable {
        down.push(Change::SetNotNull(crate::planner::build::column_ref(
            t,
            &source.name,
        )));
    }
    down.extend(super::refactor::dropped_with(
        table,
        std::slice::from_ref(source),
        t,
    ));
    down.push(Change::DropColumn(crate::planner::build::column_ref(
        t, target,
    )));
    let mut plan = finish(
        up,
        &format!("store {} of {} as {target}", source.name, t.name),
        true,
        vec![format!(
            "{target} holds {} × 100 as a whole number; the rollback gives {} back exactly",
            source.name, source.name
        )],
    );
    plan.down = Some(down);
    Ok(plan)
}

/// A comparison a request states in words or symbols.
fn operator(toks: &[Tok]) -> Option<(&'static str, usize)> {
    let w = |i: usize| toks.get(i).and_then(|t| t.word());
    let p = |i: usize, c: char| toks.get(i).is_some_and(|t| t.is_punct(c));
    match (w(0), w(1)) {
        (Some("over" | "above" | "exceeds" | "exceeding"), _) => Some((">", 1)),
        (Some("under" | "below"), _) => Some(("<", 1)),
        (Some("more" | "greater" | "higher" | "larger" | "bigger"), Some("than")) => Some((">", 2)),
        (Some("less" | "fewer" | "lower" | "smaller"), Some("than")) => Some(("<", 2)),
        (Some("at"), Some("least")) => Some((">=", 2)),
        (Some("at"), Some("most")) => Some(("<=", 2)),
        (Some("is" | "equals"), Some("not")) => Some(("<>", 2)),
        (Some("equal"), Some("to")) => Some(("=", 2)),
        (Some("is" | "equals" | "of"), _) => Some(("=", 1)),
        _ if p(0, '>') && p(1, '=') => Some((">=", 2)),
        _ if p(0, '<') && p(1, '=') => Some(("<=", 2)),
        _ if p(0, '<') && p(1, '>') => Some(("<>", 2)),
        _ if p(0, '>') => Some((">", 1)),
        _ if p(0, '<') => Some(("<", 1)),
        _ if p(0, '=') => Some(("=", 1)),
        _ => None,
    }
}

/// "move orders with total over 50 into big_orders", "move rows of orders where status = 'cancelled' to
/// cancelled_orders": a new table with the source's columns and primary key, the matching rows copied
/// there and deleted from the source. Down: the rows copied back, the new table dropped. Refused when other
/// tables reference the source (deleting its rows would break or cascade to them).
pub fn move_rows(ctx: &Ctx, toks: &[Tok]) -> Option<Result<Plan, Refusal>> {
    const EX: &str = "move orders with total over 50 into big_orders";
    let cond_at = toks
        .iter()
        .position(|t| t.is_any(&["where", "whose", "with"]))?;
    let into = toks.iter().position(|t| t.is_any(&["into", "to"]))?;
    if into < cond_at {
        return None;
    }
    // The source table: the first table word before the condition.
    let table = toks[..cond_at]
        .iter()
        .filter_map(|t| t.name())
        .find_map(|n| ctx.names.table_sure(n))?;
    let col_word = toks.get(cond_at + 1)?.name()?;
    let column = ctx.names.column_sure(table, col_word)?;
    let (op, width) = operator(&toks[cond_at + 2..into])?;
    let value_at = cond_at + 2 + width;
    let e = ctx.engine;
    let value = match toks.get(value_at)? {
        Tok::Num(n) => n.replace('_', ""),
        Tok::Str(s) => string(e, s),
        Tok::Word(w) if w == "true" || w == "false" => crate::planner::sql::boolean(e, w == "true"),
        _ => return None,
    };
    if value_at + 1 != into {
        return Some(Err(Refusal::ambiguous(format!(
            "which rows of {} move? ai-shell reads one condition, `column op value`, before \"into\"",
            table_display(table)
        ))
        .example(EX)));
    }
    let new = new_names(&toks[into + 1..]);
    let [target] = new.as_slice() else {
        return Some(Err(Refusal::ambiguous(
            "move the rows into which new table? name it",
        )
        .example(EX)));
    };
    Some(move_plan(ctx, table, &column.name, op, &value, target))
}

fn move_plan(
    ctx: &Ctx,
    table: &Table,
    column: &str,
    op: &str,
    value: &str,
    target: &str,
) -> Result<Plan, Refusal> {
    names::validate(ctx.engine, target)?;
    if ctx.names.is_table(target) {
        return Err(Refusal::unsupported(format!(
            "table {target} already exists; move the rows into a new table"
        )));
    }
    if let Some(other) = ctx.schema.tables.iter().find(|o| {
        o.foreign_keys
            .iter()
            .any(|f| f.referenced_table.name == table.name.name)
    }) {
        return Err(Refusal::unsafe_(format!(
            "rows of {} are referenced by {}: deleting the moved rows would break or cascade to those references",
            table_display(table),
            other.name.display()
        )));
    }
    let e = ctx.engine;
    let t = &table.name;
    let new_name = crate::model::QualifiedName {
        namespace: t.namespace.clone(),
        name: target.into(),
    };
    let mut copy = table.clone();
    copy.name = new_name.clone();
    copy.foreign_keys.clear();
    copy.uniques.clear();
    copy.indexes.clear();
    copy.checks.clear();
    copy.comment = None;
    if let Some(pk) = &mut copy.primary_key {
        pk.name = None;
    }
    for c in &mut copy.columns {
        c.identity = None;
        c.generated = None;
        if c.default.as_deref().is_some_and(|d| d.contains("nextval")) {
            c.default = None;
        }
    }
    let cols = table
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(|c| ident(e, &c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let (src, dst) = (
        crate::planner::sql::table(e, t),
        crate::planner::sql::table(e, &new_name),
    );
    let cond = format!("{} {op} {value}", ident(e, column));
    // Rows go back with their own keys: PostgreSQL identity columns that are GENERATED ALWAYS need it said.
    let overriding = if e == Engine::Postgres
        && table
            .columns
            .iter()
            .any(|c| c.identity == Some(crate::model::IdentityKind::Always))
    {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let up = vec![
        Change::CreateTable(copy),
        raw(
            format!("INSERT INTO {dst} ({cols}) SELECT {cols} FROM {src} WHERE {cond}"),
            &format!("copy the rows of {} where {column} {op} {value}", t.name),
        ),
        raw(
            format!("DELETE FROM {src} WHERE {cond}"),
            &format!("remove the copied rows from {}", t.name),
        ),
    ];
    let down = vec![
        raw(
            format!("INSERT INTO {src} ({cols}){overriding} SELECT {cols} FROM {dst}"),
            &format!("give the rows of {target} back to {}", t.name),
        ),
        Change::DropTable(new_name.clone()),
    ];
    let mut plan = finish(
        up,
        &format!(
            "move {} rows where {column} {op} {value} into {target}",
            t.name
        ),
        false,
        vec![format!(
            "rows of {} where {column} {op} {value} move to the new table {target} (same columns and key); the rollback moves them back",
            t.name
        )],
    );
    plan.down = Some(down);
    Ok(plan)
}
