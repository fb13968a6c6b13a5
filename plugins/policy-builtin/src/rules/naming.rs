//! The names a plan gives to new objects, and the `naming-convention` rule's styles (also used by
//! `identifier-too-long` and the whole-schema check).

use ai_shell_policy_sdk::{Finding, QualifiedName, Table};

use super::design::ours;
use super::{Place, Plan, finding};
use crate::sql::{ConstraintKind, Op};

/// What a new name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Table,
    Column,
    Index,
    Constraint,
}

impl std::fmt::Display for NameKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NameKind::Table => "Table",
            NameKind::Column => "Column",
            NameKind::Index => "Index",
            NameKind::Constraint => "Constraint",
        })
    }
}

/// A name the plan gives to a new object.
pub struct NewName {
    pub kind: NameKind,
    pub name: String,
    /// The table it is in (or is).
    pub table: QualifiedName,
    pub stmt: usize,
}

/// Every name the plan gives to a new table, column, index or constraint (renames included).
pub fn new_names(plan: &Plan) -> Vec<NewName> {
    use crate::sql::Action;
    let mut out = Vec::new();
    let mut push = |kind, name: &str, table: &QualifiedName, stmt| {
        out.push(NewName {
            kind,
            name: name.to_string(),
            table: table.clone(),
            stmt,
        })
    };
    let constraint_kind = |k: &ConstraintKind| match k {
        ConstraintKind::Index { .. } => NameKind::Index,
        _ => NameKind::Constraint,
    };
    for (i, op) in plan.each() {
        match op {
            Op::CreateTable(t) if !t.temporary => {
                let target = plan.final_name(i, &t.table);
                let old = plan
                    .rebuild_of(i, &t.table)
                    .and_then(|_| plan.before_table(&target));
                if old.is_none() {
                    push(NameKind::Table, &t.table.name, &t.table, i);
                }
                for c in &t.columns {
                    if old.is_none_or(|o| {
                        !o.columns
                            .iter()
                            .any(|x| x.name.eq_ignore_ascii_case(&c.name))
                    }) {
                        push(NameKind::Column, &c.name, &target, i);
                    }
                    for n in &c.constraint_names {
                        if old.is_none_or(|o| !has_object(o, n)) {
                            push(NameKind::Constraint, n, &target, i);
                        }
                    }
                }
                for k in &t.constraints {
                    if let Some(n) = &k.name
                        && old.is_none_or(|o| !has_object(o, n))
                    {
                        push(constraint_kind(&k.kind), n, &target, i);
                    }
                }
            }
            Op::CreateIndex(c) => {
                let target = plan.final_name(i, &c.table);
                if let Some(n) = &c.name
                    && plan.before_table(&target).is_none_or(|o| !has_object(o, n))
                {
                    push(NameKind::Index, n, &target, i);
                }
            }
            Op::Alter { table, action } => match action {
                Action::AddColumn(c) => {
                    push(NameKind::Column, &c.name, table, i);
                    for n in &c.constraint_names {
                        push(NameKind::Constraint, n, table, i);
                    }
                }
                Action::AddConstraint(k) => {
                    if let Some(n) = &k.name {
                        push(constraint_kind(&k.kind), n, table, i);
                    }
                }
                Action::RenameColumn { to, .. } => push(NameKind::Column, to, table, i),
                Action::Change { old, def } if !old.eq_ignore_ascii_case(&def.name) => {
                    push(NameKind::Column, &def.name, table, i)
                }
                Action::RenameConstraint { to, .. } => push(NameKind::Constraint, to, table, i),
                _ => {}
            },
            Op::RenameTable { from, to } if !plan.is_new(from, i) => {
                push(NameKind::Table, &to.name, to, i)
            }
            _ => {}
        }
    }
    out
}

/// Whether `table` has an index or constraint called `name`.
fn has_object(table: &Table, name: &str) -> bool {
    let is = |n: &str| n.eq_ignore_ascii_case(name);
    table.indexes.iter().any(|x| is(&x.name))
        || table.uniques.iter().any(|x| is(&x.name))
        || table.foreign_keys.iter().any(|x| is(&x.name))
        || table.checks.iter().any(|x| is(&x.name))
        || table
            .primary_key
            .as_ref()
            .and_then(|p| p.name.as_deref())
            .is_some_and(is)
}

/// `naming-convention` for the names the plan gives.
pub fn check(plan: &Plan, out: &mut Vec<Finding>) {
    let style = Style::from_settings(plan.setting("naming-convention", "style"));
    let prefix = plan.setting("naming-convention", "table-prefix");
    for n in new_names(plan) {
        if ours(&n.name) {
            continue;
        }
        if let Some((message, hint)) = naming_problem(style, prefix, n.kind, &n.name) {
            out.push(
                finding("naming-convention", message, hint)
                    .at(plan, n.stmt)
                    .on(plan.resolve(&n.table)),
            );
        }
    }
}

/// The `style` setting of `naming-convention`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Snake,
    Camel,
    Pascal,
    Any,
}

impl Style {
    /// From the setting's value (default and unknown values: `snake_case`).
    pub fn from_settings(value: Option<&str>) -> Style {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            Some("camelcase" | "camel_case" | "camel") => Style::Camel,
            Some("pascalcase" | "pascal_case" | "pascal") => Style::Pascal,
            Some("any" | "none") => Style::Any,
            _ => Style::Snake,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Style::Snake => "snake_case",
            Style::Camel => "camelCase",
            Style::Pascal => "PascalCase",
            Style::Any => "any",
        }
    }

    fn accepts(self, name: &str) -> bool {
        let mut chars = name.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        let rest = chars.as_str();
        match self {
            Style::Snake => {
                first.is_ascii_lowercase()
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            }
            Style::Camel => {
                first.is_ascii_lowercase() && rest.chars().all(|c| c.is_ascii_alphanumeric())
            }
            Style::Pascal => {
                first.is_ascii_uppercase() && rest.chars().all(|c| c.is_ascii_alphanumeric())
            }
            Style::Any => true,
        }
    }

    /// `name` rewritten in this style.
    fn convert(self, name: &str) -> String {
        let mut words: Vec<String> = Vec::new();
        let mut word = String::new();
        let mut prev_lower = false;
        for c in name.chars() {
            if !c.is_ascii_alphanumeric() {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                prev_lower = false;
                continue;
            }
            if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            words.push(word);
        }
        let cap = |w: &String| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        };
        match self {
            Style::Snake | Style::Any => words.join("_"),
            Style::Camel => words
                .iter()
                .enumerate()
                .map(|(k, w)| if k == 0 { w.clone() } else { cap(w) })
                .collect(),
            Style::Pascal => words.iter().map(cap).collect(),
        }
    }
}

/// What is wrong with `name` under `style` and `prefix`, and the fix.
pub fn naming_problem(
    style: Style,
    prefix: Option<&str>,
    kind: NameKind,
    name: &str,
) -> Option<(String, String)> {
    if !style.accepts(name) {
        let better = style.convert(name);
        return Some((
            format!("{kind} name `{name}` is not {}", style.name()),
            format!(
                "Name it `{better}`: names that follow one style need no quoting and are easy to guess \
                 (the `naming-convention` rule's `style` setting chooses the style)."
            ),
        ));
    }
    if kind == NameKind::Table
        && let Some(p) = prefix.filter(|p| !p.is_empty())
        && !name.starts_with(p)
    {
        return Some((
            format!("Table name `{name}` does not start with `{p}`"),
            format!("Name it `{p}{name}` (the `table-prefix` setting of `naming-convention`)."),
        ));
    }
    None
}
