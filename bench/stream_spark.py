"""Record stream and Spark figures (bench/runs/stream-spark.md): `mtfix stream` alone
against `mtfix fix` on the same articles, and the Spark job (examples/spark/) in local
mode, warm session, against mtfix alone and against Spark's piping floor (the same job
with `cat` in place of mtfix).

    python3 bench/gen_corpus.py /tmp/sb/corpus --size-mb 30 --seed 1
    python3 bench/gen_glossary.py /tmp/sb/g --k 1000 --seed 1
    PY=python-with-pyspark
    $PY bench/stream_spark.py --mtfix target/release/mtfix --corpus /tmp/sb/corpus \\
        --glossary /tmp/sb/g/glossary-1000.csv --work /tmp/sb/work [--runs 5] [--no-spark]

Runs are alternated (fix, stream, fix, stream, ...); each figure is the median and the
range of its runs. mtfix runs with its default threads (one per core); Spark with
local[2] and one mtfix thread per Python worker. `--baseline-job OLD.py` runs another
version of the job in the same session, alternated with this one.
"""

import argparse
import collections
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def tree_cpu():
    """User+system CPU seconds of this process and all its descendants, live or reaped
    (the JVM, Spark's Python workers, their mtfix processes), by process name (`java`,
    `python3`, `mtfix`, `cat`, ...; this process and the children it reaped: `driver`):
    on a machine shared with other work, steadier than wall time, and it says which side
    of the pipe a difference is on."""
    parents, times, names = {}, {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name, fields = stat.rsplit(")", 1)
        fields = fields.split()
        parents[int(pid)] = int(fields[1])
        names[int(pid)] = name.split("(", 1)[1]
        # utime, stime, cutime, cstime (clock ticks): fields 14-17 of proc(5).
        times[int(pid)] = sum(int(x) for x in fields[11:15])
    me = os.getpid()
    total = collections.Counter()
    for pid in times:
        p = parents[pid]
        while p not in (0, 1, me) and p in parents:
            p = parents[p]
        if p == me:
            total[names[pid]] += times[pid] / os.sysconf("SC_CLK_TCK")
    own = os.times()
    total["driver"] += own.user + own.system + own.children_user + own.children_system
    return total


def timed(command, stdin=None, stdout=None):
    started = time.perf_counter()
    subprocess.run(command, stdin=stdin, stdout=stdout, check=True)
    return time.perf_counter() - started


def summary(name, times, size_mb):
    median = statistics.median(times)
    return (f"| {name} | {median:.2f} s | {min(times):.2f}–{max(times):.2f} s"
            f" | {size_mb / median:.0f} MB/s | {len(times)} |")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mtfix", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--glossary", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--spark-runs", type=int, default=3)
    p.add_argument("--no-spark", action="store_true")
    p.add_argument("--baseline-job", help="another version of examples/spark/mtfix_spark.py"
                   " (a file named otherwise), run alternated with this one, as `baseline`")
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    records = os.path.join(args.work, "records.jsonl")
    files = []
    for root, _, names in os.walk(args.corpus):
        files += [os.path.join(root, n) for n in names]
    files.sort()
    size_mb = sum(os.path.getsize(f) for f in files) / 1e6
    with open(records, "w", encoding="utf-8") as out:
        for f in files:
            with open(f, encoding="utf-8") as text:
                record = {"id": os.path.relpath(f, args.corpus), "text": text.read()}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"corpus: {len(files)} articles, {size_mb:.1f} MB;"
          f" records {os.path.getsize(records) / 1e6:.1f} MB", flush=True)

    g = ["--glossary", args.glossary]
    fixed = os.path.join(args.work, "fixed")
    fix_log = os.path.join(args.work, "fix.csv")
    stream_out = os.path.join(args.work, "out.jsonl")
    stream_log = os.path.join(args.work, "stream.csv")
    rows = {"fix": [], "stream": [], "stream+log": []}
    for _ in range(args.runs):
        shutil.rmtree(fixed, ignore_errors=True)
        rows["fix"].append(timed([args.mtfix, "fix", args.corpus, "--out", fixed,
                                  "--log", fix_log, "--quiet", *g]))
        with open(records, "rb") as i, open(stream_out, "wb") as o:
            stream = timed([args.mtfix, "stream", *g], stdin=i, stdout=o)
        rows["stream"].append(stream)
        log = timed([args.mtfix, "log", stream_out, "--log", stream_log, "--quiet", *g])
        rows["stream+log"].append(stream + log)
    with open(fix_log, "rb") as a, open(stream_log, "rb") as b:
        same = a.read() == b.read()
    print(f"logs identical: {same}")
    print("| run | median | range | MB/s | runs |\n| --- | --- | --- | --- | --- |")
    for name, times in rows.items():
        print(summary(name, times, size_mb))
    sys.stdout.flush()
    if args.no_spark:
        return

    sys.path.insert(0, os.path.join(HERE, "..", "examples", "spark"))
    import mtfix_spark
    jobs = {"": mtfix_spark}
    if args.baseline_job:
        name = os.path.splitext(os.path.basename(args.baseline_job))[0]
        if name == "mtfix_spark":
            sys.exit("error: the baseline job must be named otherwise (Spark ships it by name)")
        spec = importlib.util.spec_from_file_location(name, args.baseline_job)
        jobs["baseline "] = sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(jobs["baseline "])
    from pyspark.sql import SparkSession, types as T
    # The workers' Python needs pyarrow and pandas (mapInArrow): this one's by default.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2]").appName("mtfix-bench")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "4g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    table = os.path.join(args.work, "articles.parquet")
    shutil.rmtree(table, ignore_errors=True)
    spark.read.json(records).select("id", "text").repartition(8).write.parquet(table)
    cat = os.path.join(args.work, "cat-stream")
    with open(cat, "w") as f:
        f.write("#!/bin/sh\n# Spark's piping floor: records back as they came.\nexec cat\n")
    os.chmod(cat, 0o755)

    cpu = {}

    def job(module, binary, out, warm=False):
        shutil.rmtree(out, ignore_errors=True)
        started, cpu_started = time.perf_counter(), tree_cpu()
        module.run(spark, module.parse_args(
            ["--input", table, "--out", out, "--mtfix", binary, "--glossary", args.glossary]))
        wall = time.perf_counter() - started
        if not warm:
            used = tree_cpu()
            used.subtract(cpu_started)
            cpu.setdefault((module.__name__, binary), []).append(used)
        return wall

    print(f"load average before Spark: {os.getloadavg()[0]:.1f}", flush=True)
    spark_rows = {}
    for label, module in jobs.items():
        # Warms the session, the JIT and (this job) the Python workers' mtfix processes.
        job(module, args.mtfix, os.path.join(args.work, "warm"), warm=True)
        spark_rows[f"{label}spark local[2] + mtfix"] = []
        spark_rows[f"{label}spark local[2] + cat (floor)"] = []
    for _ in range(args.spark_runs):
        for label, module in jobs.items():
            out = os.path.join(args.work, f"{label.strip() or 'this'}-spark-out")
            spark_rows[f"{label}spark local[2] + mtfix"].append(job(module, args.mtfix, out))
            with open(fix_log, "rb") as a, open(os.path.join(out, "changes.csv"), "rb") as b:
                if a.read() != b.read():
                    sys.exit(f"{label}spark log differs from fix's")
            spark_rows[f"{label}spark local[2] + cat (floor)"].append(
                job(module, cat, os.path.join(args.work, "spark-cat")))
    print("spark logs identical to fix's: True")
    print(f"load average after Spark: {os.getloadavg()[0]:.1f}")
    print("CPU time (user+sys, the driver and all its descendants), median and range:")
    for (name, binary), runs in cpu.items():
        times = [sum(run.values()) for run in runs]
        # The median of each process's share, beside the median of the sums.
        shares = {p: statistics.median(run[p] for run in runs)
                  for p in sorted(set().union(*runs))}
        split = ", ".join(f"{p} {t:.2f}" for p, t in shares.items() if t >= 0.01)
        print(f"| {name} + {os.path.basename(binary)} | {statistics.median(times):.2f} s"
              f" | {min(times):.2f}–{max(times):.2f} s | {len(times)} | {split} |")
    print("| run | median | range | MB/s | runs |\n| --- | --- | --- | --- | --- |")
    for name, times in spark_rows.items():
        print(summary(name, times, size_mb))
    spark.stop()


if __name__ == "__main__":
    main()
