#!/usr/bin/env bash
# `ai-shell schema export` against `pg_dump --schema-only` on the MusicBrainz schema (519 tables), same database,
# same run. Prints the median wall time of 5 runs of each, and ai-shell's peak memory.
#
# Run: bash bench/export_vs_pg_dump.sh   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
schema=${AI_SHELL_SHARED_SCHEMAS:-/work/shared/data/schemas}/musicbrainz-postgres.sql
db=aishell_bench_mb
cargo build --release -p ai-shell >&2
bin=target/release/ai-shell
export AI_SHELL_CACHE_DIR=$(mktemp -d)

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres
createdb -h 127.0.0.1 -U postgres "$db"
grep -v '^\\' "$schema" | psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null
url="postgres://postgres@127.0.0.1:5432/$db"
"$bin" --database "$url" schema export >/dev/null   # warm the component cache

time_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

ai_sql=$(for _ in 1 2 3 4 5; do time_ms "$bin" --database "$url" schema export --format sql; done | median)
ai_json=$(for _ in 1 2 3 4 5; do time_ms "$bin" --database "$url" schema export --format json; done | median)
pgd=$(for _ in 1 2 3 4 5; do time_ms pg_dump -h 127.0.0.1 -U postgres --schema-only "$db"; done | median)
rss=$(/usr/bin/time -f %M "$bin" --database "$url" schema export 2>&1 >/dev/null | tail -1)
tables=$(psql -h 127.0.0.1 -U postgres -tAc "select count(*) from pg_tables where schemaname not in ('pg_catalog','information_schema')" "$db")

echo "| tool (MusicBrainz, $tables tables) | median of 5 |"
echo "|---|---|"
echo "| ai-shell schema export --format sql | ${ai_sql} ms |"
echo "| ai-shell schema export --format json | ${ai_json} ms |"
echo "| pg_dump --schema-only | ${pgd} ms |"
echo
echo "ai-shell peak RSS: ${rss} KiB"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres
