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
expect 2 "give chunk or chunks, not both" "$cli" explore proactor-pause --param chunks=8 --param chunk=2
expect 2 "unknown oracle 'O42'" "$cli" explore dgram-drain --disable-oracle O42
expect 2 "--replay, --reduce, --por and --no-defer are for the exhaustive engine" "$cli" explore dgram-drain --engine random --replay
expect 2 "are for the exhaustive engine" "$cli" explore dgram-drain --engine pct --reduce
expect 2 "--split-depth is for --shard" "$cli" explore dgram-drain --split-depth 3
expect 2 "--split-depth is for --shard" "$cli" explore dgram-drain --jobs 2 --split-depth 3
expect 2 "must be a whole number in [0, 4000], got '4001'" "$cli" explore dgram-drain --max-preemptions 4001
expect 2 "--no-defer goes with --reduce" "$cli" explore dgram-drain --no-defer
expect 2 "--store-states goes with --reduce" "$cli" explore dgram-drain --store-states between-batches
expect 2 "--store-states takes auto, every-step, between-batches or where-branched, got 'some'" "$cli" explore dgram-drain --reduce --store-states some
expect 0 "0 violations" "$cli" explore proactor-pause --param chunks=8 --param pauses=2 --reduce --store-states between-batches
expect 0 "0 violations" "$cli" explore proactor-pause --param chunks=8 --param pauses=2 --reduce --store-states where-branched
expect 0 '"store_states": "auto"' "$cli" explore proactor-pause --param chunks=8 --param pauses=2 --reduce --json
# A time limit makes the exhaustive engine stop incomplete, never clean.
expect 3 "INCOMPLETE" "$cli" explore selector-stream-adversary --max-seconds 0.1
# So does the step bound cutting off the one run `run` makes: incomplete, not a violation.
expect 3 "cut off after 3 steps" "$cli" run stream-echo --max-depth 3
expect 3 "reproducer not written: the step bound cut the run off" "$cli" run stream-echo --max-depth 3 --save "$work/cut.repro"
[[ ! -e "$work/cut.repro" ]] || { echo "FAIL: a cut-off run was saved as a reproducer"; failures=$((failures + 1)); }
# A switch a real experiment never reaches is refused, not run as if it were on.
expect 2 "it lives in the proactor stream family, and this experiment runs selector stream only" "$cli" real echo --bug bpo-33694
expect 2 "it lives in the ssl protocol family" "$cli" real race-echo --bug bpo-45159
# And a real run whose time limit comes while its data still moves (16 GiB in 1 s).
expect 3 "incomplete (the 1 s limit came while data still moved" "$cli" real echo --bytes 17179869184 --seconds 1
expect 3 "incomplete: the 1 s limit came while data still moved" "$cli" real dgram-drain --count 1000000 --seconds 1
# A connect timeout shorter than a TLS startup takes here: the driver gives up, as it should;
# that says nothing about the transports.
expect 3 "incomplete: the 1 ms connect timeout came while the TLS startup still moved" "$cli" real reactor --connect-timeout-ms 1 --runs 2
# Branching from saved worlds or replaying every run from a fresh one: the same certificate.
saved=$("$cli" explore proactor-pause --reduce 2>&1 | grep '^certified')
[[ "$saved" == *explored* ]] || { echo "FAIL: explore proactor-pause --reduce certified nothing"; failures=$((failures + 1)); }
expect 0 "$saved" "$cli" explore proactor-pause --reduce --replay
# TLS: bad versions, files that are not there, parameters out of range.
expect 2 "must be 1.2 or 1.3, got '1.1'" "$cli" real tls-echo --tls 1.1
expect 2 "cannot read cert.pem" "$cli" real tls-serve --cert-dir /nonexistent
expect 2 "--ca /nonexistent: cannot read it" "$cli" real tls-connect --port 1 --ca /nonexistent
# start_tls and the reactor: the same rules.
expect 2 "must be 1.2 or 1.3, got '1.4'" "$cli" real start-tls --tls 1.4
expect 2 "got '0'" "$cli" real start-tls --runs 0
expect 2 "unknown bug switch 'nope'" "$cli" real reactor --bug nope
expect 2 "real reactor --port needs --ca" "$cli" real reactor --port 5
expect 2 "--ca /nonexistent: cannot read it" "$cli" real reactor --port 5 --ca /nonexistent
expect 2 "got '0'" "$cli" real close-no-notify --shutdown-timeout-ms 0
# real load: the window and the pause periods have ranges, and the periods an order.
expect 2 "got '-1'" "$cli" real load --window -1
expect 2 "got '0'" "$cli" real echo --read-size 0
expect 2 "got '16777217'" "$cli" real race-echo --read-size 16777217
expect 2 "got '0'" "$cli" real load --pause-min-ms 0
expect 2 "--pause-min-ms (30) is above --pause-max-ms (20)" "$cli" real load --pause-min-ms 30 --pause-max-ms 20
# The differential run's scripts: every problem named, with the step it is in.
expect 2 "--script is required" "$cli" real differential
expect 2 "cannot read '/nonexistent.json'" "$cli" real differential --script /nonexistent.json
echo '{"steps": [' > "$work/broken.json"
expect 2 "is not JSON" "$cli" real differential --script "$work/broken.json"
echo '{"steps": [{"do": "write", "n": 5}, {"do": "fly"}]}' > "$work/unknown.json"
expect 2 "step 1: unknown step 'fly'" "$cli" real differential --script "$work/unknown.json"
echo '{"steps": [{"do": "write", "n": -5}]}' > "$work/negative.json"
expect 2 "step 0: n must be a whole number" "$cli" real differential --script "$work/negative.json"
echo '{"steps": [{"do": "hook", "on": "connection_made", "act": {"do": "close"}}]}' > "$work/hook.json"
expect 2 "step 0: a hook's \"on\" is" "$cli" real differential --script "$work/hook.json"
echo '{"sndbuf": 99999999999, "steps": []}' > "$work/sndbuf.json"
expect 2 "sndbuf must be a whole number" "$cli" real differential --script "$work/sndbuf.json"
echo '{"transport": "pipe", "steps": []}' > "$work/pipe.json"
expect 2 '"transport" is "stream" or "datagram"' "$cli" real differential --script "$work/pipe.json"
echo '{"transport": "datagram", "steps": [{"do": "write", "n": 5}]}' > "$work/dgram-write.json"
expect 2 "step 0: unknown step 'write'" "$cli" real differential --script "$work/dgram-write.json"
expect 2 "must be in [0, 60000000] us, got 70000000" "$cli" explore start-tls-server --param gap_us=70000000
expect 2 "must be in [1, 3600000] ms, got 0" "$cli" explore reactor-startup --param connect_timeout_ms=0
expect 2 "must be in [0, 4], got 9" "$cli" explore tls-echo --param tickets=9
expect 2 "must be in [0, 1], got 2" "$cli" explore tls-echo --param certs=2
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
# Two switches on: the first finding is blamed, peeled off, and the one it hid is found after.
expect 1 "order: bpo-33694, then bpo-33674" \
  "$cli" explore start-tls-server --bug bpo-33694 --bug bpo-33674 --save-dir "$work/found"
