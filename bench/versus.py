#!/usr/bin/env python3
"""Times mtfix commands side by side, alternated in one run, and prints each one's median
and spread: two builds on the same work (is a change within noise?), or one build on two
glossaries (does the shipped library cost more than the 1,000-rule benchmark glossary?).

    python3 bench/versus.py --runs 15 \\
        "old check=/work/bin/mtfix check bench/.cache/corpus-100mb-seed1 -q -g G1000" \\
        "new check=target/release/mtfix check bench/.cache/corpus-100mb-seed1 -q -g G1000"

Each argument is NAME=COMMAND; `{out}` in a command is replaced by a fresh folder on
/dev/shm (a RAM disk: this machine's disk writeback is too noisy to time writes), removed
before each run, and `{log}` by a file there, removed too (a log left by the run before
would be read by `fix`'s check that it holds no reviewer's work). The commands run in turn, round after round, so that a noisy minute
falls on all of them alike; the first round is a warm-up and is not counted. Each command's
CPU time (user + system, of the command and its children) is reported too: on a machine
other work shares, it moves far less than the wall time.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commands", nargs="+", help="NAME=COMMAND")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    named = [c.split("=", 1) for c in args.commands]
    work = tempfile.mkdtemp(prefix="mtfix-versus-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    out, log = os.path.join(work, "out"), os.path.join(work, "changes.csv")
    times = {name: [] for name, _ in named}
    cpu = {name: [] for name, _ in named}
    for round_ in range(args.runs + 1):
        for name, command in named:
            shutil.rmtree(out, ignore_errors=True)
            if os.path.exists(log):
                os.remove(log)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(command.replace("{out}", out).replace("{log}", log), shell=True, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if round_ > 0:
                times[name].append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{args.runs} alternated rounds after one warm-up; seconds")
    print("| command | median | min | max | quartiles | CPU (user + sys) median | CPU quartiles |")
    print("|---|---|---|---|---|---|---|")
    for name, values in times.items():
        q = statistics.quantiles(values, n=4)
        c = statistics.quantiles(cpu[name], n=4)
        print(f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} "
              f"| {q[0]:.3f}–{q[2]:.3f} | {statistics.median(cpu[name]):.3f} | {c[0]:.3f}–{c[2]:.3f} |")


if __name__ == "__main__":
    main()
