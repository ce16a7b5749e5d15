"""The page's own CSS and script (written for medmetrics; nothing vendored, nothing fetched)."""

# ruff: noqa: E501  (CSS and JavaScript kept as written, one rule a line)

CSS = r"""
:root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#ffffff; --panel:#f8f9fb; --accent:#1f5fbf; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { padding:14px 24px 10px; border-bottom:1px solid var(--line); background:#fbfcfe; position:sticky; top:0; z-index:5; }
header h1 { margin:0 0 4px; font-size:19px; }
header .meta { color:var(--muted); font-size:12.5px; }
nav a { margin-right:14px; color:var(--accent); text-decoration:none; font-weight:500; font-size:13px; }
main { padding:8px 24px 40px; max-width:1400px; }
section { margin-top:22px; }
h2 { font-size:17px; border-bottom:2px solid var(--line); padding-bottom:4px; margin:18px 0 10px; }
h3 { font-size:15px; margin:16px 0 6px; }
h3 .kind { font-weight:400; color:var(--muted); font-size:12px; margin-left:6px; }
table.t { border-collapse:collapse; font-size:12.5px; margin:6px 0 10px; }
table.t th, table.t td { border-bottom:1px solid var(--line); padding:3px 8px; text-align:left; vertical-align:top; }
table.t th { background:var(--panel); font-weight:600; }
table.t td.n { text-align:right; font-variant-numeric:tabular-nums; }
td.sig, span.sig { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:11px; color:var(--muted); word-break:break-all; max-width:520px; }
.plots { display:flex; flex-wrap:wrap; gap:18px; align-items:flex-start; }
figure { margin:0 0 10px; }
figcaption { font-size:12px; color:var(--muted); margin-bottom:2px; }
.swatch { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
.badge { display:inline-block; padding:0 6px; border-radius:9px; font-size:11.5px; color:#fff; }
.b-ok { background:#3a9d5d; } .b-partial { background:#c9a320; } .b-ambiguous { background:#f28e2b; }
.b-failed { background:#d62728; } .b-empty { background:#8a8a8a; }
.yes { color:#1e7d3f; font-weight:600; } .no { color:#c0262d; font-weight:600; } .na { color:var(--muted); }
#filters { display:flex; flex-wrap:wrap; gap:10px; align-items:center; background:var(--panel); padding:8px 10px;
  border:1px solid var(--line); border-radius:6px; }
#filters label { font-size:12.5px; color:var(--muted); }
#filters select, #filters input { font-size:13px; padding:2px 4px; }
#pager { margin:6px 0; font-size:13px; display:flex; gap:8px; align-items:center; }
#pager button { font-size:12.5px; }
#items-table { width:100%; }
#items-table tbody tr { cursor:pointer; }
#items-table tbody tr:hover { background:#eef4ff; }
#items-table tbody tr.sel { background:#dce8ff; }
#items-table td.gen { max-width:520px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; color:#333; }
#items-table td.val { max-width:220px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
#detail { margin-top:12px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(380px,1fr)); gap:12px; }
.card { border:1px solid var(--line); border-radius:6px; padding:8px 10px; background:#fff; }
.card h4 { margin:0 0 6px; font-size:14px; }
.card dl { display:grid; grid-template-columns:90px 1fr; gap:2px 8px; margin:6px 0 0; font-size:12.5px; }
.card dt { color:var(--muted); } .card dd { margin:0; word-break:break-word; }
pre.gen { white-space:pre-wrap; word-break:break-word; background:var(--panel); border:1px solid var(--line);
  border-radius:4px; padding:6px 8px; margin:0; font:12.5px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace; max-height:320px; overflow:auto; }
mark.span { background:#ffe066; outline:1px solid #d4a800; border-radius:2px; padding:0; }
.src { background:#fff; border:1px solid var(--line); border-radius:4px; padding:6px 8px; line-height:2; font-size:13px; }
.src span.g { border-bottom:2px solid #222; }
.m-match { background:#bfe8c9; } .m-type { background:#dac8f3; } .m-boundary { background:#ffd89a; }
.m-spurious { background:#f7b0b0; } .m-missed { background:#cfe0ff; border-bottom:2px dashed #1f5fbf !important; }
.legend span { margin-right:12px; font-size:12px; }
.note { color:var(--muted); font-size:12.5px; }
a.jump { color:var(--accent); cursor:pointer; text-decoration:underline; }
"""

