//! Rule tests: small plans built from SQL strings and tiny schemas, checked through the policy's own
//! entry points.

mod blocking;
mod coverage;
mod data;
mod design;
mod destructive;
mod schema;

use ai_shell_policy_sdk::{
    Author, Change, CheckConstraint, Column, ColumnType, DataProblem, DataProblemKind,
    DatabaseSchema, Finding, FkAction, ForeignKey, Index, IndexKey, IndexMethod, IndexTarget,
    PlanInput, Policy, PrimaryKey, QualifiedName, RunContext, SchemaInput, Setting, Statement,
    Table, TableSize, UniqueConstraint,
};

use crate::BuiltIn;

/// `a` or `a.b`.
pub fn name(n: &str) -> QualifiedName {
    match n.split_once('.') {
        Some((ns, n)) => QualifiedName {
            namespace: Some(ns.into()),
            name: n.into(),
        },
        None => QualifiedName {
            namespace: None,
            name: n.into(),
        },
    }
}

pub fn varchar(n: u32) -> ColumnType {
    ColumnType::Varchar(Some(n))
}

/// A table under construction.
pub struct Tb(Table);

pub fn table(n: &str) -> Tb {
    Tb(Table {
        name: name(n),
        columns: vec![],
        primary_key: None,
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        comment: None,
        options: vec![],
    })
}

fn index_of(n: &str, cols: &[&str], unique: bool) -> Index {
    Index {
        name: n.into(),
        unique,
        method: IndexMethod::Btree,
        keys: cols
            .iter()
            .map(|c| IndexKey {
                target: IndexTarget::Column((*c).into()),
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
                prefix_length: None,
            })
            .collect(),
        included_columns: vec![],
        predicate: None,
        comment: None,
    }
}

fn strings(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| c.to_string()).collect()
}

impl Tb {
    /// A nullable column.
    pub fn col(mut self, n: &str, t: ColumnType) -> Tb {
        self.0.columns.push(Column {
            name: n.into(),
            data_type: t,
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        });
        self
    }
    /// A NOT NULL column.
    pub fn req(mut self, n: &str, t: ColumnType) -> Tb {
        self = self.col(n, t);
        if let Some(c) = self.0.columns.last_mut() {
            c.nullable = false;
        }
        self
    }
    /// A default for the last column.
    pub fn default(mut self, d: &str) -> Tb {
        if let Some(c) = self.0.columns.last_mut() {
            c.default = Some(d.into());
        }
        self
    }
    pub fn pk(mut self, cols: &[&str]) -> Tb {
        self.0.primary_key = Some(PrimaryKey {
            name: None,
            columns: strings(cols),
        });
        self
    }
    pub fn index(mut self, n: &str, cols: &[&str]) -> Tb {
        self.0.indexes.push(index_of(n, cols, false));
        self
    }
    pub fn with_index(mut self, index: Index) -> Tb {
        self.0.indexes.push(index);
        self
    }
    pub fn unique(mut self, n: &str, cols: &[&str]) -> Tb {
        self.0.uniques.push(UniqueConstraint {
            name: n.into(),
            columns: strings(cols),
        });
        self
    }
    pub fn fk(mut self, n: &str, cols: &[&str], to: &str) -> Tb {
        self.0.foreign_keys.push(ForeignKey {
            name: n.into(),
            columns: strings(cols),
            referenced_table: name(to),
            referenced_columns: strings(&["id"]),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: false,
            initially_deferred: false,
        });
        self
    }
    pub fn check(mut self, n: &str, expression: &str) -> Tb {
        self.0.checks.push(CheckConstraint {
            name: n.into(),
            expression: expression.into(),
        });
        self
    }
    pub fn t(self) -> Table {
        self.0
    }
}

/// A plain index for [`Tb::with_index`], to adjust.
pub fn plain_index(n: &str, cols: &[&str]) -> Index {
    index_of(n, cols, false)
}

pub fn db(tables: Vec<Table>) -> DatabaseSchema {
    DatabaseSchema {
        namespaces: vec![],
        extensions: vec![],
        enums: vec![],
        sequences: vec![],
        tables,
        views: vec![],
        objects: vec![],
    }
}

/// `orders (id bigint PK, customer_id bigint, code varchar(255), qty integer NOT NULL, note text)` and
/// `customers (id bigint PK)`: the schema most plan tests start from.
pub fn shop() -> Vec<Table> {
    vec![
        table("public.orders")
            .req("id", ColumnType::Bigint)
            .col("customer_id", ColumnType::Bigint)
            .col("code", varchar(255))
            .req("qty", ColumnType::Integer)
            .col("note", ColumnType::Text)
            .pk(&["id"])
            .index("orders_note_idx", &["note"])
            .t(),
        table("public.customers")
            .req("id", ColumnType::Bigint)
            .pk(&["id"])
            .t(),
    ]
}

/// A plan under construction. By default every table is small (statistics known, none listed), a
/// lock timeout is set, the plan has a down section and a person wrote it.
pub struct P(PlanInput);

