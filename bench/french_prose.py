"""Real French prose for the benchmark corpus, from Debian's `manpages-fr` package.

The package is fetched with `apt-get download` (Debian's archive is one of the package
registries this project may use) and its manual pages are stripped of groff markup down to
their paragraphs. The result is cached in bench/.cache/prose.txt (not committed), one
paragraph per line.
"""
import gzip
import pathlib
import re
import subprocess
import tempfile

CACHE = pathlib.Path(__file__).resolve().parent / ".cache" / "prose.txt"

# groff escapes and requests that carry no prose.
ESCAPES = [
    (re.compile(r"\\f[BIRP]|\\f\(..|\\f\[[^\]]*\]"), ""),
    (re.compile(r"\\\(aq|\\\[aq\]"), "'"),
    (re.compile(r"\\\(em|\\\[em\]"), "—"),
    (re.compile(r"\\\(en|\\\[en\]"), "–"),
    (re.compile(r"\\\(Fo|\\\[Fo\]"), "«"),
    (re.compile(r"\\\(Fc|\\\[Fc\]"), "»"),
    (re.compile(r"\\\(rs|\\e"), "\\\\"),
    (re.compile(r"\\-"), "-"),
    (re.compile(r"\\~|\\ "), "\u00a0"),
    (re.compile(r"\\&|\\/|\\,|\\:|\\%|\\c"), ""),
    (re.compile(r"\\\(..|\\\[[^\]]*\]|\\[*n]\(..|\\[*n].|\\s[+-]?\d"), ""),
]


def _clean(line):
    for pattern, replacement in ESCAPES:
        line = pattern.sub(replacement, line)
    return line.strip()


def _paragraphs(groff):
    paragraph = []
    for raw in groff.splitlines():
        if raw.startswith('.\\"') or raw.startswith("'\\\""):
            continue
        if raw.startswith(".") or raw.startswith("'"):
            # A request: text after .B/.I/.BR is prose, the rest breaks paragraphs.
            request, _, rest = raw[1:].partition(" ")
            if request in ("B", "I", "BR", "BI", "IR", "RB", "RI", "IB") and rest:
                paragraph.append(_clean(rest.replace('"', "")))
            elif request in ("PP", "P", "LP", "SH", "SS", "TP", "IP", "HP", "sp", "br", "RE", "RS"):
                if paragraph:
                    yield " ".join(paragraph)
                paragraph = []
            continue
        text = _clean(raw)
        if text:
            paragraph.append(text)
    if paragraph:
        yield " ".join(paragraph)


def _is_prose(paragraph):
    words = paragraph.split()
    letters = sum(c.isalpha() for c in paragraph)
    return len(words) >= 8 and letters > 0.7 * len(paragraph.replace(" ", ""))


def prose():
    """The paragraphs, extracted once and cached."""
    if CACHE.exists():
        return CACHE.read_text(encoding="utf-8").splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", "manpages-fr"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deb = next(pathlib.Path(tmp).glob("manpages-fr_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp + "/x"], check=True)
        paragraphs = []
        for page in sorted(pathlib.Path(tmp, "x").rglob("*.gz")):
            groff = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
            paragraphs.extend(p for p in _paragraphs(groff) if _is_prose(p))
    CACHE.parent.mkdir(exist_ok=True)
    CACHE.write_text("\n".join(paragraphs), encoding="utf-8")
    return paragraphs


if __name__ == "__main__":
    paragraphs = prose()
    print(len(paragraphs), "paragraphs,", sum(len(p.encode()) for p in paragraphs), "bytes")
    for p in paragraphs[1000:1003]:
        print("-", p[:300])
