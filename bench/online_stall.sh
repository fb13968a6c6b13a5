#!/usr/bin/env bash
# How long a schema change stalls a live writer (issue 5). A table orders (ROWS rows, default 2,000,000) and
# customers (CUSTOMERS rows) take a steady write load while one change runs; the writer's per-transaction latency
# is logged and summarised over the migration's window.
#
# Writer: RATE transactions/s (default 200) from 4 clients on a Poisson schedule, each transaction an UPDATE of a
# random order's amount (the column the type change touches) and an INSERT. Latency is measured from the
# scheduled start, so writes queued behind a blocked one count. PostgreSQL: pgbench -R (bench/online_stall/
# writer.sql, --max-tries=1 --failures-detailed, per-transaction --log). MariaDB: bench/online_stall/
# mysql_writer.py (pymysql), which writes pgbench's log format. bench/online_stall/stats.py summarises a window.
#
# Changes: amount integer -> bigint; add status varchar(20) not null default 'pending' (a constant default, instant
# on PG 11+ and MariaDB 10.3+); add token uuid not null default gen_random_uuid() (volatile: every row gets its own
# value; MariaDB: default uuid()); index on orders(customer_id); foreign key orders.customer_id -> customers.id.
# Tools: naive (the one plain ALTER/CREATE INDEX, through psql/mariadb), pt-osc (MariaDB only:
# pt-online-schema-change from Debian's percona-toolkit, --alter-foreign-keys-method=auto, its default chunking), reshape (PostgreSQL only: `migration start`,
# the rollout reshape requires -- a second writer whose search_path is the new schema's views starts and the first
# one, on the tables, stops (RESHAPE_DEPLOY=0 keeps the first writer on the tables throughout) -- then `migration
# complete`; the TOML files are under bench/online_stall/reshape), backfill-alone (PostgreSQL type change only: the
# new column filled by a server-side loop of committed 10,000-row UPDATEs and nothing else, the floor any
# expand/contract tool pays), shadow-alone (the same floor for copying into a new table instead), cpu-alone (a
# backend looping on one core for as long, writing nothing: the CPU share of the cost; the last two run only when
# TOOLS names them) and ai-shell (`migrate "<request>" --zero-downtime --yes --confirm-gates`). Every run starts
# from an equal database: PostgreSQL copies a template database (createdb -T), MariaDB reloads from a
# sequence-engine table.
#
# Per run: the writer starts, runs LEAD s alone, the migration runs (its wall time is the "migration" column), the
# writer goes on TAIL s and stops. The last LEAD-1 s before the migration are the run's own "before" window: its
# p99 ("p99 before") is the same writer on the same database seconds earlier, and "x before" is the window's p99
# over it, a ratio that does not depend on how noisy the machine's disk is that minute. Window = migration start .. TAIL s after its end (so the catch-up after a block
# counts, and an instant change still has a second of writes). "stall" = longest time in the window with no writer
# transaction completing. Every round starts with the idle writer: a case whose "migration" is IDLE s of sleep, on a
# fresh database like the others (the copy of the template is still being written back in the first seconds after
# it), so "x idle" in the ROUNDS summary compares each change with the writer alone in the same round.
#
# The disk itself is probed (bench/online_stall/disk_probe.py: 8 kB fdatasync every 5 ms, PROBE s) before and after
# each engine's runs: a shared virtual disk that stalls syncs now and then stalls every committing writer with it.
# ROUNDS=N repeats every tool's changes N times, interleaved (round 1 of each change, then round 2...), and ends
# with a summary per change and tool: the median and range of the window p99, of "x before" and of "x idle".
# Run: bash bench/online_stall.sh     (4-5 minutes with the defaults on the 2-core CI machine, plus about 10 minutes
#      to build reshape the first time)
# Env: ROWS=2000000 CUSTOMERS=100000 RATE=200 IDLE=10 LEAD=5 TAIL=1 ROUNDS=1 PROBE=10 ENGINES=postgres,mariadb
#      TOOLS=naive,reshape,backfill-alone,ai-shell (also: shadow-alone, cpu-alone) SHADOW_PAUSE=0
#      CHANGES=amount,status,token,index,fk AI_SHELL=target/release/ai-shell
#      MY_FK=1 (MariaDB: orders gets a foreign key orders.customer_id -> customers.id, the case a shadow copy
#      must carry; the fk change then adds a second one)
#      AI_ARGS="--batch-size 2000" (extra options for ai-shell)
# Needs PostgreSQL 15 (pgbench 15) on 127.0.0.1:5432 (postgres, trust) and MariaDB 10.11 on 127.0.0.1:3306 (root).
# Peers are installed under target/bench-tools on first use: `cargo install reshape --locked` (its pg_query
# dependency runs bindgen: needs libclang, Debian package libclang-dev) and a venv with pymysql.
# The table goes to stdout and to target/online_stall.md; per-run logs (runN.w<writer>.*, runN.mig.*) stay in
# target/online_stall-logs.
set -euo pipefail
CALLER=$PWD
cd "$(dirname "$0")/.."
ROOT=$PWD
ROWS=${ROWS:-2000000}
CUSTOMERS=${CUSTOMERS:-100000}
RATE=${RATE:-200}
IDLE=${IDLE:-10}
LEAD=${LEAD:-5}
ROUNDS=${ROUNDS:-1}
PROBE=${PROBE:-10} # seconds of disk probe before and after each engine's runs
TAIL=${TAIL:-1}
ENGINES=${ENGINES:-postgres,mariadb}
MY_FK=${MY_FK:-0}
TOOLS=${TOOLS:-naive,reshape,backfill-alone,ai-shell}
CHANGES=${CHANGES:-amount,status,token,index,fk}
RESHAPE_DEPLOY=${RESHAPE_DEPLOY:-1}
AI=${AI_SHELL:-$ROOT/target/release/ai-shell}
case $AI in /*) ;; *) AI=$CALLER/$AI ;; esac
BT=$ROOT/target/bench-tools
HERE=$ROOT/bench/online_stall
OUT=$ROOT/target/online_stall.md
ROWS_TSV=$ROOT/target/online_stall.tsv # one line per measured case, for the ROUNDS summary
WORK=$ROOT/target/online_stall-logs # writer logs and migration output of the last run, kept for a look afterwards
rm -rf "$WORK" && mkdir -p "$WORK"
WRITER_PID=
trap '[ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null; true' EXIT

DB=stall_run
TPL=stall_tpl
PGARGS=(-h 127.0.0.1 -p 5432 -U postgres)
MYARGS=(-h 127.0.0.1 -P 3306 -u root)
has() { [[ ",$1," == *",$2,"* ]]; }
now() { date +%s.%N; }
note() { echo "# $*" >&2; }
emit() { echo "$*" | tee -a "$OUT"; }

# --- the changes, per tool ----------------------------------------------------------------------------------------
declare -A LABEL PG_SQL MY_SQL RESHAPE_TOML AI_REQ
LABEL[idle]="(none: writer alone, $IDLE s)"
LABEL[amount]="amount integer -> bigint"
PG_SQL[amount]="ALTER TABLE orders ALTER COLUMN amount TYPE bigint"
MY_SQL[amount]="ALTER TABLE orders MODIFY amount BIGINT NOT NULL"
RESHAPE_TOML[amount]="amount_bigint"
AI_REQ[amount]="change amount in orders to bigint"

LABEL[status]="add status varchar(20) not null default 'pending'"
PG_SQL[status]="ALTER TABLE orders ADD COLUMN status varchar(20) NOT NULL DEFAULT 'pending'"
MY_SQL[status]="ALTER TABLE orders ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'pending'"
RESHAPE_TOML[status]="status_default"
AI_REQ[status]="add column status varchar(20) not null default 'pending' to orders"

LABEL[token]="add token uuid not null default gen_random_uuid()"
PG_SQL[token]="ALTER TABLE orders ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()"
MY_SQL[token]="ALTER TABLE orders ADD COLUMN token UUID NOT NULL DEFAULT uuid()"
RESHAPE_TOML[token]="token_default"
AI_REQ[token]="add column token uuid not null default gen_random_uuid() to orders"

LABEL[index]="index on orders(customer_id)"
PG_SQL[index]="CREATE INDEX orders_customer_id_idx ON orders (customer_id)"
MY_SQL[index]="CREATE INDEX orders_customer_id_idx ON orders (customer_id)"
RESHAPE_TOML[index]="index_customer_id"
AI_REQ[index]="add index on orders customer_id"

LABEL[fk]="foreign key orders.customer_id -> customers.id"
PG_SQL[fk]="ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)"
MY_SQL[fk]="ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)"
RESHAPE_TOML[fk]="fk_customer"
AI_REQ[fk]="add foreign key from orders customer_id to customers id"

# pt-online-schema-change's --alter clause for each change (MariaDB).
declare -A PT_ALTER
PT_ALTER[amount]="MODIFY amount BIGINT NOT NULL"
PT_ALTER[status]="ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'pending'"
PT_ALTER[token]="ADD COLUMN token UUID NOT NULL DEFAULT uuid()"
PT_ALTER[index]="ADD INDEX orders_customer_id_idx (customer_id)"
PT_ALTER[fk]="ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)"

# --- tools ---------------------------------------------------------------------------------------------------------
RESHAPE=$BT/bin/reshape
RESHAPE_SKIP=
if has "$TOOLS" reshape && has "$ENGINES" postgres && [ ! -x "$RESHAPE" ]; then
  note "installing reshape into $BT (cargo install reshape --locked)"
  if ! cargo install reshape --locked --root "$BT" >"$WORK/reshape-install.log" 2>&1; then
    RESHAPE_SKIP="cargo install reshape failed: $(grep -m1 -E '^error' "$WORK/reshape-install.log" || tail -1 "$WORK/reshape-install.log")"
    cp "$WORK/reshape-install.log" "$BT/reshape-install.log" 2>/dev/null || true
  fi
fi
PY=$BT/venv/bin/python
if has "$ENGINES" mariadb && ! "$PY" -c 'import pymysql' 2>/dev/null; then
  note "installing pymysql into $BT/venv"
  python3 -m venv "$BT/venv" && "$PY" -m pip install -q pymysql >&2
fi
AI_SKIP=
if ! has "$TOOLS" ai-shell; then
  AI_SKIP="not in TOOLS"
elif [ ! -x "$AI" ]; then
  AI_SKIP="binary $AI not found (cargo build --release -p ai-shell, or set AI_SHELL)"
elif ! "$AI" migrate --help 2>&1 | grep -q -- --zero-downtime; then
  AI_SKIP="$AI has no 'migrate --zero-downtime' (built before issue 5?)"
fi

# --- databases -----------------------------------------------------------------------------------------------------
pg() { psql "${PGARGS[@]}" -v ON_ERROR_STOP=1 -qAt "$@"; }
my() { mariadb "${MYARGS[@]}" "$@"; }

pg_template() {
  note "postgres: loading $ROWS orders into template database $TPL"
  pg -c "DROP DATABASE IF EXISTS $TPL WITH (FORCE)" postgres
  pg -c "CREATE DATABASE $TPL" postgres
  pg "$TPL" <<SQL
CREATE TABLE customers (id serial PRIMARY KEY, name text);
INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, $CUSTOMERS) g;
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id integer NOT NULL, amount integer NOT NULL, note text,
                     created_at timestamptz DEFAULT now());
INSERT INTO orders (customer_id, amount, note)
  SELECT 1 + (g::bigint * 7919) % $CUSTOMERS, g % 10000, 'order ' || g FROM generate_series(1, $ROWS) g;
CREATE TABLE bench_stop (writer integer PRIMARY KEY, stop boolean NOT NULL);
INSERT INTO bench_stop VALUES (1, false), (2, false);
VACUUM ANALYZE;
SQL
}

reset_db() { # engine
  case $1 in
    postgres)
      dropdb "${PGARGS[@]}" --if-exists --force "$DB"
      createdb "${PGARGS[@]}" -T "$TPL" --strategy=file_copy "$DB" ;;
    mariadb)
      my >/dev/null <<SQL
DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB; USE $DB;
CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name TEXT);
INSERT INTO customers (id, name) SELECT seq, CONCAT('customer ', seq) FROM seq_1_to_$CUSTOMERS;
CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, amount INT NOT NULL, note TEXT,
                     created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP);
INSERT INTO orders (id, customer_id, amount, note)
  SELECT seq, 1 + (seq * 7919) % $CUSTOMERS, seq % 10000, CONCAT('order ', seq) FROM seq_1_to_$ROWS;
ANALYZE TABLE customers, orders;
SQL
      if [ "$MY_FK" = 1 ]; then
        my "$DB" -e "SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
          FOREIGN KEY (customer_id) REFERENCES customers (id), ALGORITHM=INPLACE, LOCK=NONE"
      fi
      ;;
  esac
}

url() { # engine
  case $1 in
    postgres) echo "postgres://postgres@127.0.0.1:5432/$DB" ;;
    mariadb) echo "mysql://root@127.0.0.1:3306/$DB" ;;
  esac
}

# Is the change in place afterwards? Prints nothing if so, else what is missing.
verify() { # engine change
  local q schema col
  case $1 in postgres) schema="'public'" ;; mariadb) schema="DATABASE()" ;; esac
  col="FROM information_schema.columns WHERE table_schema = $schema AND table_name = 'orders' AND column_name"
  case $2 in
    amount) q="SELECT CASE WHEN data_type = 'bigint' THEN 'ok' ELSE CONCAT('amount is ', data_type) END $col = 'amount'" ;;
    status) q="SELECT CASE WHEN is_nullable = 'NO' THEN 'ok' ELSE 'status is nullable' END $col = 'status'" ;;
    token) q="SELECT CASE WHEN is_nullable = 'NO' THEN 'ok' ELSE 'token is nullable' END $col = 'token'" ;;
    index)
      case $1 in
        postgres) q="SELECT CASE WHEN count(*) > 0 THEN 'ok' END FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
                     AND a.attnum = i.indkey[0] WHERE i.indrelid = 'orders'::regclass AND a.attname = 'customer_id' AND i.indisvalid" ;;
        mariadb) q="SELECT CASE WHEN count(*) > 0 THEN 'ok' END FROM information_schema.statistics
                    WHERE table_schema = DATABASE() AND table_name = 'orders' AND column_name = 'customer_id' AND seq_in_index = 1" ;;
      esac ;;
    fk)
      case $1 in
        postgres) q="SELECT CASE WHEN count(*) > 0 THEN 'ok' END FROM pg_constraint
                     WHERE conrelid = 'orders'::regclass AND contype = 'f' AND convalidated" ;;
        mariadb) q="SELECT CASE WHEN count(*) > 0 THEN 'ok' END FROM information_schema.referential_constraints
                    WHERE constraint_schema = DATABASE() AND table_name = 'orders' AND referenced_table_name = 'customers'" ;;
      esac ;;
  esac
  local r
  case $1 in
    postgres) r=$(pg -c "$q" "$DB" 2>&1 || true) ;;
    mariadb) r=$(my -N "$DB" -e "$q" 2>&1 || true) ;;
  esac
  [ "$r" = ok ] || echo "${r:-no such column/index/key}"
}

# --- writer --------------------------------------------------------------------------------------------------------
# start_writer ENGINE LOGPREFIX [WRITER_ID [SEARCH_PATH]]: files LOGPREFIX.w<id>.{out,err,pglog.*,mylog}.
WRITER_ID=
start_writer() {
  local id=${3:-1} path=${4:-}
  case $1 in
    postgres)
      PGOPTIONS=${path:+-c search_path=$path} \
      pgbench "${PGARGS[@]}" -n -f "$HERE/writer.sql" -D maxid="$ROWS" -D customers="$CUSTOMERS" -D writer="$id" \
        -c 4 -j 2 -R "$RATE" -T 3600 --max-tries=1 --failures-detailed -l --log-prefix "$2.w$id.pglog" "$DB" \
        >"$2.w$id.out" 2>"$2.w$id.err" &
      WRITER_PID=$! ;;
    mariadb)
      "$PY" "$HERE/mysql_writer.py" --database "$DB" --rate "$RATE" --clients 4 --maxid "$ROWS" \
        --customers "$CUSTOMERS" "$2.w$id.mylog" >"$2.w$id.out" 2>"$2.w$id.err" &
      WRITER_PID=$! ;;
  esac
  WRITER_ID=$id
}

stop_writer() { # engine [writer_id pid]: by default the current writer
  local id=${2:-$WRITER_ID} pid=${3:-$WRITER_PID}
  case $1 in
    postgres) pg -c "UPDATE public.bench_stop SET stop = true WHERE writer = $id" "$DB" ;; # clients end at their next transaction
    mariadb) kill -TERM "$pid" ;;
  esac
  wait "$pid" || true # pgbench exits 2: its clients ended through the stop switch
  [ "$pid" = "$WRITER_PID" ] && WRITER_PID=
  return 0
}

# Clients that ended on an error other than the stop switch (pgbench 15 ends a client on any error that is not a
# serialization failure or deadlock, which --max-tries=1 counts as failed transactions instead).
aborted_clients() { cat "$1".w*.err | grep -E 'client [0-9]+ .*aborted' | grep -vc 'division by zero' || true; }

# --- the shared measurement ----------------------------------------------------------------------------------------
# run_case ENGINE TOOL CHANGE COMMAND...: fresh database, writer, LEAD s, COMMAND (timed), TAIL s, stop, one row.
# COMMAND may write a phase breakdown ("start 1.2 s + complete 0.3 s") to $WORK/phases.
RUN=0
run_case() {
  local engine=$1 tool=$2 change=$3; shift 3 # change: a key of LABEL
  RUN=$((RUN + 1))
  local log=$WORK/run$RUN
  note "$engine / $tool / $change"
  reset_db "$engine"
  : >"$WORK/phases"
  start_writer "$engine" "$log"
  sleep "$LEAD"
  local t0 t1 rc=0 result
  t0=$(now)
  "$@" >"$log.mig.out" 2>"$log.mig.err" || rc=$?
  t1=$(now)
  echo "$t0 $t1" >"$log.window" # the migration's start and end, for a later look at the writer log
  local missing=
  [ "${VERIFY:-1}" = 1 ] && missing=$(verify "$engine" "$change" | tr '\n|' ' /')
  sleep "$TAIL"
  stop_writer "$engine"
  local n p50 p99 max failed stall
  local t2; t2=$(awk -v a="$t1" -v b="$TAIL" 'BEGIN { printf "%.6f", a + b }')
  IFS=$'\t' read -r n p50 p99 max failed stall < <(python3 "$HERE/stats.py" --from "$t0" --to "$t2" "$log".*log* )
  # The same writer just before the change (its first second left out: connections and caches warming up).
  local before_p99 ratio
  before_p99=$(python3 "$HERE/stats.py" --from "$(awk -v a="$t0" -v l="$LEAD" 'BEGIN { printf "%.6f", a - l + 1 }')" \
    --to "$t0" "$log".*log* | cut -f3)
  ratio=$(awk -v a="$p99" -v b="$before_p99" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')
  local aborted run_failed; aborted=$(aborted_clients "$log")
  run_failed=$(cat "$log".w*.out | sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
  [ "${run_failed:-0}" != "$failed" ] && failed="$failed (whole run: ${run_failed:-?})"
  [ "$aborted" -gt 0 ] && failed="$failed + $aborted clients ended by errors ($(cat "$log".w*.err | grep -E 'client [0-9]+ .*aborted' | grep -v 'division by zero' | sed 's/.*ERROR: *//' | sort -u | cut -c1-80 | paste -sd';' | tr '|' '/'))"
  result=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f s", b - a }')
  [ -s "$WORK/phases" ] && result="$result ($(cat "$WORK/phases"))"
  if [ "$rc" -ne 0 ]; then
    result="FAILED after $result, exit $rc: $(grep -hv '^\s*$' "$log.mig.err" "$log.mig.out" | head -1 | cut -c1-160 | tr '|' '/')"
    note "migration failed; its output:"; cat "$log.mig.out" "$log.mig.err" >&2
  fi
  [ -n "$missing" ] && result="$result; NOT IN PLACE afterwards: ${missing% }"
  emit "| ${LABEL[$change]} | $tool | $result | $p50 | $p99 | $max | $failed | $stall ms | $before_p99 | $ratio |"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${round:-1}" "$engine" "${LABEL[$change]}" "$tool" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
    "$p99" "$before_p99" "$stall" >>"$ROWS_TSV"
}