/// A plan of one statement per SQL string (statement `i` implements change `i`). Statements that
/// drop or truncate are marked destructive, as the host would.
pub fn plan(engine: &str, sql: &[&str]) -> P {
    let statements = sql
        .iter()
        .enumerate()
        .map(|(i, s)| Statement {
            sql: s.to_string(),
            change_index: i as u32,
            outside_transaction: false,
            lock: None,
            rewrites_table: None,
            destructive: looks_destructive(s),
        })
        .collect();
    P(PlanInput {
        changes: vec![],
        statements,
        before: None,
        after: None,
        stats: vec![],
        stats_known: true,
        data: vec![],
        context: RunContext {
            engine: engine.into(),
            server_version: String::new(),
            environment: None,
            strategy: None,
            lock_timeout_ms: Some(5000),
            author: Author::Human,
            migration_id: None,
            checksum: None,
            has_down: true,
        },
        settings: vec![],
    })
}

fn looks_destructive(sql: &str) -> bool {
    let s = sql.to_ascii_uppercase();
    [
        "DROP TABLE",
        "DROP COLUMN",
        "TRUNCATE",
        "DROP SCHEMA",
        "DROP DATABASE",
    ]
    .iter()
    .any(|k| s.contains(k))
        || s.trim_start().starts_with("DELETE")
}

impl P {
    pub fn before(mut self, tables: Vec<Table>) -> P {
        self.0.before = Some(db(tables));
        self
    }
    pub fn after(mut self, tables: Vec<Table>) -> P {
        self.0.after = Some(db(tables));
        self
    }
    /// The shop schema before the plan.
    pub fn shop(self) -> P {
        self.before(shop())
    }
    pub fn rows(mut self, t: &str, rows: u64) -> P {
        self.0.stats.push(TableSize {
            table: name(t),
            rows,
            bytes: rows * 100,
        });
        self
    }
    /// `orders` holds two million rows.
    pub fn big(self) -> P {
        self.rows("public.orders", 2_000_000)
    }
    /// No statistics were read.
    pub fn size_unknown(mut self) -> P {
        self.0.stats_known = false;
        self
    }
    /// Every statement implements change 0 (as a dialect's rendering of one change).
    pub fn one_change(mut self) -> P {
        for s in &mut self.0.statements {
            s.change_index = 0;
        }
        self
    }
    pub fn destructive(mut self, stmt: usize, destructive: bool) -> P {
        self.0.statements[stmt].destructive = destructive;
        self
    }
    pub fn setting(mut self, rule: &str, key: &str, value: &str) -> P {
        self.0.settings.push(Setting {
            rule: rule.into(),
            key: key.into(),
            value: value.into(),
        });
        self
    }
    pub fn no_lock_timeout(mut self) -> P {
        self.0.context.lock_timeout_ms = None;
        self
    }
    pub fn author(mut self, author: Author) -> P {
        self.0.context.author = author;
        self
    }
    pub fn without_down(mut self) -> P {
        self.0.context.has_down = false;
        self
    }
    pub fn changes(mut self, changes: Vec<Change>) -> P {
        self.0.changes = changes;
        self
    }
    pub fn problem(mut self, kind: DataProblemKind, change: u32, rows: u64, detail: &str) -> P {
        self.0.data.push(DataProblem {
            change_index: change,
            kind,
            rows,
            detail: detail.into(),
        });
        self
    }
    pub fn check(self) -> Vec<Finding> {
        BuiltIn::check_plan(self.0).expect("check-plan")
    }
}

/// A schema to check.
pub struct S(SchemaInput);

pub fn schema(engine: &str, tables: Vec<Table>) -> S {
    S(SchemaInput {
        schema: db(tables),
        stats: vec![],
        engine: engine.into(),
        settings: vec![],
    })
}

impl S {
    pub fn rows(mut self, t: &str, rows: u64) -> S {
        self.0.stats.push(TableSize {
            table: name(t),
            rows,
            bytes: 0,
        });
        self
    }
    pub fn setting(mut self, rule: &str, key: &str, value: &str) -> S {
        self.0.settings.push(Setting {
            rule: rule.into(),
            key: key.into(),
            value: value.into(),
        });
        self
    }
    pub fn check(self) -> Vec<Finding> {
        BuiltIn::check_schema(self.0).expect("check-schema")
    }
}

/// The table a finding is about, as `namespace.name` (empty when none).
pub fn table_of(f: &Finding) -> String {
    f.table
        .as_ref()
        .map(crate::rules::display)
        .unwrap_or_default()
}

/// The findings of rule `id`.
pub fn of<'f>(findings: &'f [Finding], id: &str) -> Vec<&'f Finding> {
    findings.iter().filter(|f| f.rule == id).collect()
}

/// Whether rule `id` fired.
pub fn fired(findings: &[Finding], id: &str) -> bool {
    findings.iter().any(|f| f.rule == id)
}

/// Every rule id that fired, for assertion messages.
pub fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

/// Asserts rule `id` fired and returns its (first) finding.
#[track_caller]
pub fn one<'f>(findings: &'f [Finding], id: &str) -> &'f Finding {
    findings
        .iter()
        .find(|f| f.rule == id)
        .unwrap_or_else(|| panic!("{id} did not fire; got {:?}", ids(findings)))
}

/// Asserts rule `id` did not fire.
#[track_caller]
pub fn none(findings: &[Finding], id: &str) {
    assert!(
        !fired(findings, id),
        "{id} fired: {:?}",
        of(findings, id)
            .iter()
            .map(|f| &f.message)
            .collect::<Vec<_>>()
    );
}
