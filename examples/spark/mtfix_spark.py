#!/usr/bin/env python3
"""Correct a table of articles with mtfix on Spark.

Each partition of articles goes through one `mtfix stream` process (JSON Lines in and
out, see docs/beyond-one-machine.md); the mtfix binary and the glossaries are shipped to
the executors with SparkFiles. Writes, under OUT:

  corrected/      Parquet: the input's columns, the corrected `text` or `bytes`, `changed`,
                  `error` (a record mtfix could not process: damaged UTF-8, ...),
                  `warnings`, and `substitutions` (the log's columns)
  substitutions/  Parquet: one row per substitution, the log's columns
  changes.csv     the canonical CSV log, written by `mtfix log` (the bytes `mtfix fix
                  --log` writes for the same articles as files named by their ids), for
                  the review loop: `mtfix apply --log changes.csv ...`

Input: a Parquet table with an `id` column and the article as `text` (string) or `bytes`
(binary, encoding detected as for files), optionally `format` (txt, md, html); other
string, number and boolean columns are kept. Or a folder of files (`--files-from`), read
as `fix` reads a folder: `.txt .md .html .htm`, hidden files skipped, the id is the path
relative to the folder.

    spark-submit --master 'local[2]' examples/spark/mtfix_spark.py \\
        --mtfix target/release/mtfix --glossary glossaries/brands.csv \\
        --input articles.parquet --out corrected-run
    python3 examples/spark/mtfix_spark.py ...      # the same, with pyspark installed

Runs as is on a cluster (give --mtfix a Linux binary built for the executors).
"""

import argparse
import base64
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import urllib.parse

from pyspark import SparkFiles
from pyspark.sql import SparkSession, functions as F, types as T

# The log's columns, in order (as `mtfix fix --log` writes them).
LOG_COLUMNS = [
    ("file", T.StringType()),
    ("line", T.LongType()),
    ("column", T.LongType()),
    ("byte_offset", T.LongType()),
    ("rule", T.StringType()),
    ("matched", T.StringType()),
    ("replacement", T.StringType()),
    ("context", T.StringType()),
    ("decision", T.StringType()),
    ("glossary", T.StringType()),
    ("note", T.StringType()),
    ("file_hash", T.StringType()),
    ("row_hash", T.StringType()),
    ("decided_in", T.StringType()),
]
SUBSTITUTION = T.StructType([T.StructField(n, t, False) for n, t in LOG_COLUMNS])
# Input columns that go through mtfix's JSON as they are.
PASSTHROUGH_TYPES = (
    T.StringType, T.LongType, T.IntegerType, T.ShortType, T.DoubleType, T.FloatType,
    T.BooleanType,
)
READ_EXTENSIONS = (".txt", ".md", ".html", ".htm")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--input", help="Parquet table of articles (id, text or bytes)")
    src.add_argument("--files-from", help="folder of article files, read as `fix` reads it")
    p.add_argument("--out", required=True, help="output folder (must not exist)")
    p.add_argument("--log", help="the CSV log, on the driver (default: OUT/changes.csv)")
    p.add_argument("--mtfix", default="mtfix", help="the mtfix binary (path or on PATH)")
    p.add_argument("--glossary", action="append", default=[],
                   help="glossary CSV file or folder (repeatable); default: mtfix's own")
    p.add_argument("--jobs", type=int, default=1,
                   help="mtfix threads per partition (default 1: Spark runs one task per core)")
    p.add_argument("--partitions", type=int, default=0,
                   help="repartition the articles first (0: keep the input's partitions)")
    p.add_argument("--master", default=None, help="Spark master when not set by spark-submit")
    return p.parse_args(argv)


def glossary_files(paths):
    """The CSV files of the --glossary arguments, in mtfix's order (a folder: its *.csv
    sorted by name)."""
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, n) for n in os.listdir(path) if n.endswith(".csv"))
        else:
            files.append(path)
    names = [os.path.basename(f) for f in files]
    if len(set(names)) != len(names):
        sys.exit("error: SparkFiles ships files by name: two glossaries are named alike")
    return files


def executable(path):
    """A path to the shipped binary that can be executed (SparkFiles may drop the mode)."""
    if os.access(path, os.X_OK):
        return path
    copy = os.path.join(tempfile.mkdtemp(prefix="mtfix-"), "mtfix")
    shutil.copyfile(path, copy)
    os.chmod(copy, os.stat(copy).st_mode | stat.S_IXUSR)
    return copy


