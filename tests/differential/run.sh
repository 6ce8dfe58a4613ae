#!/usr/bin/env bash
# ctest's entry to the differential run (run.py): skipped, with the reason, where python3 is
# missing. Usage: run.sh LOOPCHECK [run.py's options]
set -uo pipefail
command -v python3 >/dev/null || { echo "skipped: python3 is not installed (bootstrap.sh test installs it)"; exit 77; }
exec python3 "$(cd "$(dirname "$0")" && pwd)/run.py" "$@"
