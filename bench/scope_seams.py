"""Glossary variants that isolate the cost of article scope and of French seams: from a
benchmark glossary (bench/gen_glossary.py), writes the same rules with every seam off
(`seam=off`), and with every condition searched in the whole article (`scope=article`).
Time them side by side with bench/versus.py (see BENCHMARKS.md).

    python3 bench/scope_seams.py G/glossary-1000.csv OUT_DIR
"""
import argparse
import csv
import io
import pathlib


def variant(rows, column, value):
    out = io.StringIO()
    fields = list(rows[0].keys()) + [column]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, column: value})
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("glossary", type=pathlib.Path)
    parser.add_argument("out", type=pathlib.Path)
    args = parser.parse_args()
    text = "\n".join(l for l in args.glossary.read_text(encoding="utf-8").splitlines() if not l.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(text)))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.glossary.stem
    (args.out / f"{stem}-seams-off.csv").write_text(variant(rows, "seam", "off"), encoding="utf-8")
    (args.out / f"{stem}-article-scope.csv").write_text(variant(rows, "scope", "article"), encoding="utf-8")
    conditions = sum(1 for r in rows if r.get("if") or r.get("unless"))
    print(f"{len(rows)} rules, {conditions} with a condition, in {args.out}")


if __name__ == "__main__":
    main()
