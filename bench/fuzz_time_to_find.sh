#!/usr/bin/env bash
# Benchmark, not a test: how long each libFuzzer target takes, from an empty corpus, to find each
# bug switch of its transport family. Five runs per switch (seeds 1..5), the median reported.
# Usage: bench/fuzz_time_to_find.sh [OSS_FUZZ_BUILD_DIR [TARGET [SWITCH...]]]   (built with
# build_local.sh if absent; a stale build is not rebuilt: delete it first)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:-$repo/build/oss-fuzz}"
[[ -x "$base/out/ssl_protocol_fuzzer" ]] || bash "$repo/fuzz/oss-fuzz/build_local.sh" "$base" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A family=(
  [dgram-drain]=selector_datagram_fuzzer [bpo-38471]=selector_datagram_fuzzer
  [gh-91227]=selector_datagram_fuzzer [bpo-27223]=selector_stream_fuzzer
  [gh-156512]=selector_stream_fuzzer [bpo-33694]=proactor_stream_fuzzer
  [bpo-44428]=proactor_stream_fuzzer [twisted-11020]=proactor_stream_fuzzer
  [bpo-32710]=proactor_stream_fuzzer
  [bpo-33674]=ssl_protocol_fuzzer [bpo-29743]=ssl_protocol_fuzzer [asyncio-472]=ssl_protocol_fuzzer
  [bpo-29406]=ssl_protocol_fuzzer [bpo-30698]=ssl_protocol_fuzzer [bpo-45159]=ssl_protocol_fuzzer
  [sslproto-flush-abort]=ssl_protocol_fuzzer [sslproto-paused-finished]=ssl_protocol_fuzzer
  [proactor-eof-twice]=proactor_stream_fuzzer [gh-155888]=selector_stream_fuzzer
  [gh-103462]=selector_stream_fuzzer [gh-150107]=selector_stream_fuzzer
  [sendfile-close-hang]=selector_stream_fuzzer
  [gh-109051]=start_tls_fuzzer [gh-142352]=start_tls_fuzzer [sslproto-lost-handshake]=start_tls_fuzzer
  [reactor-sslsocket]=tls_reactor_fuzzer
)
# `fuzz_time_to_find.sh DIR ssl_protocol_fuzzer` measures one family only; switch ids after the
# target (`... proactor_stream_fuzzer proactor-eof-twice`) measure only those ('' = any target).
only="${2:-}"
picked=("${@:3}")
printf '%-20s %-26s %-40s %s\n' switch target "seconds (5 runs)" median
for bug in dgram-drain bpo-38471 gh-91227 bpo-27223 gh-156512 bpo-33694 bpo-44428 twisted-11020 bpo-32710 \
           bpo-33674 bpo-29743 asyncio-472 bpo-29406 bpo-30698 bpo-45159 sslproto-flush-abort \
           gh-109051 gh-142352 sslproto-lost-handshake reactor-sslsocket sslproto-paused-finished \
           proactor-eof-twice gh-155888 gh-103462 gh-150107 sendfile-close-hang; do
  target="${family[$bug]}"
  [[ -n "$only" && "$target" != "$only" ]] && continue
  if (( ${#picked[@]} )) && ! printf '%s\n' "${picked[@]}" | grep -qxF -- "$bug"; then continue; fi
  times=()
  for seed in 1 2 3 4 5; do
    rm -rf "$work/corpus" && mkdir -p "$work/corpus"
    start=$(date +%s.%N)
    if LOOPCHECK_FUZZ_BUGS="$bug" "$base/out/$target" -max_total_time=60 -seed="$seed" \
         -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1; then
      times+=("miss")  # ran out of time without a finding
    else
      times+=("$(echo "$(date +%s.%N) - $start" | bc | awk '{printf "%.2f", $1}')")
    fi
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)
  printf '%-20s %-26s %-40s %s\n' "$bug" "$target" "${times[*]}" "$median"
done
