#!/usr/bin/env python3
"""The differential run: random scripts of transport calls and peer actions, each run on CPython's
own selector transport, stream or datagram by turns (asyncio_side.py, in this process), and on
loopcheck's over epoll (`loopcheck real differential`), and the two records compared.

Seeded and bounded in count and time. A difference fails the run unless it is one this file
names as a known difference (a deliberate one of loopcheck's, or a version difference between
the python in use and 3.13: docs/FIDELITY.md). The failing script is written out so that
`loopcheck real differential --script FILE` and `run.py --replay-python FILE` replay it.

Usage: run.py LOOPCHECK [--seed S] [--count N] [--seconds T] [--out DIR]
Exit 0: no unexplained difference; 1: one was found; 2: bad arguments; 77: skipped.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import asyncio_side  # noqa: E402

APP_ACTS = ["write", "write", "write", "writelines", "write_eof", "close", "abort", "pause_reading",
            "resume_reading", "set_limits", "keep_open"]
PEER_ACTS = ["peer_send", "peer_send", "peer_read", "peer_read", "peer_shutdown", "peer_close"]
HOOK_ACTS = ["write", "writelines", "write_eof", "close", "abort", "pause_reading", "resume_reading"]
CALLBACKS = ["data_received", "eof_received", "pause_writing", "resume_writing"]
SIZES = [1, 100, 5000, 70000]


def app_step(rng, what):
    if what == "write":
        return {"do": "write", "n": rng.choice(SIZES)}
    if what == "writelines":
        return {"do": "writelines", "n": rng.choice(SIZES), "parts": rng.choice([1, 2, 3])}
    if what == "set_limits":
        high = rng.choice([0, 16, 4096, 65536])
        low = rng.choice([0, high // 4, high + 1]) if high else 0
        return {"do": "set_limits", "high": high, "low": low}
    if what == "keep_open":
        return {"do": "keep_open", "value": rng.random() < 0.5}
    if what == "sendfile":
        return {"do": "sendfile", "n": rng.choice(SIZES), "native": rng.random() < 0.5}
    return {"do": what}


def make_script(rng, sendfile=False):
    """A stream script; with sendfile, loop.sendfile is among the app's acts (a file on disk or
    a BytesIO). Without it the scripts are those of earlier runs, seed for seed."""
    acts = APP_ACTS + ["sendfile", "sendfile"] if sendfile else APP_ACTS
    steps = []
    for _ in range(rng.randint(3, 12)):
        r = rng.random()
        if r < 0.45:
            steps.append(app_step(rng, rng.choice(acts)))
        elif r < 0.85:
            what = rng.choice(PEER_ACTS)
            steps.append({"do": what, "n": rng.choice(SIZES)} if what == "peer_send" else {"do": what})
        else:
            steps.append({"do": "hook", "on": rng.choice(CALLBACKS), "act": app_step(rng, rng.choice(HOOK_ACTS))})
    script = {"steps": steps}
    if rng.random() < 0.5:
        script["sndbuf"] = rng.choice([2048, 16384])
    return script


DGRAM_SIZES = [1, 100, 1400, 9000]
DGRAM_APP_ACTS = ["sendto", "sendto", "close", "abort", "set_limits"]
DGRAM_HOOK_ACTS = ["sendto", "close", "abort"]
DGRAM_CALLBACKS = ["datagram_received", "error_received", "pause_writing", "resume_writing"]


def make_datagram_script(rng):
    def app(what):
        if what == "sendto":
            return {"do": "sendto", "n": rng.choice(DGRAM_SIZES)}
        if what == "set_limits":
            high = rng.choice([0, 16, 4096])
            return {"do": "set_limits", "high": high, "low": rng.choice([0, high // 4])}
        return {"do": what}
    steps = []
    for _ in range(rng.randint(3, 10)):
        r = rng.random()
        if r < 0.4:
            steps.append(app(rng.choice(DGRAM_APP_ACTS)))
        elif r < 0.85:
            what = rng.choice(["peer_send", "peer_send", "peer_read", "peer_read", "peer_close"])
            steps.append({"do": what, "n": rng.choice(DGRAM_SIZES)} if what == "peer_send" else {"do": what})
        else:
            steps.append({"do": "hook", "on": rng.choice(DGRAM_CALLBACKS), "act": app(rng.choice(DGRAM_HOOK_ACTS))})
    return {"transport": "datagram", "steps": steps}


def coalesce(events):
    """Consecutive data_received calls become one: how a stream is cut into reads is the kernel's."""
    out = []
    for event in events:
        if event.get("cb") == "data_received" and out and out[-1].get("cb") == "data_received":
            out[-1] = {"cb": "data_received", "n": out[-1]["n"] + event["n"]}
        else:
            out.append(dict(event))
    return out


def same_result(script_step, python, loopcheck):
    """A call's outcome. asyncio raises where loopcheck returns an error status; a write asyncio
    drops silently (after close or loss) loopcheck reports as CLOSED (docs/FIDELITY.md)."""
    if python == loopcheck:
        return True
    if python.startswith("raised ") and loopcheck not in ("ok",):
        return True
    return python == "ok" and loopcheck == "CLOSED" and script_step.get("do") in ("write", "writelines", "sendto")


