#!/usr/bin/env bash
# The OSS-Fuzz build, here and without Docker: the same build.sh, with the variables OSS-Fuzz
# would set for libFuzzer + ASan + UBSan. Usage: fuzz/oss-fuzz/build_local.sh [OUT_DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
base="${1:-$repo/build/oss-fuzz}"
export CC=clang CXX=clang++
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,undefined -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
export SRC="$base/src" WORK="$base/work" OUT="$base/out" LOOPCHECK_SRC="$repo"
mkdir -p "$SRC" "$WORK" "$OUT"
bash "$repo/fuzz/oss-fuzz/build.sh"
echo "oss-fuzz build: targets in $OUT"
