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
local[2] and one mtfix thread per partition.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


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

    def job(binary, out):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        mtfix_spark.run(spark, mtfix_spark.parse_args(
            ["--input", table, "--out", out, "--mtfix", binary, "--glossary", args.glossary]))
        return time.perf_counter() - started

    job(args.mtfix, os.path.join(args.work, "warm"))  # warm the session and the JIT
    spark_rows = {"spark local[2] + mtfix": [], "spark local[2] + cat (floor)": []}
    for _ in range(args.spark_runs):
        spark_rows["spark local[2] + mtfix"].append(
            job(args.mtfix, os.path.join(args.work, "spark-out")))
        spark_rows["spark local[2] + cat (floor)"].append(
            job(cat, os.path.join(args.work, "spark-cat")))
    with open(fix_log, "rb") as a, open(os.path.join(args.work, "spark-out", "changes.csv"),
                                        "rb") as b:
        print(f"spark log identical to fix's: {a.read() == b.read()}")
    print("| run | median | range | MB/s | runs |\n| --- | --- | --- | --- | --- |")
    for name, times in spark_rows.items():
        print(summary(name, times, size_mb))
    spark.stop()


if __name__ == "__main__":
    main()
