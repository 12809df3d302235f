#!/usr/bin/env python3
"""Correct a table of articles with mtfix on Spark.

Rows cross between the JVM and Python as Arrow batches (`mapInArrow`): Spark writes each
record as a JSON Line (`to_json`), the batch's lines go to `mtfix stream` as one buffer
followed by the flush marker (an empty line), and pyarrow parses the answers into one
Arrow batch; no Python code runs per record (see docs/beyond-one-machine.md). Each Python
worker keeps one mtfix process for every partition it runs (Spark reuses its workers), so
mtfix starts once per worker, not once per partition. The mtfix binary and the glossaries
are shipped to the executors with SparkFiles; the executors' Python (PYSPARK_PYTHON)
needs pyarrow and pandas, as mapInArrow does. Writes, under OUT:

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
import atexit
import importlib
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
# Input columns kept beside the answers, in the same Arrow batch (mtfix does not see them).
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


# Executable copies of shipped binaries, by path: one per worker, so that the command
# (the process pool's key) stays the same from task to task.
_COPIES = {}


def executable(path):
    """A path to the shipped binary that can be executed (SparkFiles may drop the mode)."""
    if os.access(path, os.X_OK):
        return path
    if path not in _COPIES:
        copy = os.path.join(tempfile.mkdtemp(prefix="mtfix-"), "mtfix")
        shutil.copyfile(path, copy)
        os.chmod(copy, os.stat(copy).st_mode | stat.S_IXUSR)
        _COPIES[path] = copy
    return _COPIES[path]


class Stream:
    """One `mtfix stream` process, kept for the life of the Python worker that started
    it. Batches go through it one at a time: the batch's records, then the flush marker
    (an empty line), which mtfix answers with an empty line once every answer before it
    is written; a record's answer is never empty, so the batch's answers are the bytes
    up to the first empty line."""

    # stderr kept for the error message of a process that died, at most.
    STDERR_KEPT = 64 << 10

    def __init__(self, command):
        self.command = command
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)
        self.stderr = bytearray()
        # Set while a batch is in flight: a task stopped mid-batch leaves answers unread,
        # and the process is then not reused.
        self.busy = False
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for chunk in iter(lambda: self.proc.stderr.read(1 << 16), b""):
            self.stderr += chunk
            del self.stderr[:-self.STDERR_KEPT]

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def answer(self, records, count):
        """mtfix's answers (JSON Lines, without the marker's line) to `records`, a
        buffer of `count` JSON Lines. Raises if the process dies or answers other than
        one line per record."""
        self.busy = True
        failure = []

        def write():
            try:
                self.proc.stdin.write(records)
                self.proc.stdin.write(b"\n")
            except OSError as e:  # reported below, with mtfix's stderr
                failure.append(e)

        # A batch's answers do not fit a pipe's buffer: write and read at once.
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        out = bytearray()
        fd = self.proc.stdout.fileno()
        while not (out.endswith(b"\n\n") or out == b"\n"):
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            out += chunk
        writer.join()
        lines = out.count(b"\n")
        if failure or lines != count + 1 or not out.endswith(b"\n\n" if count else b"\n"):
            self.proc.kill()
            code = self.proc.wait()
            raise RuntimeError(
                f"mtfix stream ({' '.join(self.command)}) exited {code} after answering"
                f" {max(lines - 1, 0)} of {count} records"
                f" ({failure[0] if failure else 'no write error'}):"
                f" {bytes(self.stderr).decode('utf-8', 'replace')}")
        del out[-1:]
        self.busy = False
        return out


# The processes of this Python worker, by command. Spark reuses a Python worker for task
# after task (spark.python.worker.reuse, true by default) and runs one task at a time in
# it, so a process serves every partition of its worker and mtfix starts (reads and
# checks the glossaries) once per worker, not once per partition.
_STREAMS = {}


def stream_for(command, started=None):
    """The worker's live process for `command`, started if there is none (or it died)."""
    key = tuple(command)
    stream = _STREAMS.get(key)
    if stream is None or not stream.alive() or stream.busy:
        if stream is not None:
            stream.proc.kill()
            stream.close()
        stream = _STREAMS[key] = Stream(command)
        if started is not None:
            started.add(1)
    return stream


@atexit.register
def _close_streams():
    for stream in _STREAMS.values():
        stream.close()
    _STREAMS.clear()


def answer_schema(content):
    """The Arrow schema mtfix's answers are read with (pyarrow.json); fields not named
    here (the input's other fields, `input_line`) are ignored."""
    import pyarrow as pa
    substitution = pa.struct([(n, pa.int64() if isinstance(t, T.LongType) else pa.string())
                              for n, t in LOG_COLUMNS])
    return pa.schema([
        ("id", pa.string()),
        (content, pa.string()),
        ("changed", pa.bool_()),
        ("error", pa.string()),
        ("warnings", pa.list_(pa.string())),
        ("substitutions", pa.list_(substitution)),
    ])


def string_bytes(strings):
    """The bytes of an Arrow string array without nulls, its strings end to end, without
    a copy: for a column of JSON Lines, the lines as a client writes them."""
    import numpy as np
    import pyarrow as pa

    _, offsets, data = strings.buffers()
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(offsets, dtype=width)
    start, end = offsets[strings.offset], offsets[strings.offset + len(strings)]
    return memoryview(data)[start:end] if data is not None else memoryview(b"")


