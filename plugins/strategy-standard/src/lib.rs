//! The `standard` strategy: the changes as one phase, rendered by the dialect and run in one transaction
//! (on engines with transactional DDL) under the executor's short lock timeout. Chosen for small tables,
//! where the locks the DDL takes are held for milliseconds.

#[cfg(target_arch = "wasm32")]
use ai_shell_strategy_sdk::export_strategy;
use ai_shell_strategy_sdk::{
    Change, DatabaseSchema, Engine, LockLevel, Phase, PhaseKind, PluginError, PluginInfo, Step,
    Strategy, TableStats,
};

pub struct Standard;

impl Strategy for Standard {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "standard".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Every change in one phase and one transaction, as written; for small tables".into(),
            dialects: vec![],
            online: false,
        }
    }

    fn plan(
        changes: Vec<Change>,
        _schema: DatabaseSchema,
        stats: Vec<TableStats>,
        engine: Engine,
    ) -> Result<Option<Vec<Phase>>, PluginError> {
        if changes.is_empty() {
            return Ok(Some(vec![]));
        }
        let rows: u64 = stats.iter().map(|s| s.rows).sum();
        let transactional = engine.capabilities.transactional_ddl;
        Ok(Some(vec![Phase {
            name: "apply".into(),
            description: if transactional {
                "Apply every change in one transaction".into()
            } else {
                "Apply every change, statement by statement".into()
            },
            kind: PhaseKind::Ddl,
            steps: vec![Step::Render(changes.clone())],
            rollback: vec![Step::RenderInverse(changes)],
            lock: LockLevel::Exclusive,
            lock_note: "the locks the DDL takes, for as long as it runs (short on small tables)"
                .into(),
            // About a microsecond per row for the DDL that rewrites or scans a table, plus a fixed cost.
            estimated_ms: 50 + rows / 1000,
        }]))
    }
}

#[cfg(target_arch = "wasm32")]
export_strategy!(Standard);

#[cfg(test)]
mod tests {
    use super::*;
    use ai_shell_strategy_sdk::{CapabilitySet, QualifiedName};

    fn engine(transactional_ddl: bool) -> Engine {
        Engine {
            dialect: "postgres".into(),
            server_version: "15.19".into(),
            capabilities: CapabilitySet {
                transactional_ddl,
                concurrent_index: false,
                instant_add_column: false,
                alter_table_in_place: true,
                namespaces: false,
                enum_types: false,
                sequences: false,
                partial_indexes: false,
                expression_indexes: false,
                check_constraints: false,
                advisory_locks: false,
            },
        }
    }

    fn empty() -> DatabaseSchema {
        DatabaseSchema {
            namespaces: vec![],
            extensions: vec![],
            enums: vec![],
            sequences: vec![],
            tables: vec![],
            views: vec![],
            objects: vec![],
        }
    }

    #[test]
    fn one_phase_renders_the_changes_and_rolls_back_with_their_inverse() {
        let change = Change::DropTable(QualifiedName {
            namespace: None,
            name: "t".into(),
        });
        let phases = Standard::plan(vec![change.clone()], empty(), vec![], engine(true))
            .unwrap()
            .unwrap();
        assert_eq!(phases.len(), 1);
        assert!(matches!(phases[0].kind, PhaseKind::Ddl));
        assert!(matches!(&phases[0].steps[..], [Step::Render(c)] if c.len() == 1));
        assert!(matches!(&phases[0].rollback[..], [Step::RenderInverse(c)] if c.len() == 1));
        assert!(phases[0].description.contains("one transaction"));
    }

    #[test]
    fn nothing_to_do_is_no_phase() {
        let phases = Standard::plan(vec![], empty(), vec![], engine(false))
            .unwrap()
            .unwrap();
        assert!(phases.is_empty());
    }
}
