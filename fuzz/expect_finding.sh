#!/usr/bin/env bash
# Runs a fuzz target on each input that must make it report a violation: every one of them has
# to exit non-zero (abort) and print a reproducer. A target that cannot fail fails this test.
# Usage: expect_finding.sh TARGET [TARGET_ARGS...] -- INPUT...
set -u
target=()
while [[ $# -gt 0 && "$1" != "--" ]]; do target+=("$1"); shift; done
shift
[[ $# -gt 0 ]] || { echo "no inputs given"; exit 1; }
failures=0
# A seed named <scenario>-<bug>-schedule, whose <bug> is among LOOPCHECK_FUZZ_BUGS, runs with
# that switch alone: switches of one family can mask each other's schedules.
family_bugs="${LOOPCHECK_FUZZ_BUGS:-}"
for input in "$@"; do
  bugs="$family_bugs"
  for id in ${family_bugs//,/ }; do
    [[ "$(basename "$input")" == *"-$id-schedule" ]] && bugs="$id"
  done
  out=$(LOOPCHECK_FUZZ_BUGS="$bugs" "${target[@]}" "$input" 2>&1)
  code=$?
  if [[ $code -eq 0 ]] || ! grep -q -- "--- reproducer ---" <<<"$out"; then
    echo "FAIL: $(basename "$input"): expected a finding with a reproducer (exit $code)"
    echo "$out" | tail -5
    failures=$((failures + 1))
  else
    echo "ok:   $(basename "$input"): $(grep -E '^# O' <<<"$out" | head -1)"
  fi
done
exit $((failures > 0))
