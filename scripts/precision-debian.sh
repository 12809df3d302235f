#!/usr/bin/env bash
# Precision on real French: runs `mtfix check` with the shipped glossaries over Debian's
# French documentation (human-written or human-translated prose: man pages, FAQ, guides,
# handbooks), fetched with apt. Every change printed is a rule firing on clean French, so
# a precision bug: the script prints each one with its rule and the line it hit, and exits 1
# if there is any.
#
# The packages are downloaded (`apt-get download`, not installed) and unpacked into a
# temporary folder that is deleted at the end: their text is never committed (licences
# vary; see each package's /usr/share/doc/*/copyright).
#
# Usage: scripts/precision-debian.sh [--quick] [--glossary PATH] [--keep DIR]
#   --quick          a fixed subset for CI (under two minutes with the apt download)
#   --glossary PATH  check with these glossaries instead of the shipped (embedded) ones
#   --keep DIR       extract the text into DIR and keep it (for reading the hits)
# Environment: MTFIX=path/to/mtfix (default: build with `cargo build --release`).
# Needs root (or sudo) for `apt-get update` and to install groff-base when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
glossary=()
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=true ;;
        --glossary) glossary=(--glossary "$2"); shift ;;
        --keep) keep="$2"; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

# The quick subset: prose of several registers (FAQ, tutorial, user and system-admin
# manuals) and the user commands' man pages, about 4 MB to download.
quick_packages=(debian-faq-fr maint-guide-fr debian-reference-fr aptitude-doc-fr manpages-fr)
full_packages=(
    "${quick_packages[@]}"
    manpages-fr-dev developers-reference-fr debian-edu-doc-fr debian-handbook gimp-help-fr
)
if $quick; then packages=("${quick_packages[@]}"); else packages=("${full_packages[@]}"); fi

start=$(date +%s)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

apt_quiet() { $sudo env DEBIAN_FRONTEND=noninteractive "$@" >/dev/null; }
if [ -z "$(apt-cache policy "${packages[0]}" 2>/dev/null | grep Candidate | grep -v none)" ]; then
    apt_quiet apt-get update -q
fi
command -v groff >/dev/null || apt_quiet apt-get install -y -q --no-install-recommends groff-base

if [ -z "${MTFIX:-}" ]; then
    cargo build --release --locked --quiet
    MTFIX="${CARGO_TARGET_DIR:-target}/release/mtfix"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
text="${keep:-$work/text}"
mkdir -p "$work/debs" "$work/root" "$text"

# `apt-get download` writes to the current folder; `_apt` cannot write to a mktemp folder.
(cd "$work/debs" && $sudo apt-get download -q "${packages[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true) >/dev/null
[ "$(ls "$work/debs" | wc -l)" -eq "${#packages[@]}" ] || { echo "apt-get download failed" >&2; exit 2; }
download_bytes=$(du -cb "$work/debs"/*.deb | tail -1 | cut -f1)
for deb in "$work/debs"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
root="$work/root/usr/share"

# Plain-text manuals, as shipped.
gunzip_to() { mkdir -p "$(dirname "$2")"; gzip -dc "$1" >"$2"; }
for f in doc/debian/FAQ/debian-faq.fr.txt.gz doc/maint-guide-fr/maint-guide.fr.txt.gz \
    debian-reference/debian-reference.fr.txt.gz \
    developers-reference/fr/developers-reference.txt.gz; do
    [ -f "$root/$f" ] && gunzip_to "$root/$f" "$text/$(basename "$f" .gz)"
done

# HTML manuals: mtfix reads .html itself and checks only the text content.
copy_html() { # source folder, destination name, file name pattern
    [ -d "$1" ] || return 0
    mkdir -p "$text/$2"
    find "$1" -maxdepth 1 -name "${3:-*.html}" -exec cp -t "$text/$2" {} +
}
copy_html "$root/doc/aptitude/html/fr" aptitude
copy_html "$root/doc/debian-edu-doc-fr" debian-edu 'debian-edu-bookworm-manual.html'
copy_html "$root/doc/debian-handbook/html/fr-FR" debian-handbook
copy_html "$root/gimp/2.0/help/fr" gimp-help

# Man pages, rendered to plain UTF-8 text: no hyphenation, no justification, long lines,
# so that words are whole. Pages that only include another (`.so`) are skipped.
if [ -d "$root/man/fr" ]; then
    while IFS= read -r -d '' page; do
        rel=${page#"$root/man/fr/"}
        out="$text/man/${rel%.gz}.txt"
        mkdir -p "$(dirname "$out")"
        if gzip -dc "$page" | head -c 200 | grep -q '^\.so '; then continue; fi
        gzip -dc "$page" | groff -man -Tutf8 -Kutf8 -P-cbou -rHY=0 -dAD=l -rLL=200n \
            2>/dev/null >"$out" || rm -f "$out"
    done < <(find "$root/man/fr" -type f -name '*.gz' -print0)
fi
prepared=$(date +%s)

files=$(find "$text" -type f | wc -l)
words=$( (find "$text" -type f -name '*.txt' -exec cat {} +
    find "$text" -type f -name '*.html' -exec cat {} + | sed -e 's/<[^>]*>/ /g') | wc -w)

set +e
"$MTFIX" check "$text" "${glossary[@]}" >"$work/changes" 2>"$work/errors"
status=$?
set -e
end=$(date +%s)

# Each change, then the line it hit (its first 160 characters).
while IFS= read -r change; do
    echo "${change#"$text/"}"
    location=${change%%: *}
    file=${location%%:*}
    line=$(echo "$location" | cut -d: -f2)
    [ -f "$file" ] && printf '    | %s\n' "$(sed -n "${line}p" "$file" | cut -c1-160)"
done <"$work/changes"
cat "$work/errors" >&2
changes=$(wc -l <"$work/changes")

echo "precision-debian: ${#packages[@]} packages (${packages[*]})," \
    "$((download_bytes / 1024)) KiB downloaded; $files files, $words words;" \
    "$changes changes; $((prepared - start)) s to fetch and extract," \
    "$((end - prepared)) s to check, $((end - start)) s in all"
case $status in
    0) exit 0 ;;
    1) exit 1 ;;
    *) echo "mtfix check failed with status $status" >&2; exit "$status" ;;
esac
