#!/usr/bin/env bash
# The full generated evaluation (tests/e2e/eval/generate.rs, about 2,000 cases over four fixture schemas) on
# each engine, then one table: family × engine × development/test part, from target/eval-generated-<engine>.json.
#
#   bench/eval_generated.sh                  # sqlite postgres mysql (PostgreSQL and MariaDB as .ci/run starts them)
#   bench/eval_generated.sh sqlite           # some engines only
#   AI_SHELL_EVAL_THREADS=6 bench/eval_generated.sh
#
# A run below the CI floor or with unsafe outcomes still prints its table (the test's failure is reported
# after it). Needs jq.
set -uo pipefail
cd "$(dirname "$0")/.."

engines=("$@")
[ ${#engines[@]} -gt 0 ] || engines=(sqlite postgres mysql)
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 1; }

status=0
for e in "${engines[@]}"; do
  echo "== $e"
  log="target/eval-generated-$e.log"
  mkdir -p target
  started=$(date +%s)
  if ! AI_SHELL_EVAL_GENERATED=all cargo test -p ai-shell --test e2e "eval::generated::$e" -- --exact --nocapture \
      >"$log" 2>&1; then
    echo "   the test failed (floor or unsafe outcome): see $log" >&2
    status=1
  fi
  echo "   $(($(date +%s) - started)) s; log in $log"
done

pct() { jq -r "$1 | if . == null then \"-\" else (. * 1000 | round / 10 | tostring) + \"%\" end"; }

echo
printf '| %-13s |' family
for e in "${engines[@]}"; do printf ' %-8s dev | %-8s test |' "$e" "$e"; done
echo
printf '|---------------|'
for _ in "${engines[@]}"; do printf -- '--------------|---------------|'; done
echo
families=$(jq -r '.families[].name' "target/eval-generated-${engines[0]}.json")
for f in $families; do
  printf '| %-13s |' "$f"
  for e in "${engines[@]}"; do
    j="target/eval-generated-$e.json"
    d=$(pct ".families[] | select(.name == \"$f\") | .dev_rate" <"$j")
    t=$(pct ".families[] | select(.name == \"$f\") | .test_rate" <"$j")
    printf ' %12s | %13s |' "$d" "$t"
  done
  echo
done
echo
for e in "${engines[@]}"; do
  jq -r '"\(.engine): \(.selection), \(.cases) cases, \(.passed) passed (\(.pass_rate * 1000 | round / 10)%); dev \(.totals.dev_passed)/\(.totals.dev_cases), test \(.totals.test_passed)/\(.totals.test_cases); unsafe \(.unsafe), wrong applies \(.wrong_applies)"' \
    "target/eval-generated-$e.json"
done
exit $status