expect 1 "reproducer written to $work/peeled/start-tls-server-bpo-33674-exhaustive.repro" \
  "$cli" explore start-tls-server --bug bpo-33694 --bug bpo-33674 --save-dir "$work/peeled"
expect 1 '"no_part": [' \
  "$cli" explore start-tls-server --bug bpo-33694 --bug bpo-33674 --json
expect 2 "this program added no scenario or switch" "$cli" hunt --only-added
# A file from a user's own binary names that binary.
sed 's/^program: .*/program: line_check/; s/^scenario: .*/scenario: line-echo/' \
  "$work/drain.repro" >"$work/theirs.repro"
expect 2 "written by 'line_check'" "$cli" replay "$work/theirs.repro"

# Never cry wolf: each of these once reported a violation (exit 1) on fixed code.
expect 3 "verdict: incomplete" "$cli" explore stream-echo --max-depth 5
for depth in 1 2 3 6; do
  for scenario in stream-echo dgram-drain stream-reset; do
    out=$("$cli" explore "$scenario" --max-depth "$depth" 2>&1); code=$?
    if [[ $code -eq 1 ]]; then
      echo "FAIL: explore $scenario --max-depth $depth cried wolf:"; echo "$out" | grep verdict
      failures=$((failures + 1))
    fi
  done
done
expect 2 "must be in [1, 60000000] us" "$cli" run dgram-echo --param retry_us=9223372036854775807
expect 0 "no violation" "$cli" explore proactor-dgram-icmp --engine random --seed 9 --max-depth 3000 \
  --param bind_after_us=5000 --param retry_us=10 --param retries=8 --disable-oracle O4 --max-schedules 2000
