"""Compares a merged exploration (`loopcheck merge --json`) with the single run's
(`loopcheck explore --json`): the same verdict; when clean or incomplete, the same certificate
and counts; with a violation, the same counterexample (the one the single run meets first).
With --verdict only the verdict (shares that prune with --reduce explore more than one run).
Usage: compare.py SINGLE.json MERGED.json [--verdict]"""
import json
import sys

single, merged = (json.load(open(path)) for path in sys.argv[1:3])
verdict_only = sys.argv[3:] == ["--verdict"]
problems = []
if single["verdict"] != merged["verdict"]:
    problems.append("verdict %s, merged %s" % (single["verdict"], merged["verdict"]))
elif verdict_only:
    pass
elif single["verdict"] == "violation":
    a, b = single["counterexample"], merged["counterexample"]
    for key in ("oracle", "message", "step", "choices"):
        if a[key] != b[key]:
            problems.append("counterexample %s: %r, merged %r" % (key, a[key], b[key]))
else:
    if single["certificate"] != merged["certificate"]:
        problems.append("certificate:\n  single: %s\n  merged: %s" % (single["certificate"], merged["certificate"]))
    for key in ("schedules", "cut_off", "steps", "max_depth", "complete"):
        if single["stats"][key] != merged["stats"][key]:
            problems.append("%s: %r, merged %r" % (key, single["stats"][key], merged["stats"][key]))
if problems:
    print("MERGED DIFFERS from the single run:\n" + "\n".join(problems))
    sys.exit(1)
print("merged = single: %s, %s" % (merged["verdict"], merged["certificate"]))