def stream_partition(rows, binary_name, glossary_names, jobs, content, passthrough):
    """Pipes one partition through `mtfix stream`: a thread writes the records, this one
    reads the answers (one per record, in order) and yields them as rows."""
    command = [executable(SparkFiles.get(binary_name)), "stream", "--jobs", str(jobs)]
    for name in glossary_names:
        command += ["--glossary", SparkFiles.get(name)]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, bufsize=1 << 20)
    sent = [0]
    failure = []
    stderr = []

    def write():
        try:
            for row in rows:
                record = {"id": row["id"]}
                value = row[content]
                if content == "bytes":
                    record["bytes"] = base64.b64encode(value or b"").decode("ascii")
                else:
                    record["text"] = value or ""
                for name in passthrough:
                    record[name] = row[name]
                proc.stdin.write(json.dumps(record, ensure_ascii=False).encode("utf-8"))
                proc.stdin.write(b"\n")
                sent[0] += 1
        except Exception as e:  # reported below, with mtfix's stderr
            failure.append(e)
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    writer = threading.Thread(target=write, daemon=True)
    drain = threading.Thread(target=lambda: stderr.append(proc.stderr.read()), daemon=True)
    writer.start()
    drain.start()
    received = 0
    for line in proc.stdout:
        record = json.loads(line)
        received += 1
        out = {
            "id": record.get("id"),
            "text": record.get("text"),
            "bytes": base64.b64decode(record["bytes"]) if "bytes" in record else None,
            "changed": record.get("changed"),
            "error": record.get("error"),
            "warnings": record.get("warnings", []),
            "substitutions": [tuple(s[n] for n, _ in LOG_COLUMNS)
                              for s in record.get("substitutions", [])],
        }
        for name in passthrough:
            out[name] = record.get(name)
        yield out
    writer.join()
    drain.join()
    code = proc.wait()
    if code != 0 or failure or received != sent[0]:
        raise RuntimeError(
            f"mtfix stream exited {code} after {received} of {sent[0]} records"
            f" ({failure[0] if failure else 'no write error'}):"
            f" {b''.join(stderr).decode('utf-8', 'replace')}")


def read_folder(spark, folder):
    """The articles of a folder as (id, bytes), as `fix` walks it (without .gitignore)."""
    root = os.path.abspath(folder).rstrip("/") + "/"
    # Articles are small: counted at Spark's default cost of opening a file (4 MB), a
    # folder of 3,000 articles made 94 partitions, each a Python worker and an mtfix.
    spark.conf.set("spark.sql.files.openCostInBytes", str(8 << 10))
    files = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
             .load(folder).select("path", "content"))

    def relative(path):
        path = urllib.parse.unquote(urllib.parse.urlparse(path).path)
        return path[len(root):] if path.startswith(root) else path

    rel = F.udf(relative, T.StringType())
    df = files.select(rel("path").alias("id"), F.col("content").alias("bytes"))
    keep = F.lit(False)
    for ext in READ_EXTENSIONS:
        keep = keep | F.lower("id").endswith(ext)
    hidden = F.col("id").rlike(r"(^|/)\.")
    return df.where(keep & ~hidden)


def main(argv):
    args = parse_args(argv)
    builder = SparkSession.builder.appName("mtfix")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    run(spark, args)
    spark.stop()


def run(spark, args):
    """The job, in a running session."""
    sc = spark.sparkContext
    # When imported rather than run, the executors import this module's functions.
    sc.addPyFile(os.path.abspath(__file__))

    mtfix = shutil.which(args.mtfix) or args.mtfix
    glossaries = glossary_files(args.glossary)
    sc.addFile(os.path.abspath(mtfix))
    for path in glossaries:
        sc.addFile(os.path.abspath(path))
    binary_name = os.path.basename(mtfix)
    glossary_names = [os.path.basename(p) for p in glossaries]

    df = read_folder(spark, args.files_from) if args.files_from else spark.read.parquet(args.input)
    if "id" not in df.columns or not ({"text", "bytes"} & set(df.columns)):
        sys.exit("error: the table needs an `id` column and a `text` or `bytes` column")
    content = "bytes" if "bytes" in df.columns else "text"
    passthrough = [f.name for f in df.schema.fields
                   if f.name not in ("id", "text", "bytes")
                   and isinstance(f.dataType, PASSTHROUGH_TYPES)]
    if args.partitions:
        df = df.repartition(args.partitions)

    fields = [T.StructField("id", T.StringType())]
    fields += [df.schema[n] for n in passthrough]
    fields += [
        T.StructField("text", T.StringType()),
        T.StructField("bytes", T.BinaryType()),
        T.StructField("changed", T.BooleanType()),
        T.StructField("error", T.StringType()),
        T.StructField("warnings", T.ArrayType(T.StringType())),
        T.StructField("substitutions", T.ArrayType(SUBSTITUTION)),
    ]
    schema = T.StructType(fields)
    jobs = args.jobs

    def run(rows):
        for out in stream_partition(rows, binary_name, glossary_names, jobs, content,
                                    passthrough):
            yield tuple(out.get(f.name) for f in schema.fields)

    # `format` (txt, md, html) is read by mtfix and passed through like the others.
    rdd = df.select("id", content, *passthrough).rdd.mapPartitions(run)
    spark.createDataFrame(rdd, schema).write.parquet(os.path.join(args.out, "corrected"))

    subs = (spark.read.parquet(os.path.join(args.out, "corrected"))
            .select(F.explode("substitutions").alias("s")).select("s.*"))
    subs.write.parquet(os.path.join(args.out, "substitutions"))

    # The canonical log: the rows as JSON, streamed to the driver, put in order and
    # written by mtfix itself (no other CSV writer touches it).
    rows = (spark.read.parquet(os.path.join(args.out, "substitutions"))
            .select(F.to_json(F.struct(*[n for n, _ in LOG_COLUMNS]))))
    command = [mtfix, "log", "--quiet", "--log", args.log or os.path.join(args.out, "changes.csv")]
    for path in args.glossary:
        command += ["--glossary", path]
    log = subprocess.Popen(command, stdin=subprocess.PIPE)
    for (row,) in rows.toLocalIterator():
        log.stdin.write(row.encode("utf-8") + b"\n")
    log.stdin.close()
    if log.wait() != 0:
        sys.exit(f"error: mtfix log exited {log.returncode}")


if __name__ == "__main__":
    main(sys.argv[1:])