def compare(script, python, loopcheck):
    """The first difference, as text, or None."""
    p_events, l_events = coalesce(python["events"]), coalesce(loopcheck["events"])
    for i in range(max(len(p_events), len(l_events))):
        p = p_events[i] if i < len(p_events) else None
        l = l_events[i] if i < len(l_events) else None
        if p == l:
            continue
        if p and l and "hook" in p and "hook" in l and p["hook"] == l["hook"] and \
                same_result({"do": p["hook"]}, p["result"], l["result"]):
            continue
        return "callback %d: python %s, loopcheck %s" % (i, p, l)
    for i, (p, l) in enumerate(zip(python["steps"], loopcheck["steps"])):
        step = script["steps"][i]
        if not same_result(step, p["result"], l["result"]):
            return "step %d %s: python returned %s, loopcheck %s" % (i, step, p["result"], l["result"])
        for key in sorted(k for k in p if k != "result" and k in l):  # python's diagnoses aside
            if p[key] != l[key]:
                return "after step %d %s: %s is %s in python, %s in loopcheck" % (i, step, key, p[key], l[key])
    return None


TORN_DOWN = ("raised AttributeError", "raised TypeError")  # calls into a transport already torn down


def known_difference(script, python, difference):
    """The name of a documented difference between the python in use and loopcheck's fixed
    transport that explains this one, or None. Each is a bug that python has and loopcheck's
    fixed side does not (docs/FIDELITY.md, "The differential run"):

    gh-156512 (fixed upstream in 2026): when the write path of a closing transport empties the
    buffer, it calls _call_connection_lost itself without raising _conn_lost. A second
    _call_connection_lost then fails on the torn-down transport (AttributeError in the loop's
    exception handler), and so does a later abort() (AttributeError raised to the caller).
    gh-136234 (3.12 and 3.13 before its fix): writelines() after the connection is lost appends
    to the buffer of a torn-down transport and raises AttributeError (TypeError in 3.13.0, whose
    close() has dropped _write_ready).
    gh-155888 (3.12+, fixed upstream in 2026): writelines() keeps an empty chunk, so the buffer
    never empties, a close() or write_eof() waiting for it never completes, and the writer spins
    (asyncio_side.py notes a buffer that holds only empty chunks).
    writelines-no-pause (3.12 to 3.13.0; later 3.13 releases call _maybe_pause_protocol there):
    writelines() never pauses writing, so the buffer grows past the high-water mark unannounced
    (asyncio_side.py notes a buffer above the mark with the protocol not paused)."""
    lost = False
    for event in python["events"]:
        if event.get("cb") == "connection_lost":
            lost = True
        if lost and event.get("loop_exception") == "AttributeError":
            return "gh-156512"
        if lost and event.get("hook") == "writelines" and event.get("result") in TORN_DOWN:
            return "gh-136234"
        if lost and event.get("hook") == "abort" and event.get("result") == "raised AttributeError":
            return "gh-156512"
    for step, record in zip(script["steps"], python["steps"]):
        if record["result"] in TORN_DOWN and step.get("do") == "writelines":
            return "gh-136234"
        if record["result"] == "raised AttributeError" and step.get("do") == "abort":
            return "gh-156512"
    if any(record.get("stuck_empty_chunks") for record in python["steps"]):
        return "gh-155888"
    if any(record.get("over_high_unpaused") for record in python["steps"]):
        return "writelines-no-pause"
    return None


def run_loopcheck(loopcheck, script):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(script, f)
        path = f.name
    try:
        done = subprocess.run([loopcheck, "real", "differential", "--script", path],
                              capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(path)
    if done.returncode == 77:
        print("skipped: " + done.stderr.strip())
        sys.exit(77)
    if done.returncode != 0:
        raise RuntimeError("loopcheck real differential exited %d: %s" % (done.returncode, done.stderr))
    return json.loads(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("loopcheck")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--out", default=tempfile.gettempdir())
    parser.add_argument("--transports", default="stream,datagram",
                        help="which scripts take turns: stream, datagram, and sendfile (stream scripts "
                             "that also call loop.sendfile), comma-separated")
    args = parser.parse_args()
    if not 1 <= args.count <= 100000 or not 1 <= args.seconds <= 3600 or not 0 <= args.seed < 2 ** 63:
        print("run.py: --count is 1..100000, --seconds 1..3600, --seed 0..2^63-1", file=sys.stderr)
        return 2
    transports = args.transports.split(",")
    if not transports or any(t not in ("stream", "datagram", "sendfile") for t in transports):
        print("run.py: --transports is a comma-separated list of stream, datagram and sendfile", file=sys.stderr)
        return 2
    print("python: %s (%s)" % (sys.version.split()[0], sys.executable))
    rng = random.Random(args.seed)
    start = time.monotonic()
    ran = 0
    known = {}
    while ran < args.count and time.monotonic() - start < args.seconds:
        transport = transports[ran % len(transports)]
        if transport == "datagram":
            script = make_datagram_script(rng)
        else:
            script = make_script(rng, sendfile=transport == "sendfile")
        python = asyncio_side.run(script)
        loopcheck = run_loopcheck(args.loopcheck, script)
        ran += 1
        difference = compare(script, python, loopcheck)
        explained = difference and known_difference(script, python, difference)
        if explained:
            known[explained] = known.get(explained, 0) + 1
            continue
        if difference:
            path = os.path.join(args.out, "differential-seed%d-%d.json" % (args.seed, ran))
            with open(path, "w") as f:
                json.dump(script, f, indent=1)
            print("DIFFERENCE in script %d (written to %s): %s" % (ran, path, difference))
            print("python:    " + json.dumps(python))
            print("loopcheck: " + json.dumps(loopcheck))
            return 1
    print("%d scripts, seed %d, %.1f s: the same callbacks, results and states on both" %
          (ran, args.seed, time.monotonic() - start) +
          ("" if not known else "; except scripts showing a known difference: " +
           ", ".join("%d %s" % (n, name) for name, n in sorted(known.items()))))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--replay-python":
        with open(sys.argv[2]) as f:
            print(json.dumps(asyncio_side.run(json.load(f))))
        sys.exit(0)
    sys.exit(main())
