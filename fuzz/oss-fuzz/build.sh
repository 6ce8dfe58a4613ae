#!/bin/bash -eu
# OSS-Fuzz build script: compile with $CXX $CXXFLAGS, link $LIB_FUZZING_ENGINE, and write each
# target with <target>_seed_corpus.zip, <target>.options (and <target>.dict if one exists) to
# $OUT. fuzz/oss-fuzz/build_local.sh runs this same script without Docker.
src_dir="${LOOPCHECK_SRC:-$SRC/loopcheck}"
cd "$src_dir"
objects_dir="$WORK/loopcheck-objects"
mkdir -p "$objects_dir" "$OUT"

# Everything the targets link: the state machines, the simulated world and the fuzz driver.
sources=()
for file in src/core/*.cc src/loop/*.cc src/transport/*.cc src/tls/*.cc src/streams/*.cc model/*/*.cc \
            fuzz/fuzz_driver.cc; do
  [[ "$file" == *_test.cc ]] && continue
  sources+=("$file")
done

compile() {
  local source="$1"
  local object="$objects_dir/$(echo "$source" | tr '/' '_').o"
  $CXX $CXXFLAGS -std=c++20 -I. -c "$source" -o "$object"
}
export -f compile
export objects_dir CXX CXXFLAGS
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -I{} bash -c 'compile "$1"' _ {}

for target in selector_stream_fuzzer selector_datagram_fuzzer proactor_stream_fuzzer proactor_datagram_fuzzer \
              ssl_protocol_fuzzer start_tls_fuzzer tls_reactor_fuzzer; do
  $CXX $CXXFLAGS -std=c++20 -I. "fuzz/$target.cc" "$objects_dir"/*.o $LIB_FUZZING_ENGINE \
    -lssl -lcrypto -o "$OUT/$target"
  cp "fuzz/$target.options" "$OUT/"
  if [[ -f "fuzz/$target.dict" ]]; then cp "fuzz/$target.dict" "$OUT/"; fi
  rm -f "$OUT/${target}_seed_corpus.zip"
  if command -v zip >/dev/null; then
    zip -j -q "$OUT/${target}_seed_corpus.zip" "corpus/$target"/*
  else
    (cd "corpus/$target" && cmake -E tar cf "$OUT/${target}_seed_corpus.zip" --format=zip -- *)
  fi
done
