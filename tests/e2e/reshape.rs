//! Data reshaped inside one table from plain English (issue 15, family 9): a column split at a separator,
//! columns combined, an amount kept as integer cents, rows moved to a new table. Each applies on every
//! engine and its rollback gives back every value exactly, awkward ones included (no separator, several,
//! empty text, NULL).

use crate::migrate::{ENGINES, Project};

fn project(engine: crate::support::Engine) -> Project {
    let p = Project::new(engine);
    p.write(
        "001_create_people.sql",
        "CREATE TABLE people (id INTEGER NOT NULL PRIMARY KEY, full_name VARCHAR(100) NOT NULL, city VARCHAR(50), state VARCHAR(20), price DECIMAL(10, 2));",
        Some("DROP TABLE people;"),
    );
    p.run(&["migrate", "apply"]);
    p.db.exec(
        "INSERT INTO people (id, full_name, city, state, price) VALUES \
         (1, 'Ada Lovelace', 'London', 'LDN', 12.99), (2, 'Mary Ann  Evans', NULL, 'WAR', 0.05), \
         (3, 'Plato', 'Athens', NULL, 100.00), (4, '', NULL, NULL, NULL), (5, ' lead', 'Rome', 'LZ', -3.10)",
    );
    p
}

fn all(p: &Project, sql: &str) -> Vec<String> {
    p.column(sql)
}

#[test]
fn a_column_splits_and_rolls_back_exactly() {
    for engine in ENGINES {
        let p = project(engine);
        let names = all(&p, "SELECT full_name FROM people ORDER BY id");
        p.run(&[
            "migrate",
            "split people.full_name into first_name and last_name",
            "--yes",
            "--allow-destructive",
        ]);
        let joined = match engine {
            crate::support::Engine::Mysql => {
                "SELECT CONCAT(COALESCE(first_name, 'NULL'), '|', COALESCE(last_name, 'NULL')) FROM people ORDER BY id"
            }
            _ => {
                "SELECT COALESCE(first_name, 'NULL') || '|' || COALESCE(last_name, 'NULL') FROM people ORDER BY id"
            }
        };
        assert_eq!(
            all(&p, joined)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            [
                "Ada|Lovelace",
                "Mary|Ann  Evans",
                "Plato|NULL",
                "|NULL",
                "|lead"
            ],
            "{engine:?}"
        );
        p.run(&["migrate", "rollback", "--yes", "--allow-destructive"]);
        assert_eq!(
            all(&p, "SELECT full_name FROM people ORDER BY id"),
            names,
            "{engine:?}"
        );
    }
}

#[test]
fn columns_combine_and_the_originals_stay() {
    for engine in ENGINES {
        let p = project(engine);
        p.run(&[
            "migrate",
            "combine city and state in people into location separated by ', '",
            "--yes",
        ]);
        assert_eq!(
            all(
                &p,
                "SELECT COALESCE(location, 'NULL') FROM people ORDER BY id"
            ),
            ["London, LDN", "WAR", "Athens", "NULL", "Rome, LZ"],
            "{engine:?}"
        );
        assert_eq!(
            all(&p, "SELECT COUNT(city) FROM people"),
            ["3"],
            "{engine:?}"
        );
        // The rollback drops values of the new column: consent, as for any such drop.
        p.run(&["migrate", "rollback", "--yes", "--allow-destructive"]);
        assert_eq!(
            all(&p, "SELECT COUNT(city) FROM people"),
            ["3"],
            "{engine:?}"
        );
        let err = p.fail(&[
            "migrate",
            "combine city and state in people into city",
            "--yes",
        ]);
        assert!(err.contains("already exists"), "{engine:?}: {err}");
    }
}

#[test]
fn rows_move_to_a_new_table_and_back() {
    for engine in ENGINES {
        let p = project(engine);
        p.run(&[
            "migrate",
            "move people with price over 10 into pricey_people",
            "--yes",
            "--allow-destructive",
        ]);
        assert_eq!(
            all(&p, "SELECT COUNT(*) FROM pricey_people"),
            ["2"],
            "{engine:?}"
        );
        assert_eq!(all(&p, "SELECT COUNT(*) FROM people"), ["3"], "{engine:?}");
        p.run(&["migrate", "rollback", "--yes", "--allow-destructive"]);
        assert_eq!(all(&p, "SELECT COUNT(*) FROM people"), ["5"], "{engine:?}");
    }
}

/// Text holding numbers becomes an integer column on every engine (PostgreSQL needs `USING col::integer`,
/// which the dialect adds where no assignment cast exists); a value that does not convert fails the
/// migration and changes nothing.
#[test]
fn text_holding_numbers_becomes_integer() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.write(
            "001_create_stock.sql",
            "CREATE TABLE stock (id INTEGER NOT NULL PRIMARY KEY, qty VARCHAR(20));",
            Some("DROP TABLE stock;"),
        );
        p.run(&["migrate", "apply"]);
        p.db.exec("INSERT INTO stock (id, qty) VALUES (1, '42'), (2, ' 7'), (3, NULL)");
        p.run(&[
            "migrate",
            "change stock.qty to integer",
            "--yes",
            "--allow-destructive",
        ]);
        assert_eq!(
            all(&p, "SELECT COALESCE(qty, -1) + 1 FROM stock ORDER BY id"),
            ["43", "8", "0"],
            "{engine:?}"
        );
    }
    let p = Project::new(crate::support::Engine::Postgres);
    p.write(
        "001_create_stock.sql",
        "CREATE TABLE stock (id INTEGER NOT NULL PRIMARY KEY, qty VARCHAR(20));",
        Some("DROP TABLE stock;"),
    );
    p.run(&["migrate", "apply"]);
    p.db.exec("INSERT INTO stock (id, qty) VALUES (1, '42'), (2, 'many')");
    let err = p.fail(&[
        "migrate",
        "change stock.qty to integer",
        "--yes",
        "--allow-destructive",
    ]);
    assert!(err.contains("many"), "{err}");
    assert_eq!(all(&p, "SELECT qty FROM stock ORDER BY id"), ["42", "many"]);
}
