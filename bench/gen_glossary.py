"""Deterministic benchmark glossaries of K rules: the shipped rules first (real, with
their contexts), then plausible distractors (mangled product names, word pairs of the
corpus's vocabulary, a fifth of them with `if`/`unless` conditions), which rarely match.

Writes OUT/glossary-K.csv for mtfix, OUT/pairs-K.tsv (literal pattern, replacement)
for the peers, which have no regexes and no contexts, and OUT/distractors-K.csv, the
distractors of glossary-K.csv alone: glossary-K.csv holds the shipped library, so it
costs at least what the library costs, and only the distractors alone are a yardstick
for the library's own cost ("shipped no slower than the 1,000-rule glossary").

    python3 bench/gen_glossary.py OUT_DIR --k 10 1000 20000 --seed 1
"""
import argparse
import csv
import io
import pathlib
import random
import re

from french_prose import prose

ROOT = pathlib.Path(__file__).resolve().parent.parent
SYLLABLES = ["mi", "stral", "an", "thro", "pik", "gé", "mi", "ni", "co", "pi", "lot", "lla",
             "ma", "per", "plex", "ité", "clau", "de", "gro", "k", "bard", "qwen", "yi", "zhi"]
SUFFIXES = ["ai", "gpt", "soft", "labs", "bot", "ia", "net", "os", "x"]


def shipped_rules():
    rows = []
    for path in sorted((ROOT / "glossaries").glob("*.csv")):
        text = "\n".join(l for l in path.read_text(encoding="utf-8").splitlines() if not l.startswith("#"))
        rows.extend(csv.DictReader(io.StringIO(text)))
    return rows


def distractors(count, rng, taken):
    vocabulary = sorted({w for p in prose()[:4000] for w in re.findall(r"[a-zàâçéèêëîïôûùüÿœ]{4,}", p)})
    out = []
    while len(out) < count:
        kind = rng.random()
        if kind < 0.45:
            name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
            pattern = name + rng.choice(SUFFIXES)
            replacement = pattern[:1].upper() + pattern[1:-2] + pattern[-2:].upper()
        else:
            pattern = " ".join(rng.sample(vocabulary, 2))
            replacement = pattern.replace(" ", "-")
        if pattern.lower() in taken:
            continue
        taken.add(pattern.lower())
        row = {"pattern": pattern, "replacement": replacement, "id": f"distractor-{len(out)}"}
        if rng.random() < 0.2:
            row["if"] = rng.choice(["baisse|cours|bourse", "modèle|données", "société|entreprise"])
            row["unless"] = rng.choice(["", "saison|feuille", "client|service"])
        out.append(row)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--k", type=int, nargs="+", default=[10, 1000, 20000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    real = shipped_rules()
    for k in args.k:
        rng = random.Random(args.seed)
        rules = real[:k]
        extra = distractors(k - len(rules), rng, {r["pattern"].lower() for r in rules})
        rules += extra
        fields = ["pattern", "replacement", "id", "if", "unless"]
        for name, rows in [(f"glossary-{k}.csv", rules), (f"distractors-{k}.csv", extra)]:
            with open(args.out / name, "w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        with open(args.out / f"pairs-{k}.tsv", "w", encoding="utf-8") as f:
            for rule in rules:
                if not rule["pattern"].startswith("re:"):
                    f.write(f"{rule['pattern']}\t{rule['replacement']}\n")
        print(f"glossary-{k}.csv: {len(rules)} rules; distractors-{k}.csv: {len(extra)}")


if __name__ == "__main__":
    main()
