//! What the reader produces: the operations of a statement.

use ai_shell_policy_sdk::QualifiedName;

/// One thing a statement does.
// The reader reports everything it reads; rules use what they need (tests read the rest).
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub enum Op {
    /// `DROP TABLE [IF EXISTS] a, b`.
    DropTable(Vec<QualifiedName>),
    /// `DROP SCHEMA` / `DROP DATABASE`.
    DropNamespace(String),
    /// `DROP INDEX [CONCURRENTLY] [IF EXISTS] name [ON table]`.
    DropIndex {
        names: Vec<QualifiedName>,
        concurrently: bool,
        table: Option<QualifiedName>,
    },
    /// `TRUNCATE [TABLE] a, b`.
    Truncate(Vec<QualifiedName>),
    /// `DELETE FROM t`; `filtered` when it has a `WHERE` (or `USING`, `LIMIT`).
    Delete {
        table: QualifiedName,
        filtered: bool,
    },
    /// `UPDATE t SET ...`; `filtered` when it has a `WHERE`.
    Update {
        table: QualifiedName,
        filtered: bool,
    },
    /// `INSERT INTO table ... SELECT ... FROM source`.
    InsertSelect {
        table: QualifiedName,
        source: QualifiedName,
    },
    CreateIndex(CreateIndex),
    CreateTable(CreateTable),
    /// One action of `ALTER TABLE table`.
    Alter {
        table: QualifiedName,
        action: Action,
    },
    /// `ALTER TABLE from RENAME TO to`, MySQL `RENAME TABLE from TO to`.
    RenameTable {
        from: QualifiedName,
        to: QualifiedName,
    },
    /// `SET lock_timeout` / `lock_wait_timeout` / `innodb_lock_wait_timeout` to a non-zero value.
    SetLockTimeout,
}

// The reader reports everything it reads; rules use what they need (tests read the rest).
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct CreateIndex {
    pub name: Option<String>,
    pub table: QualifiedName,
    pub unique: bool,
    pub concurrently: bool,
    /// Column names, or `(expression)` text.
    pub keys: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct CreateTable {
    pub table: QualifiedName,
    pub temporary: bool,
    pub if_not_exists: bool,
    /// `AS SELECT`, `LIKE`, `PARTITION OF`...: the columns are not written out.
    pub derived: bool,
    pub columns: Vec<ColumnDef>,
    pub constraints: Vec<Constraint>,
}

impl CreateTable {
    /// The primary key's columns, from a table constraint or a column's own `PRIMARY KEY`.
    pub fn primary_key(&self) -> Option<Vec<String>> {
        self.constraints
            .iter()
            .find_map(|k| match &k.kind {
                ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
                _ => None,
            })
            .or_else(|| {
                let own: Vec<String> = self
                    .columns
                    .iter()
                    .filter(|c| c.primary_key)
                    .map(|c| c.name.clone())
                    .collect();
                (!own.is_empty()).then_some(own)
            })
    }
}

/// A column definition (`CREATE TABLE`, `ADD COLUMN`, `MODIFY`, `CHANGE`).
#[derive(Clone, Debug, Default)]
pub struct ColumnDef {
    pub name: String,
    /// The type as written (empty when omitted, as SQLite allows).
    pub type_text: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub primary_key: bool,
    pub unique: bool,
    /// `REFERENCES table [(columns)]`.
    pub references: Option<(QualifiedName, Vec<String>)>,
    pub check: Option<String>,
    /// Filled by the engine: identity, `AUTO_INCREMENT`, `AUTOINCREMENT` (and serial types, see
    /// [`crate::types::is_serial`]).
    pub identity: bool,
    /// A generated (computed) column.
    pub generated: bool,
    /// Names given with `CONSTRAINT name` on the column.
    pub constraint_names: Vec<String>,
}

/// A table constraint or a MySQL index in a table definition.
#[derive(Clone, Debug)]
pub struct Constraint {
    pub name: Option<String>,
    pub kind: ConstraintKind,
    /// `NOT VALID` (PostgreSQL: existing rows are not checked now).
    pub not_valid: bool,
}

// The reader reports everything it reads; rules use what they need (tests read the rest).
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
        using_index: bool,
    },
    Unique {
        columns: Vec<String>,
        using_index: bool,
    },
    ForeignKey {
        columns: Vec<String>,
        table: QualifiedName,
        ref_columns: Vec<String>,
    },
    Check {
        expr: String,
    },
    /// MySQL `[UNIQUE|FULLTEXT|SPATIAL] INDEX|KEY [name] (keys)` (a unique one is [`Self::Unique`]).
    Index {
        keys: Vec<String>,
    },
    Other,
}

/// One action of `ALTER TABLE`.
// The reader reports everything it reads; rules use what they need (tests read the rest).
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub enum Action {
    AddColumn(ColumnDef),
    AddConstraint(Constraint),
    DropColumn(String),
    /// `DROP CONSTRAINT n`, `DROP INDEX|KEY n`, `DROP FOREIGN KEY n`, `DROP CHECK n`.
    DropConstraint(String),
    DropPrimaryKey,
    /// `ALTER [COLUMN] c [SET DATA] TYPE t`: the new type as written.
    AlterType {
        column: String,
        type_text: String,
    },
    SetNotNull(String),
    DropNotNull(String),
    SetDefault {
        column: String,
        expr: String,
    },
    DropDefault(String),
    /// MySQL `MODIFY [COLUMN] c definition`.
    Modify(ColumnDef),
    /// MySQL `CHANGE [COLUMN] old new definition`.
    Change {
        old: String,
        def: ColumnDef,
    },
    RenameColumn {
        from: String,
        to: String,
    },
    RenameConstraint {
        from: String,
        to: String,
    },
    ValidateConstraint(String),
    /// `ALGORITHM = x` (lower case).
    Algorithm(String),
    /// `LOCK = x` (lower case).
    Lock(String),
    /// MySQL `CONVERT TO CHARACTER SET`.
    ConvertCharset,
    /// Anything else (it still takes the table's lock).
    Other,
}
