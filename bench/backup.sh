#!/usr/bin/env bash
# Backup and restore of a ROWS-row table (default 2,000,000) with ai-shell against the engines' own tools run
# directly, in the same run (issue 18): PostgreSQL `pg_dump --format=custom` / `pg_restore` (into an emptied
# database, as ai-shell's restore leaves it), MariaDB `mariadb-dump --single-transaction --routines --triggers`
# / `mariadb < dump`, SQLite `sqlite3 .backup` / `.restore`. ai-shell does more than the tool: it counts the
# rows of every table (PostgreSQL: in the dump's own snapshot), checksums the file, writes a manifest; its
# restore empties the database and loads in one transaction (PostgreSQL), refuses a damaged file, and keeps
# a safety backup of what was there (here --no-safety-backup, so both sides do the same work).
# Each measurement is the best of REPEAT runs (default 3), wall time.
# Run: cargo build --release -p ai-shell && bash bench/backup.sh      (about 4 minutes at the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-2000000}
REPEAT=${REPEAT:-3}
AI=${AI_BIN:-$PWD/target/release/ai-shell}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
MYHOST=${MYHOST:-127.0.0.1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AI_SHELL_CONFIG_DIR="$work/no-user-config"

now() { date +%s.%N; }
# best_of CMD...: the smallest wall time of REPEAT runs, in seconds.
best_of() {
  local best=""
  for _ in $(seq "$REPEAT"); do
    local t0 t1 d
    t0=$(now); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; t1=$(now)
    d=$(echo "$t1 - $t0" | bc)
    if [ -z "$best" ] || (( $(echo "$d < $best" | bc) )); then best=$d; fi
  done
  printf '%.2f' "$best"
}

row() { printf '| %s | %s | %s s | %s s | %.2fx |\n' "$1" "$2" "$3" "$4" "$(echo "$4 / $3" | bc -l)"; }

echo "| engine | step | the tool directly | ai-shell | ratio |"
echo "|---|---|---|---|---|"

# --- PostgreSQL ---
psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS bench_backup" -c "CREATE DATABASE bench_backup" >/dev/null
psql "$PGURL/bench_backup" -q >/dev/null <<SQL
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, amount numeric(12,2), note text, created timestamptz DEFAULT now());
INSERT INTO orders SELECT g, g % 100000, (g % 9973) / 7.0, 'order ' || g, now() - g * interval '1 second' FROM generate_series(1, $ROWS) g;
CREATE INDEX orders_customer ON orders (customer_id);
SQL
mkdir -p "$work/pg" && cd "$work/pg"
db="$PGURL/bench_backup"
pgdump() { rm -f d.dump; pg_dump --format=custom --file=d.dump --dbname="$db"; }
aidump() { rm -rf .ai-shell; "$AI" -d "$db" backup create --name b >/dev/null; }
row postgres "backup (${ROWS} rows)" "$(best_of pgdump)" "$(best_of aidump)"
pgdump
empty() { psql "$db" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1; }
pgrestore() { empty; pg_restore --dbname="$db" d.dump; }
airestore() { "$AI" -d "$db" backup restore b --allow-destructive --force --no-safety-backup </dev/null; }
row postgres "restore" "$(best_of pgrestore)" "$(best_of airestore)"
cd - >/dev/null
psql "$PGURL/postgres" -qc "DROP DATABASE bench_backup WITH (FORCE)" >/dev/null

# --- MariaDB ---
mariadb -h "$MYHOST" -uroot -e "DROP DATABASE IF EXISTS bench_backup; CREATE DATABASE bench_backup"
mariadb -h "$MYHOST" -uroot bench_backup <<SQL
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, amount decimal(12,2), note text, created timestamp DEFAULT current_timestamp, KEY orders_customer (customer_id));
INSERT INTO orders SELECT seq, seq % 100000, (seq % 9973) / 7.0, concat('order ', seq), now() - interval seq second FROM seq_1_to_$ROWS;
SQL
mkdir -p "$work/my" && cd "$work/my"
mydb="mysql://root@$MYHOST:3306/bench_backup"
mydump() { mariadb-dump -h "$MYHOST" -uroot --single-transaction --routines --triggers --hex-blob --no-tablespaces bench_backup > d.sql; }
aimydump() { rm -rf .ai-shell; "$AI" -d "$mydb" backup create --name b >/dev/null; }
row mariadb "backup (${ROWS} rows)" "$(best_of mydump)" "$(best_of aimydump)"
mydump
myrestore() { mariadb -h "$MYHOST" -uroot -e "DROP DATABASE bench_backup; CREATE DATABASE bench_backup"; mariadb -h "$MYHOST" -uroot bench_backup < d.sql; }
aimyrestore() { "$AI" -d "$mydb" backup restore b --allow-destructive --force --no-safety-backup </dev/null; }
row mariadb "restore" "$(best_of myrestore)" "$(best_of aimyrestore)"
cd - >/dev/null
mariadb -h "$MYHOST" -uroot -e "DROP DATABASE bench_backup"

# --- SQLite ---
mkdir -p "$work/lite" && cd "$work/lite"
sqlite3 live.db "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, amount REAL, note TEXT, created TEXT);
WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < $ROWS)
INSERT INTO orders SELECT x, x % 100000, (x % 9973) / 7.0, 'order ' || x, datetime('now', '-' || x || ' seconds') FROM g;
CREATE INDEX orders_customer ON orders (customer_id);"
litedump() { rm -f copy.db; sqlite3 live.db ".backup copy.db"; }
ailitedump() { rm -rf .ai-shell; "$AI" -d sqlite://live.db backup create --name b >/dev/null; }
row sqlite "backup (${ROWS} rows)" "$(best_of litedump)" "$(best_of ailitedump)"
literestore() { sqlite3 live.db ".restore copy.db"; }
ailiterestore() { "$AI" -d sqlite://live.db backup restore b --allow-destructive --force --no-safety-backup </dev/null; }
row sqlite "restore" "$(best_of literestore)" "$(best_of ailiterestore)"
cd - >/dev/null
echo
echo "rows: $ROWS, best of $REPEAT; $(psql --version | head -1); $(mariadb-dump --version | head -1); sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
