//! Parses the stored `CREATE TABLE` text for what the pragmas leave out: constraint names, CHECK
//! expressions, AUTOINCREMENT, generated columns, COLLATE, and the table options.

use ai_shell_plugin_sdk::FkAction;

use super::lexer::tokenize;
use super::{Cursor, ParseError, column_names};

/// A `CREATE TABLE` statement, as far as the model needs it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateTable {
    pub name: String,
    pub columns: Vec<ColumnDef>,
    pub constraints: Vec<Named<TableConstraint>>,
    /// `WITHOUT ROWID` and `STRICT`, upper-cased, in the order written.
    pub options: Vec<String>,
}

/// A constraint with its optional `CONSTRAINT name`.
#[derive(Debug, Clone, PartialEq)]
pub struct Named<T> {
    pub name: Option<String>,
    pub item: T,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ColumnDef {
    pub name: String,
    /// The declared type as written (empty when there is none).
    pub type_text: String,
    pub constraints: Vec<Named<ColumnConstraint>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ColumnConstraint {
    PrimaryKey { autoincrement: bool },
    NotNull,
    Null,
    Unique,
    Check(String),
    Default(String),
    Collate(String),
    References(FkClause),
    Generated { expression: String, stored: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub enum TableConstraint {
    PrimaryKey(Vec<String>),
    Unique(Vec<String>),
    Check(String),
    ForeignKey(Vec<String>, FkClause),
}

/// The part of a foreign key after `REFERENCES`.
#[derive(Debug, Clone, PartialEq)]
pub struct FkClause {
    pub table: String,
    /// Empty when the parent's primary key is meant.
    pub columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub deferrable: bool,
    pub initially_deferred: bool,
}

const COLUMN_CONSTRAINT_START: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

const TABLE_CONSTRAINT_START: &[&str] = &["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

/// Parses one `CREATE TABLE` statement.
pub fn parse(sql: &str) -> Result<CreateTable, ParseError> {
    let tokens = tokenize(sql)?;
    let mut cur = Cursor::new(sql, &tokens);
    cur.expect_word("CREATE")?;
    let _ = cur.eat_word("TEMP") || cur.eat_word("TEMPORARY");
    cur.expect_word("TABLE")?;
    if cur.eat_word("IF") {
        cur.expect_word("NOT")?;
        cur.expect_word("EXISTS")?;
    }
    let name = cur.qualified_name()?;
    if !cur.peek_punct("(") {
        return Err(cur.error("expected the column list"));
    }
    let open = cur.pos;
    let close = cur.closing(open)?;
    let mut table = CreateTable {
        name,
        ..CreateTable::default()
    };
    for (from, to) in cur.split_commas(open + 1, close) {
        let part = Cursor {
            src: sql,
            tokens: &tokens[..to],
            pos: from,
        };
        let first = &tokens[from];
        let is_constraint = TABLE_CONSTRAINT_START.iter().any(|k| first.is_word(sql, k))
            && !(first.is_word(sql, "CONSTRAINT") && tokens.get(from + 1).is_none());
        if is_constraint {
            table.constraints.push(table_constraint(part)?);
        } else {
            table.columns.push(column_def(part)?);
        }
    }
    cur.pos = close + 1;
    while !cur.at_end() {
        if cur.eat_word("WITHOUT") {
            cur.expect_word("ROWID")?;
            table.options.push("WITHOUT ROWID".into());
        } else if cur.eat_word("STRICT") {
            table.options.push("STRICT".into());
        } else if !(cur.eat_punct(",") || cur.eat_punct(";")) {
            return Err(cur.error("unexpected table option"));
        }
    }
    Ok(table)
}

fn column_def(mut cur: Cursor<'_>) -> Result<ColumnDef, ParseError> {
    let name = cur.name()?;
    let type_start = cur.pos;
    let mut depth = 0usize;
    while let Some(t) = cur.peek() {
        if depth == 0
            && COLUMN_CONSTRAINT_START
                .iter()
                .any(|k| t.is_word(cur.src, k))
        {
            break;
        }
        if t.is_punct(cur.src, "(") {
            depth += 1;
        } else if t.is_punct(cur.src, ")") {
            depth = depth.saturating_sub(1);
        }
        cur.pos += 1;
    }
    let type_text = cur.between(type_start, cur.pos).to_string();
    let mut constraints = Vec::new();
    while !cur.at_end() {
        let name = if cur.eat_word("CONSTRAINT") {
            Some(cur.name()?)
        } else {
            None
        };
        let item = column_constraint(&mut cur)?;
        constraints.push(Named { name, item });
    }
    Ok(ColumnDef {
        name,
        type_text,
        constraints,
    })
}

fn column_constraint(cur: &mut Cursor<'_>) -> Result<ColumnConstraint, ParseError> {
    if cur.eat_word("PRIMARY") {
        cur.expect_word("KEY")?;
        let _ = cur.eat_word("ASC") || cur.eat_word("DESC");
        conflict_clause(cur)?;
        return Ok(ColumnConstraint::PrimaryKey {
            autoincrement: cur.eat_word("AUTOINCREMENT"),
        });
    }
    if cur.eat_word("NOT") {
        cur.expect_word("NULL")?;
        conflict_clause(cur)?;
        return Ok(ColumnConstraint::NotNull);
    }
    if cur.eat_word("NULL") {
        conflict_clause(cur)?;
        return Ok(ColumnConstraint::Null);
    }
    if cur.eat_word("UNIQUE") {
        conflict_clause(cur)?;
        return Ok(ColumnConstraint::Unique);
    }
    if cur.eat_word("CHECK") {
        return Ok(ColumnConstraint::Check(cur.group()?.trim().to_string()));
    }
    if cur.eat_word("DEFAULT") {
        let start = cur.pos;
        if cur.peek_punct("(") {
            cur.group()?;
        } else {
            let _sign = cur.eat_punct("-") || cur.eat_punct("+");
            cur.advance()
                .ok_or_else(|| cur.error("expected a default value"))?;
        }
        return Ok(ColumnConstraint::Default(
            cur.between(start, cur.pos).to_string(),
        ));
    }
    if cur.eat_word("COLLATE") {
        return Ok(ColumnConstraint::Collate(cur.name()?));
    }
    if cur.eat_word("REFERENCES") {
        return Ok(ColumnConstraint::References(fk_clause(cur)?));
    }
    if cur.eat_word("GENERATED") {
        cur.expect_word("ALWAYS")?;
    }
    if cur.eat_word("AS") {
        let expression = cur.group()?.trim().to_string();
        let stored = if cur.eat_word("STORED") {
            true
        } else {
            cur.eat_word("VIRTUAL");
            false
        };
        return Ok(ColumnConstraint::Generated { expression, stored });
    }
    Err(cur.error("unexpected column constraint"))
}

fn table_constraint(mut cur: Cursor<'_>) -> Result<Named<TableConstraint>, ParseError> {
    let name = if cur.eat_word("CONSTRAINT") {
        Some(cur.name()?)
    } else {
        None
    };
    let item = if cur.eat_word("PRIMARY") {
        cur.expect_word("KEY")?;
        let cols = column_names(&mut cur)?;
        conflict_clause(&mut cur)?;
        TableConstraint::PrimaryKey(cols)
    } else if cur.eat_word("UNIQUE") {
        let cols = column_names(&mut cur)?;
        conflict_clause(&mut cur)?;
        TableConstraint::Unique(cols)
    } else if cur.eat_word("CHECK") {
        TableConstraint::Check(cur.group()?.trim().to_string())
    } else if cur.eat_word("FOREIGN") {
        cur.expect_word("KEY")?;
        let cols = column_names(&mut cur)?;
        cur.expect_word("REFERENCES")?;
        TableConstraint::ForeignKey(cols, fk_clause(&mut cur)?)
    } else {
        return Err(cur.error("unexpected table constraint"));
    };
    if !cur.at_end() {
        return Err(cur.error("unexpected text after a table constraint"));
    }
    Ok(Named { name, item })
}

fn conflict_clause(cur: &mut Cursor<'_>) -> Result<(), ParseError> {
    if cur.peek_word("ON")
        && cur
            .peek_at(1)
            .is_some_and(|t| t.is_word(cur.src, "CONFLICT"))
    {
        cur.pos += 2;
        cur.advance()
            .ok_or_else(|| cur.error("expected a conflict resolution"))?;
    }
    Ok(())
}

fn fk_clause(cur: &mut Cursor<'_>) -> Result<FkClause, ParseError> {
    let table = cur.name()?;
    let columns = if cur.peek_punct("(") {
        column_names(cur)?
    } else {
        Vec::new()
    };
    let mut fk = FkClause {
        table,
        columns,
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
    };
    loop {
        if cur.peek_word("ON") {
            cur.pos += 1;
            let on_delete = if cur.eat_word("DELETE") {
                true
            } else {
                cur.expect_word("UPDATE")?;
                false
            };
            let action = fk_action(cur)?;
            if on_delete {
                fk.on_delete = action;
            } else {
                fk.on_update = action;
            }
        } else if cur.eat_word("MATCH") {
            cur.name()?;
        } else if cur.peek_word("NOT")
            && cur
                .peek_at(1)
                .is_some_and(|t| t.is_word(cur.src, "DEFERRABLE"))
        {
            cur.pos += 2;
            deferral(cur, &mut fk)?;
            fk.deferrable = false;
            fk.initially_deferred = false;
        } else if cur.eat_word("DEFERRABLE") {
            fk.deferrable = true;
            deferral(cur, &mut fk)?;
        } else {
            return Ok(fk);
        }
    }
}

fn deferral(cur: &mut Cursor<'_>, fk: &mut FkClause) -> Result<(), ParseError> {
    if cur.eat_word("INITIALLY") {
        if cur.eat_word("DEFERRED") {
            fk.initially_deferred = true;
        } else {
            cur.expect_word("IMMEDIATE")?;
        }
    }
    Ok(())
}

fn fk_action(cur: &mut Cursor<'_>) -> Result<FkAction, ParseError> {
    if cur.eat_word("CASCADE") {
        Ok(FkAction::Cascade)
    } else if cur.eat_word("RESTRICT") {
        Ok(FkAction::Restrict)
    } else if cur.eat_word("SET") {
        if cur.eat_word("NULL") {
            Ok(FkAction::SetNull)
        } else {
            cur.expect_word("DEFAULT")?;
            Ok(FkAction::SetDefault)
        }
    } else {
        cur.expect_word("NO")?;
        cur.expect_word("ACTION")?;
        Ok(FkAction::NoAction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_constraints_and_options() {
        let t = parse(
            "CREATE TABLE IF NOT EXISTS main.\"t\"\"x\" (\n  id integer CONSTRAINT pk PRIMARY KEY AUTOINCREMENT,\n  \
             name varchar ( 20 ) NOT NULL COLLATE NOCASE DEFAULT 'a,b' CHECK (length(name) > 0),\n  \
             g TEXT GENERATED ALWAYS AS (upper(name)) STORED,\n  h AS (id * 2),\n  \
             pid INT REFERENCES p ON DELETE CASCADE NOT NULL,\n  \
             CONSTRAINT uq UNIQUE (name COLLATE NOCASE, g) ON CONFLICT REPLACE,\n  CHECK (id > 0),\n  \
             CONSTRAINT fk FOREIGN KEY (pid, g) REFERENCES [p] (a, b) ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED\n\
             ) WITHOUT ROWID, strict",
        )
        .unwrap();
        assert_eq!(t.name, "t\"x");
        assert_eq!(t.options, vec!["WITHOUT ROWID", "STRICT"]);
        let names: Vec<_> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["id", "name", "g", "h", "pid"]);
        assert_eq!(t.columns[1].type_text, "varchar ( 20 )");
        assert_eq!(
            t.columns[0].constraints[0],
            Named {
                name: Some("pk".into()),
                item: ColumnConstraint::PrimaryKey {
                    autoincrement: true
                }
            }
        );
        assert!(
            t.columns[1]
                .constraints
                .iter()
                .any(|c| c.item == ColumnConstraint::Collate("NOCASE".into()))
        );
        assert!(
            t.columns[1]
                .constraints
                .iter()
                .any(|c| c.item == ColumnConstraint::Default("'a,b'".into()))
        );
        assert!(
            t.columns[1]
                .constraints
                .iter()
                .any(|c| c.item == ColumnConstraint::Check("length(name) > 0".into()))
        );
        assert_eq!(
            t.columns[2].constraints[0].item,
            ColumnConstraint::Generated {
                expression: "upper(name)".into(),
                stored: true
            }
        );
        assert_eq!(t.columns[3].type_text, "");
        assert!(
            matches!(&t.columns[4].constraints[0].item, ColumnConstraint::References(fk) if fk.on_delete == FkAction::Cascade && fk.columns.is_empty())
        );
        assert_eq!(t.columns[4].constraints[1].item, ColumnConstraint::NotNull);
        assert_eq!(t.constraints.len(), 3);
        assert_eq!(
            t.constraints[0].item,
            TableConstraint::Unique(vec!["name".into(), "g".into()])
        );
        assert_eq!(
            t.constraints[1],
            Named {
                name: None,
                item: TableConstraint::Check("id > 0".into())
            }
        );
        match &t.constraints[2].item {
            TableConstraint::ForeignKey(cols, fk) => {
                assert_eq!(cols, &vec!["pid".to_string(), "g".to_string()]);
                assert_eq!(fk.table, "p");
                assert_eq!(fk.on_update, FkAction::SetNull);
                assert!(fk.deferrable && fk.initially_deferred);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn default_forms() {
        let t = parse("CREATE TABLE t(a DEFAULT -1, b DEFAULT (1 + 2), c DEFAULT CURRENT_TIMESTAMP, d DEFAULT x'00')").unwrap();
        let defaults: Vec<_> = t
            .columns
            .iter()
            .map(|c| match &c.constraints[0].item {
                ColumnConstraint::Default(d) => d.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            defaults,
            vec!["-1", "(1 + 2)", "CURRENT_TIMESTAMP", "x'00'"]
        );
    }

    #[test]
    fn hostile_names() {
        let t =
            parse("CREATE TABLE \"a\"\"; DROP TABLE x; --\" (\"b`[]\nc\" INTEGER, [d\"e] TEXT)")
                .unwrap();
        assert_eq!(t.name, "a\"; DROP TABLE x; --");
        assert_eq!(t.columns[0].name, "b`[]\nc");
        assert_eq!(t.columns[1].name, "d\"e");
    }
}
