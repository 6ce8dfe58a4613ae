#!/usr/bin/env python3
"""Never cry wolf: sweep the CLI over the corners of its input and list every answer that breaks
the exit-code contract (README, "Exit codes").

  scripts/sweep.py LOOPCHECK [--only params,bounds,bugs,reach,pairs,shares,reduce,choices,real] [--seconds S] [--seed N]

params   every scenario, every parameter at its minimum, its maximum and ten times its default,
         no switch on: exhaustive (300 schedules, at most 30 s), exhaustive with --reduce (3,000)
         and PCT (S seconds). Fixed code
         may end clean (0), incomplete (3) or refuse the input (2, with a message); never a
         violation (1) or a crash.
bounds   every scenario, no switch on, with deviation bounds far above its own (100 preemptions,
         faults and app actions) under random and PCT (S seconds each), and with step bounds
         from 1 to 60 under the exhaustive engine, plain and --reduce: a cut-off run is
         incomplete, never a hang (O4); nothing but 0 or 3.
bugs     every catalog switch on, its scenario's parameters at the same corners: any verdict
         but a crash, and each reproducer written must replay to its verdict (exit 0).
reach    every switch on every scenario (20 s each): any verdict but a crash, reproducers replay.
pairs    every two switches on the first one's scenario: any verdict but a crash.
shares   every scenario and switch explored on one thread, with --jobs 3 and as three shards
         merged: the same verdict and first counterexample, and for a clean tree the same
         certificate.
reduce   every switch on every scenario it reaches, at the scenario's bounds and at wider ones:
         plain DFS and --reduce (which prunes by the state fingerprint), and --reduce keeping
         only the states between the loop's batches or those and the ones after a choice branched
         in a batch (--store-states between-batches, where-branched), and --reduce on two threads
         sharing their states (--jobs 2), must agree on violation or clean wherever both
         explored their whole tree. A miss is a fingerprint
         that merged two states with different futures; a violation only a reduction finds is a
         false alarm.
choices  `run` with random choice strings on every scenario, no switch on: pass (0) or cut off
         (3) only; out-of-range choices are the run's to clamp.
real     the real-socket experiments with their sizes at the top of their ranges and a short
         --seconds: pass (0), incomplete (3) or skipped (77); a run that only ran out of time
         while moving is never a failure.

Each offending line is printed with the command that reproduces it; the exit code is 1 if there
was any. The runs work in a temporary folder of the sweep's own, removed at the end, so what
they write (reproducers) stays out of the caller's. A full sweep takes tens of minutes on two
cores; it is a developer's tool, not a test.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        return 'timeout', ''


def verdict_line(out):
    for line in out.splitlines():
        if line.startswith('verdict') or ': ' in line[:40] or 'incomplete' in line:
            return line[:160]
    return out.strip().splitlines()[-1][:160] if out.strip() else ''


def corners(lo, hi, default):
    values = {lo, hi}
    if default >= 1:
        values.add(min(hi, default * 10))
    return sorted(values)


class Sweep:
    def __init__(self, lc, seconds, seed):
        # A path is made absolute: the runs work in the sweep's own folder (main).
        lc = os.path.abspath(lc) if os.sep in lc else lc
        self.lc, self.seconds, self.rng = lc, seconds, random.Random(seed)
        self.listing = json.loads(subprocess.run([lc, 'list', '--json'], capture_output=True, text=True,
                                                 check=True).stdout)
        self.bad = 0
        self.tmp = tempfile.mkdtemp(prefix='loopcheck-sweep-')

    def report(self, ok, cmd, code, out):
        if ok:
            return
        self.bad += 1
        print(f'BAD exit {code}: {" ".join(cmd)}\n    {verdict_line(out)}', flush=True)

    def params_of(self, scenario):
        s = next(x for x in self.listing['scenarios'] if x['name'] == scenario)
        for key, r in s['param_ranges'].items():
            yield key, corners(r['min'], r['max'], s['params'][key])

    def engines(self):
        # The exhaustive engine's time limit too: a TLS scenario at 1 MiB replays about a second a
        # schedule (OpenSSL's state is replayed, not saved), and incomplete is a fine answer.
        return [['--max-schedules', '300', '--max-seconds', '30'],
                ['--reduce', '--max-schedules', '3000', '--max-seconds', '30'],
                ['--engine', 'pct', '--max-seconds', str(self.seconds), '--seed', '3']]

    def params(self):
        for s in self.listing['scenarios']:
            for key, values in self.params_of(s['name']):
                for v in values:
                    for engine in self.engines():
                        cmd = [self.lc, 'explore', s['name'], '--param', f'{key}={v}'] + engine
                        code, out = run(cmd, 120)
                        # Bad input must say what is wrong (on stderr, named by the program).
                        self.report(code in (0, 2, 3) and (code != 2 or out.strip() != ''), cmd, code, out)

    def bounds(self):
        wide = ['--max-preemptions', '100', '--max-faults', '100', '--max-app-actions', '100']
        for s in self.listing['scenarios']:
            for engine in ('random', 'pct'):
                cmd = [self.lc, 'explore', s['name'], '--engine', engine, '--max-seconds', str(self.seconds),
                       '--seed', '5'] + wide
                code, out = run(cmd, 120)
                self.report(code in (0, 3), cmd, code, out)
            for depth in (1, 3, 8, 20, 60):
                for reduce in ([], ['--reduce']):
                    cmd = [self.lc, 'explore', s['name'], '--max-depth', str(depth), '--max-schedules', '2000',
                           '--max-seconds', '30'] + reduce
                    code, out = run(cmd, 120)
                    self.report(code in (0, 3), cmd, code, out)

    def explore_and_replay(self, args):
        """Any verdict but a crash; a reproducer written must replay to its verdict. The exit code."""
        repro = os.path.join(self.tmp, 'r.repro')
        if os.path.exists(repro):
            os.remove(repro)
        cmd = [self.lc, 'explore'] + args + ['--save', repro]
        code, out = run(cmd, 120)
        self.report(code in (0, 1, 2, 3), cmd, code, out)
        if code == 1 and os.path.exists(repro):
            again = [self.lc, 'replay', repro]
            rcode, rout = run(again, 120)
            self.report(rcode == 0, cmd + ['&&'] + again, rcode, rout)
        return code

    def bugs(self):
        for b in self.listing['switches']:
            for key, values in self.params_of(b['scenario']):
                for v in values:
                    for engine in self.engines():
                        self.explore_and_replay([b['scenario'], '--bug', b['id'], '--param', f'{key}={v}'] + engine)

    def reach(self):
        """Every switch on every scenario, not only its own (those it never reaches are refused)."""
        for b in self.listing['switches']:
            for s in self.listing['scenarios']:
                self.explore_and_replay([s['name'], '--bug', b['id'], '--max-seconds', '20'])

    def pairs(self):
        """Two switches at once on the first one's scenario: the blame rounds end in a verdict."""
        for a in self.listing['switches']:
            for b in self.listing['switches']:
                if a['id'] != b['id']:
                    cmd = [self.lc, 'explore', a['scenario'], '--bug', a['id'], '--bug', b['id'],
                           '--max-schedules', '20000', '--max-seconds', '20']
                    code, out = run(cmd, 120)
                    self.report(code in (0, 1, 2, 3), cmd, code, out)

    def shares(self):
        """One thread, --jobs 3 and three shards merged: the same verdict and first counterexample;
        for a whole, clean tree also the same certificate (README, explore --jobs/--shard)."""
        def result(cmd):
            code, out = run(cmd, 300)
            try:
                return json.loads(out[out.index('{'):]) if code in (0, 1, 3) else None
            except ValueError:
                return None
        runs = [[s['name'], '--max-schedules', '20000', '--first'] for s in self.listing['scenarios']]
        runs += [[b['scenario'], '--bug', b['id'], '--first', '--max-schedules', '20000']
                 for b in self.listing['switches']]
        for args in runs:
            base = [self.lc, 'explore'] + args + ['--json']
            one, jobs = result(base), result(base + ['--jobs', '3'])
            parts = []
            for i in range(3):
                path = os.path.join(self.tmp, f's{i}.json')
                code, out = run(base + ['--shard', f'{i}/3'], 300)
                with open(path, 'w') as f:
                    f.write(out)
                parts.append(path)
            merged = result([self.lc, 'merge', '--json'] + parts)
            same = one is not None and jobs is not None and merged is not None
            # --max-schedules caps each share, not their sum (README): where the single run
            # stopped at the cap, the shares may go further, and nothing is compared.
            capped = same and one['verdict'] == 'incomplete'
            for other in (jobs, merged) if same and not capped else ():
                key = lambda r: (r['verdict'], (r.get('counterexample') or {}).get('choices'))
                same = same and key(one) == key(other)
                if one['verdict'] == 'clean':
                    same = same and one['certificate'] == other['certificate']
            self.report(same, base + ['(against --jobs 3 and --shard I/3 merged)'], 'differs', '')

    def reduce(self):
        """Plain DFS against --reduce, where both are complete: the same verdict."""
        def verdict(cmd):
            code, out = run(cmd, 120)
            try:
                r = json.loads(out[out.index('{'):]) if code in (0, 1, 3) else None
            except ValueError:
                return None, code
            if r is None or r['verdict'] not in ('clean', 'violation') or (
                    r['verdict'] == 'clean' and not r['stats']['complete']):
                return None, code  # incomplete: proves nothing either way
            return r['verdict'], code
        wider = ['--max-preemptions', '3', '--max-faults', '2', '--max-app-actions', '3']
        tally = {'clean': 0, 'violation': 0, 'unproved': 0}
        for b in [None] + self.listing['switches']:
            for s in self.listing['scenarios']:
                for bounds in ([], wider):
                    args = [s['name']] + (['--bug', b['id']] if b else []) + bounds
                    base = [self.lc, 'explore'] + args + ['--max-schedules', '20000', '--max-seconds', '20',
                                                          '--first', '--json']
                    plain, code = verdict(base)
                    if plain is None:
                        self.report(code in (0, 1, 2, 3), base, code, '')
                        tally['unproved'] += code != 2  # 2: a switch this scenario never reaches
                        continue
                    for reduce in (['--reduce'], ['--reduce', '--store-states', 'between-batches'],
                                   ['--reduce', '--store-states', 'where-branched'], ['--reduce', '--jobs', '2']):
                        reduced, rcode = verdict(base + reduce)
                        # A reduced run that proves nothing is not a disagreement, but it must not crash.
                        ok = reduced == plain if reduced is not None else rcode in (0, 3)
                        self.report(ok, base + reduce + [f'(plain DFS: {plain}, reduced: {reduced})'], rcode, '')
                        tally[plain if reduced is not None else 'unproved'] += 1
        print(f'compared: {tally["clean"]} clean and {tally["violation"]} violations alike; '
              f'{tally["unproved"]} where one side proved nothing in its budget', flush=True)

    def choices(self):
        for s in self.listing['scenarios']:
            for _ in range(40):
                top = self.rng.choice([1, 2, 3, 5, 50])
                picks = ','.join(str(self.rng.randint(0, top)) for _ in range(self.rng.randint(5, 400)))
                cmd = [self.lc, 'run', s['name'], '--choices', picks]
                code, out = run(cmd, 120)
                self.report(code in (0, 3), cmd, code, out)

    def real(self):
        short = ['--seconds', '2']
        experiments = [
            ['echo', '--bytes', str(1 << 34)] + short,
            ['echo', '--bytes', '100000000', '--read-size', '1'] + short,
            ['race-echo', '--packets', '10000000', '--size', '65536'] + short,
            ['tls-echo', '--bytes', str(1 << 34)] + short,
            ['dgram-drain', '--count', '1000000'] + short,
            ['dgram-drain', '--count', '1000000', '--io-uring'] + short,
            ['load', '--connections', '200', '--bytes', str(1 << 30)] + short,
            ['start-tls', '--bytes', str(1 << 24), '--hello', str(1 << 20), '--step-us', '1000000'],
            ['reactor', '--connect-timeout-ms', '1', '--runs', '3'],
        ]
        for e in experiments:
            cmd = [self.lc, 'real'] + e
            code, out = run(cmd, 300)
            self.report(code in (0, 3, 77), cmd, code, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('loopcheck')
    ap.add_argument('--only', default='params,bounds,bugs,reach,pairs,shares,reduce,choices,real')
    ap.add_argument('--seconds', type=float, default=2.0, help='PCT time per case (0.1 to 60)')
    ap.add_argument('--seed', type=int, default=11, help='seed for the random choice strings')
    a = ap.parse_args()
    if not 0.1 <= a.seconds <= 60:
        ap.error(f'--seconds must be in [0.1, 60], got {a.seconds}')
    modes = a.only.split(',')
    known = ('params', 'bounds', 'bugs', 'reach', 'pairs', 'shares', 'reduce', 'choices', 'real')
    unknown = [m for m in modes if m not in known]
    if unknown:
        ap.error(f'--only: unknown sweep {unknown[0]!r} ({", ".join(known)})')
    sweep = Sweep(a.loopcheck, a.seconds, a.seed)
    # What a run writes where it stands (a violation's reproducer, saved to "." unless told
    # otherwise: `pairs` wrote hundreds into the caller's folder) goes to the sweep's own folder,
    # which is removed at the end.
    os.chdir(sweep.tmp)
    try:
        for m in modes:
            print(f'== {m}', flush=True)
            getattr(sweep, m)()
    finally:
        os.chdir('/')
        shutil.rmtree(sweep.tmp, ignore_errors=True)
    print(f'{sweep.bad} answer(s) broke the contract')
    return 1 if sweep.bad else 0


if __name__ == '__main__':
    sys.exit(main())
