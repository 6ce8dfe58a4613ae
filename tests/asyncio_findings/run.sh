#!/usr/bin/env bash
# Runs one reproducer of docs/FINDINGS.md against the python3 on this machine, with certificates
# made for this run. Exit 0: this python shows the finding. 77: skipped (python3 is missing, or
# the finding is not this python version's to show).
# Usage: run.sh LOOPCHECK FINDING   (FINDING: a file name here, without .py)
set -uo pipefail
loopcheck="$1" finding="$2"
here="$(cd "$(dirname "$0")" && pwd)"
[[ -f "$here/$finding.py" ]] || { echo "no reproducer named '$finding' in $here"; exit 2; }
command -v python3 >/dev/null || { echo "skipped: python3 is not installed (bootstrap.sh test installs it)"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$loopcheck" real tls-certs --dir "$work" >/dev/null || exit 1
timeout 60 python3 "$here/$finding.py" "$work"
