#!/usr/bin/env python3
"""Start-up against a partition: `mtfix stream --jobs 1` on no record and on a partition
of records, and `mtfix --version` (the process alone), for several builds, alternated run
by run; user+sys CPU time of each run (getrusage of the child), median and minimum, and
the start-up's share of the partition, whole and without the process alone.

    python3 bench/startup.py --build base=/dev/shm/mtfix-base --build new=target/release/mtfix \\
        --partition part1000.jsonl [--glossary glossary-1000.csv] [--runs 15]

The partition is the first N lines of the records `bench/stream_spark.py` writes.
"""
import argparse
import os
import resource
import statistics
import subprocess
import time


def run(command, stdin_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(stdin_path, "rb") as stdin:
        subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1e3, cpu * 1e3


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", action="append", required=True, help="NAME=PATH")
    p.add_argument("--partition", required=True)
    p.add_argument("--glossary", help="default: the shipped glossaries")
    p.add_argument("--runs", type=int, default=15)
    args = p.parse_args()
    builds = [b.split("=", 1) for b in args.build]
    inputs = [("version", os.devnull), ("empty", os.devnull), ("partition", args.partition)]
    extra = ["--glossary", args.glossary] if args.glossary else []
    times = {(b, i): [] for b, _ in builds for i, _ in inputs}
    for _ in range(args.runs):
        for name, path in builds:
            for input_name, input_path in inputs:
                command = [path, "stream", "--jobs", "1", *extra]
                if input_name == "version":
                    command = [path, "--version"]
                times[(name, input_name)].append(run(command, input_path))
    glossary = os.path.basename(args.glossary) if args.glossary else "shipped"
    print(f"glossary {glossary}, {args.runs} runs alternated; wall and user+sys CPU in ms,"
          " median (minimum)")
    for name, _ in builds:
        cpu = {}
        for input_name, _ in inputs:
            walls = [w for w, _ in times[(name, input_name)]]
            cpus = [c for _, c in times[(name, input_name)]]
            cpu[input_name] = statistics.median(cpus)
            print(f"{name:>8} {input_name:>9}: wall {statistics.median(walls):7.1f}"
                  f" ({min(walls):.1f})  cpu {statistics.median(cpus):6.1f} ({min(cpus):.1f})")
        share = cpu["empty"] / cpu["partition"] * 100
        glossaries = (cpu["empty"] - cpu["version"]) / cpu["partition"] * 100
        print(f"{name:>8} start-up share of the partition's CPU: {share:.1f} %"
              f" (without the process alone: {glossaries:.1f} %)")


if __name__ == "__main__":
    main()
