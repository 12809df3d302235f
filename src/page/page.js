"use strict";
// The review page of an mtfix log (see src/page/mod.rs for the data's shape). The DOM is
// built with createElement and textContent only: no text of the log is ever parsed as
// HTML. Only the rows on screen exist in the DOM (a virtual list), so 100,000 rows open
// as fast as 100.
(function () {
  const T = [["start", performance.now()]];
  const data = JSON.parse(document.getElementById("data").textContent);
  T.push(["parsed", performance.now()]);
  const $ = (id) => document.getElementById(id);
  const header = data.header;
  const column = {};
  header.forEach((name, i) => { column[name.trim()] = i; });
  const dict = data.dict;
  const rows = data.rows;
  const n = rows.length;
  const value = (i, name) => {
    const j = column[name];
    if (j === undefined) return "";
    const v = rows[i][j];
    return v === undefined ? "" : typeof v === "number" ? dict[v] : v;
  };
  // Interned columns hold dict numbers: a file or rule is known by its number.
  const key = (i, name) => {
    const j = column[name];
    const v = j === undefined ? undefined : rows[i][j];
    return typeof v === "number" ? v : -1;
  };

  // State: decision per row (0 undecided, 1 accept, 2 reject) and edited replacements.
  const initial = new Uint8Array(n);
  for (let i = 0; i < n; i++) initial[i] = data.decisions.charCodeAt(i) - 48;
  const decision = initial.slice();
  const replacement = new Map(); // row -> edited replacement (only rows changed here)
  const wasEdited = (i) => data.edited.charCodeAt(i) === 49;
  const proposed = (i) => value(i, "replacement");
  const currentReplacement = (i) => (replacement.has(i) ? replacement.get(i) : proposed(i));
  const isEdited = (i) => wasEdited(i) || (replacement.has(i) && replacement.get(i) !== proposed(i));
  // Where a decision reused by `fix --decisions` was made (`decided_in`), while the row
  // keeps it; a decision made on this page is this review's own.
  const reusedFrom = (i) => (decision[i] === initial[i] && !replacement.has(i) ? value(i, "decided_in") : "");
  const STATUS = ["undecided", "accepted", "rejected"];
  const undoStack = [];

  // Groups: files and rules, by dict number, in order of first appearance.
  const fileOf = new Int32Array(n), ruleOf = new Int32Array(n);
  const files = [], rules = [];
  const fileIndex = new Map(), ruleIndex = new Map();
  for (let i = 0; i < n; i++) {
    const f = key(i, "file"), r = key(i, "rule");
    if (!fileIndex.has(f)) { fileIndex.set(f, files.length); files.push({ name: value(i, "file"), rows: [] }); }
    if (!ruleIndex.has(r)) {
      ruleIndex.set(r, rules.length);
      rules.push({ name: value(i, "rule"), note: value(i, "note"), glossary: value(i, "glossary"), rows: [] });
    }
    fileOf[i] = fileIndex.get(f); ruleOf[i] = ruleIndex.get(r);
    files[fileOf[i]].rows.push(i); rules[ruleOf[i]].rows.push(i);
  }

  T.push(["grouped", performance.now()]);
  // Decisions survive a reload: kept in localStorage under the log's content hash.
  const storageKey = "mtfix-review:" + data.hash;
  let saveTimer = 0;
  function persist() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      const changed = [];
      for (let i = 0; i < n; i++) {
        if (decision[i] !== initial[i] || replacement.has(i)) {
          changed.push([i, decision[i], replacement.has(i) ? replacement.get(i) : null]);
        }
      }
      try { localStorage.setItem(storageKey, JSON.stringify({ v: 1, rows: changed })); }
      catch (e) { warn("Decisions could not be kept in this browser (" + e.name + "): save the log before closing."); }
    }, 200);
  }
  function restore() {
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { saved = null; }
    if (!saved || saved.v !== 1) return 0;
    for (const [i, d, r] of saved.rows) {
      if (i >= 0 && i < n) { decision[i] = d; if (r !== null) replacement.set(i, r); }
    }
    return saved.rows.length;
  }

  // ---- DOM helpers (text only) ----
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    if (props) for (const k in props) {
      if (k === "text") e.textContent = props[k];
      else if (k === "class") e.className = props[k];
      else e.setAttribute(k, props[k]);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  function warn(message) { $("warnings").append(el("p", { text: message })); }
  function announce(message) { $("announce").textContent = message; }

  // A piece of changed text: visible even when it is white space or nothing.
  function shown(text, tag) {
    if (text === "") return el("span", { class: "gone", text: tag === "ins" ? "(deleted)" : "(nothing)" });
    const visible = /^\s+$/.test(text) ? text.replace(/\s/g, "␣") : text;
    return el(tag, { title: tag === "del" ? "removed" : "inserted" }, visible);
  }
  // The sentence around row i with the match replaced by `middle`; `span` cuts it to
  // that many characters each side (0: whole).
  function sentence(i, middle, span) {
    const context = value(i, "context");
    const a = context.indexOf("⟦"), b = context.lastIndexOf("⟧");
    if (a < 0 || b < a) return [context ? context + " " : "", middle];
    let left = context.slice(0, a), right = context.slice(b + 1);
    if (span && left.length > span) left = "…" + left.slice(left.length - span);
    if (span && right.length > span) right = right.slice(0, span) + "…";
    return [left, middle, right];
  }
  function before(i, span) { return sentence(i, shown(value(i, "matched"), "del"), span); }
  function after(i, span) {
    return decision[i] === 2
      ? sentence(i, el("span", {}, value(i, "matched")), span)
      : sentence(i, shown(currentReplacement(i), "ins"), span);
  }
  function statusText(i) {
    return STATUS[decision[i]].toUpperCase() + (isEdited(i) ? " · EDITED" : "");
  }
  function problemOf(name) { return data.problems ? data.problems[name] : undefined; }

  // ---- Filters and the view (the row numbers shown, in order) ----
  let view = new Int32Array(0);
  let cur = 0; // position in view
  let haystack = null;
  function matchesStatus(i, status) {
    switch (status) {
      case "undecided": return decision[i] === 0;
      case "decided": return decision[i] !== 0;
      case "accepted": return decision[i] === 1;
      case "rejected": return decision[i] === 2;
      case "edited": return isEdited(i);
      case "reused": return reusedFrom(i) !== "";
      default: return true;
    }
  }
  function applyFilters(keepRow) {
    const rule = $("f-rule").value, file = $("f-file").value, status = $("f-status").value;
    const text = $("f-text").value.trim().toLowerCase();
    if (text && !haystack) {
      haystack = new Array(n);
      for (let i = 0; i < n; i++) {
        haystack[i] = [value(i, "file"), value(i, "rule"), value(i, "matched"), currentReplacement(i),
          value(i, "context"), value(i, "note")].join("\n").toLowerCase();
      }
    }
    const candidates = rule !== "" ? rules[+rule].rows : file !== "" ? files[+file].rows : null;
    const out = [];
    const consider = (i) => {
      if (file !== "" && fileOf[i] !== +file) return;
      if (rule !== "" && ruleOf[i] !== +rule) return;
      if (status && !matchesStatus(i, status)) return;
      if (text && haystack[i].indexOf(text) < 0) return;
      out.push(i);
    };
    if (candidates) candidates.forEach(consider); else for (let i = 0; i < n; i++) consider(i);
    if ($("f-order").value === "rule") out.sort((x, y) => ruleOf[x] - ruleOf[y] || x - y);
    view = Int32Array.from(out);
    const at = keepRow === undefined ? -1 : view.indexOf(keepRow);
    cur = at >= 0 ? at : 0;
    $("spacer").style.height = view.length * rowHeight + "px";
    $("shown").textContent = view.length.toLocaleString("en") + " of " + n.toLocaleString("en") + " shown";
    syncGroupButtons();
    render(true);
  }

  // ---- Virtual list ----
  const list = $("list");
  const rowHeight = parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--row")) || 78;
  let rendered = new Map(); // position -> element
  function rowElement(pos) {
    const i = view[pos];
    const problem = problemOf(value(i, "file"));
    const row = el("div", {
      class: "row st-" + STATUS[decision[i]], role: "option", id: "row-" + pos,
      "aria-selected": pos === cur ? "true" : "false",
      "aria-label": statusText(i) + ": " + value(i, "file") + " line " + value(i, "line") + ", rule " +
        value(i, "rule") + ": " + value(i, "matched") + " → " + (decision[i] === 2 ? "unchanged" : currentReplacement(i)),
      "aria-posinset": String(pos + 1), "aria-setsize": String(view.length),
    },
      el("div", { class: "meta" },
        el("span", { class: "status", text: statusText(i) }), " ",
        value(i, "file") + ":" + value(i, "line") + ":" + value(i, "column") + " · " + value(i, "rule"),
        reusedFrom(i) ? el("span", { class: "reused", text: " · decided in " + reusedFrom(i) }) : null,
        problem ? el("span", { class: "problem", text: " · file " + problem }) : null),
      el("div", { class: "line before", lang: "fr" }, el("span", { class: "label", text: "Before" }), ...before(i, 70)),
      el("div", { class: "line after", lang: "fr" },
        el("span", { class: "label", text: decision[i] === 2 ? "Kept" : "After" }), ...after(i, 70)));
    row.style.top = pos * rowHeight + "px";
    row.addEventListener("click", () => { cur = pos; list.focus(); render(false); });
    return row;
  }
  function render(all) {
    const top = list.scrollTop, height = list.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / rowHeight) - 4);
    const last = Math.min(view.length - 1, Math.ceil((top + height) / rowHeight) + 4);
    const next = new Map();
    for (const [pos, e] of rendered) {
      if (all || pos < first || pos > last) e.remove(); else next.set(pos, e);
    }
    for (let pos = first; pos <= last; pos++) {
      if (!next.has(pos)) { const e = rowElement(pos); next.set(pos, e); list.append(e); }
      else next.get(pos).setAttribute("aria-selected", pos === cur ? "true" : "false");
    }
    rendered = next;
    if (view.length) list.setAttribute("aria-activedescendant", "row-" + cur);
    else list.removeAttribute("aria-activedescendant");
    showDetail();
  }
  function redrawRows(changed) {
    for (const [pos, e] of rendered) {
      if (!changed || changed.has(view[pos])) { const f = rowElement(pos); e.replaceWith(f); rendered.set(pos, f); }
    }
    showDetail();
  }
  function moveTo(pos) {
    if (!view.length) return;
    cur = Math.max(0, Math.min(view.length - 1, pos));
    const top = cur * rowHeight, height = list.clientHeight;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + rowHeight > list.scrollTop + height) list.scrollTop = top + rowHeight - height;
    render(false);
  }
  list.addEventListener("scroll", () => requestAnimationFrame(() => render(false)));
  window.addEventListener("resize", () => render(false));

  // ---- Detail of the current row ----
  function showDetail() {
    const has = view.length > 0;
    $("detail").hidden = !has;
    if (!has) return;
    const i = view[cur];
    $("d-title").textContent = "Substitution " + (cur + 1).toLocaleString("en") + " of " + view.length.toLocaleString("en");
    const problem = problemOf(value(i, "file"));
    $("d-file").textContent = value(i, "file") + ", line " + value(i, "line") + ", column " + value(i, "column") +
      (problem ? " (file " + problem + " since the log: apply would skip its rows)" : "");
    $("d-rule").textContent = value(i, "rule");
    $("d-glossary").textContent = value(i, "glossary") || "—";
    $("d-note").textContent = value(i, "note") || "—";
    $("d-status").textContent = statusText(i) +
      (reusedFrom(i) ? " (decision reused from " + reusedFrom(i) + ")" : "");
    $("d-before").replaceChildren(...before(i, 0));
    $("d-after").replaceChildren(...after(i, 0));
    const input = $("d-replacement");
    if (document.activeElement !== input) input.value = currentReplacement(i);
  }

  // ---- Decisions (every change goes through here, so undo sees it) ----
  function change(targets, newDecision, newReplacement, what) {
    const record = { rows: [], decisions: [], replacements: [] };
    for (const i of targets) {
      record.rows.push(i); record.decisions.push(decision[i]);
      record.replacements.push(replacement.has(i) ? replacement.get(i) : undefined);
      if (newDecision !== null) decision[i] = newDecision;
      if (newReplacement !== null) {
        if (newReplacement === proposed(i)) replacement.delete(i); else replacement.set(i, newReplacement);
        if (haystack) haystack = null;
      }
    }
    if (!record.rows.length) return;
    undoStack.push(record);
    afterChange(new Set(record.rows));
    announce(what + " (" + record.rows.length.toLocaleString("en") + (record.rows.length === 1 ? " row)" : " rows)"));
  }
  function undo() {
    const record = undoStack.pop();
    if (!record) { announce("Nothing to undo"); return; }
    record.rows.forEach((i, k) => {
      decision[i] = record.decisions[k];
      if (record.replacements[k] === undefined) replacement.delete(i); else replacement.set(i, record.replacements[k]);
    });
    haystack = null;
    afterChange(new Set(record.rows));
    const at = view.indexOf(record.rows[0]);
    if (at >= 0) moveTo(at);
    announce("Undone (" + record.rows.length.toLocaleString("en") + " rows)");
  }
  function afterChange(changed) {
    persist();
    redrawRows(changed);
    scheduleCounts();
  }
  const here = () => (view.length ? view[cur] : -1);
  function decideHere(d) {
    const i = here();
    if (i < 0) return;
    change([i], d, null, STATUS[d] + ": " + value(i, "matched") + " → " + currentReplacement(i));
    moveTo(cur + 1);
  }
  function decideRule(d) {
    const i = here();
    if (i >= 0) change(rules[ruleOf[i]].rows, d, null, "Rule " + value(i, "rule") + " " + STATUS[d]);
  }
  function decideFile(d) {
    const i = here();
    if (i >= 0) change(files[fileOf[i]].rows, d, null, "File " + value(i, "file") + " " + STATUS[d]);
  }
  function decideShown(d) { change(Array.from(view), d, null, "All shown " + STATUS[d]); }
  function startEdit() {
    if (here() < 0) return;
    const input = $("d-replacement");
    input.value = currentReplacement(here());
    input.focus(); input.select();
  }
  function keepEdit() {
    const i = here();
    if (i < 0) return;
    // Editing a replacement is a decision to apply it as edited.
    change([i], 1, $("d-replacement").value, "Edited and accepted");
    list.focus();
  }
  function restoreProposal() {
    const i = here();
    if (i >= 0) change([i], null, proposed(i), "Proposal restored");
  }

  // ---- Counts per file and rule, and the summary ----
  let countsQueued = false;
  function scheduleCounts() {
    if (countsQueued) return;
    countsQueued = true;
    requestAnimationFrame(() => { countsQueued = false; updateCounts(); });
  }
  const groupCounts = (ids) => {
    let a = 0, r = 0, e = 0;
    for (const i of ids) { if (decision[i] === 1) a++; else if (decision[i] === 2) r++; if (isEdited(i)) e++; }
    return { total: ids.length, accepted: a, rejected: r, edited: e, undecided: ids.length - a - r };
  };
  const countText = (c) => c.total + " · " + c.undecided + " undecided, " + c.accepted + " accepted, " +
    c.rejected + " rejected" + (c.edited ? ", " + c.edited + " edited" : "");
  function updateCounts() {
    const all = groupCounts({ length: n, [Symbol.iterator]: function* () { for (let i = 0; i < n; i++) yield i; } });
    $("summary").textContent = n.toLocaleString("en") + " substitutions in " + files.length + " files, " +
      rules.length + " rules: " + all.undecided.toLocaleString("en") + " undecided, " +
      all.accepted.toLocaleString("en") + " accepted, " + all.rejected.toLocaleString("en") + " rejected, " +
      all.edited.toLocaleString("en") + " edited.";
    // Only changed texts are written: thousands of writes would cost a layout each time.
    for (const g of groupButtons) {
      const text = countText(groupCounts(g.group.rows));
      if (g.text !== text) { g.text = text; g.count.textContent = text; }
    }
  }

  // ---- Sidebar groups and filter selects ----
  const groupButtons = [];
  // A sidebar of thousands of files takes seconds to lay out: past this many, the rest
  // are reached with the filter's list (which costs nothing until opened).
  const SIDEBAR_GROUPS = 300;
  function buildGroups(groups, listId, selectId, kind) {
    const ul = $(listId), select = $(selectId);
    groups.forEach((group, k) => {
      select.append(el("option", { value: String(k), text: group.name + " (" + group.rows.length + ")" }));
      if (k === SIDEBAR_GROUPS) {
        ul.append(el("li", { class: "small", text: "… and " + (groups.length - k).toLocaleString("en") +
          " more " + kind + "s: choose one with the " + kind + " filter above." }));
      }
      if (k >= SIDEBAR_GROUPS) return;
      const count = el("span", { class: "count" });
      const problem = kind === "file" ? problemOf(group.name) : undefined;
      const button = el("button", { type: "button", "aria-pressed": "false", "data-kind": kind, "data-index": String(k) },
        el("span", { text: group.name }), problem ? el("span", { class: "problem", text: " (" + problem + ")" }) : null,
        el("br"), count);
      button.addEventListener("click", () => {
        const active = select.value === String(k);
        $("f-rule").value = ""; $("f-file").value = "";
        select.value = active ? "" : String(k);
        applyFilters(here());
      });
      const li = el("li", {}, button);
      if (kind === "rule") {
        if (group.note) li.append(el("span", { class: "small", lang: "fr", text: group.note }));
        if (group.glossary) li.append(el("span", { class: "small", text: "glossary: " + group.glossary }));
      }
      ul.append(li);
      groupButtons.push({ group, count, button });
    });
  }
  function syncGroupButtons() {
    for (const { button } of groupButtons) {
      const select = button.dataset.kind === "rule" ? $("f-rule") : $("f-file");
      const pressed = select.value === button.dataset.index ? "true" : "false";
      if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
    }
  }

  // ---- Saving: the same CSV, with decisions and edits ----
  const DECISION_TEXT = ["", "accept", "reject"];
  function csvField(text) {
    const d = data.delimiter;
    return text.indexOf(d) >= 0 || text.indexOf('"') >= 0 || text.indexOf("\n") >= 0 || text.indexOf("\r") >= 0
      ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function reviewedCsv() {
    const d = data.delimiter;
    const out = [data.bom ? "\uFEFF" : ""];
    const dj = column.decision, rj = column.replacement, fromj = column.decided_in;
    const head = header.slice();
    const decisionAt = dj === undefined ? head.length : dj;
    if (dj === undefined) head.push("decision");
    out.push(head.map(csvField).join(d) + "\n");
    for (let i = 0; i < n; i++) {
      const fields = rows[i].map((v) => (typeof v === "number" ? dict[v] : v));
      while (fields.length <= decisionAt) fields.push("");
      if (decision[i] !== initial[i]) fields[decisionAt] = DECISION_TEXT[decision[i]];
      if (replacement.has(i)) fields[rj] = replacement.get(i);
      if (fromj !== undefined && fromj < fields.length && (decision[i] !== initial[i] || replacement.has(i))) {
        fields[fromj] = "";
      }
      out.push(fields.map(csvField).join(d) + "\n");
    }
    return out.join("");
  }
  function save() {
    const blob = new Blob([reviewedCsv()], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: data.log.replace(/\.(csv|xlsx|ods)$/i, "") + ".reviewed.csv" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    announce("Reviewed log saved as " + a.download);
  }

  // ---- Keyboard ----
  const page = () => Math.max(1, Math.floor(list.clientHeight / rowHeight) - 1);
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target === $("d-replacement")) {
      if (event.key === "Enter") { event.preventDefault(); keepEdit(); }
      else if (event.key === "Escape") { event.preventDefault(); showDetailValue(); list.focus(); }
      return;
    }
    if (target.closest && target.closest("input, select, textarea")) {
      if (event.key === "Escape") { event.preventDefault(); list.focus(); }
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    // Alt+letter gives another character on some layouts: read the key's position.
    if (event.altKey) {
      if (event.code === "KeyA") decideFile(1);
      else if (event.code === "KeyR") decideFile(2);
      else return;
      event.preventDefault();
      return;
    }
    const actions = {
      j: () => moveTo(cur + 1), ArrowDown: () => moveTo(cur + 1),
      k: () => moveTo(cur - 1), ArrowUp: () => moveTo(cur - 1),
      Home: () => moveTo(0), End: () => moveTo(view.length - 1),
      PageDown: () => moveTo(cur + page()), PageUp: () => moveTo(cur - page()),
      a: () => decideHere(1), r: () => decideHere(2), c: () => decideHere(0),
      A: () => decideRule(1), R: () => decideRule(2),
      e: startEdit, u: undo, s: save,
      "/": () => $("f-text").focus(),
      "?": toggleHelp,
    };
    const action = actions[event.key];
    if (!action) return;
    if (target.tagName === "BUTTON" && (event.key === "Enter" || event.key === " ")) return;
    event.preventDefault();
    action();
  });
  function showDetailValue() { if (here() >= 0) $("d-replacement").value = currentReplacement(here()); }
  function toggleHelp() {
    const help = $("help");
    help.hidden = !help.hidden;
    $("help-toggle").setAttribute("aria-expanded", String(!help.hidden));
  }

  // ---- Wiring ----
  $("log-name").textContent = data.log;
  document.title = "mtfix review: " + data.log;
  buildGroups(files, "file-groups", "f-file", "file");
  buildGroups(rules, "rule-groups", "f-rule", "rule");
  T.push(["sidebar", performance.now()]);
  let textTimer = 0;
  $("f-text").addEventListener("input", () => { clearTimeout(textTimer); textTimer = setTimeout(() => applyFilters(here()), 150); });
  for (const id of ["f-rule", "f-file", "f-status", "f-order"]) $(id).addEventListener("change", () => applyFilters(here()));
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("save").addEventListener("click", save);
  $("undo").addEventListener("click", undo);
  $("help-toggle").addEventListener("click", toggleHelp);
  $("shown-accept").addEventListener("click", () => decideShown(1));
  $("shown-reject").addEventListener("click", () => decideShown(2));
  $("d-accept").addEventListener("click", () => decideHere(1));
  $("d-reject").addEventListener("click", () => decideHere(2));
  $("d-clear").addEventListener("click", () => decideHere(0));
  $("d-rule-accept").addEventListener("click", () => decideRule(1));
  $("d-rule-reject").addEventListener("click", () => decideRule(2));
  $("d-file-accept").addEventListener("click", () => decideFile(1));
  $("d-file-reject").addEventListener("click", () => decideFile(2));
  $("d-keep").addEventListener("click", keepEdit);
  $("d-restore").addEventListener("click", restoreProposal);

  if (data.problems && Object.keys(data.problems).length) {
    warn(Object.keys(data.problems).length + " files are missing or changed since the log was written: `mtfix apply` " +
      "would skip their rows (they are marked in the list).");
  }
  const restored = restore();
  if (restored) announce("Restored " + restored + " decisions kept in this browser");
  if (restored) $("summary").dataset.restored = String(restored);
  applyFilters();
  T.push(["filtered", performance.now()]);
  updateCounts();
  T.push(["counted", performance.now()]);
  list.focus();
  // For tests and the benchmark: when the first screen was drawn, and the CSV the page
  // would save.
  window.mtfixReview = { ready: performance.now(), restored, csv: reviewedCsv, timings: T };
  document.body.dataset.ready = "true";
})();