JS = r"""
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message || e)); });
  window.addEventListener("unhandledrejection", function (e) { errors.push(String(e.reason)); });
  document.addEventListener("securitypolicyviolation", function (e) { errors.push("blocked by the page's policy: " + e.violatedDirective + " " + e.blockedURI); });
  var PAGE = 50;
  var STATUS_NAMES = ["ok", "partial", "ambiguous", "empty", "failed"];
  var MARK_CLASS = ["g", "m-match", "m-type", "m-boundary", "m-spurious", "m-missed"];
  var D, S, rows = new Int32Array(0), page = 0, selected = null, readyAt = null;
  var params = new URLSearchParams(location.search);

  function $(id) { return document.getElementById(id); }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return {"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]; }); }
  function el(tag, attrs, html) { var e = document.createElement(tag); for (var k in (attrs || {})) e.setAttribute(k, attrs[k]); if (html != null) e.innerHTML = html; return e; }

  async function load() {
    var node = $("mm-data");
    var text = node.textContent;
    if (node.hasAttribute("data-external")) {
      if (typeof window.MM_ITEMS !== "string") throw new Error("the item data " + node.getAttribute("data-external") + " was not found beside this page: keep the page and its _files folder together");
      text = window.MM_ITEMS;
    }
    if (node.getAttribute("data-encoding") === "gzip-base64") {
      var bin = atob(text.trim()), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      text = await new Response(stream).text();
    }
    return JSON.parse(text);
  }

  function groupsOf(task, model) {
    var out = [];
    D.groups.forEach(function (g, gi) {
      if ((task < 0 || g.t === task) && (model < 0 || g.m === model)) out.push(gi);
    });
    return out;
  }

  function filter() {
    var task = +$("f-task").value, model = +$("f-model").value, status = $("f-status").value;
    var corr = $("f-correct").value, q = $("f-search").value.toLowerCase();
    var out = [], byTask = {};
    groupsOf(task, model).forEach(function (gi) { (byTask[D.groups[gi].t] = byTask[D.groups[gi].t] || []).push(gi); });
    Object.keys(byTask).sort(function (a, b) { return a - b; }).forEach(function (t) {
      var gs = byTask[t], n = 0;  // item by item, every model's answer to an item together
      gs.forEach(function (gi) { n = Math.max(n, D.groups[gi].st.length); });
      for (var i = 0; i < n; i++) for (var k = 0; k < gs.length; k++) {
        var gi = gs[k], g = D.groups[gi];
        if (i >= g.st.length) continue;
        var st = g.st.charCodeAt(i) - 48;
        if (status === "notok" ? st === 0 : (status !== "" && st !== +status)) continue;
        if (corr !== "" && g.c[i] !== corr) continue;
        if (q) {
          var hay = ((g.g ? S[g.g[i]] : "") + "\n" + S[g.v[i]] + "\n" + S[g.r[i]]).toLowerCase();
          if (hay.indexOf(q) < 0) continue;
        }
        out.push(gi, i);
      }
    });
    rows = Int32Array.from(out);
    page = Math.min(page, Math.max(0, Math.ceil(rows.length / 2 / PAGE) - 1));
  }

  function statusBadge(st) { var s = STATUS_NAMES[st]; return '<span class="badge b-' + s + '">' + s + "</span>"; }
  function correctCell(c) { return c === "1" ? '<span class="yes">✓</span>' : c === "0" ? '<span class="no">✗</span>' : '<span class="na">–</span>'; }
  function fmt(x) { return x == null ? "–" : (+x).toFixed(3); }

  function render() {
    var body = $("items-body"), total = rows.length / 2, pages = Math.max(1, Math.ceil(total / PAGE));
    var start = page * PAGE, end = Math.min(total, start + PAGE), html = [];
    for (var k = start; k < end; k++) {
      var gi = rows[2 * k], i = rows[2 * k + 1], g = D.groups[gi];
      var sc = g.sc.length ? g.sc[0][i] : null;
      var gen = g.g ? S[g.g[i]] : "";
      html.push('<tr data-g="' + gi + '" data-i="' + i + '"' + (selected && selected[0] === gi && selected[1] === i ? ' class="sel"' : "") + ">" +
        "<td>" + esc(D.tasks[g.t]) + '</td><td class="n">' + i + "</td><td>" + esc(D.models[g.m]) + "</td><td>" +
        statusBadge(g.st.charCodeAt(i) - 48) + '</td><td class="val">' + esc(S[g.v[i]].slice(0, 200)) + '</td><td class="val">' +
        esc(S[g.ref[i]].slice(0, 200)) + "</td><td>" + correctCell(g.c[i]) + '</td><td class="n">' + fmt(sc) +
        '</td><td class="gen">' + esc(gen.slice(0, 160)) + "</td></tr>");
    }
    body.innerHTML = html.join("");
    $("pager-info").textContent = total ? ("items " + (start + 1) + "–" + end + " of " + total + " (page " + (page + 1) + " of " + pages + ")") : "no items match";
    $("page-no").value = page + 1;
  }

  function highlightSpan(text, sp0, sp1) {
    if (sp0 < 0 || sp1 < sp0) return esc(text);
    return esc(text.slice(0, sp0)) + '<mark class="span">' + esc(text.slice(sp0, sp1)) + "</mark>" + esc(text.slice(sp1));
  }

  function sourceView(src, marks) {
    var cuts = [0, src.length], i, k;
    for (i = 0; i < marks.length; i += 3) { cuts.push(marks[i], marks[i + 1]); }
    cuts = Array.from(new Set(cuts)).sort(function (a, b) { return a - b; });
    var out = [];
    for (k = 0; k + 1 < cuts.length; k++) {
      var a = cuts[k], b = cuts[k + 1], cls = [], best = -1, gold = false;
      if (b <= a) continue;
      for (i = 0; i < marks.length; i += 3) {
        if (marks[i] <= a && b <= marks[i + 1]) {
          var code = marks[i + 2];
          if (code === 0) gold = true; else if (code > best) best = code;
        }
      }
      if (gold) cls.push("g");
      if (best > 0) cls.push(MARK_CLASS[best]);
      var t = esc(src.slice(a, b));
      out.push(cls.length ? '<span class="' + cls.join(" ") + '">' + t + "</span>" : t);
    }
    return out.join("");
  }

  function card(gi, i) {
    var g = D.groups[gi], st = g.st.charCodeAt(i) - 48;
    var gen = g.g ? S[g.g[i]] : null;
    var html = "<h4>" + esc(D.models[g.m]) + " " + statusBadge(st) + " " + correctCell(g.c[i]) + "</h4>";
    if (gen != null) html += '<pre class="gen" data-span="' + g.sp[2 * i] + "," + g.sp[2 * i + 1] + '">' + highlightSpan(gen, g.sp[2 * i], g.sp[2 * i + 1]) + "</pre>";
    else html += '<p class="note">generation not available (scored from parsed values)</p>';
    html += "<dl><dt>parsed</dt><dd>" + (esc(S[g.v[i]]) || '<span class="na">no answer</span>') + "</dd>";
    html += "<dt>reference</dt><dd>" + esc(S[g.ref[i]]) + "</dd>";
    html += "<dt>status</dt><dd>" + STATUS_NAMES[st] + (S[g.ru[i]] ? ' <span class="note">rule ' + esc(S[g.ru[i]]) + "</span>" : "") + "</dd>";
    if (S[g.r[i]]) html += "<dt>reason</dt><dd>" + esc(S[g.r[i]]) + "</dd>";
    if (g.sp[2 * i] >= 0 && gen != null) html += "<dt>read</dt><dd>[" + g.sp[2 * i] + ", " + g.sp[2 * i + 1] + ')</dd>';
    g.sn.forEach(function (name, k) { html += "<dt>" + esc(name) + "</dt><dd>" + fmt(g.sc[k][i]) + "</dd>"; });
    html += "</dl>";
    if (g.mk && g.mk[i]) {
      html += '<h4 style="margin-top:8px">mentions in the source</h4><div class="src">' + sourceView(S[g.src[i]], g.mk[i]) + "</div>";
      if (S[g.ug[i]]) html += '<p class="note">predicted, not in the source (spurious): ' + esc(S[g.ug[i]]) + "</p>";
    }
    return '<div class="card" data-g="' + gi + '" data-i="' + i + '">' + html + "</div>";
  }

  function show(gi, i) {
    selected = [gi, i];
    var g = D.groups[gi], others = [], chosen = [+$("cmp-a").value, +$("cmp-b").value];
    D.groups.forEach(function (h, hi) { if (h.t === g.t && i < h.st.length) others.push(hi); });
    var picked = others.filter(function (hi) { return chosen.indexOf(D.groups[hi].m) >= 0; });
    if (picked.indexOf(gi) < 0) picked.unshift(gi);
    picked = picked.slice(0, 2);
    $("detail").innerHTML = "<h3>" + esc(D.tasks[g.t]) + " item " + i + ' <span class="kind">' +
      (others.length > 1 ? others.length + " models answered it; shown side by side: the selected row and the compared model" : "") +
      "</span></h3>" + '<div class="cards">' + picked.map(function (hi) { return card(hi, i); }).join("") + "</div>";
    Array.prototype.forEach.call(document.querySelectorAll("#items-body tr"), function (tr) {
      tr.classList.toggle("sel", +tr.dataset.g === gi && +tr.dataset.i === i);
    });
  }

  function refresh() { filter(); render(); report(); }

  function setupFilters() {
    var ft = $("f-task"), fm = $("f-model"), a = $("cmp-a"), b = $("cmp-b");
    D.tasks.forEach(function (t, i) { ft.appendChild(el("option", {value: i}, esc(t))); });
    D.models.forEach(function (m, i) {
      fm.appendChild(el("option", {value: i}, esc(m)));
      a.appendChild(el("option", {value: i}, esc(m)));
      b.appendChild(el("option", {value: i}, esc(m)));
    });
    b.value = D.models.length > 1 ? 1 : 0;
    if (params.has("task")) ft.value = String(D.tasks.indexOf(params.get("task")));
    if (params.has("model")) fm.value = String(D.models.indexOf(params.get("model")));
    if (params.has("status")) { var s = params.get("status"); $("f-status").value = s === "notok" ? s : String(STATUS_NAMES.indexOf(s)); }
    if (params.has("correct")) $("f-correct").value = params.get("correct");
    if (params.has("q")) $("f-search").value = params.get("q");
    ["f-task", "f-model", "f-status", "f-correct"].forEach(function (id) { $(id).addEventListener("change", function () { page = 0; refresh(); }); });
    var timer = null;
    $("f-search").addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { page = 0; refresh(); }, 200); });
    $("prev").addEventListener("click", function () { if (page > 0) { page--; render(); } });
    $("next").addEventListener("click", function () { if ((page + 1) * PAGE < rows.length / 2) { page++; render(); } });
    $("page-no").addEventListener("change", function () { page = Math.max(0, Math.min(Math.ceil(rows.length / 2 / PAGE) - 1, (+this.value || 1) - 1)); render(); });
    [a, b].forEach(function (s) { s.addEventListener("change", function () { if (selected) show(selected[0], selected[1]); }); });
    $("items-body").addEventListener("click", function (e) {
      var tr = e.target.closest("tr"); if (tr) show(+tr.dataset.g, +tr.dataset.i);
    });
    document.addEventListener("click", function (e) {
      var j = e.target.closest("a.jump"); if (!j) return;
      e.preventDefault();
      $("f-task").value = String(D.tasks.indexOf(j.dataset.task));
      $("f-model").value = String(D.models.indexOf(j.dataset.model));
      $("f-status").value = j.dataset.status ? String(STATUS_NAMES.indexOf(j.dataset.status)) : "";
      $("f-correct").value = ""; $("f-search").value = ""; page = 0; refresh();
      var gi = D.groups.findIndex(function (g) { return D.tasks[g.t] === j.dataset.task && D.models[g.m] === j.dataset.model; });
      if (gi >= 0 && j.dataset.index) show(gi, +j.dataset.index);
      $("items").scrollIntoView();
    });
  }

  function report() {
    if (!params.has("test")) return;
    var out = $("mm-test") || document.body.appendChild(el("pre", {id: "mm-test"}));
    var shown = Array.prototype.map.call(document.querySelectorAll("#items-body tr"), function (tr) {
      var g = D.groups[+tr.dataset.g], i = +tr.dataset.i;
      return {task: D.tasks[g.t], model: D.models[g.m], index: i, status: STATUS_NAMES[g.st.charCodeAt(i) - 48], correct: g.c[i]};
    });
    var cards = Array.prototype.map.call(document.querySelectorAll("#detail .card"), function (c) {
      var m = c.querySelector("mark.span"), g = D.groups[+c.dataset.g];
      return {model: D.models[g.m], index: +c.dataset.i, span_text: m ? m.textContent : null,
              source_marks: c.querySelectorAll(".src span").length};
    });
    var marks = Array.prototype.map.call(document.querySelectorAll("svg.plot"), function (s) {
      return {plot: s.getAttribute("data-plot"), marks: s.querySelectorAll(".mark").length};
    });
    out.textContent = JSON.stringify({ready_ms: readyAt, matching: rows.length / 2, shown: shown, detail: cards, plots: marks, errors: errors});
  }

  load().then(function (data) {
    D = data; S = data.strings;
    setupFilters();
    filter();
    if (params.has("page")) page = Math.max(0, +params.get("page") - 1);
    render();
    if (params.has("item")) {
      var parts = params.get("item").split(":"), t = D.tasks.indexOf(parts[0]);
      var gi = D.groups.findIndex(function (g) { return g.t === t && (parts.length < 3 || D.models[g.m] === parts[2]); });
      if (gi >= 0) show(gi, +parts[1]);
    } else if (rows.length) {
      show(rows[0], rows[1]);
    }
    readyAt = Math.round(performance.now());
    document.body.setAttribute("data-ready", "1");
    report();
  }).catch(function (e) {
    errors.push(String(e));
    $("detail").innerHTML = '<p class="no">' + esc(String(e)) + "</p>";
    document.body.setAttribute("data-ready", "error"); report();
  });
})();
"""
