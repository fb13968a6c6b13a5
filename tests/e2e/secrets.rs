//! Passwords never leak: a canary password in every place a URL can hold one (the user part, `?password=`,
//! `?sslpassword=`, a token parameter) is searched for in stdout, stderr and `--json` of the commands that
//! print the URL or an error quoting it, and in every row of the history, its log and its phases.

use std::process::Command;

use crate::migrate::Project;
use crate::support::{Engine, ai_shell_cmd};

/// Runs ai-shell with `url` in the project; stdout and stderr together.
fn output(p: &Project, url: &str, args: &[&str]) -> String {
    let out = ai_shell_cmd()
        .env("AI_SHELL_PLUGINS_DIR", p.db.plugins_dir())
        .current_dir(p.dir.path())
        .arg("--database")
        .arg(url)
        .args(args)
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Everything the database holds, as text (a data dump of the test database).
fn dump(p: &Project) -> String {
    let out = match p.db.engine() {
        Engine::Postgres => Command::new("pg_dump")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "--data-only",
                p.db.name(),
            ])
            .output(),
        Engine::Mysql => Command::new("mariadb-dump")
            .args([
                "-h127.0.0.1",
                "-uroot",
                "--skip-extended-insert",
                p.db.name(),
            ])
            .output(),
        Engine::Sqlite => unreachable!(),
    }
    .expect("pg_dump and mariadb-dump are installed by .ci/run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn assert_clean(text: &str, what: &str) {
    assert!(
        !text.contains("CANARY"),
        "a canary password in {what}:\n{text}"
    );
}

#[test]
fn canary_passwords_appear_in_no_output_and_no_history_row() {
    for engine in [Engine::Postgres, Engine::Mysql] {
        let p = Project::new(engine);
        p.write(
            "001_create_t.sql",
            "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE t;"),
        );
        // Fails part-way outside a transaction: the history keeps the error, which quotes the URL.
        std::fs::write(
            p.migrations().join("002_broken.sql"),
            "-- transaction: false\n\n-- +up\nCREATE TABLE u (id INTEGER PRIMARY KEY);\nINSERT INTO missing_table VALUES (1);\n",
        )
        .unwrap();
        let base = p.db.url().to_string();
        let (server, db) = base.rsplit_once('/').unwrap();
        let with_user_password = match engine {
            // Trust authentication: the password is sent and ignored.
            Engine::Postgres => format!(
                "{}:CANARY1@{}/{db}",
                &server[..server.find('@').unwrap()],
                &server[server.find('@').unwrap() + 1..]
            ),
            _ => format!("{server}/{db}"),
        };
        let connects = [
            with_user_password,
            format!("{server}/{db}?password=CANARY2"),
            format!("{server}/{db}?sslpassword=CANARY3&application_name=ai-shell-test"),
        ];
        let mut seen = String::new();
        for url in &connects {
            for args in [
                vec!["migrate", "apply"],
                vec!["migrate", "status"],
                vec!["migrate", "status", "--json"],
                vec!["migrate", "logs", "002"],
                vec!["migrate", "apply", "--json"],
            ] {
                seen.push_str(&output(&p, url, &args));
            }
        }
        // Refused and unreachable servers, and URLs that do not parse, quote the URL in their errors.
        let (scheme, _) = server.split_once("://").unwrap();
        for url in [
            format!("{scheme}://nobody:CANARY4@127.0.0.1:1/x?password=CANARY5"),
            format!("{scheme}://root@127.0.0.1:1/x?auth_token=CANARY6"),
            format!("{scheme}://:5432/x?password=CANARY7"),
            format!(
                "{scheme}://root:CANARY8@127.0.0.1:{}/{db}",
                if engine == Engine::Postgres {
                    5432
                } else {
                    3306
                }
            ),
        ] {
            let text = output(&p, &url, &["migrate", "status", "--json"]);
            assert!(
                text.contains("***") || text.contains("nobody") || text.contains("root"),
                "{url}: {text}"
            );
            seen.push_str(&text);
        }
        assert!(
            seen.contains("missing_table"),
            "{engine:?}: the failure was reported:\n{seen}"
        );
        assert_clean(&seen, &format!("{engine:?} output"));
        let dumped = dump(&p);
        assert!(
            dumped.contains("missing_table"),
            "{engine:?}: the error is in the history:\n{dumped}"
        );
        assert_clean(&dumped, &format!("{engine:?} tables"));
    }
}
