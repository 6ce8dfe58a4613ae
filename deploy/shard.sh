#!/usr/bin/env bash
# One share of an exploration, on whatever runs it: the share's index comes from the scheduler
# (JOB_COMPLETION_INDEX in a Kubernetes Indexed Job, SLURM_ARRAY_TASK_ID in a Slurm job array,
# or LOOPCHECK_SHARD), the number of shares from LOOPCHECK_SHARDS (or SLURM_ARRAY_TASK_COUNT).
# It writes $LOOPCHECK_OUT/shard-<I>-of-<N>.json; `loopcheck merge $LOOPCHECK_OUT/shard-*-of-<N>.json`
# then prints the certificate one run would. Exit 0 once the share's JSON is written, whatever
# its verdict (merge gives that); 2 on bad input, naming what; the explorer's own failure else.
# Usage: shard.sh SCENARIO [explore options...]      (LOOPCHECK: the binary, default: on PATH)
set -uo pipefail
[[ $# -ge 1 ]] || { echo "shard.sh: usage: shard.sh SCENARIO [explore options...]" >&2; exit 2; }
index="${JOB_COMPLETION_INDEX:-${SLURM_ARRAY_TASK_ID:-${LOOPCHECK_SHARD:-}}}"
count="${LOOPCHECK_SHARDS:-${SLURM_ARRAY_TASK_COUNT:-}}"
whole='^(0|[1-9][0-9]{0,5})$'
[[ "$index" =~ $whole ]] || {
  echo "shard.sh: no share index: set JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or LOOPCHECK_SHARD (got '$index')" >&2
  exit 2
}
[[ "$count" =~ $whole && "$count" -ge 1 ]] || {
  echo "shard.sh: no share count: set LOOPCHECK_SHARDS or SLURM_ARRAY_TASK_COUNT to 1..100000 (got '$count')" >&2
  exit 2
}
(( index < count )) || { echo "shard.sh: share index $index is not below the share count $count" >&2; exit 2; }
out="${LOOPCHECK_OUT:-.}"
mkdir -p "$out" || { echo "shard.sh: cannot make $out" >&2; exit 2; }
file="$out/shard-$index-of-$count.json"
"${LOOPCHECK:-loopcheck}" explore "$@" --shard "$index/$count" --json > "$file.part"
code=$?
# explore: 0 clean, 1 violation, 3 incomplete; each wrote its JSON. Anything else did not.
if [[ $code -ne 0 && $code -ne 1 && $code -ne 3 ]]; then
  rm -f "$file.part"
  exit "$code"
fi
mv "$file.part" "$file"
echo "share $index of $count: $(grep -m1 '"verdict"' "$file" | tr -d ' ,') -> $file"
