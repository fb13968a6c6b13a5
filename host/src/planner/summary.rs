//! One line in words per change ("Add column email varchar(255) to users").

use super::types::words;
use crate::model::{Change, Column, FkAction, IndexTarget};

fn column_words(c: &Column) -> String {
    let mut s = format!("{} {}", c.name, words(&c.data_type));
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    s
}

fn action(a: FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "NO ACTION",
        FkAction::Restrict => "RESTRICT",
        FkAction::Cascade => "CASCADE",
        FkAction::SetNull => "SET NULL",
        FkAction::SetDefault => "SET DEFAULT",
    }
}

/// Describes one change.
pub fn describe(change: &Change) -> String {
    match change {
        Change::CreateTable(t) => {
            let cols: Vec<String> = t.columns.iter().map(column_words).collect();
            format!("Create table {} ({})", t.name.display(), cols.join(", "))
        }
        Change::DropTable(n) => format!("Drop table {}", n.display()),
        Change::RenameTable(r) => format!("Rename table {} to {}", r.table.display(), r.new_name),
        Change::AddColumn(a) => format!(
            "Add column {} to {}",
            column_words(&a.column),
            a.table.display()
        ),
        Change::DropColumn(c) => format!("Drop column {} from {}", c.column, c.table.display()),
        Change::RenameColumn(r) => format!(
            "Rename column {}.{} to {}",
            r.table.display(),
            r.column,
            r.new_name
        ),
        Change::AlterColumnType(a) => format!(
            "Change type of {}.{} to {}",
            a.table.display(),
            a.column,
            words(&a.new_type)
        ),
        Change::SetNotNull(c) => format!("Make {}.{} NOT NULL", c.table.display(), c.column),
        Change::DropNotNull(c) => format!("Make {}.{} nullable", c.table.display(), c.column),
        Change::SetDefault(d) => format!(
            "Set default of {}.{} to {}",
            d.table.display(),
            d.column,
            d.default
        ),
        Change::DropDefault(c) => format!("Drop default of {}.{}", c.table.display(), c.column),
        Change::AddIndex(a) => {
            let keys: Vec<String> = a
                .index
                .keys
                .iter()
                .map(|k| match &k.target {
                    IndexTarget::Column(c) => c.clone(),
                    IndexTarget::Expression(e) => e.clone(),
                })
                .collect();
            format!(
                "Add {}index {} on {} ({})",
                if a.index.unique { "unique " } else { "" },
                a.index.name,
                a.table.display(),
                keys.join(", ")
            )
        }
        Change::DropIndex(o) => format!("Drop index {} on {}", o.name, o.table.display()),
        Change::AddUnique(u) => format!(
            "Add unique constraint {} on {} ({})",
            u.constraint.name,
            u.table.display(),
            u.constraint.columns.join(", ")
        ),
        Change::DropUnique(o) => {
            format!("Drop unique constraint {} on {}", o.name, o.table.display())
        }
        Change::AddForeignKey(f) => format!(
            "Add foreign key {} on {} ({}) referencing {} ({}) ON DELETE {}",
            f.foreign_key.name,
            f.table.display(),
            f.foreign_key.columns.join(", "),
            f.foreign_key.referenced_table.display(),
            f.foreign_key.referenced_columns.join(", "),
            action(f.foreign_key.on_delete)
        ),
        Change::DropForeignKey(o) => {
            format!("Drop foreign key {} on {}", o.name, o.table.display())
        }
        Change::AddCheck(c) => format!(
            "Add check {} on {}: {}",
            c.check.name,
            c.table.display(),
            c.check.expression
        ),
        Change::DropCheck(o) => format!("Drop check {} on {}", o.name, o.table.display()),
        Change::CopyRows(c) => {
            let cols: Vec<String> = c
                .columns
                .iter()
                .map(|p| {
                    if p.source == p.target {
                        p.source.clone()
                    } else {
                        format!("{} -> {}", p.source, p.target)
                    }
                })
                .collect();
            format!(
                "Copy {}rows of {} into {} ({})",
                if c.distinct { "distinct " } else { "" },
                c.source.display(),
                c.target.display(),
                cols.join(", ")
            )
        }
        Change::FillColumn(f) => {
            let on: Vec<String> = f
                .match_on
                .iter()
                .map(|p| {
                    format!(
                        "{}.{} = {}.{}",
                        f.source.display(),
                        p.source,
                        f.target.display(),
                        p.target
                    )
                })
                .collect();
            format!(
                "Fill {}.{} from {}.{} where {}",
                f.target.display(),
                f.column,
                f.source.display(),
                f.value,
                on.join(" and ")
            )
        }
        Change::FillNulls(f) => format!(
            "Fill the NULLs of {}.{} with {}",
            f.column.table.display(),
            f.column.column,
            f.value
        ),
        Change::RawSql(r) => {
            let note = r.note.as_deref().unwrap_or("a data step");
            let mut note = note.to_string();
            if let Some(first) = note.get(..1) {
                note.replace_range(..1, &first.to_uppercase());
            }
            format!("{note} (SQL: {})", r.up)
        }
        other => crate::changes::describe::describe(other),
    }
}

/// One line per change.
pub fn lines(changes: &[Change]) -> Vec<String> {
    changes.iter().map(describe).collect()
}
