#!/usr/bin/env bash
# What notifications add to `migrate apply` (issue 18 target: at most 5 ms when the endpoint answers, nothing
# when it is down). N one-table migrations are applied one `migrate apply ID` at a time on SQLite, three ways:
# no channel; a webhook channel (signed) and a slack channel to a local endpoint answering 200 `ok`
# (bench/notify/receiver.py); the same channels pointing at a port nothing listens on. Per apply: median and
# p90 of the command's wall time, and the median's difference from the run without channels.
# Run: cargo build --release -p ai-shell && bash bench/notify_overhead.sh     (about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-40}
AI=${AI_BIN:-$PWD/target/release/ai-shell}
PORT=${PORT:-18931}
DOWN=${DOWN_PORT:-18932}
work=$(mktemp -d)
python3 bench/notify/receiver.py "$PORT" & server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5
export AI_SHELL_CONFIG_DIR="$work/no-user-config" BENCH_HOOK_SECRET=bench

run() { # name port-or-empty
  local dir="$work/$1"; mkdir -p "$dir/migrations"; cd "$dir"
  if [ -n "$2" ]; then
    cat > ai-shell.toml <<TOML
[migrations.notify.channels.hook]
sink = "webhook"
url = "http://127.0.0.1:$2/hook"
secret-env = "BENCH_HOOK_SECRET"
allow-http-loopback = true
[migrations.notify.channels.chat]
sink = "slack"
url = "http://127.0.0.1:$2/slack"
allow-http-loopback = true
TOML
  fi
  "$AI" -d sqlite://b.db migrate init >/dev/null 2>&1
  for i in $(seq -w 1 "$N"); do
    printf -- '-- +up\nCREATE TABLE t%s (id INTEGER PRIMARY KEY);\n-- +down\nDROP TABLE t%s;\n' "$i" "$i" > "migrations/0${i}_t${i}.sql"
  done
  # Warm the compiled-plugin cache (dialect and sinks) outside the measurement.
  "$AI" -d sqlite://b.db migrate status >/dev/null 2>&1 || true
  "$AI" -d sqlite://b.db notify list >/dev/null 2>&1 || true
  : > times
  for i in $(seq -w 1 "$N"); do
    local t0 t1; t0=$(date +%s%N)
    "$AI" -d sqlite://b.db migrate apply "0${i}_t${i}" >/dev/null 2>&1 || true
    t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )) >> times
  done
  sort -n times | awk -v name="$1" '{a[NR]=$1} END {printf "%s %.1f %.1f\n", name, a[int(NR*0.5)+1]/1000, a[int(NR*0.9)]/1000}'
  cd - >/dev/null
}

base=$(run none "")
up=$(run answering "$PORT")
down=$(run down "$DOWN")
echo "| channels | apply median ms | p90 ms | median over none |"
echo "|---|---|---|---|"
b=$(echo "$base" | cut -d' ' -f2)
for line in "$base" "$up" "$down"; do
  set -- $line
  printf '| %s | %s | %s | %+.1f ms |\n' "$1" "$2" "$3" "$(echo "$2 - $b" | bc)"
done
echo
echo "$N applies each, SQLite, release build; answering: webhook (signed) + slack channels to a local endpoint; down: the same to a closed port"
