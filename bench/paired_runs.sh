#!/usr/bin/env bash
# Times two commands in turn, A B A B ..., after one warm-up of each, and prints the median wall
# time and CPU time (user + sys) of each, and the median of the pair-by-pair ratios A/B. Pairing
# is what makes a ratio hold on a shared, noisy machine: a slow spell hits both halves of a pair.
# Only bash, awk and GNU time (/usr/bin/time, Debian package `time`) or, without it, bash's clock.
# Usage: bench/paired_runs.sh [-n RUNS] 'COMMAND A' 'COMMAND B'   (RUNS 1 to 100, default 5)
# Each command is one string that bash -c runs (so pipes, loops and quotes work); its output is
# thrown away and its CPU time counts its children's.
set -euo pipefail

runs=5
if [[ "${1:-}" == -n ]]; then
  runs="${2:-}"
  shift 2 || true
fi
if ! [[ "$runs" =~ ^[0-9]+$ ]] || ((runs < 1 || runs > 100)); then
  echo "$0: -n takes a whole number of runs from 1 to 100, got '$runs'" >&2
  exit 2
fi
if (($# != 2)); then
  echo "usage: $0 [-n RUNS] 'COMMAND A' 'COMMAND B'" >&2
  exit 2
fi
a="$1"
b="$2"

# One run: prints "wall cpu" in seconds (cpu "-" without GNU time). The command's exit code is
# reported, never hidden.
one_run() {
  local command="$1" out rc=0 start end cpu=-
  out=$(mktemp)
  start=$(date +%s%N)
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f '%U %S' -o "$out" bash -c "$command" >/dev/null 2>&1 || rc=$?
  else
    bash -c "$command" >/dev/null 2>&1 || rc=$?
  fi
  end=$(date +%s%N)
  if [[ -s "$out" ]]; then cpu=$(awk 'END { printf "%.3f", $1 + $2 }' "$out"); fi
  rm -f "$out"
  awk -v s="$start" -v e="$end" -v c="$cpu" 'BEGIN { printf "%.3f %s\n", (e - s) / 1e9, c }'
  if ((rc != 0)); then echo "$0: exit $rc from: $command" >&2; fi
}

# The median of the numbers on stdin ("-" where there are none, as for cpu without GNU time).
median() {
  grep -v '^-$' | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

one_run "$a" >/dev/null
one_run "$b" >/dev/null
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
for ((i = 0; i < runs; ++i)); do
  read -r wall_a cpu_a < <(one_run "$a")
  read -r wall_b cpu_b < <(one_run "$b")
  echo "$wall_a $cpu_a $wall_b $cpu_b" >>"$rows"
done
printf '%d paired runs after a warm-up of each\n' "$runs"
printf 'A: %s\n   wall %s s, cpu %s s (medians)\n' "$a" "$(awk '{print $1}' "$rows" | median)" \
  "$(awk '{print $2}' "$rows" | median)"
printf 'B: %s\n   wall %s s, cpu %s s (medians)\n' "$b" "$(awk '{print $3}' "$rows" | median)" \
  "$(awk '{print $4}' "$rows" | median)"
printf 'A/B pair by pair: wall %s, cpu %s (medians)\n' \
  "$(awk '$3 > 0 { printf "%.3f\n", $1 / $3 }' "$rows" | median)" \
  "$(awk '$2 != "-" && $4 > 0 { printf "%.3f\n", $2 / $4 }' "$rows" | median)"
