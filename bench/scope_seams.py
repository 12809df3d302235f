"""Glossary variants that isolate the cost of article scope, of French seams and of
`--into fr`: from a benchmark glossary (bench/gen_glossary.py), writes the same rules with
every seam off (`seam=off`), with every condition searched in the whole article
(`scope=article`), and with the French corrections of the shipped rules it holds (the
`fr` and `fr_gender` columns of glossaries/*.csv, matched by `id`; bench/gen_glossary.py
leaves them out), to run with and without `--into fr`. Time them side by side with
bench/versus.py (see BENCHMARKS.md and bench/runs/2026-12-05-scope-seams.md).

    python3 bench/scope_seams.py G/glossary-1000.csv OUT_DIR
"""
import argparse
import csv
import io
import pathlib


ROOT = pathlib.Path(__file__).resolve().parent.parent
FRENCH = ["fr", "fr_gender"]


def read_rows(path):
    text = "\n".join(l for l in path.read_text(encoding="utf-8").splitlines() if not l.startswith("#"))
    return list(csv.DictReader(io.StringIO(text)))


def write_rows(rows, fields):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def variant(rows, column, value):
    return write_rows([{**row, column: value} for row in rows], list(rows[0].keys()) + [column])


def with_french(rows):
    """The rows, each shipped rule with its French correction; and how many got one."""
    french = {}
    for path in sorted((ROOT / "glossaries").glob("*.csv")):
        for row in read_rows(path):
            if row.get("fr"):
                french[row["id"]] = {column: row.get(column, "") for column in FRENCH}
    out = [{**row, **french.get(row.get("id"), dict.fromkeys(FRENCH, ""))} for row in rows]
    return write_rows(out, list(rows[0].keys()) + FRENCH), sum(1 for r in rows if r.get("id") in french)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("glossary", type=pathlib.Path)
    parser.add_argument("out", type=pathlib.Path)
    args = parser.parse_args()
    rows = read_rows(args.glossary)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.glossary.stem
    (args.out / f"{stem}-seams-off.csv").write_text(variant(rows, "seam", "off"), encoding="utf-8")
    (args.out / f"{stem}-article-scope.csv").write_text(variant(rows, "scope", "article"), encoding="utf-8")
    french, with_fr = with_french(rows)
    (args.out / f"{stem}-fr.csv").write_text(french, encoding="utf-8")
    conditions = sum(1 for r in rows if r.get("if") or r.get("unless"))
    print(f"{len(rows)} rules, {conditions} with a condition, {with_fr} with a French correction, in {args.out}")


if __name__ == "__main__":
    main()
