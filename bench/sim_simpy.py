#!/usr/bin/python3
"""The M/M/n+M model of bench/sim_bench.c in SimPy 3 (python3-simpy3).

Case A1 of docs/wfm.md: Poisson arrivals of 100 calls per 30 minutes,
14 agents, exponential handle times of 3 minutes and patience of 5
minutes, service-level threshold 20 s. The SimPy pattern of the SimPy
documentation's bank_renege example: agents are a Resource, a call waits
on `request | timeout(patience)` and reneges when the timeout fires first.

Each replication runs a warm-up of an hour (not counted), then `--calls`
contacts. Prints one line:

    simpy_calls_per_s=X wall_calls_per_s=W reps=R calls=N p_wait=.. sl=..
    p_abandon=.. asa_s=..

(on one line) where calls counts the contacts after warm-up (as the C side
does), X is the best replication's calls over its CPU time (warm-up
included, as in C) and W all calls over the wall time of the run.
Run with /usr/bin/python3: Debian's python3-simpy3 is not on pyenv's path.
"""
import argparse
import random
import sys
import time

import simpy

LAMBDA = 100 / 1800.0  # calls per second
AGENTS = 14
AHT = 180.0
PATIENCE = 300.0
THRESHOLD = 20.0
WARMUP = 3600.0


class Tally:
    def __init__(self):
        self.offered = self.waited = self.answered = 0
        self.in_sl = self.abandoned = 0
        self.wait_answered = 0.0


def caller(env, agents, rnd, t, counted):
    start = env.now
    req = agents.request()
    waited = not req.triggered
    res = yield req | env.timeout(rnd.expovariate(1 / PATIENCE))
    wait = env.now - start
    if req in res:
        if counted:
            t.answered += 1
            t.waited += waited
            t.in_sl += wait <= THRESHOLD
            t.wait_answered += wait
        yield env.timeout(rnd.expovariate(1 / AHT))
        agents.release(req)
    else:
        req.cancel()
        if counted:
            t.abandoned += 1
            t.waited += 1


def source(env, agents, rnd, t, calls):
    while t.offered < calls:
        yield env.timeout(rnd.expovariate(LAMBDA))
        counted = env.now >= WARMUP
        t.offered += counted
        env.process(caller(env, agents, rnd, t, counted))


def replication(seed, calls):
    rnd = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    t = Tally()
    env.process(source(env, agents, rnd, t, calls))
    env.run()
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=100000)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    reps, best, start = [], 0.0, time.perf_counter()
    for i in range(a.reps):
        cpu = time.process_time()
        reps.append(replication(a.seed * 1000 + i, a.calls))
        cpu = time.process_time() - cpu
        best = max(best, reps[-1].offered / cpu)
    wall = time.perf_counter() - start
    calls = sum(t.offered for t in reps)
    resolved = sum(t.answered + t.abandoned for t in reps)
    answered = sum(t.answered for t in reps)
    print("simpy_calls_per_s=%.0f wall_calls_per_s=%.0f reps=%d calls=%d "
          "p_wait=%.6f sl=%.6f p_abandon=%.6f asa_s=%.4f" % (
              best, calls / wall, a.reps, calls,
              sum(t.waited for t in reps) / resolved,
              sum(t.in_sl for t in reps) / resolved,
              sum(t.abandoned for t in reps) / resolved,
              sum(t.wait_answered for t in reps) / answered))
    return 0


if __name__ == "__main__":
    sys.exit(main())
