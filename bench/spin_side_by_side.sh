#!/usr/bin/env bash
# Benchmark, not a test: SPIN and loopcheck side by side on two catalog races, bpo-33694
# (proactor-pause) and dgram-drain, in one run. SPIN checks the abstract Promela models in
# bench/spin/ (no faults, no preemption bound); loopcheck checks the real C++ transports with a
# preemption bound high enough not to bind, no faults, every oracle on, state fingerprints on
# (which states are kept is --store-states: auto, the default, in most rows; between-batches in
# two and every-step in one, for comparison). Two rows run on two threads (--jobs 2), with a
# preemption bound no run can reach (4000): threads meet states in another order than one DFS,
# and a run may spend more preemptions before it meets one already explored (docs/PERFORMANCE.md).
#   - fixed rows: SPIN states stored (exhaustive DFS) against loopcheck's certificate
#     (schedules, states, complete?), median wall seconds of each.
#   - bug rows: SPIN BFS (-DBUG -DBFS) gives the shortest trail, counted in the steps
#     `spin -t -p` replays (the failing assert included; pan's error depth is one less), against
#     the length in steps of the shortest counterexample loopcheck reports.
# Each SPIN verifier is compiled once per instance (spin -a; gcc -O2 -DSAFETY -DMEMLIM=16000) in
# a temporary folder and only `./pan -m1000000` is timed. The RUNS runs of one instance
# alternate, SPIN then loopcheck, so machine noise hits both alike. Every timed command gets
# 120 s (`timeout`; LIMIT=SECONDS, 1 to 3600, changes it); a run over it shows as "timeout" in
# its cell, and that tool is not run again on that instance.
# Needs spin (Debian package `spin`), gcc and jq.
# Usage: bench/spin_side_by_side.sh LOOPCHECK_BINARY [RUNS]     (RUNS defaults to 3)
#        SPIN_ONLY=1 bench/spin_side_by_side.sh - [RUNS]        (SPIN alone; the binary is ignored)
#        SMOKE=1 bench/spin_side_by_side.sh LOOPCHECK 1         (tiny instances: the ctest check)
#        LIMIT=200 bench/spin_side_by_side.sh LOOPCHECK 3       (200 s per timed run)
#        ONLY='K=(64|255) MAXPAUSE=2(, on two threads)?$' bench/spin_side_by_side.sh LOOPCHECK 3
#                                                             (only the rows whose name matches)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
models="$repo/bench/spin"
spin_only="${SPIN_ONLY:-0}"
[[ $# -ge 1 ]] || { echo "usage: $0 LOOPCHECK_BINARY [RUNS]" >&2; exit 2; }
loopcheck="$1"
runs="${2:-3}"
limit="${LIMIT:-120}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer" >&2; exit 2; }
[[ "$limit" =~ ^[1-9][0-9]*$ ]] && ((limit <= 3600)) || { echo "LIMIT is whole seconds from 1 to 3600, got '$limit'" >&2; exit 2; }
if [[ "$spin_only" != 1 ]]; then
  [[ -x "$loopcheck" ]] || { echo "not an executable: $loopcheck" >&2; exit 2; }
  command -v jq >/dev/null || { echo "jq is needed to read loopcheck's JSON" >&2; exit 2; }
fi
for tool in spin gcc; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# instance table: name | model | spin -D flags | extra gcc flags | loopcheck arguments
if [[ "${SMOKE:-0}" == 1 ]]; then
  # The ctest check (bench.spin_side_by_side): tiny instances, to show both sides still run
  # and still agree; it measures nothing worth quoting.
  instances=(
    "proactor pause fixed, K=3 MAXPAUSE=2|proactor_pause.pml|-DK=3 -DMAXPAUSE=2||explore proactor-pause --param chunks=3 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --reduce --json"
    "dgram drain fixed, N=8 QCAP=64|dgram_drain.pml|-DN=8 -DQCAP=64||explore dgram-drain --param count=8 --max-preemptions 100 --max-faults 0 --max-depth 100000 --reduce --json"
    "proactor pause BUG shortest, K=3 MAXPAUSE=2|proactor_pause.pml|-DBUG -DK=3 -DMAXPAUSE=2|-DBFS|explore proactor-pause --bug bpo-33694 --param chunks=3 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --json"
  )
else
  instances=(
    "proactor pause fixed, K=16 MAXPAUSE=2|proactor_pause.pml|-DK=16 -DMAXPAUSE=2||explore proactor-pause --param chunks=16 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --json"
    "proactor pause fixed, K=32 MAXPAUSE=2|proactor_pause.pml|-DK=32 -DMAXPAUSE=2||explore proactor-pause --param chunks=32 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --json"
    "proactor pause fixed, K=64 MAXPAUSE=2|proactor_pause.pml|-DK=64 -DMAXPAUSE=2||explore proactor-pause --param chunks=64 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --json"
    "proactor pause fixed, K=255 MAXPAUSE=2|proactor_pause.pml|-DK=255 -DMAXPAUSE=2||explore proactor-pause --param chunks=255 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --json"
    "proactor pause fixed, K=64 MAXPAUSE=2, states kept between batches|proactor_pause.pml|-DK=64 -DMAXPAUSE=2||explore proactor-pause --param chunks=64 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --store-states between-batches --json"
    "proactor pause fixed, K=255 MAXPAUSE=2, states kept between batches|proactor_pause.pml|-DK=255 -DMAXPAUSE=2||explore proactor-pause --param chunks=255 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --store-states between-batches --json"
    "proactor pause fixed, K=255 MAXPAUSE=2, every step's state kept|proactor_pause.pml|-DK=255 -DMAXPAUSE=2||explore proactor-pause --param chunks=255 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --store-states every-step --json"
    "proactor pause fixed, K=64 MAXPAUSE=2, on two threads|proactor_pause.pml|-DK=64 -DMAXPAUSE=2||explore proactor-pause --param chunks=64 --param pauses=2 --max-preemptions 4000 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --jobs 2 --json"
    "proactor pause fixed, K=255 MAXPAUSE=2, on two threads|proactor_pause.pml|-DK=255 -DMAXPAUSE=2||explore proactor-pause --param chunks=255 --param pauses=2 --max-preemptions 4000 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --jobs 2 --json"
    "dgram drain fixed, N=64 QCAP=64|dgram_drain.pml|-DN=64 -DQCAP=64||explore dgram-drain --param count=64 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --json"
    "dgram drain fixed, N=255 QCAP=64|dgram_drain.pml|-DN=255 -DQCAP=64||explore dgram-drain --param count=255 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --reduce --json"
    "proactor pause BUG shortest, K=64 MAXPAUSE=2|proactor_pause.pml|-DBUG -DK=64 -DMAXPAUSE=2|-DBFS|explore proactor-pause --bug bpo-33694 --param chunks=64 --param pauses=2 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --json"
    "dgram drain BUG shortest, N=255 QCAP=64|dgram_drain.pml|-DBUG -DN=255 -DQCAP=64|-DBFS|explore dgram-drain --bug dgram-drain --param count=255 --max-preemptions 100 --max-faults 0 --max-depth 100000 --max-schedules 1000000000 --json"
  )
fi

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; m = int((NR + 1) / 2);
  printf "%.3f", (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'; }

printf '| instance | SPIN states | SPIN s (median) | loopcheck schedules | loopcheck states | loopcheck s (median) | verdict/certificate complete? |\n'
printf '|---|---|---|---|---|---|---|\n'
n=0
for row in "${instances[@]}"; do
  IFS='|' read -r name model dflags cflags lcargs <<<"$row"
  [[ -z "${ONLY:-}" || "$name" =~ $ONLY ]] || continue
  n=$((n + 1))
  dir="$work/$n"
  mkdir -p "$dir"
  cp "$models/$model" "$dir/"
  # shellcheck disable=SC2086 # the flag strings are word lists
  (cd "$dir" && spin $dflags -a "$model" >/dev/null &&
     gcc -O2 -DSAFETY -DMEMLIM=16000 $cflags -o pan pan.c)

  spin_times=() lc_times=() spin_timeout=0 lc_timeout=0 lc_error="" lc_json=""
  for ((i = 1; i <= runs; i++)); do
    if (( !spin_timeout )); then
      rm -f "$dir/$model.trail"
      t0=$(now)
      rc=0
      (cd "$dir" && timeout "$limit" ./pan -m1000000 >"$dir/pan.out" 2>&1) || rc=$?
      t1=$(now)
      if (( rc == 124 )); then spin_timeout=1
      else spin_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"); fi
    fi
    if [[ "$spin_only" != 1 ]] && (( !lc_timeout )) && [[ -z "$lc_error" ]]; then
      t0=$(now)
      rc=0
      # shellcheck disable=SC2086
      timeout "$limit" "$loopcheck" $lcargs >"$dir/lc.json" 2>"$dir/lc.err" || rc=$?
      t1=$(now)
      if (( rc == 124 )); then lc_timeout=1
      elif (( rc > 1 )) || ! jq -e .verdict "$dir/lc.json" >/dev/null 2>&1; then
        lc_error="error (exit $rc: $(head -c 80 "$dir/lc.err" | tr '\n|' '  '))"
      else
        lc_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
        lc_json="$dir/lc.json"
      fi
    fi
  done

  # SPIN's figures (deterministic: read from the last run that finished)
  if (( ${#spin_times[@]} )) && (( !spin_timeout )); then
    states=$(awk '/states, stored/ { print $1 }' "$dir/pan.out")
    errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.out")
    spin_s=$(printf '%s\n' "${spin_times[@]}" | median)
    if [[ "$errors" != 0 ]]; then
      steps="?"
      if [[ -f "$dir/$model.trail" ]]; then
        # shellcheck disable=SC2086
        steps=$(cd "$dir" && spin -t -p $dflags "$model" 2>&1 |
                sed -n 's/.*trail ends after \([0-9]*\) steps.*/\1/p')
      fi
      spin_verdict="SPIN: assertion violated, BFS trail $steps steps"
    else
      spin_verdict="SPIN: 0 errors"
    fi
  else
    states="timeout" spin_s="timeout" spin_verdict="SPIN: timeout"
  fi

  # loopcheck's figures
  if [[ "$spin_only" == 1 ]]; then
    schedules="-" lc_states="-" lc_s="-" lc_verdict="loopcheck: not run"
  elif [[ -n "$lc_error" ]]; then
    schedules="-" lc_states="-" lc_s="-" lc_verdict="loopcheck: $lc_error"
  elif (( lc_timeout )); then
    schedules="timeout" lc_states="timeout" lc_s="timeout" lc_verdict="loopcheck: timeout"
  else
    schedules=$(jq -r .stats.schedules "$lc_json")
    lc_states=$(jq -r .stats.states "$lc_json")
    lc_s=$(printf '%s\n' "${lc_times[@]}" | median)
    lc_verdict="loopcheck: $(jq -r '.verdict + ", complete=" + (.stats.complete | tostring) +
      (if .shortest then ", shortest counterexample " + (.shortest.steps | tostring) +
       " steps (" + .shortest.oracle + ", " + (.shortest.seconds * 1000 | floor | tostring) + " ms)"
       elif .counterexample then ", counterexample " + (.counterexample.steps | tostring) +
       " steps (" + .counterexample.oracle + ")" else "" end)' "$lc_json")"
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s; %s |\n' "$name" "$states" "$spin_s" "$schedules" \
    "$lc_states" "$lc_s" "$spin_verdict" "$lc_verdict"
done