# The migration commands.
naive_postgres() { pg -c "$1" "$DB"; }
# A server-side loop for the floors below: SETUP, then STATEMENT (which reads the PL/pgSQL variables lo and batch)
# for each 10,000-key range of orders, each range committed, each followed by PAUSE s of sleep when PAUSE is given.
batch_loop_postgres() { # setup statement [pause]
  local pause=${3:+"PERFORM pg_sleep($3);"}
  pg "$DB" <<SQL
$1;
CREATE PROCEDURE bench_loop(batch int) LANGUAGE plpgsql AS \$\$
DECLARE lo bigint; hi bigint;
BEGIN
  SELECT min(id), max(id) INTO lo, hi FROM orders;
  WHILE lo <= hi LOOP
    $2;
    COMMIT;
    $pause
    lo := lo + batch;
  END LOOP;
END \$\$;
CALL bench_loop(10000);
SQL
}
# The least work any expand/contract type change does on PostgreSQL: a new column filled by 10,000-row UPDATEs,
# each committed, in a server-side loop (no client round trips, no sync trigger, no checkpoint rows, no swap). Not a
# migration: a floor for the writer latency the backfill itself costs on this machine.
backfill_alone_postgres() {
  batch_loop_postgres "ALTER TABLE orders ADD COLUMN amount_copy bigint" \
    "UPDATE orders SET amount_copy = amount WHERE id >= lo AND id < lo + batch"
}
# verify() has nothing to look at for the backfill alone: it only fills a column.
# The same floor for a shadow-table copy: a new table with the new type and the primary key, filled by committed
# 10,000-row INSERT ... SELECTs (heap inserts: no per-row lock record, no full-page images of the old pages), each
# followed by a pause of SHADOW_PAUSE s (default 0; 0.02 stretches it to the in-place backfill's duration).
shadow_alone_postgres() {
  batch_loop_postgres "CREATE TABLE orders_shadow (id bigint PRIMARY KEY, customer_id integer NOT NULL,
    amount bigint NOT NULL, note text, created_at timestamptz DEFAULT now())" \
    "INSERT INTO orders_shadow SELECT id, customer_id, amount, note, created_at FROM orders
      WHERE id >= lo AND id < lo + batch" "${SHADOW_PAUSE:-0}"
}
# What a backend busy on one of the machine's cores costs the writer by itself: a PL/pgSQL loop of about the
# backfill's duration that writes nothing (no WAL, no pages), so the writer's latency against it separates CPU
# contention from the cost of the backfill's writes.
cpu_alone_postgres() { pg -c 'DO $$ DECLARE x bigint := 0; BEGIN FOR i IN 1..180000000 LOOP x := x + i; END LOOP; END $$' "$DB"; }

