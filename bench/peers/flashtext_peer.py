"""Python FlashText: a keyword trie, case-insensitive, replacing every keyword.
FlashText cannot report how many it replaced: with --count, it counts them in a separate
pass (extract_keywords), which the benchmark runs once, untimed. FlashText's
case-insensitive replace raises IndexError on text whose lower case has another length
(flashtext #82-style bug); such a file is copied unchanged and counted as failed.

Usage: flashtext_peer.py PAIRS.tsv CORPUS OUT [--count]   (prints "substitutions N")"""
import os
import sys

from flashtext import KeywordProcessor

pairs, corpus, out = sys.argv[1:4]
counting = "--count" in sys.argv
processor = KeywordProcessor(case_sensitive=False)
for line in open(pairs, encoding="utf-8"):
    pattern, replacement = line.rstrip("\n").split("\t")
    processor.add_keyword(pattern, replacement)
count = 0
failed = 0
for root, _, files in os.walk(corpus):
    for name in files:
        path = os.path.join(root, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if counting:
            count += len(processor.extract_keywords(text))
            continue
        target = os.path.join(out, os.path.relpath(path, corpus))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            text = processor.replace_keywords(text)
        except IndexError:
            failed += 1
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
print("substitutions", count if counting else "n/a")
if failed:
    print("failed", failed, file=sys.stderr)
