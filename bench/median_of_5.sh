#!/usr/bin/env bash
# Runs `loopcheck bench` five times in one go and prints the median of each figure per
# scenario, as docs/PERFORMANCE.md quotes them. Usage: bench/median_of_5.sh [path/to/loopcheck]
set -euo pipefail
cli="${1:-build/default/loopcheck}"
runs=$(mktemp)
trap 'rm -f "$runs"' EXIT
for i in 1 2 3 4 5; do "$cli" bench | tail -n +2 >>"$runs"; done
median() { sort -g | sed -n 3p; }
printf '%-28s %12s %12s %9s %9s %9s %9s %7s\n' scenario events/s schedules/s plain por fingerpr. both ratio
for scenario in $(awk '{print $1}' "$runs" | awk '!seen[$0]++'); do
  rows=$(grep "^$scenario " "$runs")
  events=$(awk '{print $2}' <<<"$rows" | median)
  schedules=$(awk '{print $3}' <<<"$rows" | median)
  read -r plain por fingerprint both < <(awk '{print $4, $5, $6, $7}' <<<"$rows" | head -1)
  printf '%-28s %12s %12s %9s %9s %9s %9s %6sx\n' "$scenario" "$events" "$schedules" "$plain" "$por" \
    "$fingerprint" "$both" "$(awk -v p="$plain" -v r="$both" 'BEGIN { printf "%.1f", p / r }')"
done
