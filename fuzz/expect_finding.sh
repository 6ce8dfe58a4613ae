#!/usr/bin/env bash
# Runs a fuzz target on inputs that must make it report a violation: it has to exit non-zero
# (abort) and print a reproducer. A target that cannot fail fails this test.
set -u
out=$("$@" 2>&1)
code=$?
if [[ $code -eq 0 ]]; then
  echo "expected a finding, but the target exited 0:"
  echo "$out" | tail -5
  exit 1
fi
if ! grep -q -- "--- reproducer ---" <<<"$out"; then
  echo "the target failed (exit $code) without printing a reproducer:"
  echo "$out" | tail -20
  exit 1
fi
grep -E "^(# O|expect:)" <<<"$out" | head -2
exit 0