naive_mariadb() { my "$DB" -e "$1"; }
pt_osc_mariadb() { # alter clause
  pt-online-schema-change --alter "$1" "h=127.0.0.1,P=3306,u=root,D=$DB,t=orders" --execute \
    --alter-foreign-keys-method=auto --recursion-method=none --no-check-replication-filters
}
reshape_postgres() { # toml name
  local dir=$WORK/reshape-$RUN a b c d rc=0
  mkdir -p "$dir/migrations"
  cp "$HERE/reshape/$1.toml" "$dir/migrations/1_$1.toml"
  cd "$dir"
  a=$(now)
  "$RESHAPE" migration start --url "$(url postgres)?sslmode=disable" || rc=$?
  b=$(now)
  if [ $rc -eq 0 ] && [ "$RESHAPE_DEPLOY" = 1 ]; then
    # The rollout reshape expects between start and complete: a second writer on the new schema's views starts,
    # then the first (on the tables) stops. `log` is run_case's.
    local schema old=$WRITER_PID
    schema=$("$RESHAPE" schema-query --dirs migrations | sed -n 's/^SET search_path TO //p')
    start_writer postgres "$log" 2 "$schema"
    sleep 0.2
    stop_writer postgres 1 "$old"
  fi
  c=$(now)
  [ $rc -eq 0 ] && { "$RESHAPE" migration complete --url "$(url postgres)?sslmode=disable" || rc=$?; }
  d=$(now)
  cd "$ROOT"
  awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" \
    'BEGIN { printf "start %.2f s + rollout %.2f s + complete %.2f s", b - a, c - b, d - c }' >"$WORK/phases"
  return $rc
}
ai_shell() { # engine request
  local dir=$WORK/ai-$RUN
  mkdir -p "$dir" && cd "$dir"
  local rc=0
  # shellcheck disable=SC2086 # AI_ARGS is a list of extra options, e.g. "--batch-size 2000"
  "$AI" --database "$(url "$1")" migrate "$2" --zero-downtime --yes --confirm-gates ${AI_ARGS:-} || rc=$?
  cd "$ROOT"
  return $rc
}

