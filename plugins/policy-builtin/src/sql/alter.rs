//! `ALTER TABLE` and its comma-separated actions.

use ai_shell_policy_sdk::QualifiedName;

use super::definition::{column_def, constraint, starts_constraint, type_text};
use super::{Action, Cursor, Op};

pub(super) fn alter_table(c: &mut Cursor, out: &mut Vec<Op>) {
    c.eat_all(&["IF", "EXISTS"]);
    c.eat("ONLY");
    let Some(table) = c.name() else { return };
    c.eat_punct('*');
    for (from, to) in c.split(c.i, c.end, ',') {
        let mut a = c.sub(from, to);
        if let Some(op) = alter_action(&mut a, &table) {
            out.push(op);
        }
    }
}

fn alter_action(c: &mut Cursor, table: &QualifiedName) -> Option<Op> {
    let alter = |action| {
        Some(Op::Alter {
            table: table.clone(),
            action,
        })
    };
    if c.eat("ADD") {
        if starts_constraint(c) {
            return alter(Action::AddConstraint(constraint(c)?));
        }
        c.eat("COLUMN");
        c.eat_all(&["IF", "NOT", "EXISTS"]);
        return alter(Action::AddColumn(column_def(c)?));
    }
    if c.eat("DROP") {
        if c.eat("CONSTRAINT") || c.eat("INDEX") || c.eat("KEY") || c.eat("CHECK") {
            c.eat_all(&["IF", "EXISTS"]);
            return alter(Action::DropConstraint(c.ident()?));
        }
        if c.eat_all(&["FOREIGN", "KEY"]) {
            return alter(Action::DropConstraint(c.ident()?));
        }
        if c.eat_all(&["PRIMARY", "KEY"]) {
            return alter(Action::DropPrimaryKey);
        }
        let not_a_column = [
            "DEFAULT",
            "PARTITION",
            "SYSTEM",
            "PERIOD",
            "TRIGGER",
            "UNIQUE",
            "FULLTEXT",
            "SPATIAL",
            "EXPRESSION",
            "IDENTITY",
        ];
        if c.at_any(&not_a_column) {
            return alter(Action::Other);
        }
        c.eat("COLUMN");
        c.eat_all(&["IF", "EXISTS"]);
        return alter(Action::DropColumn(c.ident()?));
    }
    if c.eat("ALTER") {
        if c.at_any(&["CONSTRAINT", "INDEX", "CHECK"]) {
            return alter(Action::Other);
        }
        c.eat("COLUMN");
        let column = c.ident()?;
        let action = if c.eat_all(&["SET", "DATA", "TYPE"]) || c.eat("TYPE") {
            Action::AlterType {
                column,
                type_text: type_text(c, &["USING", "COLLATE"]),
            }
        } else if c.eat_all(&["SET", "NOT", "NULL"]) {
            Action::SetNotNull(column)
        } else if c.eat_all(&["DROP", "NOT", "NULL"]) {
            Action::DropNotNull(column)
        } else if c.eat_all(&["SET", "DEFAULT"]) {
            Action::SetDefault {
                column,
                expr: c.text(c.i, c.end),
            }
        } else if c.eat_all(&["DROP", "DEFAULT"]) {
            Action::DropDefault(column)
        } else {
            Action::Other
        };
        return alter(action);
    }
    if c.eat("MODIFY") {
        c.eat("COLUMN");
        return alter(Action::Modify(column_def(c)?));
    }
    if c.eat("CHANGE") {
        c.eat("COLUMN");
        let old = c.ident()?;
        return alter(Action::Change {
            old,
            def: column_def(c)?,
        });
    }
    if c.eat("RENAME") {
        if c.eat("TO") || c.eat("AS") {
            return rename_table(c, table);
        }
        if c.eat("CONSTRAINT") || c.eat("INDEX") || c.eat("KEY") {
            let from = c.ident()?;
            c.eat("TO");
            return alter(Action::RenameConstraint {
                from,
                to: c.ident()?,
            });
        }
        let explicit = c.eat("COLUMN");
        if !explicit && c.nth(1).is_none() {
            // MySQL `RENAME new_name`.
            return rename_table(c, table);
        }
        let from = c.ident()?;
        if !c.eat("TO") {
            return None;
        }
        return alter(Action::RenameColumn {
            from,
            to: c.ident()?,
        });
    }
    if c.eat("VALIDATE") {
        c.eat("CONSTRAINT");
        return alter(Action::ValidateConstraint(c.ident()?));
    }
    if c.eat("ALGORITHM") || c.eat("LOCK") {
        let lock = c.t[c.i - 1].is("LOCK");
        c.eat_punct('=');
        let value = c.peek()?.text.to_ascii_lowercase();
        return alter(if lock {
            Action::Lock(value)
        } else {
            Action::Algorithm(value)
        });
    }
    if c.eat_all(&["CONVERT", "TO"]) {
        return alter(Action::ConvertCharset);
    }
    alter(Action::Other)
}

/// `RENAME TO new` of `table` (an unqualified new name stays in the table's namespace).
fn rename_table(c: &mut Cursor, table: &QualifiedName) -> Option<Op> {
    let mut to = c.name()?;
    if to.namespace.is_none() {
        to.namespace = table.namespace.clone();
    }
    Some(Op::RenameTable {
        from: table.clone(),
        to,
    })
}
