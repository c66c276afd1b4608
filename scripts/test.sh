#!/usr/bin/env bash
# Runs the EvalHarness test suite (slow tests excluded unless EVALHARNESS_SLOW=1) and ends with
# one line "N passed, N failed, N skipped" counted over every test assembly.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
EVALHARNESS_TEST_TOOLS=1 bash scripts/setup.sh || exit 1
filter="Category!=Slow"
[ "${EVALHARNESS_SLOW:-0}" = "1" ] && filter=""
log="$(mktemp)"
dotnet test EvalHarness.sln -c Release ${filter:+--filter "$filter"} 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
