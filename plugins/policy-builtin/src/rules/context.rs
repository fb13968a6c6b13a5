//! What the plan rules look up: each statement's operations, the tables the plan creates, table sizes,
//! the schema before the plan, and settings.

use ai_shell_policy_sdk::{
    Column, PlanInput, QualifiedName, Table, find_table, same_name, setting,
};

use crate::sql::{self, CreateTable, Dialect, Op};

/// Rows from which a table counts as big, unless the `big-table-rows` setting says otherwise.
pub const DEFAULT_BIG_TABLE_ROWS: u64 = 100_000;

/// A plan being checked, with its statements read.
pub struct Plan<'a> {
    pub input: &'a PlanInput,
    pub dialect: Dialect,
    /// The operations of each statement.
    pub ops: Vec<Vec<Op>>,
    /// Each table the plan creates (or renames a created table to), with the statement doing it.
    created: Vec<(usize, QualifiedName)>,
}

impl<'a> Plan<'a> {
    pub fn new(input: &'a PlanInput) -> Plan<'a> {
        let dialect = Dialect::from_name(&input.context.engine);
        let ops: Vec<Vec<Op>> = input
            .statements
            .iter()
            .map(|s| sql::read(&s.sql, dialect))
            .collect();
        let mut created: Vec<(usize, QualifiedName)> = Vec::new();
        for (i, statement) in ops.iter().enumerate() {
            for op in statement {
                match op {
                    Op::CreateTable(t) => {
                        let known =
                            |n: &QualifiedName| created.iter().any(|(_, c)| same_name(c, n));
                        let existed = input
                            .before
                            .as_ref()
                            .is_some_and(|b| find_table(b, &t.table).is_some());
                        if !(t.if_not_exists && existed && !known(&t.table)) {
                            created.push((i, t.table.clone()));
                        }
                    }
                    Op::RenameTable { from, to }
                        if created.iter().any(|(_, c)| same_name(c, from)) =>
                    {
                        created.push((i, to.clone()));
                    }
                    _ => {}
                }
            }
        }
        Plan {
            input,
            dialect,
            ops,
            created,
        }
    }

    /// Every operation with the index of its statement.
    pub fn each(&self) -> impl Iterator<Item = (usize, &Op)> {
        self.ops
            .iter()
            .enumerate()
            .flat_map(|(i, ops)| ops.iter().map(move |op| (i, op)))
    }

    /// Whether the plan created `table` by statement `stmt` (a new table holds no rows yet).
    pub fn is_new(&self, table: &QualifiedName, stmt: usize) -> bool {
        self.created
            .iter()
            .any(|(i, n)| *i <= stmt && same_name(n, table))
    }

    /// Estimated rows of `table`; `None` when unknown.
    pub fn rows(&self, table: &QualifiedName) -> Option<u64> {
        match self.input.stats.iter().find(|s| same_name(&s.table, table)) {
            Some(s) => Some(s.rows),
            None if self.input.stats_known => Some(0),
            None => None,
        }
    }

    /// `table` with its size, when it is big for `rule` or its size is unknown (blocking rules fire
    /// then): `public.orders (2,000,000 rows)`, `orders (size unknown)`.
    pub fn big(&self, rule: &str, table: &QualifiedName) -> Option<String> {
        let threshold = setting(&self.input.settings, rule, "big-table-rows")
            .and_then(|v| v.trim().replace('_', "").parse().ok())
            .unwrap_or(DEFAULT_BIG_TABLE_ROWS);
        match self.rows(table) {
            Some(rows) if rows >= threshold => Some(self.sized(table)),
            Some(_) => None,
            None => Some(self.sized(table)),
        }
    }

    /// `table` with its size for messages: `orders (2,000,000 rows)`, `(empty)`, `(size unknown)`.
    pub fn sized(&self, table: &QualifiedName) -> String {
        let size = match self.rows(table) {
            Some(0) => "empty".to_string(),
            Some(1) => "1 row".to_string(),
            Some(n) => format!("{} rows", thousands(n)),
            None => "size unknown".to_string(),
        };
        format!("{} ({size})", self.label(table))
    }

    /// The name a table is known by (as the statistics or the schema spell it, else as written).
    pub fn resolve(&self, table: &QualifiedName) -> QualifiedName {
        if let Some(s) = self.input.stats.iter().find(|s| same_name(&s.table, table)) {
            return s.table.clone();
        }
        self.before_table(table)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| table.clone())
    }

    /// The resolved name, for messages.
    pub fn label(&self, table: &QualifiedName) -> String {
        display(&self.resolve(table))
    }

    pub fn before_table(&self, table: &QualifiedName) -> Option<&'a Table> {
        find_table(self.input.before.as_ref()?, table)
    }

    pub fn after_table(&self, table: &QualifiedName) -> Option<&'a Table> {
        find_table(self.input.after.as_ref()?, table)
    }

    pub fn before_column(&self, table: &QualifiedName, column: &str) -> Option<&'a Column> {
        self.before_table(table)?
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(column))
    }

    /// The table that `created` (made by statement `stmt`) replaces: a rebuild creates a table, copies
    /// the old one's rows into it, drops the old one and renames the new one to the old name.
    pub fn rebuild_of(&self, stmt: usize, created: &QualifiedName) -> Option<QualifiedName> {
        self.each().find_map(|(i, op)| match op {
            Op::RenameTable { from, to }
                if i >= stmt && same_name(from, created) && !same_name(from, to) =>
            {
                Some(to.clone())
            }
            _ => None,
        })
    }

    /// The name `table` (as statement `stmt` writes it) ends up with: a rebuild's new table takes the
    /// old one's name.
    pub fn final_name(&self, stmt: usize, table: &QualifiedName) -> QualifiedName {
        if self.is_new(table, stmt)
            && let Some(target) = self.rebuild_of(stmt, table)
        {
            return target;
        }
        table.clone()
    }

    /// The `CREATE TABLE` of the rebuild that statement `stmt`, dropping `table`, belongs to: a table
    /// created earlier, filled from `table`, and renamed to it later.
    pub fn rebuild_dropping(&self, stmt: usize, table: &QualifiedName) -> Option<&CreateTable> {
        self.each().find_map(|(i, op)| match op {
            Op::CreateTable(t)
                if i < stmt
                    && self
                        .rebuild_of(stmt, &t.table)
                        .is_some_and(|to| same_name(&to, table))
                    && self.each().any(|(_, o)| {
                        matches!(o, Op::InsertSelect { table: into, source }
                            if same_name(into, &t.table) && same_name(source, table))
                    }) =>
            {
                Some(t)
            }
            _ => None,
        })
    }

    /// The value of option `key` for `rule`.
    pub fn setting(&self, rule: &str, key: &str) -> Option<&'a str> {
        setting(&self.input.settings, rule, key)
    }
}

/// `namespace.name`, or `name`.
pub fn display(name: &QualifiedName) -> String {
    match &name.namespace {
        Some(ns) => format!("{ns}.{}", name.name),
        None => name.name.clone(),
    }
}

/// `2000000` as `2,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
