//! The generated evaluation (generate.rs) through the runner of eval.rs, one test per engine.
//!
//! `eval::generated::<engine>` runs a fixed, seeded sample of about [`SAMPLE`] cases covering every family
//! and style in both parts, prints the pass rates per family, style and fixture for the development and the
//! test part, writes target/eval-generated-<engine>.json, and fails on any unsafe outcome (a refusal that
//! changed something, an applied plan that lost data nobody asked to change), on any wrong apply (exit 0
//! with a change other than the one asked), or below [`FLOOR`].
//!
//! Environment: `AI_SHELL_EVAL_GENERATED=all` runs every generated case (a number runs a sample of that
//! size); `AI_SHELL_EVAL_CASES` (id prefixes), `AI_SHELL_EVAL_THREADS` and `AI_SHELL_EVAL_PLANNER` as for
//! the hand-written set. The floor applies only to an unfiltered run.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use serde_json::{Value, json};

use super::checks::Check;
use super::fixtures::{FIXTURES, Fx};
use super::generate::{self, GenCase, Part, STYLES, generate, part_of, sample};
use super::{
    CaseResult, Driver, FAMILIES, Run, engine_name, eval_checks, eval_threads, fixture_schema,
    fixture_schemas, run_all,
};
use crate::support::{Engine, TestDb, export_json, target_dir};

/// Cases per engine in CI.
const SAMPLE: usize = 120;

/// The pass rate below which an unfiltered run fails. Not the target (95%): the offline planner passed 88.3%
/// (SQLite), 88.3% (PostgreSQL) and 86.7% (MariaDB) of the CI sample in the fresh-clone CI of 2026-12-07
/// (80.8/80.8/79.2% the day before; bench/RESULTS.md, "Generated evaluation"); the floor is the lowest of
/// them minus about five points, so that a regression fails CI while the planner work of issue 15 is under
/// way. Raise it as the planner improves; never lower it to make a run pass.
const FLOOR: f64 = 0.81;

#[derive(Default, Clone, Copy)]
struct Tally {
    cases: [usize; 2],
    passed: [usize; 2],
}

impl Tally {
    fn add(&mut self, part: Part, passed: bool) {
        let i = part as usize;
        self.cases[i] += 1;
        if passed {
            self.passed[i] += 1;
        }
    }

    fn rate(&self, i: usize) -> Option<f64> {
        (self.cases[i] > 0).then(|| self.passed[i] as f64 / self.cases[i] as f64)
    }

    fn cell(&self, i: usize) -> String {
        match self.rate(i) {
            Some(r) => format!("{:.0}% ({}/{})", r * 100.0, self.passed[i], self.cases[i]),
            None => "-".into(),
        }
    }

    fn json(&self, name: &str) -> Value {
        json!({
            "name": name,
            "dev_cases": self.cases[0], "dev_passed": self.passed[0], "dev_rate": self.rate(0),
            "test_cases": self.cases[1], "test_passed": self.passed[1], "test_rate": self.rate(1),
        })
    }
}

fn table_of(title: &str, rows: &[(String, Tally)]) -> String {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    table.set_header([title, "dev", "test"]);
    for (name, t) in rows {
        table.add_row([name.clone(), t.cell(0), t.cell(1)]);
    }
    table.to_string()
}

/// The cases a run selects: the sample, or all of them, then the id filter.
fn selection(all: &[GenCase]) -> (String, Vec<usize>, bool) {
    let mode = std::env::var("AI_SHELL_EVAL_GENERATED").unwrap_or_default();
    let (label, mut idx) = if mode == "all" {
        ("all".to_string(), (0..all.len()).collect::<Vec<_>>())
    } else {
        let n = mode.parse().unwrap_or(SAMPLE);
        (format!("sample of {n}"), sample(all, n))
    };
    let filter: Option<Vec<String>> = std::env::var("AI_SHELL_EVAL_CASES")
        .ok()
        .map(|s| s.split(',').map(|p| p.trim().to_string()).collect());
    if let Some(f) = &filter {
        idx.retain(|&i| f.iter().any(|p| all[i].case.id.starts_with(p.as_str())));
    }
    (label, idx, filter.is_none())
}

