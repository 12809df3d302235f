"""Python `re`: one alternation of all patterns (longest first), whole words,
case-insensitive, and a dict from folded match to replacement.

Usage: python_re.py PAIRS.tsv CORPUS OUT   (prints "substitutions N")"""
import os
import re
import sys

pairs, corpus, out = sys.argv[1:4]
table = {}
for line in open(pairs, encoding="utf-8"):
    pattern, replacement = line.rstrip("\n").split("\t")
    table.setdefault(pattern.casefold(), replacement)
alternation = "|".join(re.escape(p) for p in sorted(table, key=len, reverse=True))
regex = re.compile(r"\b(" + alternation + r")\b", re.IGNORECASE)
count = 0
for root, _, files in os.walk(corpus):
    for name in files:
        path = os.path.join(root, name)
        target = os.path.join(out, os.path.relpath(path, corpus))
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text, n = regex.subn(lambda m: table[m.group(1).casefold()], text)
        count += n
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
print("substitutions", count)