# --- main ----------------------------------------------------------------------------------------------------------
: >"$OUT"
: >"$ROWS_TSV"
started=$(date +%s)
emit "Online stall: $ROWS orders, writer $RATE tx/s (4 clients, UPDATE amount + INSERT per transaction); $(date -u '+%Y-%m-%d %H:%M UTC')"
for engine in ${ENGINES//,/ }; do
  case $engine in
    postgres) ver=$(pg -c 'SHOW server_version' postgres | cut -d' ' -f1); tools=(naive reshape backfill-alone shadow-alone cpu-alone ai-shell) ;;
    mariadb) ver=$(my -N -e 'SELECT VERSION()' | cut -d- -f1); tools=(naive pt-osc ai-shell) ;;
    *) note "unknown engine $engine"; continue ;;
  esac
  emit ""
  emit "### $engine $ver"
  emit ""
  emit "| change | tool | migration | writer p50 ms | p99 ms | max ms | failed tx | longest stall | p99 before ms | x before |"
  emit "|---|---|---|---|---|---|---|---|---|---|"
  [ "$engine" = postgres ] && pg_template
  DISK_BEFORE=$(python3 "$HERE/disk_probe.py" "$ROOT/target" "$PROBE")
  for round in $(seq "$ROUNDS"); do
  [ "$ROUNDS" -gt 1 ] && note "round $round of $ROUNDS"
  # The writer alone, measured exactly as the changes are (fresh database, LEAD s, then IDLE s as the "migration").
  VERIFY=0 run_case "$engine" "(writer alone)" idle sleep "$IDLE"
  for tool in "${tools[@]}"; do
    has "$TOOLS" "$tool" || continue
    if [ "$tool" = reshape ] && [ -n "$RESHAPE_SKIP" ]; then emit "| (all) | reshape | skipped: $RESHAPE_SKIP | | | | | |"; continue; fi
    if [ "$tool" = ai-shell ] && [ -n "$AI_SKIP" ]; then
      note "ai-shell section skipped: $AI_SKIP"
      emit "| (all) | ai-shell | skipped: $AI_SKIP | | | | | |"
      continue
    fi
    if [ "$tool" = ai-shell ]; then
      # The built-in plugins are compiled on first use and cached: pay that once before measuring (a dry run
      # plans the type change with the dialect and every strategy).
      reset_db "$engine"
      (mkdir -p "$WORK/warm" && cd "$WORK/warm" && "$AI" --database "$(url "$engine")" migrate "${AI_REQ[amount]}" \
        --zero-downtime --dry-run >/dev/null 2>&1) || true
    fi
    for change in ${CHANGES//,/ }; do
      [ -n "${LABEL[$change]:-}" ] || { note "unknown change $change"; continue; }
      case $tool/$engine in
        naive/postgres) run_case "$engine" naive "$change" naive_postgres "${PG_SQL[$change]}" ;;
        backfill-alone/postgres)
          # Only the type change is a backfill of an existing column's values.
          [ "$change" = amount ] && VERIFY=0 run_case "$engine" "backfill alone (SQL loop)" "$change" backfill_alone_postgres ;;
        cpu-alone/postgres)
          [ "$change" = amount ] && VERIFY=0 run_case "$engine" "one busy core alone (no WAL)" "$change" cpu_alone_postgres ;;
        shadow-alone/postgres)
          [ "$change" = amount ] && VERIFY=0 run_case "$engine" "shadow copy alone (SQL loop, pause ${SHADOW_PAUSE:-0} s)" "$change" shadow_alone_postgres ;;
        naive/mariadb) run_case "$engine" naive "$change" naive_mariadb "${MY_SQL[$change]}" ;;
        pt-osc/mariadb)
          if command -v pt-online-schema-change >/dev/null; then
            run_case "$engine" pt-online-schema-change "$change" pt_osc_mariadb "${PT_ALTER[$change]}"
          else
            emit "| ${LABEL[$change]} | pt-online-schema-change | skipped: not installed (Debian package percona-toolkit) | | | | | |"
          fi ;;
        reshape/postgres)
          for toml in ${RESHAPE_TOML[$change]}; do
            run_case "$engine" "reshape ($toml.toml)" "$change" reshape_postgres "$toml"
          done ;;
        ai-shell/*)
          request=${AI_REQ[$change]}
          # MariaDB spells the volatile UUID default uuid().
          [ "$engine" = mariadb ] && request=${request//gen_random_uuid()/uuid()}
          run_case "$engine" ai-shell "$change" ai_shell "$engine" "$request" ;;
      esac
    done
  done
  done
  if [ "$ROUNDS" -gt 1 ]; then
    emit ""
    python3 "$HERE/rounds.py" "$engine" "$ROWS_TSV" | tee -a "$OUT"
  fi
  emit ""
  emit "before the runs: $DISK_BEFORE; after them: $(python3 "$HERE/disk_probe.py" "$ROOT/target" "$PROBE")"
  case $engine in
    postgres) dropdb "${PGARGS[@]}" --if-exists --force "$DB"; dropdb "${PGARGS[@]}" --if-exists --force "$TPL" ;;
    mariadb) my -e "DROP DATABASE IF EXISTS $DB" ;;
  esac
done
emit ""
emit "Total run time: $(( $(date +%s) - started )) s. Command: ROWS=$ROWS RATE=$RATE ROUNDS=$ROUNDS ENGINES=$ENGINES TOOLS=$TOOLS CHANGES=$CHANGES bash bench/online_stall.sh"
note "written to $OUT"
