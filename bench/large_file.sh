#!/usr/bin/env bash
# One large migration (SIZES MB of small INSERTs, 5 10 20 by default) applied to a fresh SQLite database:
# the apply must grow linearly with the file's size (issue 14 item 9: it was quadratic while holding the write
# lock). Prints a Markdown table of wall times.
#
# Run: bash bench/large_file.sh        (builds the release binary; AI_BIN=path to time another build)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-5 10 20}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ -z "${AI_BIN:-}" ]; then
  cargo build --release -p ai-shell >&2
  AI_BIN=$PWD/target/release/ai-shell
fi

echo "| file | statements | apply s |"
echo "|---|---|---|"
for mb in $SIZES; do
  dir=$WORK/p$mb
  mkdir -p "$dir/migrations"
  printf -- '-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n' > "$dir/migrations/001_t.sql"
  python3 - "$dir/migrations/002_fill.sql" "$mb" <<'PY'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("-- +up\n")
    n = i = 0
    while n < mb * 1024 * 1024:
        s = f"INSERT INTO t (v) VALUES ('row {i} xxxxxxxxxxxxxxxxxxxxxxxxxxxx');\n"
        f.write(s)
        n += len(s)
        i += 1
    print(i, file=sys.stderr)
PY
  statements=$(grep -c '^INSERT' "$dir/migrations/002_fill.sql")
  start=$(date +%s.%N)
  (cd "$dir" && "$AI_BIN" --database "sqlite://$dir/db.sqlite" migrate apply >/dev/null)
  end=$(date +%s.%N)
  printf '| %s MB | %s | %.2f |\n' "$mb" "$statements" "$(echo "$end - $start" | bc)"
done
