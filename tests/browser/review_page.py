#!/usr/bin/env python3
"""End-to-end test of `mtfix review` in headless Chromium, and its open-time benchmark.

Drives Debian's chromium through chromedriver with a minimal WebDriver client written on
the standard library (JSON over HTTP to localhost), so it needs nothing from a registry
and never touches the network. Run by `tests/review_page.rs` (cargo test); by hand:

    python3 tests/browser/review_page.py --mtfix target/debug/mtfix            # the test
    python3 tests/browser/review_page.py --mtfix target/release/mtfix --bench 100000

Exit 0: passed; 1: failed; 77: chromium or chromedriver is not installed (skipped).
"""

import argparse
import base64
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("MTFIX_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MTFIX_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1400,900",
]
SKIP = 77
HOSTILE_SCRIPT = "</script><script>alert(1)</script>"
HOSTILE_ATTRIBUTE = '"><img src=x onerror=alert(1)>'


class Browser:
    """A chromedriver process and one WebDriver session."""

    def __init__(self, downloads, profile):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                self.call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        options = {
            "binary": CHROMIUM,
            "args": FLAGS + [f"--user-data-dir={profile}"],
            "prefs": {"download.default_directory": str(downloads),
                      "download.prompt_for_download": False},
        }
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options,
            "unhandledPromptBehavior": "ignore"}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]
        self.cdp("Browser.setDownloadBehavior",
                 {"behavior": "allow", "downloadPath": str(downloads)})

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as e:
            value = json.loads(e.read())["value"]
            raise WebDriverError(value.get("error"), value.get("message", "")) from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def cdp(self, cmd, params):
        return self.s("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params})

    def open(self, path):
        self.s("POST", "/url", {"url": Path(path).resolve().as_uri()})
        self.wait("return document.body && document.body.dataset.ready === 'true'")

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def wait(self, script, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.js(script):
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for: {script}")

    def keys(self, text):
        """Types `text` into the focused element, as a user would."""
        active = self.s("GET", "/element/active")
        element = next(iter(active.values()))
        self.s("POST", f"/element/{element}/value", {"text": text})

    def alert_text(self):
        try:
            return self.s("GET", "/alert/text")
        except WebDriverError as e:
            if e.error == "no such alert":
                return None
            raise

    def screenshot(self, path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(base64.b64decode(self.s("GET", "/screenshot")))

    def close(self):
        try:
            self.s("DELETE", "")
        finally:
            self.driver.terminate()
            self.driver.wait(10)


class WebDriverError(Exception):
    def __init__(self, error, message):
        super().__init__(f"{error}: {message}")
        self.error = error


def mtfix(binary, *args, cwd, ok=(0,)):
    run = subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True)
    if run.returncode not in ok:
        raise AssertionError(f"mtfix {' '.join(args)} exited {run.returncode}:\n{run.stderr}")
    return run


def read_log(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write_log(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(Path(root).rglob("*")) if p.is_file()}


def wait_for_file(folder, name, timeout=30):
    end = time.time() + timeout
    path = Path(folder) / name
    while time.time() < end:
        if path.exists() and not list(Path(folder).glob("*.crdownload")):
            return path
        time.sleep(0.05)
    raise AssertionError(f"no download {name} in {folder}: {os.listdir(folder)}")


def end_to_end(browser, args, work, downloads):
    repo = Path(args.repo)
    shots = Path(args.screenshots)
    log = work / "changes.csv"
    mtfix(args.mtfix, "fix", "corpus", "--out", str(work / "fixed"), "--log", str(log),
          "--quiet", cwd=repo)
    mtfix(args.mtfix, "review", "--log", str(log), "corpus", "--out", str(work / "review.html"),
          cwd=repo)
    rows = read_log(log)
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    counts = {}
    for row in body:
        counts[row[col["rule"]]] = counts.get(row[col["rule"]], 0) + 1
    # The rule to reject: the most frequent one, so that "every row" means several.
    target = max(counts, key=lambda rule: (counts[rule], rule))
    assert counts[target] >= 2, counts

    browser.open(work / "review.html")
    assert browser.alert_text() is None
    browser.screenshot(shots / "start.png")

    # Move down to the first row of the target rule with j, and reject the rule (R).
    for _ in range(len(body)):
        if browser.js("return document.getElementById('d-rule').textContent") == target:
            break
        browser.keys("j")
    else:
        raise AssertionError(f"rule {target} not reached with j")
    browser.keys("R")
    # Edit the first row of another rule: Home, then j past the rejected rule, e, type.
    browser.keys("\ue011")  # Home
    edit_index = next(i for i, row in enumerate(body) if row[col["rule"]] != target)
    for _ in range(edit_index):
        browser.keys("j")
    assert browser.js("return document.getElementById('d-rule').textContent") != target
    edited_text = "remplacement « revu » ; avec, virgule"
    browser.keys("e")
    browser.keys(edited_text + "\ue007")  # Enter keeps the edit
    summary = browser.js("return document.getElementById('summary').textContent")
    assert f"{counts[target]} rejected" in summary, summary
    assert "1 edited" in summary, summary

    # Decisions survive a reload (kept in localStorage under the log's hash).
    time.sleep(0.5)
    browser.open(work / "review.html")
    restored = browser.js("return window.mtfixReview.restored")
    assert restored == counts[target] + 1, restored
    browser.screenshot(shots / "after-decisions.png")

    # Save with the keyboard: the real download.
    browser.js("document.getElementById('list').focus()")
    browser.keys("s")
    saved = wait_for_file(downloads, "changes.reviewed.csv")

    # Expected: the same log edited by this script the same way.
    expected_rows = [header] + [list(row) for row in body]
    for row in expected_rows[1:]:
        if row[col["rule"]] == target:
            row[col["decision"]] = "reject"
    expected_rows[1 + edit_index][col["replacement"]] = edited_text
    expected_rows[1 + edit_index][col["decision"]] = "accept"
    expected_log = write_log(expected_rows)
    assert saved.read_bytes() == expected_log, "saved log differs from the expected one"
    (work / "expected.csv").write_bytes(expected_log)

    applied = mtfix(args.mtfix, "apply", "--log", str(saved), "corpus", "--out",
                    str(work / "applied"), cwd=repo)
    mtfix(args.mtfix, "apply", "--log", str(work / "expected.csv"), "corpus", "--out",
          str(work / "expected"), cwd=repo)
    assert "1 edited by the reviewer" in applied.stderr, applied.stderr
    assert f"{counts[target]} rejected" in applied.stderr, applied.stderr
    assert tree(work / "applied") == tree(work / "expected")
    # And the rejected rule's matches are still in the applied articles.
    matched = body[[r[col["rule"]] for r in body].index(target)][col["matched"]]
    assert any(matched.encode() in text for text in tree(work / "applied").values())
    assert browser.alert_text() is None
    print(f"end to end: rejected {counts[target]} rows of {target}, edited row "
          f"{edit_index + 2}; screenshots in {shots}")
    return saved


def remembered(browser, args, work, reviewed):
    """The next night: `fix --decisions` with the log saved above; its page shows the
    reused decisions as decided, so the "undecided" filter shows only what is new."""
    repo = Path(args.repo)
    log = work / "night2.csv"
    mtfix(args.mtfix, "fix", "corpus", "--decisions", str(reviewed), "--out",
          str(work / "fixed2"), "--log", str(log), "--quiet", cwd=repo)
    rows = read_log(log)
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    decided = [row for row in read_log(reviewed)[1:] if row[col["decision"]]]
    reused = [row for row in body if row[col["decided_in"]]]
    assert decided and len(reused) == len(decided), (len(reused), len(decided))
    mtfix(args.mtfix, "review", "--log", str(log), "--out", str(work / "night2.html"), cwd=repo)
    browser.js("localStorage.clear()")
    browser.open(work / "night2.html")
    shown = browser.js("""
        const status = document.getElementById('f-status');
        const shown = {};
        for (const value of ['undecided', 'reused', '']) {
          status.value = value; status.dispatchEvent(new Event('change'));
          shown[value] = parseInt(document.getElementById('shown').textContent.replace(/,/g, ''));
        }
        return shown;""")
    assert shown == {"undecided": len(body) - len(reused), "reused": len(reused), "": len(body)}, shown
    meta = browser.js("return document.querySelector('.row .reused')?.textContent || ''")
    assert meta.startswith(" · decided in "), meta
    # Saved untouched, the log comes back byte for byte, `decided_in` included.
    assert browser.js("return window.mtfixReview.csv()").encode() == log.read_bytes()
    print(f"decisions remembered: {len(reused)} of {len(body)} rows decided before, "
          f"{shown['undecided']} undecided on the page")


def hostile(browser, args, work):
    cols = ["file", "line", "column", "byte_offset", "rule", "matched", "replacement",
            "context", "decision", "glossary", "note", "file_hash", "row_hash"]
    context = f"Avant {HOSTILE_SCRIPT} puis ⟦Openai⟧ et {HOSTILE_ATTRIBUTE} fin."
    row = [f"a{HOSTILE_ATTRIBUTE}.txt", "1", "7", "30", f"rule-{HOSTILE_SCRIPT}", "Openai",
           HOSTILE_ATTRIBUTE, context, "", "g.csv", f"note {HOSTILE_SCRIPT}", "00", "11"]
    (work / "hostile.csv").write_bytes(write_log([cols, row]))
    mtfix(args.mtfix, "review", "--log", str(work / "hostile.csv"), "--out",
          str(work / "hostile.html"), cwd=work)
    html = (work / "hostile.html").read_text(encoding="utf-8")
    assert html.count("<script") == 2 and "<img" not in html
    browser.open(work / "hostile.html")
    assert browser.alert_text() is None, "a dialog opened"
    state = browser.js("""return {
        text: document.body.innerText,
        images: document.images.length,
        scripts: document.scripts.length,
        pwned: typeof window.alertCalled }""")
    assert state["images"] == 0 and state["scripts"] == 2, state
    for text in [HOSTILE_SCRIPT, HOSTILE_ATTRIBUTE, f"note {HOSTILE_SCRIPT}"]:
        assert text in state["text"], (text, state["text"][:2000])
    browser.screenshot(Path(args.screenshots) / "hostile.png")
    print("hostile text shows as text; no dialog")


def bench(browser, args, work, rows_wanted):
    """Opens a page of `rows_wanted` rows (the corpus log repeated over many files)."""
    repo = Path(args.repo)
    log = work / "changes.csv"
    mtfix(args.mtfix, "fix", "corpus", "--out", str(work / "fixed"), "--log", str(log),
          "--quiet", cwd=repo)
    rows = read_log(log)
    header, body = rows[0], rows[1:]
    col = header.index("file")
    big = [header]
    k = 0
    while len(big) - 1 < rows_wanted:
        for row in body:
            if len(big) - 1 == rows_wanted:
                break
            copy = list(row)
            copy[col] = f"dossier-{k // 20:04d}/article-{k:05d}-{copy[col]}"
            big.append(copy)
        k += 1
    (work / "big.csv").write_bytes(write_log(big))
    start = time.perf_counter()
    mtfix(args.mtfix, "review", "--log", str(work / "big.csv"), "--out", str(work / "big.html"),
          cwd=work)
    build = time.perf_counter() - start
    size = (work / "big.html").stat().st_size
    figures = []
    for _ in range(args.runs):
        browser.js("localStorage.clear()") if figures else None
        browser.open(work / "big.html")
        figures.append(browser.js("""
            const nav = performance.getEntriesByType('navigation')[0];
            return {ready: window.mtfixReview.ready, dcl: nav.domContentLoadedEventEnd,
                    load: nav.loadEventEnd}"""))
    responsiveness = browser.js("""
        const key = (k, o) => document.dispatchEvent(new KeyboardEvent('keydown', Object.assign({key: k}, o || {})));
        let t = performance.now();
        for (let i = 0; i < 100; i++) key('j');
        const move = (performance.now() - t) / 100;
        t = performance.now(); key('R'); const rule = performance.now() - t;
        t = performance.now(); key('u'); const undo = performance.now() - t;
        const status = document.getElementById('f-status');
        t = performance.now(); status.value = 'undecided';
        status.dispatchEvent(new Event('change')); const filter = performance.now() - t;
        const text = document.getElementById('f-text');
        t = performance.now(); text.value = 'openai'; status.value = '';
        status.dispatchEvent(new Event('change')); const search = performance.now() - t;
        t = performance.now(); const csv = window.mtfixReview.csv(); const save = performance.now() - t;
        return {move, rule, undo, filter, search, save, csvBytes: csv.length};""")
    ready = sorted(f["ready"] for f in figures)
    result = {"rows": rows_wanted, "html_bytes": size, "build_seconds": round(build, 2),
              "ready_ms": [round(r) for r in ready],
              "dom_content_loaded_ms": [round(f["dcl"]) for f in figures],
              "responsiveness_ms": {k: round(v, 1) for k, v in responsiveness.items()}}
    print(json.dumps(result, indent=2))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mtfix", required=True)
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parents[2]))
    parser.add_argument("--screenshots", default=None)
    parser.add_argument("--bench", type=int, default=0, help="rows of the benchmark page")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    args.mtfix = str(Path(args.mtfix).resolve())
    if args.screenshots is None:
        args.screenshots = str(Path(args.repo) / "target" / "review-screenshots")
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        print(f"skipped: not installed: {', '.join(missing)} "
              "(apt-get install -y chromium chromium-driver)")
        return SKIP
    with tempfile.TemporaryDirectory(prefix="mtfix-review-") as tmp:
        work = Path(tmp)
        downloads = work / "downloads"
        downloads.mkdir()
        browser = Browser(downloads, work / "profile")
        try:
            if args.bench:
                bench(browser, args, work, args.bench)
            else:
                reviewed = end_to_end(browser, args, work, downloads)
                remembered(browser, args, work, reviewed)
                hostile(browser, args, work)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
