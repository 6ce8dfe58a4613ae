#!/usr/bin/env bash
# Turns a reproducer's schedule into a fuzz input for its family's target: the first byte picks
# the scenario (its position within the family, as in model/scenarios/registry.cc), then one
# byte per choice (two, high first, when the choice has more than 256 options), as
# model/engines/byte_choice_source.cc reads them. Choices with a single option consume no byte.
# Usage: seed_from_reproducer.sh REPRO SCENARIO_INDEX OUT
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 REPRO SCENARIO_INDEX OUT" >&2; exit 2; }
repro="$1" index="$2" out="$3"
grep -q '^choices:' "$repro" || { echo "$repro: no 'choices:' section" >&2; exit 2; }
{
  printf "\\x$(printf '%02x' "$index")"
  sed -n '/^choices:/,$p' "$repro" | tail -n +2 | while read -r kind value; do
    chosen="${value%/*}" options="${value#*/}"
    (( options <= 1 )) && continue
    if (( options > 256 )); then
      printf "\\x$(printf '%02x' $((chosen >> 8)))\\x$(printf '%02x' $((chosen & 255)))"
    else
      printf "\\x$(printf '%02x' "$chosen")"
    fi
  done
} > "$out"
