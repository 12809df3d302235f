#!/usr/bin/env python3
"""Runs the Spark job (mtfix_spark.py) in local mode on a generated corpus and checks that
it gives the bytes `mtfix fix` gives on the same articles as files: every corrected
article, every error, and the CSV log. Run by `tests/spark.rs` (and so by CI).

    python3 check_local.py --mtfix target/release/mtfix [--articles 3000] [--master local[2]]

Run from the repository root (the glossaries are `glossaries/`, named so in both logs).
Exit 0 when identical; 1 with the differences otherwise.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mtfix_spark  # noqa: E402

SENTENCES = [
    "Openai a publié chatppt, et l'IA profonde a répondu.",
    "Le cours a connu l'automne de 3 % en bourse après la séance.",
    "L’IA\nprofonde inquiète Meta Plateformes et ses investisseurs.",
    "Rien à corriger dans cette phrase-là, écrite en français soigné.",
    "La feuille d'automne tombe en cette saison, à côté de l'été.",
    "Voir https://openai.com/chatppt pour Openai, dit le communiqué.",
    "Deepseek et la profondeur-v3 sont cités par les analystes.",
    "C'est un réveiller pour l'industrie, a déclaré le ministre.",
    "Le prix de l'euro (€) a été « stable » selon l'œil des marchés.",
]


def article(rng, i):
    """(relative path, bytes): text, Markdown, HTML, CRLF, BOM, Windows-1252, damaged
    UTF-8 and binary articles."""
    paragraphs = []
    for _ in range(rng.randint(1, 8)):
        paragraphs.append(" ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 6))))
    text = "\n\n".join(paragraphs) + "\n"
    kind = i % 10
    if kind == 0:
        name, text = f"md/{i:05}.md", f"# Titre {i}\n\n{text}\n`Openai` et [Openai](https://x.fr)\n"
    elif kind == 1:
        name = f"html/{i:05}.html"
        text = f'<html><body><p title="Openai">{text}</p><script>var x="Openai";</script></body></html>'
    elif kind == 2:
        name, text = f"crlf/{i:05}.txt", text.replace("\n", "\r\n")
    elif kind == 3:
        name, text = f"bom/{i:05}.txt", "\ufeff" + text
    else:
        name = f"txt/{i // 100:02}/{i:05}.txt"
    data = text.encode("utf-8")
    if i % 17 == 5:
        name = f"legacy/{i:05}.txt"
        data = text.replace("\ufeff", "").encode("cp1252")
    elif i % 97 == 7:
        name, data = f"damaged/{i:05}.txt", data + b" caf\xe9 Openai\n"
    elif i % 211 == 9:
        name, data = f"binary/{i:05}.txt", b"PK\x03\x04\x00\x00Openai"
    return name, data


class Counter:
    """Counts as a Spark accumulator does (`add`), for the pool's check without Spark."""

    def __init__(self):
        self.value = 0

    def add(self, n):
        self.value += n


