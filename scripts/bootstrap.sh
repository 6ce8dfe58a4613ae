#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a result:
#   scripts/bootstrap.sh hunt   install what the CLI needs, build only the CLI, run `loopcheck hunt`
#   scripts/bootstrap.sh test   install everything, build everything, run the whole ctest suite
# Only Debian packages are installed, and only those not installed yet. Nothing is downloaded
# at build time. Each phase prints one line with its elapsed time.
set -euo pipefail

mode="${1:-hunt}"
preset="${LOOPCHECK_PRESET:-default}"
case "$mode" in
  hunt|test) ;;
  *) echo "usage: $0 hunt|test   (LOOPCHECK_PRESET=default|asan|fuzz picks the build)" >&2; exit 2 ;;
esac
case "$preset" in
  default|asan|fuzz) ;;
  *) echo "$0: unknown preset '$preset' (default, asan or fuzz)" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."

# What the CLI needs to build: the compiler, CMake and Ninja, and the CLI's own libraries.
packages=(cmake ninja-build g++ libcli11-dev nlohmann-json3-dev libxxhash-dev liburing-dev libssl-dev)
if [[ "$preset" != default ]]; then packages+=(clang libclang-rt-14-dev); fi
if [[ "$mode" == test ]]; then
  # The suites: GoogleTest, RapidCheck, Google Benchmark, clang for the OSS-Fuzz build check,
  # the openssl program, python3 for the docs and interop checks, and SPIN (with jq to read
  # loopcheck's JSON) for the side-by-side check of bench/spin_side_by_side.sh.
  packages+=(clang libclang-rt-14-dev openssl librapidcheck-dev libgtest-dev
             libbenchmark-dev python3 spin jq)
fi

started=$SECONDS
phase() {  # phase <name> <what happened>: one line, with the seconds since the last phase
  printf 'bootstrap: %-9s %s (%d s)\n' "$1" "$2" $((SECONDS - started))
  started=$SECONDS
}

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  phase packages "installed ${missing[*]}"
else
  phase packages "nothing missing"
fi

# Two cores on CI: let ninja use them, nothing more.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
if [[ "$mode" == test ]]; then
  cmake --preset "$preset" >/dev/null
  phase configure "preset $preset, everything"
  cmake --build --preset "$preset"
  phase build "done"
  status=0
  ctest --preset "$preset" || status=$?
  phase test "ctest exit $status"
  exit $status
fi

# hunt: the CLI alone. The suites, benchmarks and fuzz targets are configured off here; the test
# command's preset turns them on again in the same build folder.
cmake --preset "$preset" -DLOOPCHECK_TESTS=OFF -DLOOPCHECK_BENCHMARKS=OFF -DLOOPCHECK_FUZZERS=OFF >/dev/null
phase configure "preset $preset, the CLI only"
cmake --build --preset "$preset" --target loopcheck
phase build "build/$preset/loopcheck"
status=0
"build/$preset/loopcheck" hunt || status=$?
phase hunt "loopcheck hunt exit $status"
exit $status
