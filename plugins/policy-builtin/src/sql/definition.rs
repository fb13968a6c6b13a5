//! Table definitions: columns with their type and attributes, table constraints and MySQL indexes.

use super::{ColumnDef, Constraint, ConstraintKind, CreateTable, Cursor, Token};

/// Words that end a column's type in its definition.
const TYPE_END: &[&str] = &[
    "CONSTRAINT",
    "NOT",
    "NULL",
    "DEFAULT",
    "PRIMARY",
    "REFERENCES",
    "UNIQUE",
    "CHECK",
    "GENERATED",
    "COLLATE",
    "AUTO_INCREMENT",
    "AUTOINCREMENT",
    "IDENTITY",
    "COMMENT",
    "AS",
    "ON",
    "FIRST",
    "AFTER",
    "CHARSET",
    "USING",
    "KEY",
    "VISIBLE",
    "INVISIBLE",
    "STORED",
    "VIRTUAL",
    "SRID",
    "COLUMN_FORMAT",
    "STORAGE",
];

/// Words that end a `DEFAULT` expression in a column definition.
const DEFAULT_END: &[&str] = &[
    "CONSTRAINT",
    "NOT",
    "NULL",
    "PRIMARY",
    "REFERENCES",
    "UNIQUE",
    "CHECK",
    "GENERATED",
    "COLLATE",
    "AUTO_INCREMENT",
    "AUTOINCREMENT",
    "COMMENT",
    "ON",
    "FIRST",
    "AFTER",
    "KEY",
    "VISIBLE",
    "INVISIBLE",
];

/// One element of `CREATE TABLE (...)`: a column, a constraint or a MySQL index.
pub(super) fn table_element(c: &mut Cursor, table: &mut CreateTable) {
    if c.at("LIKE") || c.at("PERIOD") {
        table.derived = true;
        return;
    }
    if starts_constraint(c) {
        if let Some(k) = constraint(c) {
            table.constraints.push(k);
        }
    } else if let Some(col) = column_def(c) {
        table.columns.push(col);
    }
}

/// Whether a constraint or index (not a column) starts here.
pub(super) fn starts_constraint(c: &Cursor) -> bool {
    let index_like = |c: &Cursor| {
        c.nth(1).is_some_and(|t| t.punct('('))
            || (c.nth(1).is_some_and(Token::is_ident)
                && c.nth(2).is_some_and(|t| t.punct('(') || t.is("USING")))
    };
    c.at_any(&[
        "CONSTRAINT",
        "PRIMARY",
        "UNIQUE",
        "FOREIGN",
        "CHECK",
        "EXCLUDE",
        "FULLTEXT",
        "SPATIAL",
    ]) || (c.at_any(&["INDEX", "KEY"]) && index_like(c))
}

/// `[CONSTRAINT name] PRIMARY KEY (...) | UNIQUE ... | FOREIGN KEY ... | CHECK (...) | INDEX ...`.
pub(super) fn constraint(c: &mut Cursor) -> Option<Constraint> {
    let mut name = None;
    if c.eat("CONSTRAINT") && !c.at_any(&["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE"]) {
        name = c.ident();
    }
    let kind = if c.eat_all(&["PRIMARY", "KEY"]) {
        if c.eat_all(&["USING", "INDEX"]) {
            ConstraintKind::PrimaryKey {
                columns: Vec::new(),
                using_index: true,
            }
        } else {
            skip_to_group(c);
            ConstraintKind::PrimaryKey {
                columns: c.column_list(),
                using_index: false,
            }
        }
    } else if c.eat("UNIQUE") {
        if c.eat_all(&["USING", "INDEX"]) {
            ConstraintKind::Unique {
                columns: Vec::new(),
                using_index: true,
            }
        } else {
            let _ = c.eat("INDEX") || c.eat("KEY");
            if c.peek().is_some_and(Token::is_ident) && !c.at_any(&["NULLS", "USING"]) {
                let own = c.ident();
                name = name.or(own);
            }
            skip_to_group(c);
            ConstraintKind::Unique {
                columns: c.column_list(),
                using_index: false,
            }
        }
    } else if c.eat_all(&["FOREIGN", "KEY"]) {
        if !c.at_punct('(') {
            let own = c.ident();
            name = name.or(own);
        }
        let columns = c.column_list();
        if !c.eat("REFERENCES") {
            return None;
        }
        let table = c.name()?;
        let ref_columns = c.column_list();
        ConstraintKind::ForeignKey {
            columns,
            table,
            ref_columns,
        }
    } else if c.eat("CHECK") {
        let (from, to) = c.group()?;
        ConstraintKind::Check {
            expr: c.text(from, to),
        }
    } else if c.eat("FULLTEXT") || c.eat("SPATIAL") || c.at_any(&["INDEX", "KEY"]) {
        let _ = c.eat("INDEX") || c.eat("KEY");
        if !c.at_punct('(') && !c.at("USING") {
            let own = c.ident();
            name = name.or(own);
        }
        skip_to_group(c);
        ConstraintKind::Index {
            keys: c.column_list(),
        }
    } else {
        ConstraintKind::Other
    };
    Some(Constraint {
        name,
        kind,
        not_valid: c.not_valid_ahead(),
    })
}