expect 0 "no violation" "$cli" explore proactor-dgram-icmp --engine random --seed 9 --max-depth 3000 \
  --param bind_after_us=5000 --param retry_us=10 --param retries=8 --max-schedules 2000
# Timing is a window of choices, not one value: bpo-33694 at a long pause period is found (it
# was certified clean when the period was a fixed 50 us), and a window upside down is bad input.
expect 1 "VIOLATION O9" "$cli" explore proactor-pause --bug bpo-33694 --param bytes=3 --param chunk=1 \
  --param pause_us=50 --save-dir "$work"
expect 2 "pause_min_us=11 is above pause_us=5" "$cli" explore proactor-pause --param pause_us=5
expect 0 "app timers anywhere in retry 500..1000 us" "$cli" explore dgram-icmp
# A reply that lands just before a client out of retries gives up is not a hang (exit 3 here:
# the schedule budget runs out, but no schedule is a violation).
expect 3 "0 violations" "$cli" explore dgram-icmp --param retry_us=10 --param bind_after_us=20 --max-schedules 20000
expect 3 "0 violations" "$cli" explore dgram-echo --param retry_us=10 --max-schedules 20000
# Every number has a range.
expect 2 "must be in [1, 1048576] bytes" "$cli" run proactor-abort-after-close --param bytes=2000000000
sed 's/^params: .*/params: count=4 chunk=99999999999/' "$work/drain.repro" >"$work/huge.repro"
expect 2 "huge.repro:" "$cli" replay "$work/huge.repro"
expect 2 "[0, 100], got '99999999999'" "$cli" explore dgram-drain --max-faults 99999999999
expect 2 "got '-1'" "$cli" explore dgram-drain --seed -1
expect 2 "got '0'" "$cli" explore dgram-drain --max-depth 0
expect 2 "got 'nan'" "$cli" explore dgram-drain --max-seconds nan
expect 2 "never reaches it" "$cli" explore dgram-echo --bug bpo-33694
# Messages that fit a terminal.
head -n 12 "$work/drain.repro" >"$work/cut.repro"
expect 2 "truncated" "$cli" replay "$work/cut.repro"
printf 'version: 1\nscenario: dgram-drain\n%s\x01\x02\n' "$(printf 'x%.0s' {1..300})" >"$work/long.repro"
expect 2 "(302 bytes, the first 40 shown)" "$cli" replay "$work/long.repro"
if "$cli" replay "$work/long.repro" 2>&1 | grep -q "$(printf 'x%.0s' {1..41})"; then
  echo "FAIL: a malformed line was quoted whole"; failures=$((failures + 1))
fi
chart=$("$cli" explore dgram-drain --bug dgram-drain --chart --save "$work/chart.repro")
if awk '/\|/ && length > 100 { bad = 1 } END { exit !bad }' <<<"$chart"; then
  echo "FAIL: --chart is wider than 100 columns"; failures=$((failures + 1))
fi
if ! grep -qF "!! VIOLATION O10 (datagram accounting): datagram fd 3: 1 of 2 datagrams queued" <<<"$chart"; then
  echo "FAIL: the chart cut the violation line"; failures=$((failures + 1))
fi

# merge reads the bounds and limits from the shares' JSON: a number out of range there is named
# as on the command line (a hand-edited share must not yield a certificate for other bounds).
"$cli" explore stream-sendfile --shard 0/1 --json > "$work/share.json"
for edit in '"max_preemptions": -1/"max_preemptions": 99999/--max-preemptions is 0..4000, got 99999' \
            '"max_faults": -1/"max_faults": 1000000000000/--max-faults is 0..100, got 1000000000000' \
            '"max_depth": 0/"max_depth": -5/--max-depth is 1..10000000, got -5' \
            '"split_depth": 16/"split_depth": 0/--split-depth is 1..64, got 0' \
            '"max_schedules": 500000/"max_schedules": 0/--max-schedules is 1..1000000000000, got 0'; do
  IFS=/ read -r from to message <<<"$edit"
  sed "0,/$from/s//$to/" "$work/share.json" > "$work/edited.json"
  expect 2 "$message" "$cli" merge "$work/edited.json"
done

echo "$failures failed"
[[ $failures -eq 0 ]]
