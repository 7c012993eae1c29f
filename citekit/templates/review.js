"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const ROWS = DATA.records;
  const PAGE_SIZE = 50;
  const FIELDS = [
    ["title", "Title"], ["authors", "Authors"], ["year", "Year"], ["venue", "Venue"],
    ["identifier", "Identifiers"], ["abstract", "Abstract"],
  ];
  const $ = (id) => document.getElementById(id);
  const state = { shown: [], page: 0, open: new Set(), decisions: new Map(), haystacks: null };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function authorsText(brief) {
    if (!brief || !brief.authors || !brief.authors.length) return "";
    return brief.authors.join("; ") + (brief.et_al ? " et al." : "");
  }

  function label(row) {
    const brief = row.record || {};
    return brief.title || (brief.abstract ? "(no title) " + brief.abstract.slice(0, 90) : "(no title)");
  }

  function where(row) {
    return row.input.file + (row.input.line ? ":" + row.input.line : "") + " #" + row.input.index;
  }

  // --- filters ---------------------------------------------------------------------------

  function fillSelect(select, counts) {
    for (const [value, count] of [...counts.entries()].sort()) {
      select.append(el("option", { value: value, text: value + " (" + count + ")" }));
    }
  }

  function setUpFilters() {
    const statuses = new Map(), sources = new Map(), codes = new Map();
    const add = (map, key) => map.set(key, (map.get(key) || 0) + 1);
    for (const row of ROWS) {
      add(statuses, row.status);
      row.sources.forEach((s) => add(sources, s));
      new Set(row.diagnostics.map((d) => d.code)).forEach((c) => add(codes, c));
    }
    fillSelect($("filter-status"), statuses);
    fillSelect($("filter-source"), sources);
    fillSelect($("filter-code"), codes);
    for (const id of ["filter-status", "filter-source", "filter-code"]) $(id).addEventListener("change", applyFilters);
    let timer = 0;
    $("filter-text").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(applyFilters, 150); });
    $("filters").addEventListener("submit", (event) => { event.preventDefault(); applyFilters(); });
  }

  function haystack(row) {
    const brief = row.record || {};
    return [label(row), authorsText(brief), row.key || "", row.input.file, row.rule, row.fingerprint || "",
      ...row.candidates.map((c) => c.title || "")].join("\n").toLowerCase();
  }

  function applyFilters() {
    const status = $("filter-status").value, source = $("filter-source").value, code = $("filter-code").value;
    const words = $("filter-text").value.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length && !state.haystacks) state.haystacks = ROWS.map(haystack);
    state.shown = [];
    ROWS.forEach((row, i) => {
      if (status && row.status !== status) return;
      if (source && !row.sources.includes(source)) return;
      if (code && !row.diagnostics.some((d) => d.code === code)) return;
      if (words.length && !words.every((w) => state.haystacks[i].includes(w))) return;
      state.shown.push(i);
    });
    state.page = 0;
    render();
  }

  // --- decisions -------------------------------------------------------------------------

  function decide(row, choice, verdict) {
    const current = state.decisions.get(row.fingerprint);
    if (current && current.choice === choice && current.verdict === verdict) state.decisions.delete(row.fingerprint);
    else state.decisions.set(row.fingerprint, { choice: choice, verdict: verdict, title: label(row) });
    const count = state.decisions.size;
    $("download").disabled = count === 0;
    $("download").textContent = "Download decisions (" + count + ")";
    render();
  }

  function download() {
    const out = { citekit: "decisions", version: 1, decisions: {} };
    for (const key of [...state.decisions.keys()].sort()) {
      const d = state.decisions.get(key);
      out.decisions[key] = { choice: d.verdict === "accept" ? d.choice : "none", title: d.title };
    }
    const blob = new Blob([JSON.stringify(out, null, 2) + "\n"], { type: "application/json" });
    const link = el("a", { href: URL.createObjectURL(blob), download: "decisions.json" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  }

  // --- rendering -------------------------------------------------------------------------

  function render() {
    const body = document.querySelector("#records > tbody");
    const pages = Math.max(1, Math.ceil(state.shown.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * PAGE_SIZE;
    const rows = [];
    for (const i of state.shown.slice(start, start + PAGE_SIZE)) {
      rows.push(recordRow(ROWS[i], i));
      if (state.open.has(i)) rows.push(detailsRow(ROWS[i], i));
    }
    body.replaceChildren(...rows);
    $("count").textContent = state.shown.length + " of " + ROWS.length + " records" +
      (state.shown.length ? ", showing " + (start + 1) + "–" + Math.min(start + PAGE_SIZE, state.shown.length) : "");
    $("page-info").textContent = "Page " + (state.page + 1) + " of " + pages;
    $("previous").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
  }

  function recordRow(row, i) {
    const brief = row.record || {};
    const decision = state.decisions.get(row.fingerprint);
    const open = state.open.has(i);
    const toggle = el("button", {
      type: "button", class: "toggle", "aria-expanded": open ? "true" : "false", "aria-controls": "details-" + i,
      "aria-label": (open ? "Hide" : "Show") + " candidates for " + label(row), "data-row": i,
      onclick: () => { open ? state.open.delete(i) : state.open.add(i); render(); focusToggle(i); },
    }, open ? "Hide" : "Candidates (" + row.candidates.length + ")");
    return el("tr", { class: "record", "data-status": row.status, "data-fingerprint": row.fingerprint || "" },
      el("td", { class: "status status-" + row.status, text: row.status }),
      el("td", {}, el("div", { text: label(row) }),
        el("div", { class: "muted", text: [authorsText(brief), brief.year].filter(Boolean).join(" · ") }),
        row.diagnostics.length ? el("div", { class: "muted", text: row.diagnostics.map((d) => d.code).join(", ") }) : null),
      el("td", { class: "muted", text: row.rule }),
      el("td", { text: row.key || "" }),
      el("td", { class: "muted", text: where(row) }),
      el("td", { class: "decision", text: decision ? (decision.verdict === "accept" ? "accept " + decision.choice : "none of these") : "" }),
      el("td", {}, toggle));
  }

  function focusToggle(i) {
    const button = document.querySelector('button.toggle[data-row="' + i + '"]');
    if (button) button.focus();
  }

  function idLinks(brief) {
    const links = [];
    if (brief.doi) links.push(el("a", { href: "https://doi.org/" + encodeURI(brief.doi), rel: "noreferrer", text: "DOI " + brief.doi }));
    if (brief.arxiv) links.push(el("a", { href: "https://arxiv.org/abs/" + encodeURI(brief.arxiv), rel: "noreferrer", text: "arXiv " + brief.arxiv }));
    if (brief.dblp) links.push(el("a", { href: "https://dblp.org/rec/" + encodeURI(brief.dblp), rel: "noreferrer", text: "dblp " + brief.dblp }));
    return el("span", { class: "links" }, ...links);
  }

  function value(brief, field) {
    if (field === "title") return brief.title || "";
    if (field === "authors") return authorsText(brief);
    if (field === "year") return brief.year || "";
    if (field === "venue") return brief.venue || "";
    if (field === "identifier") return idLinks(brief);
    if (field === "abstract") return brief.abstract || "";
    return "";
  }

  function verdictCell(candidate, field) {
    const verdict = (candidate.fields && candidate.fields[field]) || { verdict: "absent" };
    const score = verdict.score === undefined ? "" : " " + verdict.score;
    const cell = el("td", { class: "f-" + verdict.verdict },
      el("span", { class: "verdict v-" + verdict.verdict, text: verdict.verdict + score }),
      field === "abstract" ? null : value(candidate, field));
    if (verdict.detail) cell.append(el("div", { class: "muted", text: verdict.detail }));
    return cell;
  }

  function candidateHeader(row, candidate, n) {
    const decision = state.decisions.get(row.fingerprint);
    const accepted = !!decision && decision.verdict === "accept" && decision.choice === candidate.choice;
    const rejected = !!decision && decision.verdict === "reject" && decision.choice === candidate.choice;
    const name = "candidate " + (n + 1) + " (" + (candidate.title || candidate.choice || "untitled") + ")";
    return el("th", { scope: "col" },
      el("div", { text: "Candidate " + (n + 1) + " · " + candidate.source + " · score " + candidate.score }),
      el("div", { class: "muted", text: (candidate.accepted ? "passed: " : "") + candidate.rule }),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "accept", "aria-pressed": accepted ? "true" : "false",
          "aria-label": "Accept " + name, disabled: !row.fingerprint || !candidate.choice,
          onclick: () => decide(row, candidate.choice, "accept") }, "Accept"),
        el("button", { type: "button", class: "reject", "aria-pressed": rejected ? "true" : "false",
          "aria-label": "Reject " + name, disabled: !row.fingerprint,
          onclick: () => decide(row, candidate.choice, "reject") }, "Reject")));
  }

  function detailsRow(row, i) {
    const brief = row.record || {};
    const head = el("tr", {}, el("th", { scope: "col", text: "Field" }),
      el("th", { scope: "col" }, el("div", { text: "Input · " + where(row) }),
        el("div", { class: "muted", text: row.fingerprint ? "fingerprint " + row.fingerprint : "not matched: no decision possible" })),
      ...row.candidates.map((c, n) => candidateHeader(row, c, n)));
    const lines = FIELDS.map(([field, name]) => el("tr", {}, el("th", { scope: "row", text: name }),
      el("td", {}, value(brief, field)), ...row.candidates.map((c) => verdictCell(c, field))));
    const table = row.candidates.length
      ? el("table", { class: "compare" }, el("caption", { class: "visually-hidden", text: "Input and candidates for " + label(row) }),
        el("thead", {}, head), el("tbody", {}, ...lines))
      : el("p", { text: "No source offered a candidate for this record." });
    const notes = row.diagnostics.length
      ? el("ul", {}, ...row.diagnostics.map((d) => el("li", { text: d.level + " " + d.code + ": " + d.message })))
      : null;
    return el("tr", { class: "details", id: "details-" + i }, el("td", { colspan: 7 }, table, notes));
  }

  // --- start -----------------------------------------------------------------------------

  function start() {
    const summary = DATA.summary || {};
    $("summary").textContent = Object.entries(summary).map(([k, v]) => v + " " + k).join(", ") +
      (DATA.generator ? " — " + DATA.generator : "");
    for (const d of DATA.diagnostics || []) {
      $("file-diagnostics").append(el("li", { text: (d.file ? d.file + ": " : "") + d.level + " " + d.code + ": " + d.message }));
    }
    setUpFilters();
    $("download").addEventListener("click", download);
    $("previous").addEventListener("click", () => { state.page -= 1; render(); });
    $("next").addEventListener("click", () => { state.page += 1; render(); });
    applyFilters();
  }

  start();
})();
