#!/usr/bin/env bash
# The whole schema diff corpus (tests/diff_corpus/<engine>.toml, issue 16) on SQLite, PostgreSQL and MariaDB:
# for each pair `schema diff current --to-file to.sql --generate-migration --allow-destructive`,
# `migrate apply`, compare with the engine's own dump, `migrate rollback --yes`, compare again.
# Prints one line per engine (pairs, reached, refused, failed, hard failures, pass rate, time); the per-pair
# reports are in target/test-artifacts/diff-corpus-<engine>.txt.
#
# Run: bash bench/diff_corpus.sh   (needs PostgreSQL on 127.0.0.1:5432, MariaDB on 127.0.0.1:3306,
# pg_dump of the server's major version and mariadb-dump). Exit status 0 even when an engine's test fails:
# the figures are what is wanted here; the test itself fails on a hard failure or under its floor.
set -uo pipefail
cd "$(dirname "$0")/.."
cargo build -p ai-shell --tests >&2 || exit 1
status=0
for engine in postgres mysql sqlite; do
  start=$(date +%s)
  AI_SHELL_DIFF_CORPUS=all cargo test -q -p ai-shell --test e2e "diff_corpus::diff_corpus_${engine}" \
    -- --exact --nocapture --test-threads=1 >/dev/null 2>&1 || status=1
  end=$(date +%s)
  report=target/test-artifacts/diff-corpus-${engine}.txt
  if [ -f "$report" ]; then
    head -1 "$report"
    echo "  wall time $((end - start)) s; failures:"
    grep -E '^(CONSENT|refused|FAILED|HARD|skipped) ' "$report" | cut -c1-200 | sed 's/^/    /'
  else
    echo "$engine: no report (the test did not run: see cargo test output)"
  fi
done
exit 0