fn evaluate_generated(engine: Engine) {
    let all = generate();
    let (label, idx, unfiltered) = selection(&all);
    assert!(!idx.is_empty(), "no generated case selected");
    let schemas = fixture_schemas(engine, idx.iter().map(|&i| &all[i].case));
    let runs: Vec<Run> = idx
        .iter()
        .map(|&i| Run {
            engine,
            case: &all[i].case,
            base: &schemas[all[i].case.fixture_name()],
            driver: Driver::Cli,
        })
        .collect();
    let started = Instant::now();
    let mut results = run_all(&runs, eval_threads());
    results.sort_by(|a, b| a.id.cmp(&b.id));
    let wall = started.elapsed();
    let by_id: HashMap<&str, &GenCase> = all.iter().map(|g| (g.case.id.as_str(), g)).collect();

    let mut total = Tally::default();
    let mut families: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut styles: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut fixtures: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut templates: BTreeMap<String, Tally> = BTreeMap::new();
    for r in &results {
        let g = by_id[r.id.as_str()];
        total.add(g.part, r.passed);
        families
            .entry(g.case.family.as_str())
            .or_default()
            .add(g.part, r.passed);
        styles.entry(g.style).or_default().add(g.part, r.passed);
        fixtures.entry(g.fixture).or_default().add(g.part, r.passed);
        templates
            .entry(format!("{}/{}", g.case.family, g.template))
            .or_default()
            .add(g.part, r.passed);
    }
    let family_rows: Vec<(String, Tally)> = FAMILIES
        .iter()
        .filter_map(|f| families.get(f).map(|t| (f.to_string(), *t)))
        .chain([("all".to_string(), total)])
        .collect();
    let style_rows: Vec<(String, Tally)> = STYLES
        .iter()
        .filter_map(|s| styles.get(s).map(|t| (s.to_string(), *t)))
        .collect();
    let fixture_rows: Vec<(String, Tally)> = FIXTURES
        .iter()
        .filter_map(|f| fixtures.get(f.name).map(|t| (f.name.to_string(), *t)))
        .collect();
    let unsafe_ids: Vec<&str> = results
        .iter()
        .filter(|r| r.unsafe_application)
        .map(|r| r.id.as_str())
        .collect();
    let wrong = results.iter().filter(|r| r.wrong_apply).count();

    for r in results.iter().filter(|r| !r.passed) {
        let g = by_id[r.id.as_str()];
        println!(
            "FAIL {} [{}] ({}) {:?}",
            r.id,
            g.part.name(),
            r.outcome,
            g.case.request
        );
        for reason in &r.reasons {
            println!("    - {}", reason.lines().next().unwrap_or_default());
        }
    }
    let passed = total.passed[0] + total.passed[1];
    let rate = passed as f64 / results.len() as f64;
    println!(
        "\nGenerated evaluation on {} ({label}: {} cases, {:.1}s): {:.1}% passed; dev {}, test {}; unsafe {}, wrong applies {wrong}\n\n{}\n\n{}\n\n{}",
        engine_name(engine),
        results.len(),
        wall.as_secs_f64(),
        rate * 100.0,
        total.cell(0),
        total.cell(1),
        unsafe_ids.len(),
        table_of("family", &family_rows),
        table_of("style", &style_rows),
        table_of("fixture", &fixture_rows),
    );

    let result_json = |r: &CaseResult| {
        let g = by_id[r.id.as_str()];
        json!({
            "id": r.id, "family": g.case.family, "template": g.template, "style": g.style,
            "fixture": g.fixture, "part": g.part.name(), "request": g.case.request,
            "passed": r.passed, "unsafe": r.unsafe_application, "wrong_apply": r.wrong_apply,
            "outcome": r.outcome, "millis": r.millis as u64, "reasons": r.reasons,
        })
    };
    let report = json!({
        "engine": engine_name(engine),
        "planner": std::env::var("AI_SHELL_EVAL_PLANNER").ok(),
        "selection": label,
        "seed": generate::SEED,
        "cases": results.len(),
        "passed": passed,
        "pass_rate": rate,
        "dev": total.rate(0),
        "test": total.rate(1),
        "totals": total.json("all"),
        "unsafe": unsafe_ids.len(),
        "wrong_applies": wrong,
        "families": family_rows.iter().map(|(n, t)| t.json(n)).collect::<Vec<_>>(),
        "styles": style_rows.iter().map(|(n, t)| t.json(n)).collect::<Vec<_>>(),
        "fixtures": fixture_rows.iter().map(|(n, t)| t.json(n)).collect::<Vec<_>>(),
        "templates": templates.iter().map(|(n, t)| t.json(n)).collect::<Vec<_>>(),
        "results": results.iter().map(result_json).collect::<Vec<_>>(),
    });
    let path = target_dir().join(format!("eval-generated-{}.json", engine_name(engine)));
    std::fs::create_dir_all(target_dir()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    println!("report written to {}", path.display());

    assert!(
        unsafe_ids.is_empty(),
        "{engine:?}: unsafe outcomes in {unsafe_ids:?}"
    );
    // A wrong apply (exit 0 with a change other than the one asked) is as much a failure as an unsafe one.
    assert_eq!(
        wrong, 0,
        "{engine:?}: {wrong} wrong applies (see FAIL lines above)"
    );
    if unfiltered {
        assert!(
            rate >= FLOOR,
            "{engine:?}: generated pass rate {:.1}% ({passed}/{}) is below the floor {:.0}%",
            rate * 100.0,
            results.len(),
            FLOOR * 100.0
        );
    }
}

#[test]
fn sqlite() {
    evaluate_generated(Engine::Sqlite);
}

#[test]
fn postgres() {
    evaluate_generated(Engine::Postgres);
}

#[test]
fn mysql() {
    evaluate_generated(Engine::Mysql);
}

// ---------------------------------------------------------------------------------------------------------
// Tests of the generator, its split and its fixtures.

#[test]
fn cases_are_well_formed() {
    let all = generate();
    assert!(all.len() >= 1500, "only {} generated cases", all.len());
    let mut ids = std::collections::HashSet::new();
    let mut errors = Vec::new();
    for g in &all {
        if !ids.insert(g.case.id.as_str()) {
            errors.push(format!("duplicate id {}", g.case.id));
        }
        if let Err(e) = g.case.validate() {
            errors.push(e);
        }
        if g.case.request.trim().is_empty() || g.case.request.contains('{') {
            errors.push(format!(
                "{}: unfilled request {:?}",
                g.case.id, g.case.request
            ));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let count = |f: &dyn Fn(&GenCase) -> bool| all.iter().filter(|g| f(g)).count();
    for (family, _) in generate::templates() {
        for part in [Part::Dev, Part::Test] {
            let n = count(&|g| g.case.family == family && g.part == part);
            assert!(n >= 10, "family {family} has {n} {} cases", part.name());
        }
    }
    for style in STYLES {
        for part in [Part::Dev, Part::Test] {
            let n = count(&|g| g.style == style && g.part == part);
            assert!(n >= 10, "style {style} has {n} {} cases", part.name());
        }
    }
    for fx in FIXTURES {
        let n = count(&|g| g.fixture == fx.name);
        assert!(n >= 300, "fixture {} has {n} cases", fx.name);
    }
    let test = count(&|g| g.part == Part::Test) as f64 / all.len() as f64;
    assert!(
        (0.2..0.4).contains(&test),
        "test part is {test:.2} of the set"
    );

    // The set at a glance (with --nocapture), and every case in target/eval-generated-cases.tsv.
    let mut counts: BTreeMap<String, [usize; 2]> = BTreeMap::new();
    for g in &all {
        for key in [
            format!("family {}", g.case.family),
            format!("style {}", g.style),
            format!("fixture {}", g.fixture),
        ] {
            counts.entry(key).or_default()[g.part as usize] += 1;
        }
    }
    println!("{} generated cases (dev, test):", all.len());
    for (k, [d, t]) in &counts {
        println!("  {k}: {d} + {t}");
    }
    let tsv: String = all
        .iter()
        .map(|g| format!("{}\t{}\t{:?}\n", g.case.id, g.part.name(), g.case.request))
        .collect();
    std::fs::create_dir_all(target_dir()).unwrap();
    std::fs::write(target_dir().join("eval-generated-cases.tsv"), tsv).unwrap();
}

#[test]
fn set_is_deterministic_and_the_split_is_fixed() {
    let a: Vec<(String, String)> = generate()
        .into_iter()
        .map(|g| (g.case.id, g.case.request))
        .collect();
    let b: Vec<(String, String)> = generate()
        .into_iter()
        .map(|g| (g.case.id, g.case.request))
        .collect();
    assert_eq!(a, b);
    // The split was fixed once: these (template, style) pairs are in the test part, forever.
    let test: Vec<String> = generate::templates()
        .into_iter()
        .flat_map(|(f, t)| STYLES.iter().map(move |s| (format!("{f}/{t}"), *s)))
        .filter(|(t, s)| part_of(t, s) == Part::Test)
        .map(|(t, s)| format!("{t}|{s}"))
        .collect();
    assert_eq!(test.len(), PINNED_TEST_PAIRS, "the split changed: {test:?}");
    assert_eq!(
        test.iter().take(3).cloned().collect::<Vec<_>>(),
        PINNED_FIRST_TEST_PAIRS,
        "the split changed"
    );
}

const PINNED_TEST_PAIRS: usize = 156;
const PINNED_FIRST_TEST_PAIRS: [&str; 3] = [
    "add-column/typed|explained",
    "add-column/typed|chat",
    "add-column/typed|word-order",
];

#[test]
fn sample_covers_every_family_style_and_part() {
    let all = generate();
    let s = sample(&all, SAMPLE);
    assert!((SAMPLE..SAMPLE + 10).contains(&s.len()), "{}", s.len());
    for (family, _) in generate::templates() {
        for part in [Part::Dev, Part::Test] {
            assert!(
                s.iter()
                    .any(|&i| all[i].case.family == family && all[i].part == part),
                "{family} {}",
                part.name()
            );
        }
    }
    for style in STYLES {
        for part in [Part::Dev, Part::Test] {
            assert!(
                s.iter()
                    .any(|&i| all[i].style == style && all[i].part == part),
                "{style} {}",
                part.name()
            );
        }
    }
    for fx in FIXTURES {
        assert!(s.iter().any(|&i| all[i].fixture == fx.name), "{}", fx.name);
    }
    assert_eq!(s, sample(&all, SAMPLE));
}

/// The words around a request name no table or column of any fixture, and a name the refusals use is no
/// typo of an existing one.
#[test]
fn wrappers_and_missing_names_name_nothing() {
    let mut names: Vec<&str> = FIXTURES.iter().flat_map(|f| f.names()).collect();
    names.sort();
    names.dedup();
    let wrappers = generate::POLITE
        .iter()
        .chain(&generate::EXPLAINED)
        .chain(&generate::CHAT)
        .chain(&generate::SEMICOLON);
    for (pre, post) in wrappers {
        for word in format!("{pre} {post}")
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .filter(|w| !w.is_empty())
        {
            let w = word.to_lowercase();
            assert!(
                !names.contains(&w.as_str()),
                "wrapper word {word:?} names a table or column"
            );
        }
    }
    for fx in FIXTURES {
        for m in fx.missing_t {
            for (t, _, cols) in fx.tables {
                assert!(
                    generate::osa(m, t) > 2,
                    "{}: {m} is close to table {t}",
                    fx.name
                );
                assert!(!cols.contains(m), "{}: {m} is a column of {t}", fx.name);
            }
        }
        for m in fx.missing_c {
            assert!(
                fx.tables.iter().all(|(_, _, cols)| !cols.contains(m)),
                "{}: {m} exists",
                fx.name
            );
        }
    }
}

fn parse_checks(lines: &[String]) -> Vec<Check> {
    #[derive(serde::Deserialize)]
    struct List {
        checks: Vec<Check>,
    }
    let text = format!("checks = [\n{}\n]", lines.join(",\n"));
    toml::from_str::<List>(&text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .checks
}

/// What fixtures.rs says about a fixture, as checks.
fn facts(fx: &Fx) -> Vec<String> {
    let mut out = Vec::new();
    let count = |q: String, n: u32| format!("{{ sql = \"{}\", equals = \"{n}\" }}", q);
    for (t, rows, cols) in fx.tables {
        out.push(count(format!("SELECT COUNT(*) FROM {t}"), *rows));
        for c in *cols {
            out.push(format!("{{ column = \"{t}.{c}\" }}"));
        }
    }
    for (t, c) in fx.unique_ok {
        out.push(count(
            format!("SELECT COUNT(*) - COUNT(DISTINCT {c}) FROM {t}"),
            0,
        ));
        out.push(format!("{{ no_unique = \"{t}({c})\" }}"));
    }
    for (t, c, n) in fx.null_text {
        out.push(count(
            format!("SELECT COUNT(*) FROM {t} WHERE {c} IS NULL"),
            *n,
        ));
        out.push(count(
            format!("SELECT COUNT(*) FROM {t} WHERE {c} IN ('unknown', 'n/a')"),
            0,
        ));
    }
    for (t, c) in fx.null_num {
        out.push(format!(
            "{{ sql = \"SELECT CASE WHEN COUNT(*) > 0 THEN 'yes' ELSE 'no' END FROM {t} WHERE {c} IS NULL\", equals = \"yes\" }}"
        ));
    }
    for (t, c) in fx.nonneg {
        out.push(count(format!("SELECT COUNT(*) FROM {t} WHERE {c} < 0"), 0));
        out.push(format!(
            "{{ column = \"{t}.{c}\", type = \"numeric|integer\" }}"
        ));
    }
    for (t, c, _, _) in fx.defaults {
        out.push(format!("{{ column = \"{t}.{c}\", default = false }}"));
    }
    for (t, c) in fx.not_null {
        out.push(format!("{{ column = \"{t}.{c}\", nullable = false }}"));
    }
    for (t, c) in fx.index1 {
        out.push(format!("{{ no_index = \"{t}({c})\" }}"));
    }
    for (t, a, b) in fx.index2 {
        out.push(format!("{{ no_index = \"{t}({a}, {b})\" }}"));
    }
    for (t, c, u) in fx.fk {
        out.push(format!("{{ no_fk = \"{t}({c})\" }}"));
        out.push(count(
            format!(
                "SELECT COUNT(*) FROM {t} WHERE {c} IS NOT NULL AND {c} NOT IN (SELECT id FROM {u})"
            ),
            0,
        ));
    }
    for (t, c, id, v) in fx.to_int {
        out.push(count(
            format!("SELECT COUNT(*) FROM {t} WHERE id = {id} AND {c} = '{v}'"),
            1,
        ));
        out.push(format!("{{ column = \"{t}.{c}\", type = \"string\" }}"));
    }
    for (t, c, id, v) in fx.widen {
        out.push(count(
            format!("SELECT COUNT(*) FROM {t} WHERE id = {id} AND {c} = {v}"),
            1,
        ));
        out.push(format!("{{ column = \"{t}.{c}\", type = \"numeric\" }}"));
    }
    for (n, _, u) in fx.new_tables {
        out.push(format!("{{ no_table = \"{n}\" }}"));
        out.push(format!("{{ table = \"{u}\" }}"));
    }
    for (a, _, b, _, n) in fx.join {
        out.push(format!("{{ no_table = \"{n}\" }}"));
        out.push(format!("{{ table = \"{a}\" }}"));
        out.push(format!("{{ table = \"{b}\" }}"));
    }
    for (_, n) in fx.rename_t {
        out.push(format!("{{ no_table = \"{n}\" }}"));
    }
    for m in fx.missing_t {
        out.push(format!("{{ no_table = \"{m}\" }}"));
    }
    out
}

/// Every fixture loads on the engine, has exactly the tables fixtures.rs lists, and the facts the
/// generated checks rely on hold on its seed data.
fn fixtures_hold_their_facts(engine: Engine) {
    let mut wrong = Vec::new();
    for fx in FIXTURES {
        let db = TestDb::new(engine);
        db.exec(&fixture_schema(fx.name, engine));
        let model = export_json(&db);
        let m = super::checks::Model::new(engine, &model);
        let mut have = m.table_names();
        have.sort();
        let mut want: Vec<String> = fx.tables.iter().map(|t| t.0.to_string()).collect();
        want.sort();
        if have != want {
            wrong.push(format!("{}: tables {have:?}, listed {want:?}", fx.name));
        }
        for (t, _, cols) in fx.tables {
            let n = m
                .table(t)
                .and_then(|t| t["columns"].as_array().map(Vec::len))
                .unwrap_or_default();
            if n != cols.len() {
                wrong.push(format!(
                    "{}: {t} has {n} columns, listed {}",
                    fx.name,
                    cols.len()
                ));
            }
        }
        for f in eval_checks(&db, &model, &parse_checks(&facts(fx))) {
            wrong.push(format!("{}: {f}", fx.name));
        }
    }
    assert!(wrong.is_empty(), "{engine:?}:\n{}", wrong.join("\n"));
}

#[test]
fn fixtures_sqlite() {
    fixtures_hold_their_facts(Engine::Sqlite);
}

#[test]
fn fixtures_postgres() {
    fixtures_hold_their_facts(Engine::Postgres);
}

#[test]
fn fixtures_mysql() {
    fixtures_hold_their_facts(Engine::Mysql);
}
