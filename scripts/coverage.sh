#!/usr/bin/env bash
# Line and branch coverage of src/transport and src/loop reached by exploration alone: the
# model, property and corpus suites (the engines, RapidCheck and the replayed corpora), not the
# unit tests that call transport methods by hand. Needs gcovr (Debian: gcovr).
#   scripts/coverage.sh            build with the coverage preset, run those suites, report
# Prints gcovr's summary, and writes build/coverage/lines.txt and branches.txt (per file, with
# every line missed) and gaps.md (every line with a branch never taken, and why). Branches the compiler adds for exceptions are left out: loopcheck's
# transports throw none, so those paths are not behaviour that exploration could reach.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v gcovr >/dev/null || { echo "coverage.sh: gcovr is missing (apt-get install gcovr)" >&2; exit 2; }
cmake --preset coverage >/dev/null
cmake --build --preset coverage --target model_tests property_tests loopcheck \
  selector_stream_fuzzer selector_datagram_fuzzer proactor_stream_fuzzer proactor_datagram_fuzzer ssl_protocol_fuzzer start_tls_fuzzer tls_reactor_fuzzer
find build/coverage -name '*.gcda' -delete
# A suite that fails or times out (unoptimised, instrumented code is slow) still leaves the
# coverage of every test that finished; the report goes on, and says which did not.
if ! ctest --test-dir build/coverage -L 'model|property|corpus' -j "$(nproc)" >/dev/null; then
  echo "coverage.sh: these tests failed or timed out; the figures below leave them out:" >&2
  cat build/coverage/Testing/Temporary/LastTestsFailed.log >&2
fi
filter=(--root . --object-directory build/coverage --filter 'src/transport/' --filter 'src/loop/'
        --exclude '.*_test\.cc' --exclude-throw-branches --exclude-unreachable-branches)
gcovr "${filter[@]}" --txt build/coverage/lines.txt --print-summary
gcovr "${filter[@]}" --branches --txt build/coverage/branches.txt --json build/coverage/coverage.json >/dev/null
# Every line with a branch never taken, with its reason (scripts/coverage_reasons.txt); a line
# without one fails here, so docs/QUALITY.md's table cannot silently go stale.
scripts/coverage_gaps.py build/coverage/coverage.json >build/coverage/gaps.md
echo "coverage.sh: every missed branch explained: build/coverage/gaps.md"