def correct_batches(batches, command, content, keep, started=None):
    """mapInArrow's function: each Arrow batch of records (column `_record`: a JSON Line
    each, built by Spark) goes through the worker's mtfix process as one buffer, and its
    answers come back as one Arrow batch parsed by pyarrow.json: no Python code runs per
    record. The output batch is the input's `keep` columns, then the answer's."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pajson

    schema = answer_schema(content)
    parse = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    for batch in batches:
        if batch.num_rows == 0:
            continue
        data = string_bytes(batch.column("_record"))
        out = stream_for(command, started).answer(data, batch.num_rows)
        read = pajson.ReadOptions(use_threads=False, block_size=max(len(out), 1 << 20))
        answers = pajson.read_json(pa.BufferReader(pa.py_buffer(out)), read_options=read,
                                   parse_options=parse)
        if answers.num_rows != batch.num_rows:
            raise RuntimeError(f"mtfix answered {answers.num_rows} of {batch.num_rows}"
                               " records")
        ids = batch.column("id")
        same = pc.or_kleene(pc.is_null(answers.column("id")),
                                    pc.equal(answers.column("id"), ids))
        if not pc.all(same).as_py():
            raise RuntimeError("mtfix's answers are not in the order of the records")
        columns = [batch.column(n) for n in keep]
        columns += [answers.column(n).combine_chunks() for n in schema.names[1:]]
        yield pa.RecordBatch.from_arrays(columns, names=keep + schema.names[1:])


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
    """The job, in a running session; returns how many mtfix processes it started."""
    sc = spark.sparkContext
    # The executors import this module's functions (and keep its mtfix processes) from
    # the shipped copy, whether this file was run or imported.
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

    # The records are written by Spark (JVM): `to_json` leaves out null fields (a null
    # `format` is an absent one) and `base64` does not break lines.
    spark.conf.set("spark.sql.chunkBase64String.enabled", "false")
    article = (F.base64(F.coalesce(F.col("bytes"), F.lit(b"")))
               if content == "bytes" else F.coalesce(F.col("text"), F.lit("")))
    fields = [F.col("id"), article.alias(content)]
    if "format" in df.columns:
        fields.append(F.col("format").cast("string"))
    record = F.concat(F.to_json(F.struct(*fields)), F.lit("\n")).alias("_record")
    keep = ["id"] + passthrough

    out_fields = [T.StructField("id", T.StringType())]
    out_fields += [df.schema[n] for n in passthrough]
    out_fields += [
        T.StructField(content, T.StringType()),
        T.StructField("changed", T.BooleanType()),
        T.StructField("error", T.StringType()),
        T.StructField("warnings", T.ArrayType(T.StringType())),
        T.StructField("substitutions", T.ArrayType(SUBSTITUTION)),
    ]
    started = sc.accumulator(0)
    jobs = args.jobs

    # The shipped copy of this file, by its name (run as a script, this module is
    # `__main__` here).
    module = os.path.splitext(os.path.basename(__file__))[0]

    def correct(batches):
        # Imported on the executor, so that its processes outlive the task.
        job = importlib.import_module(module)
        command = [job.executable(SparkFiles.get(binary_name)), "stream",
                   "--jobs", str(jobs)]
        for name in glossary_names:
            command += ["--glossary", SparkFiles.get(name)]
        return job.correct_batches(batches, command, content, keep, started)

    answered = df.select(*keep, record).mapInArrow(correct, T.StructType(out_fields))
    if content == "bytes":
        answered = (answered.withColumn("bytes", F.unbase64("bytes"))
                    .withColumn("text", F.lit(None).cast("string")))
    else:
        answered = answered.withColumn("bytes", F.lit(None).cast("binary"))
    columns = keep + ["text", "bytes", "changed", "error", "warnings", "substitutions"]
    answered.select(*columns).write.parquet(os.path.join(args.out, "corrected"))
    processes = started.value

    subs = (spark.read.parquet(os.path.join(args.out, "corrected"))
            .select(F.explode("substitutions").alias("s")).select("s.*"))
    subs.write.parquet(os.path.join(args.out, "substitutions"))

    # The canonical log: the rows as JSON Lines, collected on the driver as Arrow (the
    # log's size), put in order and written by mtfix itself (no other CSV writer touches
    # it).
    rows = (spark.read.parquet(os.path.join(args.out, "substitutions"))
            .select(F.concat(F.to_json(F.struct(*[n for n, _ in LOG_COLUMNS])), F.lit("\n"))
                    .alias("row"))
            .toArrow())
    command = [mtfix, "log", "--quiet", "--log", args.log or os.path.join(args.out, "changes.csv")]
    for path in args.glossary:
        command += ["--glossary", path]
    log = subprocess.Popen(command, stdin=subprocess.PIPE)
    for chunk in rows.column("row").chunks:
        log.stdin.write(string_bytes(chunk))
    log.stdin.close()
    if log.wait() != 0:
        sys.exit(f"error: mtfix log exited {log.returncode}")
    return processes


if __name__ == "__main__":
    main(sys.argv[1:])
