//! What a policy is given about a plan: the statements of a migration file (or of the file a request will
//! write), each a `raw-sql` change until a planner's changes replace them; the rules read the same statements
//! either way, so a plan and the file written from it get the same findings.

use crate::model::{Change, DatabaseSchema, RawSql};
use crate::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::{
    Author, DataProblem, PlanInput, RunContext, Setting, Statement, TableSize,
};
use crate::safety::analysis::{self, Effect, Name};

/// Facts about the run that every input carries.
#[derive(Clone, Debug)]
pub struct Facts {
    /// The dialect plugin's name.
    pub engine: String,
    pub server_version: String,
    pub environment: Option<String>,
    pub strategy: Option<String>,
    pub lock_timeout_ms: Option<u64>,
    pub author: Author,
    pub migration_id: Option<String>,
    pub checksum: Option<String>,
    pub has_down: bool,
}

/// What was read from the database, when one was.
#[derive(Clone, Debug, Default)]
pub struct Live {
    pub before: Option<DatabaseSchema>,
    pub after: Option<DatabaseSchema>,
    pub stats: Vec<TableSize>,
    pub stats_known: bool,
    pub data: Vec<DataProblem>,
}

/// A migration file's up statements: one `raw-sql` change each.
pub fn from_statements(
    sqls: &[String],
    facts: &Facts,
    live: Live,
    settings: Vec<Setting>,
) -> PlanInput {
    let destructive = destructive_statements(sqls);
    let changes = sqls
        .iter()
        .map(|s| {
            Change::RawSql(RawSql {
                up: s.clone(),
                down: None,
                note: None,
            })
        })
        .collect();
    let statements = sqls
        .iter()
        .enumerate()
        .map(|(i, s)| Statement {
            sql: s.clone(),
            change_index: i as u32,
            outside_transaction: false,
            lock: None,
            rewrites_table: None,
            destructive: destructive[i],
        })
        .collect();
    input(changes, statements, facts, live, settings)
}

fn input(
    changes: Vec<Change>,
    statements: Vec<Statement>,
    facts: &Facts,
    live: Live,
    settings: Vec<Setting>,
) -> PlanInput {
    PlanInput {
        changes,
        statements,
        before: live.before,
        after: live.after,
        stats: live.stats,
        stats_known: live.stats_known,
        data: live.data,
        context: RunContext {
            engine: facts.engine.clone(),
            server_version: facts.server_version.clone(),
            environment: facts.environment.clone(),
            strategy: facts.strategy.clone(),
            lock_timeout_ms: facts.lock_timeout_ms,
            author: facts.author,
            migration_id: facts.migration_id.clone(),
            checksum: facts.checksum.clone(),
            has_down: facts.has_down,
        },
        settings,
    }
}

/// Which statements destroy data that existed before the migration, read from their text: drops and
/// truncations of tables and columns the migration did not create, type changes, unless the rows were
/// copied elsewhere first (a SQLite table rebuild copies before it drops).
pub fn destructive_statements(sqls: &[String]) -> Vec<bool> {
    let mut created: Vec<Name> = vec![];
    let mut added: Vec<(Name, String)> = vec![];
    let mut copied: Vec<Name> = vec![];
    sqls.iter()
        .map(|sql| {
            let mut destructive = false;
            for effect in analysis::effects(sql) {
                let fresh = |t: &Name, created: &[Name]| created.iter().any(|c| c.same(t));
                match effect {
                    Effect::CreateTable(t) => created.push(t),
                    Effect::AddColumn(t, c) => added.push((t, c.to_ascii_lowercase())),
                    Effect::RenameTable(from, to) if fresh(&from, &created) => created.push(to),
                    Effect::Copy(c) => copied.push(c.source),
                    Effect::DropTable(t) => {
                        destructive |= !fresh(&t, &created) && !copied.iter().any(|c| c.same(&t))
                    }
                    Effect::EmptyTable(t) => destructive |= !fresh(&t, &created),
                    Effect::DropNamespace(_) => destructive = true,
                    Effect::DropColumn(t, c) => {
                        let c = c.to_ascii_lowercase();
                        destructive |= !fresh(&t, &created)
                            && !added.iter().any(|(at, ac)| at.same(&t) && *ac == c)
                    }
                    Effect::ChangeType(t, ..) => destructive |= !fresh(&t, &created),
                    _ => {}
                }
            }
            destructive
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_of_what_the_migration_made_or_copied_are_not_destructive() {
        let sqls: Vec<String> = [
            "CREATE TABLE t2 (id int)",
            "INSERT INTO t2 (id) SELECT id FROM t",
            "DROP TABLE t",
            "ALTER TABLE t2 RENAME TO t",
            "ALTER TABLE u DROP COLUMN c",
            "DROP TABLE t2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            destructive_statements(&sqls),
            vec![false, false, false, false, true, false]
        );
    }
}