/// Skips words (`USING BTREE`, `NULLS NOT DISTINCT`) up to a parenthesised list.
fn skip_to_group(c: &mut Cursor) {
    while !c.done() && !c.at_punct('(') {
        c.bump();
    }
}

/// `name type [attributes]`.
pub(super) fn column_def(c: &mut Cursor) -> Option<ColumnDef> {
    let name = c.ident()?;
    Some(column_rest(c, name))
}

/// The type and attributes of column `name`.
fn column_rest(c: &mut Cursor, name: String) -> ColumnDef {
    let type_text = type_text(c, TYPE_END);
    let mut col = ColumnDef {
        name,
        type_text,
        ..ColumnDef::default()
    };
    while !c.done() {
        if c.eat("CONSTRAINT") {
            if !c.at_any(&[
                "NOT",
                "NULL",
                "PRIMARY",
                "UNIQUE",
                "CHECK",
                "REFERENCES",
                "DEFAULT",
            ]) && let Some(n) = c.ident()
            {
                col.constraint_names.push(n);
            }
        } else if c.eat_all(&["NOT", "NULL"]) {
            col.not_null = true;
        } else if c.eat("DEFAULT") {
            let start = c.i;
            c.skip();
            while !c.done() && !c.at_any(DEFAULT_END) {
                c.skip();
            }
            col.default = Some(c.text(start, c.i));
        } else if c.eat_all(&["PRIMARY", "KEY"]) || c.eat("KEY") {
            col.primary_key = true;
        } else if c.eat("UNIQUE") {
            col.unique = true;
            c.eat("KEY");
        } else if c.eat("REFERENCES") {
            if let Some(t) = c.name() {
                let cols = c.column_list();
                col.references = Some((t, cols));
            }
            skip_fk_actions(c);
        } else if c.eat("CHECK") {
            if let Some((from, to)) = c.group() {
                col.check = Some(c.text(from, to));
            }
        } else if c.eat("GENERATED") {
            while c.at_any(&["ALWAYS", "BY", "DEFAULT", "AS"]) {
                c.bump();
            }
            if c.eat("IDENTITY") {
                col.identity = true;
            } else {
                col.generated = true;
            }
            c.group();
        } else if c.eat("AS") {
            col.generated = true;
            c.group();
        } else if c.eat("AUTO_INCREMENT") || c.eat("AUTOINCREMENT") || c.eat("IDENTITY") {
            col.identity = true;
            c.group();
        } else {
            c.skip();
        }
    }
    col
}

/// `ON DELETE|UPDATE action` and `MATCH x` after `REFERENCES` (so `SET DEFAULT` is not a default).
fn skip_fk_actions(c: &mut Cursor) {
    loop {
        if c.at("ON") && c.nth(1).is_some_and(|t| t.is("DELETE") || t.is("UPDATE")) {
            c.i += 2;
            let _ = c.eat_all(&["SET", "NULL"])
                || c.eat_all(&["SET", "DEFAULT"])
                || c.eat_all(&["NO", "ACTION"])
                || c.eat("CASCADE")
                || c.eat("RESTRICT");
            c.group();
        } else if c.eat("MATCH") {
            c.bump();
        } else {
            break;
        }
    }
}

/// The type written from the cursor up to one of `end` words (or the end), moving past it.
pub(super) fn type_text(c: &mut Cursor, end: &[&str]) -> String {
    let start = c.i;
    while !c.done() && !c.at_any(end) {
        if c.at("CHARACTER") && c.nth(1).is_some_and(|t| t.is("SET")) && c.i > start {
            break;
        }
        c.skip();
    }
    c.text(start, c.i)
}
