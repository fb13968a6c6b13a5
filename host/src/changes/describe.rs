//! One line in words for a change: step comments in generated migration files and `migrate preview`.

use super::simulate::display;
use crate::model::{Change, IdentityKind, IndexTarget};

/// What `change` does, e.g. "add column email to users".
pub fn describe(change: &Change) -> String {
    match change {
        Change::CreateNamespace(n) => format!("create schema {n}"),
        Change::DropNamespace(n) => format!("drop schema {n}"),
        Change::CreateExtension(e) => format!("create extension {}", e.name),
        Change::DropExtension(e) => format!("drop extension {}", e.name),
        Change::CreateEnumType(e) => format!("create enum type {}", display(&e.name)),
        Change::DropEnumType(n) => format!("drop enum type {}", display(n)),
        Change::AlterEnumType(e) => format!(
            "set the labels of enum type {} to {}",
            display(&e.name),
            e.labels.join(", ")
        ),
        Change::CreateSequence(s) => format!("create sequence {}", display(&s.name)),
        Change::DropSequence(n) => format!("drop sequence {}", display(n)),
        Change::CreateTable(t) => format!("create table {}", display(&t.name)),
        Change::DropTable(n) => format!("drop table {}", display(n)),
        Change::RenameTable(r) => format!("rename table {} to {}", display(&r.table), r.new_name),
        Change::AddColumn(a) => format!("add column {} to {}", a.column.name, display(&a.table)),
        Change::DropColumn(c) => format!("drop column {} from {}", c.column, display(&c.table)),
        Change::RenameColumn(r) => format!(
            "rename column {} to {} in {}",
            r.column,
            r.new_name,
            display(&r.table)
        ),
        Change::AlterColumnType(a) => {
            format!("change the type of {}.{}", display(&a.table), a.column)
        }
        Change::SetNotNull(c) => format!("make {}.{} NOT NULL", display(&c.table), c.column),
        Change::DropNotNull(c) => format!("make {}.{} nullable", display(&c.table), c.column),
        Change::SetDefault(d) => format!(
            "set the default of {}.{} to {}",
            display(&d.table),
            d.column,
            d.default
        ),
        Change::DropDefault(c) => format!("drop the default of {}.{}", display(&c.table), c.column),
        Change::AddPrimaryKey(p) => format!(
            "add primary key ({}) to {}",
            p.primary_key.columns.join(", "),
            display(&p.table)
        ),
        Change::DropPrimaryKey(n) => format!("drop the primary key of {}", display(n)),
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
                "add {}index {} on {}({})",
                if a.index.unique { "unique " } else { "" },
                a.index.name,
                display(&a.table),
                keys.join(", ")
            )
        }
        Change::DropIndex(o) => format!("drop index {} of {}", o.name, display(&o.table)),
        Change::AddUnique(u) => format!(
            "add unique constraint {} on {}({})",
            u.constraint.name,
            display(&u.table),
            u.constraint.columns.join(", ")
        ),
        Change::DropUnique(o) => {
            format!("drop unique constraint {} of {}", o.name, display(&o.table))
        }
        Change::AddForeignKey(f) => format!(
            "add foreign key {} from {}({}) to {}({})",
            f.foreign_key.name,
            display(&f.table),
            f.foreign_key.columns.join(", "),
            display(&f.foreign_key.referenced_table),
            f.foreign_key.referenced_columns.join(", ")
        ),
        Change::DropForeignKey(o) => {
            format!("drop foreign key {} of {}", o.name, display(&o.table))
        }
        Change::AddCheck(c) => format!(
            "add check {} on {}: {}",
            c.check.name,
            display(&c.table),
            c.check.expression
        ),
        Change::DropCheck(o) => format!("drop check {} of {}", o.name, display(&o.table)),
        Change::CreateView(v) => format!("create view {}", display(&v.name)),
        Change::DropView(d) => format!("drop view {}", display(&d.name)),
        Change::SetCollation(s) => match &s.collation {
            Some(c) => format!("collate {}.{} as {c}", display(&s.table), s.column),
            None => format!(
                "give {}.{} the default collation",
                display(&s.table),
                s.column
            ),
        },
        Change::SetIdentity(s) => match s.identity {
            Some(kind) => format!(
                "make {}.{} {}",
                display(&s.table),
                s.column,
                match kind {
                    IdentityKind::Always => "an identity (generated always)",
                    IdentityKind::ByDefault => "an identity (generated by default)",
                    IdentityKind::AutoIncrement => "auto-increment",
                }
            ),
            None => format!(
                "stop generating values for {}.{}",
                display(&s.table),
                s.column
            ),
        },
        Change::SetTableOptions(s) => match s.options.is_empty() {
            true => format!("give {} the default table options", display(&s.table)),
            false => format!(
                "set the options of {} to {}",
                display(&s.table),
                s.options.join(" ")
            ),
        },
        Change::SetComment(s) => match &s.column {
            Some(c) => format!("set the comment of {}.{}", display(&s.table), c),
            None => format!("set the comment of {}", display(&s.table)),
        },
        Change::CreateObject(o) => format!("create {} {}", o.kind, display(&o.name)),
        Change::DropObject(o) => format!("drop {} {}", o.kind, display(&o.name)),
        Change::CopyRows(c) => {
            let cols: Vec<&str> = c.columns.iter().map(|p| p.source.as_str()).collect();
            format!(
                "copy {}({}) into {}",
                display(&c.source),
                cols.join(", "),
                display(&c.target)
            )
        }
        Change::FillColumn(f) => format!(
            "fill {}.{} from {}.{}",
            display(&f.target),
            f.column,
            display(&f.source),
            f.value
        ),
        Change::FillNulls(f) => format!(
            "fill the NULLs of {}.{} with {} (their keys kept in {})",
            display(&f.column.table),
            f.column.column,
            f.value,
            display(&f.keep)
        ),
        Change::RestoreNulls(f) => format!(
            "set back to NULL the rows of {}.{} filled with {}",
            display(&f.column.table),
            f.column.column,
            f.value
        ),
        Change::RawSql(r) => match &r.note {
            Some(note) => format!("raw SQL: {note}"),
            None => "raw SQL".into(),
        },
    }
}
