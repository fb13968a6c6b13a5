#!/usr/bin/env bash
# 500 small migrations (each creates a table with three columns and an index) applied to a fresh database by
# ai-shell, dbmate and sqlx-cli, side by side in the same run, on PostgreSQL, MariaDB and SQLite.
# Prints a Markdown table: median wall time of RUNS runs and peak RSS of each tool.
#
# Run: bash bench/apply_throughput.sh            (RUNS=3 COUNT=500 by default)
# Peers are installed under target/bench-tools on first use (npm `dbmate`, `cargo install sqlx-cli`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COUNT=${COUNT:-500}
RUNS=${RUNS:-3}
TOOLS=$ROOT/target/bench-tools
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release -p ai-shell >&2
AI=$ROOT/target/release/ai-shell
[ -x "$TOOLS/bin/sqlx" ] || cargo install --locked --root "$TOOLS" sqlx-cli --version 0.9.0 --no-default-features --features postgres,mysql,sqlite,rustls >&2
[ -x "$TOOLS/node_modules/.bin/dbmate" ] || npm install --prefix "$TOOLS" dbmate >&2
SQLX=$TOOLS/bin/sqlx
DBMATE=$TOOLS/node_modules/.bin/dbmate

# The same migrations in each tool's layout.
mkdir -p "$WORK/ai" "$WORK/dbmate" "$WORK/sqlx"
for i in $(seq 1 "$COUNT"); do
  n=$(printf '%04d' "$i")
  up="CREATE TABLE bench_$n (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100), created_at TIMESTAMP NULL);
CREATE INDEX idx_bench_${n}_name ON bench_$n (name);"
  printf -- '-- +up\n%s\n\n-- +down\nDROP TABLE bench_%s;\n' "$up" "$n" > "$WORK/ai/${n}_bench_$n.sql"
  printf -- '-- migrate:up\n%s\n\n-- migrate:down\nDROP TABLE bench_%s;\n' "$up" "$n" > "$WORK/dbmate/${n}_bench_$n.sql"
  printf -- '%s\n' "$up" > "$WORK/sqlx/${n}_bench_$n.sql"
done

fresh() { # engine name -> url for each tool: "ai|dbmate|sqlx"
  local engine=$1 name=$2
  case $engine in
    postgres)
      psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" postgres >/dev/null
      psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" postgres >/dev/null
      echo "postgres://postgres@127.0.0.1:5432/$name|postgres://postgres@127.0.0.1:5432/$name?sslmode=disable|postgres://postgres@127.0.0.1:5432/$name" ;;
    mariadb)
      mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name"
      echo "mysql://root@127.0.0.1:3306/$name|mysql://root@127.0.0.1:3306/$name|mysql://root@127.0.0.1:3306/$name" ;;
    sqlite)
      rm -f "$WORK/$name.db"*
      echo "sqlite://$WORK/$name.db|sqlite:$WORK/$name.db|sqlite://$WORK/$name.db?mode=rwc" ;;
  esac
}

measure() { # prints "seconds kib" of one command
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
  cat "$WORK/time"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| engine | tool | median wall time ($COUNT migrations, $RUNS runs) | peak RSS |"
echo "|---|---|---|---|"
# Runs are interleaved (run 1 of every tool, then run 2...) so background load hits every tool alike.
for engine in sqlite postgres mariadb; do
  declare -A times=() mem=()
  for run in $(seq 1 "$RUNS"); do
    for tool in ai-shell dbmate sqlx-cli; do
      IFS='|' read -r ai_url dbmate_url sqlx_url < <(fresh "$engine" "bench_${engine}_$run")
      case $tool in
        ai-shell) out=$(cd "$WORK" && measure "$AI" --database "$ai_url" --migrations-dir "$WORK/ai" migrate apply) ;;
        dbmate) out=$(measure "$DBMATE" --url "$dbmate_url" --migrations-dir "$WORK/dbmate" --no-dump-schema up) ;;
        sqlx-cli) out=$(measure "$SQLX" migrate run --source "$WORK/sqlx" --database-url "$sqlx_url") ;;
      esac
      times[$tool]+="${out% *} "
      m=${out#* }; [ "$m" -gt "${mem[$tool]:-0}" ] && mem[$tool]=$m
    done
  done
  for tool in ai-shell dbmate sqlx-cli; do
    med=$(printf '%s\n' ${times[$tool]} | median)
    echo "| $engine | $tool | ${med} s | $((${mem[$tool]} / 1024)) MiB |"
  done
  unset times mem
done
for run in $(seq 1 "$RUNS"); do
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS bench_postgres_$run WITH (FORCE)" postgres >/dev/null
  mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS bench_mariadb_$run"
done
