#!/usr/bin/env bash
# ctest check of the OSS-Fuzz build: build.sh (through build_local.sh) must produce every target
# with its seed corpus and options, and each target must run its seed corpus cleanly.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
base="$1"
rm -rf "$base"
bash "$repo/fuzz/oss-fuzz/build_local.sh" "$base" >/dev/null
out="$base/out"
for target in selector_stream_fuzzer selector_datagram_fuzzer proactor_stream_fuzzer proactor_datagram_fuzzer ssl_protocol_fuzzer start_tls_fuzzer tls_reactor_fuzzer; do
  for file in "$target" "${target}_seed_corpus.zip" "$target.options"; do
    [[ -s "$out/$file" ]] || { echo "missing $out/$file"; exit 1; }
  done
  seeds="$base/seeds/$target"
  mkdir -p "$seeds"
  (cd "$seeds" && cmake -E tar xf "$out/${target}_seed_corpus.zip")
  count=$(ls "$seeds" | wc -l)
  [[ $count -gt 0 ]] || { echo "empty seed corpus for $target"; exit 1; }
  "$out/$target" -runs=0 "$seeds" 2>&1 | tail -1
  echo "$target: $count seeds replayed"
done
