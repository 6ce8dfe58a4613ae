#!/usr/bin/env bash
# ctest's deploy tests. An exploration split into shares and merged must say what the single
# run says (tests/deploy/compare.py). MODE:
#   shards          explore --shard I/4 --json for I in 0..3, then merge, on a few explorations
#   jobs            explore --jobs 2 --json against the single run
#   kubernetes      deploy/kubernetes/explore-job.yaml's container command and env, run once per
#                   index with JOB_COMPLETION_INDEX set as Kubernetes sets it
#   slurm           deploy/slurm/explore.sbatch, run once per task with SLURM_ARRAY_TASK_ID and
#                   SLURM_ARRAY_TASK_COUNT set as Slurm sets them
#   clusterfuzzlite .clusterfuzzlite/ builds what fuzz/oss-fuzz/ builds
# Usage: run.sh MODE LOOPCHECK      (exit 77: python3 is missing)
set -uo pipefail
mode="$1" loopcheck="$2"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
command -v python3 >/dev/null || { echo "skipped: python3 is not installed (bootstrap.sh test installs it)"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export LOOPCHECK="$loopcheck"

# same NAME SHARE_DIR SHARES [--verdict] ARGS...: merge the shares in SHARE_DIR and compare
# with the single run (compare.py; --verdict: the verdict only).
same() {
  local name="$1" dir="$2" count="$3" only=()
  shift 3
  [[ "${1:-}" == --verdict ]] && { only=(--verdict); shift; }
  "$loopcheck" explore "$@" --json > "$work/$name-single.json"
  "$loopcheck" merge --json "$dir"/shard-*-of-"$count".json > "$work/$name-merged.json"
  [[ $? -le 3 ]] || { echo "$name: merge failed"; return 1; }
  echo -n "$name: "
  python3 "$repo/tests/deploy/compare.py" "$work/$name-single.json" "$work/$name-merged.json" "${only[@]}"
}

status=0
case "$mode" in
  shards)
    for args in "stream-sendfile" "proactor-pause" "stream-echo --por" \
                "stream-sendfile-abort --bug sendfile-close-hang" "selector-stream-adversary --reduce --max-app-actions 1"; do
      read -r -a argv <<< "$args"
      dir="$work/shards-${argv[0]}-$RANDOM"
      for i in 0 1 2 3; do
        LOOPCHECK_SHARD=$i LOOPCHECK_SHARDS=4 LOOPCHECK_OUT="$dir" bash "$repo/deploy/shard.sh" "${argv[@]}" > /dev/null || status=1
      done
      # With --reduce each share prunes against its own states: the verdict must agree, not the counts.
      only=()
      [[ "$args" == *--reduce* ]] && only=(--verdict)
      same "$args" "$dir" 4 "${only[@]}" "${argv[@]}" || status=1
    done
    # Bad input is named, never a crash: a missing share, a share twice, a share of another run.
    dir="$work/shards-bad"
    for i in 0 1; do LOOPCHECK_SHARD=$i LOOPCHECK_SHARDS=2 LOOPCHECK_OUT="$dir" bash "$repo/deploy/shard.sh" stream-sendfile > /dev/null; done
    "$loopcheck" merge "$dir/shard-0-of-2.json" 2> "$work/err"; [[ $? -eq 2 ]] && grep -q "missing 1" "$work/err" || { echo "a missing share was not named"; status=1; }
    "$loopcheck" merge "$dir/shard-0-of-2.json" "$dir/shard-0-of-2.json" 2> "$work/err"; [[ $? -eq 2 ]] && grep -q "twice" "$work/err" || { echo "a share given twice was not named"; status=1; }
    LOOPCHECK_SHARD=1 LOOPCHECK_SHARDS=2 LOOPCHECK_OUT="$work/other" bash "$repo/deploy/shard.sh" stream-echo > /dev/null
    "$loopcheck" merge "$dir/shard-0-of-2.json" "$work/other/shard-1-of-2.json" 2> "$work/err"; [[ $? -eq 2 ]] && grep -q "different exploration" "$work/err" || { echo "shares of two explorations were merged"; status=1; }
    "$loopcheck" explore stream-echo --shard 4/4 2> "$work/err"; [[ $? -eq 2 ]] || { echo "--shard 4/4 was taken"; status=1; }
    ;;
  jobs)
    for args in "proactor-pause" "stream-sendfile" "stream-sendfile --bug gh-150107"; do
      read -r -a argv <<< "$args"
      "$loopcheck" explore "${argv[@]}" --json > "$work/single.json"
      "$loopcheck" explore "${argv[@]}" --jobs 2 --json > "$work/merged.json"
      echo -n "$args: "
      python3 "$repo/tests/deploy/compare.py" "$work/single.json" "$work/merged.json" || status=1
    done
    # With --reduce the threads share one state cache and hand each other work: the verdict is
    # the single run's, the counts vary with who met which state first.
    argv=(proactor-pause --param chunks=32 --param pauses=2 --max-preemptions 100 --max-faults 0
          --max-depth 100000 --max-schedules 1000000 --reduce)
    "$loopcheck" explore "${argv[@]}" --json > "$work/single.json"
    "$loopcheck" explore "${argv[@]}" --jobs 2 --json > "$work/merged.json"
    echo -n "${argv[*]}: "
    python3 "$repo/tests/deploy/compare.py" "$work/single.json" "$work/merged.json" --verdict || status=1
    ;;
  kubernetes)
    manifest="$repo/deploy/kubernetes/explore-job.yaml"
    # The container's args (a one-line flow list, JSON-compatible) and its share count.
    mapfile -t argv < <(python3 -c '
import json, re, sys
text = open(sys.argv[1]).read()
print("\n".join(json.loads(re.search(r"^\s*args: (\[.*?\])", text, re.M).group(1))))' "$manifest")
    count="$(python3 -c '
import re, sys
text = open(sys.argv[1]).read()
shards = re.search(r"name: LOOPCHECK_SHARDS\s*\n\s*value: \"(\d+)\"", text).group(1)
assert shards == re.search(r"^\s*completions: (\d+)", text, re.M).group(1), "completions and LOOPCHECK_SHARDS differ"
print(shards)' "$manifest")" || { echo "the manifest's share count and completions differ"; exit 1; }
    grep -q 'command: \["/opt/loopcheck/deploy/shard.sh"\]' "$manifest" || { echo "the manifest does not run deploy/shard.sh"; exit 1; }
    for ((i = 0; i < count; i++)); do
      JOB_COMPLETION_INDEX=$i LOOPCHECK_SHARDS=$count LOOPCHECK_OUT="$work/k8s" bash "$repo/deploy/shard.sh" "${argv[@]}" > /dev/null || status=1
    done
    same kubernetes "$work/k8s" "$count" "${argv[@]}" || status=1
    ;;
  slurm)
    script="$repo/deploy/slurm/explore.sbatch"
    range="$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)$/\1/p' "$script")"
    [[ -n "$range" ]] || { echo "explore.sbatch has no --array=0-K"; exit 1; }
    count=$((range + 1))
    for ((i = 0; i < count; i++)); do
      SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$count LOOPCHECK_OUT="$work/slurm" bash "$script" > /dev/null || status=1
    done
    mapfile -t argv < <(sed -n 's/^  set -- //p' "$script" | tr ' ' '\n')
    same slurm "$work/slurm" "$count" "${argv[@]}" || status=1
    ;;
  clusterfuzzlite)
    grep -q 'fuzz/oss-fuzz/build.sh' "$repo/.clusterfuzzlite/build.sh" || { echo ".clusterfuzzlite/build.sh does not run the OSS-Fuzz build"; status=1; }
    a="$(grep '^RUN apt-get' "$repo/fuzz/oss-fuzz/Dockerfile")" b="$(grep '^RUN apt-get' "$repo/.clusterfuzzlite/Dockerfile")"
    [[ -n "$a" && "$a" == "$b" ]] || { echo "the two builders install different packages:"; echo "  $a"; echo "  $b"; status=1; }
    grep -q '^language: c++' "$repo/.clusterfuzzlite/project.yaml" || { echo "project.yaml: language is not c++"; status=1; }
    grep -q 'clusterfuzzlite/actions/build_fuzzers' "$repo/.github/workflows/cflite.yml" || { echo "no workflow builds the fuzzers"; status=1; }
    [[ $status -eq 0 ]] && echo "ClusterFuzzLite builds with fuzz/oss-fuzz/build.sh and the same packages"
    ;;
  *) echo "run.sh: unknown mode '$mode' (shards, jobs, kubernetes, slurm, clusterfuzzlite)"; exit 2 ;;
esac
exit $status
