//! The rules, grouped by what they guard against, and the two checks that run them. Each rule module
//! pushes findings; the checks then keep those whose rule applies to the engine and the scope.

mod blocking;
mod context;
mod data;
mod design;
mod destructive;
mod naming;
mod process;
mod schema;
pub mod table;

use ai_shell_policy_sdk::{Finding, PlanInput, QualifiedName, SchemaInput, Severity};

pub use context::{Plan, display, thousands};

/// Findings about one plan.
pub fn check_plan(input: &PlanInput) -> Vec<Finding> {
    let plan = Plan::new(input);
    let mut out = Vec::new();
    destructive::check(&plan, &mut out);
    blocking::check(&plan, &mut out);
    data::check(&plan, &mut out);
    process::check(&plan, &mut out);
    design::check(&plan, &mut out);
    keep(out, &input.context.engine, |r| r.plan)
}

/// Findings about a whole schema.
pub fn check_schema(input: &SchemaInput) -> Vec<Finding> {
    let mut out = Vec::new();
    schema::check(input, &mut out);
    keep(out, &input.engine, |r| r.schema)
}

/// The findings whose rule applies to `engine` in this scope.
fn keep(
    findings: Vec<Finding>,
    engine: &str,
    scope: impl Fn(&table::RuleDef) -> bool,
) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| table::rule(&f.rule).is_some_and(|r| scope(r) && table::applies(r, engine)))
        .collect()
}

/// A finding of rule `id`, with the rule's default severity and documentation link.
pub fn finding(id: &str, message: String, hint: impl Into<String>) -> Finding {
    Finding {
        rule: id.into(),
        severity: table::rule(id).map_or(Severity::Warn, |r| r.severity),
        message,
        change_index: None,
        statement_index: None,
        table: None,
        hint: hint.into(),
        docs: table::docs(id),
    }
}

/// Where a finding points.
pub trait Place {
    /// At statement `stmt` of the plan (and the change it implements).
    fn at(self, plan: &Plan, stmt: usize) -> Self;
    /// About `table`.
    fn on(self, table: QualifiedName) -> Self;
}

impl Place for Finding {
    fn at(mut self, plan: &Plan, stmt: usize) -> Self {
        self.statement_index = Some(stmt as u32);
        self.change_index = plan.input.statements.get(stmt).map(|s| s.change_index);
        self
    }

    fn on(mut self, table: QualifiedName) -> Self {
        self.table = Some(table);
        self
    }
}
