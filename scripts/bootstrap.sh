#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a result:
#   scripts/bootstrap.sh hunt   install what is missing, build, run `loopcheck hunt`
#   scripts/bootstrap.sh test   install what is missing, build, run the whole ctest suite
# Only Debian packages are installed, and only those not installed yet. Nothing is downloaded
# at build time.
set -euo pipefail

mode="${1:-hunt}"
preset="${LOOPCHECK_PRESET:-default}"
case "$mode" in
  hunt|test) ;;
  *) echo "usage: $0 hunt|test   (LOOPCHECK_PRESET=default|asan|fuzz picks the build)" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ clang libclang-rt-14-dev
  libssl-dev librapidcheck-dev libgtest-dev libbenchmark-dev liburing-dev
  libcli11-dev nlohmann-json3-dev libxxhash-dev
)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "bootstrap: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Two cores on CI: let ninja use them, nothing more.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
if [[ "$mode" == test ]]; then
  exec cmake --workflow --preset "$preset"
fi
cmake --preset "$preset"
cmake --build --preset "$preset"
exec "build/$preset/loopcheck" hunt
