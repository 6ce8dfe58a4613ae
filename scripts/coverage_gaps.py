#!/usr/bin/env python3
"""Every line of src/transport and src/loop with a branch exploration never took, and why.

Reads gcovr's JSON report (scripts/coverage.sh writes build/coverage/coverage.json) and the
reasons in scripts/coverage_reasons.txt (one line a range: `<file> <first>-<last> <reason>`),
and prints a Markdown table: file:line, branches taken of total, the source line, the reason.
A missed branch on a line no range explains is printed as UNEXPLAINED and makes the exit code 1,
so a new gap cannot slip into docs/QUALITY.md without a word.
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent
report = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else root / "build/coverage/coverage.json")
reasons = []
for raw in (root / "scripts/coverage_reasons.txt").read_text().splitlines():
    if not raw.strip() or raw.startswith("#"):
        continue
    path, span, why = raw.split(None, 2)
    first, _, last = span.partition("-")
    reasons.append((path, int(first), int(last or first), why))

rows, unexplained, missed_branches = [], 0, 0
for entry in sorted(json.loads(report.read_text())["files"], key=lambda f: f["file"]):
    path = entry["file"]
    source = (root / path).read_text().splitlines()
    for line in entry["lines"]:
        branches = [b for b in line.get("branches", []) if not b.get("throw")]
        taken = sum(1 for b in branches if b["count"] > 0)
        if not branches or taken == len(branches):
            continue
        n = line["line_number"]
        missed_branches += len(branches) - taken
        why = next((w for p, a, b, w in reasons if p == path and a <= n <= b), None)
        if why is None:
            unexplained += 1
            why = "UNEXPLAINED"
        text = source[n - 1].strip().replace("|", "\\|")
        if len(text) > 70:
            text = text[:67] + "..."
        rows.append(f"| {path.removeprefix('src/')}:{n} | {taken} of {len(branches)} | `{text}` | {why} |")

print(f"{missed_branches} branches never taken, on {len(rows)} lines:\n")
print("| line | taken | source | why |")
print("|---|---|---|---|")
print("\n".join(rows))
if unexplained:
    print(f"\n{unexplained} line(s) UNEXPLAINED: add their reason to scripts/coverage_reasons.txt", file=sys.stderr)
    sys.exit(1)
