//! Statements by their first words: drops, truncations, data changes, creations, renames and `SET`.

use super::alter::alter_table;
use super::definition::table_element;
use super::{CreateIndex, CreateTable, Cursor, Op};

pub(super) fn statement(c: &mut Cursor, out: &mut Vec<Op>) {
    if c.eat("DROP") {
        drop_statement(c, out);
    } else if c.eat("TRUNCATE") {
        c.eat("TABLE");
        let mut tables = Vec::new();
        loop {
            c.eat("ONLY");
            let Some(n) = c.name() else { break };
            tables.push(n);
            c.eat_punct('*');
            if !c.eat_punct(',') {
                break;
            }
        }
        if !tables.is_empty() {
            out.push(Op::Truncate(tables));
        }
    } else if c.eat("DELETE") {
        while c.at_any(&["LOW_PRIORITY", "QUICK", "IGNORE"]) {
            c.bump();
        }
        if c.eat("FROM") {
            c.eat("ONLY");
            if let Some(table) = c.name() {
                let filtered = ["WHERE", "USING", "LIMIT", "JOIN"]
                    .iter()
                    .any(|k| c.find_top(k).is_some());
                out.push(Op::Delete { table, filtered });
            }
        }
    } else if c.eat("UPDATE") {
        while c.at_any(&["LOW_PRIORITY", "IGNORE", "ONLY"]) {
            c.bump();
        }
        if let Some(table) = c.name() {
            let filtered = c.find_top("WHERE").is_some();
            out.push(Op::Update { table, filtered });
        }
    } else if c.eat("INSERT") || c.eat("REPLACE") {
        while c.at_any(&["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"]) {
            c.bump();
        }
        if c.eat("INTO")
            && let Some(table) = c.name()
            && let Some(select) = c.find_top("SELECT")
        {
            let mut s = c.sub(select + 1, c.end);
            if let Some(from) = s.find_top("FROM") {
                s.i = from + 1;
                if let Some(source) = s.name() {
                    out.push(Op::InsertSelect { table, source });
                }
            }
        }
    } else if c.eat("CREATE") {
        create(c, out);
    } else if c.eat("ALTER") {
        if c.eat("TABLE") {
            alter_table(c, out);
        }
    } else if c.eat("RENAME") {
        if c.eat("TABLE") {
            while let (Some(from), true, Some(to)) = (c.name(), c.eat("TO"), c.name()) {
                out.push(Op::RenameTable { from, to });
                if !c.eat_punct(',') {
                    break;
                }
            }
        }
    } else if c.eat("SET") {
        set(c, out);
    }
}

fn drop_statement(c: &mut Cursor, out: &mut Vec<Op>) {
    if c.at("TEMPORARY") {
        return;
    }
    if c.eat("TABLE") {
        c.eat_all(&["IF", "EXISTS"]);
        let tables = c.names();
        if !tables.is_empty() {
            out.push(Op::DropTable(tables));
        }
    } else if c.eat("SCHEMA") || c.eat("DATABASE") {
        c.eat_all(&["IF", "EXISTS"]);
        for n in c.names() {
            out.push(Op::DropNamespace(n.name));
        }
    } else if c.eat("INDEX") {
        let concurrently = c.eat("CONCURRENTLY");
        c.eat_all(&["IF", "EXISTS"]);
        let names = c.names();
        let table = if c.eat("ON") { c.name() } else { None };
        if !names.is_empty() {
            out.push(Op::DropIndex {
                names,
                concurrently,
                table,
            });
        }
    }
}

fn create(c: &mut Cursor, out: &mut Vec<Op>) {
    c.eat_all(&["OR", "REPLACE"]);
    let mut unique = false;
    let mut temporary = false;
    loop {
        if c.eat("UNIQUE") {
            unique = true;
        } else if c.eat("TEMPORARY") || c.eat("TEMP") {
            temporary = true;
        } else if !(c.eat("FULLTEXT")
            || c.eat("SPATIAL")
            || c.eat("GLOBAL")
            || c.eat("LOCAL")
            || c.eat("UNLOGGED"))
        {
            break;
        }
    }
    if c.eat("INDEX") {
        let concurrently = c.eat("CONCURRENTLY");
        c.eat_all(&["IF", "NOT", "EXISTS"]);
        let name = if c.at("ON") {
            None
        } else {
            c.name().map(|n| n.name)
        };
        if c.eat("USING") {
            c.bump();
        }
        if !c.eat("ON") {
            return;
        }
        c.eat("ONLY");
        let Some(table) = c.name() else { return };
        if c.eat("USING") {
            c.bump();
        }
        let keys = c.column_list();
        out.push(Op::CreateIndex(CreateIndex {
            name,
            table,
            unique,
            concurrently,
            keys,
        }));
    } else if c.eat("TABLE") {
        let if_not_exists = c.eat_all(&["IF", "NOT", "EXISTS"]);
        let Some(table) = c.name() else { return };
        let mut created = CreateTable {
            table,
            temporary,
            if_not_exists,
            derived: true,
            columns: Vec::new(),
            constraints: Vec::new(),
        };
        if let Some((from, to)) = c.group() {
            created.derived = c.find_top("AS").is_some();
            for (a, b) in c.split(from, to, ',') {
                table_element(&mut c.sub(a, b), &mut created);
            }
        }
        out.push(Op::CreateTable(created));
    }
}

/// `SET [SESSION|LOCAL] lock_timeout = v` and MySQL's lock wait timeouts; zero turns the timeout off.
fn set(c: &mut Cursor, out: &mut Vec<Op>) {
    const NAMES: [&str; 3] = [
        "lock_timeout",
        "lock_wait_timeout",
        "innodb_lock_wait_timeout",
    ];
    for k in c.i..c.end {
        if NAMES.iter().any(|n| c.t[k].is(n)) {
            let value = c.t[k + 1..c.end]
                .iter()
                .find(|t| !t.punct('=') && !t.is("TO"));
            let digits: String = value
                .map(|t| t.text.chars().take_while(char::is_ascii_digit).collect())
                .unwrap_or_default();
            if digits.parse::<u64>().map_or(true, |v| v > 0) {
                out.push(Op::SetLockTimeout);
            }
            return;
        }
    }
}