def check_pool(mtfix):
    """The worker's process pool without Spark: one process serves batch after batch, a
    process found dead or left mid-batch is replaced, and one that dies during a batch
    fails it with its stderr. Returns the problems found."""
    import pyarrow as pa

    def batch(ids):
        records = [f'{{"id":"{i}.txt","text":"Openai {i}"}}\n' for i in ids]
        return pa.RecordBatch.from_arrays([pa.array([f"{i}.txt" for i in ids],
                                                    type=pa.string()),
                                           pa.array(records, type=pa.string())],
                                          names=["id", "_record"])

    problems = []
    started = Counter()
    command = [mtfix, "stream", "--jobs", "1", "--glossary", "glossaries"]
    rounds = [["a", "b"], [], [str(i) for i in range(1500)], ["c"], ["d"]]
    for round, ids in enumerate(rounds):
        if round == 3:
            dead = mtfix_spark.stream_for(command).proc
            dead.kill()
            dead.wait()
        if round == 4:
            # A task stopped mid-batch: answers left unread in the pipe.
            stopped = mtfix_spark.stream_for(command)
            stopped.busy = True
            stopped.proc.stdin.write(b'{"id":"x.txt","text":"Openai"}\n\n')
        out = list(mtfix_spark.correct_batches(iter([batch(ids)]), command, "text", ["id"],
                                               started))
        texts = [t for b in out for t in b.column("text").to_pylist()]
        if texts != [f"OpenAI {i}" for i in ids]:
            problems.append(f"pool, batch {round}: wrong answers {texts[:3]}...")
    if started.value != 3:
        problems.append(f"pool: {started.value} processes started, not 3 (two restarts)")
    dying = ["sh", "-c", "head -c 10 >/dev/null; echo gone >&2; exit 3"]
    try:
        list(mtfix_spark.correct_batches(iter([batch(["d"])]), dying, "text", ["id"]))
        problems.append("pool: a process that died did not fail the batch")
    except RuntimeError as e:
        if "exited 3" not in str(e) or "gone" not in str(e):
            problems.append(f"pool: unclear error for a process that died: {e}")
    mtfix_spark._close_streams()
    return problems


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mtfix", required=True)
    p.add_argument("--articles", type=int, default=3000)
    p.add_argument("--master", default="local[2]")
    args = p.parse_args()
    started = time.time()
    work = tempfile.mkdtemp(prefix="mtfix-spark-")
    folder = os.path.join(work, "articles")
    rng = random.Random(23)
    corpus = dict(article(rng, i) for i in range(args.articles))
    for name, data in corpus.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    # mtfix alone, on the files.
    fixed_dir = os.path.join(work, "fixed")
    fix_log = os.path.join(work, "fix.csv")
    fix = subprocess.run([args.mtfix, "fix", folder, "--out", fixed_dir, "--log", fix_log,
                          "--glossary", "glossaries", "--quiet"], capture_output=True)
    if fix.returncode not in (0, 3):
        sys.exit(f"mtfix fix failed: {fix.stderr.decode()}")
    fixed = {}
    for root, _, names in os.walk(fixed_dir):
        for n in names:
            path = os.path.join(root, n)
            with open(path, "rb") as f:
                fixed[os.path.relpath(path, fixed_dir)] = f.read()

    from pyspark.sql import SparkSession, types as T
    # The workers' Python needs pyarrow and pandas (mapInArrow): this one's by default.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master(args.master).appName("mtfix-check")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    table = os.path.join(work, "articles.parquet")
    schema = T.StructType([T.StructField("id", T.StringType()),
                           T.StructField("bytes", T.BinaryType()),
                           T.StructField("n", T.LongType())])
    rows = [(name, bytearray(data), i) for i, (name, data) in enumerate(corpus.items())]
    spark.createDataFrame(rows, schema).repartition(6).write.parquet(table)
    print(f"corpus: {len(corpus)} articles, {sum(map(len, corpus.values())) / 1e6:.1f} MB;"
          f" fix: {len(fixed)} written", flush=True)

    problems = check_pool(args.mtfix)
    for label, source in [("parquet", ["--input", table, "--partitions", "5"]),
                          ("folder", ["--files-from", folder])]:
        out = os.path.join(work, f"out-{label}")
        t = time.time()
        processes = mtfix_spark.run(spark, mtfix_spark.parse_args(
            source + ["--out", out, "--mtfix", args.mtfix, "--glossary", "glossaries"]))
        elapsed = time.time() - t
        got = spark.read.parquet(os.path.join(out, "corrected")).collect()
        subs = spark.read.parquet(os.path.join(out, "substitutions")).count()
        seen = set()
        for row in got:
            seen.add(row["id"])
            if label == "parquet" and row["n"] is None:
                problems.append(f"{label}: {row['id']}: passthrough column `n` lost")
            if row["error"] is not None:
                if row["id"] in fixed or "not valid UTF-8" not in row["error"]:
                    problems.append(f"{label}: {row['id']}: unexpected error {row['error']}")
                continue
            if bytes(row["bytes"]) != fixed.get(row["id"]):
                problems.append(f"{label}: {row['id']}: corrected bytes differ from fix's")
        missing = set(corpus) - seen
        if missing:
            problems.append(f"{label}: {len(missing)} articles missing, e.g. {min(missing)}")
        with open(os.path.join(out, "changes.csv"), "rb") as a, open(fix_log, "rb") as b:
            log, expected = a.read(), b.read()
        if log != expected:
            problems.append(f"{label}: changes.csv differs from fix's log"
                            f" ({len(log)} vs {len(expected)} bytes)")
        errors = sum(1 for r in got if r["error"] is not None)
        print(f"{label}: {len(got)} rows, {errors} errors, {subs} substitutions,"
              f" log {len(log)} bytes, job {elapsed:.1f} s,"
              f" {processes} mtfix processes", flush=True)
        # local[2] reuses its two Python workers, and each keeps its mtfix process.
        if label == "parquet" and processes > 2:
            problems.append(f"{label}: {processes} mtfix processes for 5 partitions")
    spark.stop()
    print(f"total {time.time() - started:.1f} s")
    if problems:
        print("\n".join(problems[:20]))
        sys.exit(f"differences found; inputs and outputs kept in {work}")
    shutil.rmtree(work)
    print("identical to mtfix fix: corrected articles, errors and log")


if __name__ == "__main__":
    main()
