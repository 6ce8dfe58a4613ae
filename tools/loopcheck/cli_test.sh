#!/usr/bin/env bash
# The CLI end to end: bad input gets a clear message and exit code 2; a violation is exit 1 with
# a reproducer; replaying that reproducer twice prints the same trace.
set -u
cli="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

expect() {  # expect <exit code> <text in output> <command...>
  local want_code="$1" want_text="$2"
  shift 2
  local out code
  out=$("$@" 2>&1)
  code=$?
  if [[ $code -ne $want_code ]] || ! grep -qF -- "$want_text" <<<"$out"; then
    echo "FAIL: $* -> exit $code (want $want_code), output:"
    echo "$out" | head -20
    failures=$((failures + 1))
  else
    echo "ok:   $*"
  fi
}

expect 2 "unknown scenario 'nope'" "$cli" explore nope
expect 2 "unknown bug switch 'bpo-0'" "$cli" explore dgram-drain --bug bpo-0
expect 2 "has no parameter 'colour'" "$cli" explore dgram-drain --param colour=1
expect 2 "name=integer" "$cli" explore dgram-drain --param count
expect 2 "unknown oracle 'O42'" "$cli" explore dgram-drain --disable-oracle O42
expect 2 "--frobnicate" "$cli" explore dgram-drain --frobnicate
expect 2 "cannot open reproducer" "$cli" replay "$work/missing.repro"
printf 'version: 1\nscenario: dgram-drain\nchoices:\nteleport 0/2\n' >"$work/bad.repro"
expect 2 "bad.repro:4: unknown choice kind 'teleport'" "$cli" replay "$work/bad.repro"
printf 'version: 1\nscenario: nope\nchoices:\n' >"$work/bad2.repro"
expect 2 "bad2.repro:2: unknown scenario 'nope'" "$cli" replay "$work/bad2.repro"
printf '\x00\x01garbage' >"$work/binary.repro"
expect 2 "binary.repro:1:" "$cli" replay "$work/binary.repro"

expect 0 "every bug found" "$cli" hunt
expect 0 "clean" "$cli" explore stream-echo --max-preemptions 1 --max-faults 0
expect 1 "VIOLATION O10" "$cli" explore dgram-drain --bug dgram-drain --save "$work/drain.repro"
expect 0 "reproduced the recorded verdict" "$cli" replay "$work/drain.repro"
"$cli" replay "$work/drain.repro" >"$work/first.txt" 2>&1
"$cli" replay "$work/drain.repro" >"$work/second.txt" 2>&1
if ! cmp -s "$work/first.txt" "$work/second.txt"; then
  echo "FAIL: two replays printed different traces"
  failures=$((failures + 1))
fi
# A reproducer whose choices no longer fit the run is a divergence, not a pass.
sed 's/^expect: O10/expect: pass/' "$work/drain.repro" >"$work/wrong.repro"
expect 1 "replay MISMATCH" "$cli" replay "$work/wrong.repro"

# Default reproducer names: in --save-dir, never over an earlier finding.
expect 1 "reproducer written to $work/found/dgram-drain-dgram-drain-exhaustive.repro" \
  "$cli" explore dgram-drain --bug dgram-drain --save-dir "$work/found"
expect 1 "reproducer written to $work/found/dgram-drain-dgram-drain-exhaustive-2.repro" \
  "$cli" explore dgram-drain --bug dgram-drain --save-dir "$work/found"
expect 1 "reproducer written to $work/found/dgram-drain-dgram-drain-random-seed7.repro" \
  "$cli" explore dgram-drain --bug dgram-drain --engine random --seed 7 --save-dir "$work/found"
expect 2 "this program added no scenario or switch" "$cli" hunt --only-added
# A file from a user's own binary names that binary.
sed 's/^program: .*/program: line_check/; s/^scenario: .*/scenario: line-echo/' \
  "$work/drain.repro" >"$work/theirs.repro"
expect 2 "written by 'line_check'" "$cli" replay "$work/theirs.repro"

echo "$failures failed"
[[ $failures -eq 0 ]]
