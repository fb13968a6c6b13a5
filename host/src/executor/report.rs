//! How the executor talks to whoever runs it. Progress goes out as [`Event`]s and confirmations come back as
//! answers, through a [`Reporter`] the command implements (a terminal, JSON output, a test); the executor
//! itself never prints or prompts, so every path it takes runs the same with or without a terminal.

use std::time::Duration;

use super::PhaseRun;

/// Something that happened while the executor ran.
#[derive(Debug)]
pub enum Event<'a> {
    /// Another run holds the migration lock; this one waits for it.
    WaitingForLock,
    /// A phase of a phased migration starts.
    PhaseStarted {
        number: usize,
        total: usize,
        description: &'a str,
    },
    /// A phase finished.
    PhaseFinished(&'a PhaseRun),
    /// A backfill resumes from the checkpoint an earlier run left.
    Resuming { key: &'a str, at: i64 },
    /// A backfill starts (or resumes) with `done` of its `batches` behind it.
    BackfillStarted { batches: u64, done: u64 },
    /// A backfill batch committed.
    Batch {
        done: u64,
        total: u64,
        rows: u64,
        elapsed: Duration,
    },
    /// The backfill stopped, finished or not.
    BackfillEnded,
    /// Information that changes nothing (a replica watched, throttling, a note from a phase).
    Note(&'a str),
    /// Something ran differently than planned (the server refused the planned algorithm, say).
    Warning(&'a str),
}

/// Receives the executor's events and answers its questions.
pub trait Reporter: Send + Sync {
    fn event(&self, event: Event<'_>);

    /// Whether a person confirms `question` (a gate's condition). `None` when nobody can be asked: the
    /// migration then waits at its gate for `migrate confirm`.
    fn confirm(&self, question: &str) -> Option<bool>;
}

/// Reports nothing and asks nobody.
pub struct Silent;

impl Reporter for Silent {
    fn event(&self, _: Event<'_>) {}

    fn confirm(&self, _: &str) -> Option<bool> {
        None
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::{Event, Reporter, Silent};
    use crate::connection::Database;
    use crate::executor::{ApplyOptions, Executor, Migration, Target};
    use crate::history::History;

    /// Records what it is told, and answers every question with `answer`.
    struct Script {
        answer: Option<bool>,
        seen: Mutex<Vec<String>>,
    }

    impl Reporter for Script {
        fn event(&self, event: Event<'_>) {
            let line = match event {
                Event::PhaseStarted { number, .. } => format!("start {number}"),
                Event::PhaseFinished(run) => format!("done {} ({} rows)", run.number, run.rows),
                Event::Batch { done, total, .. } => format!("batch {done}/{total}"),
                other => format!("{other:?}"),
            };
            self.seen.lock().unwrap().push(line);
        }

        fn confirm(&self, question: &str) -> Option<bool> {
            self.seen.lock().unwrap().push(format!("asked: {question}"));
            self.answer
        }
    }

    const PHASED: &str = "-- +up\n\
        -- +phase 1 expand: ddl\n\
        ALTER TABLE t ADD COLUMN c INTEGER;\n\n\
        -- +phase 2 backfill: backfill\n\
        -- table: t\n\
        -- key: id\n\
        UPDATE t SET c = id * 2 WHERE id >= {lo} AND id < {hi};\n\n\
        -- +phase 3 deployed: gate\n\
        -- confirm: the application writes t.c\n\n\
        -- +phase 4 tighten: ddl\n\
        CREATE INDEX t_c ON t (c);\n";

    fn migration() -> Migration {
        Migration {
            version: 1,
            id: "001_phased".into(),
            up: PHASED.into(),
            down: None,
            checksum: crate::migrations::checksum::checksum(PHASED),
            transactional: true,
            draft: false,
            consented: false,
        }
    }

    /// Runs the phased migration on a fresh SQLite database with `reporter`; what the run ended as.
    async fn run(reporter: &dyn Reporter) -> (bool, i64) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let db = Database::connect(&url).await.unwrap();
        db.execute_script(
            "CREATE TABLE t (id INTEGER PRIMARY KEY); \
             INSERT INTO t (id) VALUES (1), (2), (3), (25), (26);",
        )
        .await
        .unwrap();
        let history = History::new("ai_shell_migrations").unwrap();
        let mut executor = Executor::new(&db, &history);
        executor.reporter = reporter;
        let mut options = ApplyOptions {
            target: Target::All,
            dry_run: false,
            accept_checksums: Default::default(),
            phases: Default::default(),
        };
        options.phases.batch_size = 10;
        let outcome = executor.apply(&[migration()], &options).await.unwrap();
        let mut s = db.session().await.unwrap();
        let indexed = s
            .query("SELECT count(*) FROM sqlite_master WHERE name = 't_c'", &[])
            .await
            .unwrap();
        drop(s);
        db.close().await;
        (
            outcome.waiting.is_none(),
            crate::model::number_at(&indexed, 0, 0).unwrap(),
        )
    }

    #[tokio::test]
    async fn a_gate_is_confirmed_through_the_reporter_without_a_terminal() {
        let yes = Script {
            answer: Some(true),
            seen: Mutex::new(vec![]),
        };
        assert_eq!(run(&yes).await, (true, 1));
        let seen = yes.seen.into_inner().unwrap();
        assert!(
            seen.contains(&"asked: the application writes t.c".to_string()),
            "{seen:?}"
        );
        for line in [
            "start 1",
            "done 2 (5 rows)",
            "batch 3/3",
            "start 4",
            "done 4 (0 rows)",
        ] {
            assert!(seen.contains(&line.to_string()), "{line} in {seen:?}");
        }

        // Declined, or nobody to ask: the migration waits at its gate, the phase after it not run.
        let no = Script {
            answer: Some(false),
            seen: Mutex::new(vec![]),
        };
        assert_eq!(run(&no).await, (false, 0));
        assert_eq!(run(&Silent).await, (false, 0));
    }
}
