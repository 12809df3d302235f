#!/usr/bin/env bash
# GNU sed: one `s/\bPATTERN\b/REPLACEMENT/gI` per rule, on a copy of the corpus.
# Usage: sed.sh PAIRS.tsv CORPUS OUT   (sed cannot count its substitutions)
set -euo pipefail
pairs=$1 corpus=$2 out=$3
script=$(mktemp)
python3 - "$pairs" > "$script" <<'PY'
import re, sys
for line in open(sys.argv[1], encoding="utf-8"):
    pattern, replacement = line.rstrip("\n").split("\t")
    pattern = re.sub(r"([\\.\[\]{}()*+?^$|/])", r"\\\1", pattern)
    replacement = re.sub(r"([\\&/])", r"\\\1", replacement)
    print(f"s/\\b{pattern}\\b/{replacement}/gI")
PY
cp -r "$corpus" "$out"
find "$out" -type f -print0 | LC_ALL=C.UTF-8 xargs -0 sed -i -E -f "$script"
rm -f "$script"
