"""One self-contained HTML file: summary plots as inline SVG, per-item data embedded compactly
(JSON; gzip + base64 beyond ``COMPRESS_ABOVE`` bytes, decoded by the browser's own
``DecompressionStream``) and paged by a small script written here. No server, no network (a
Content-Security-Policy forbids every fetch), nothing vendored.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import os
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from medmetrics.report import svg
from medmetrics.report.assets import CSS, JS
from medmetrics.report.data import MARKS, Entry, SuiteRow, build
from medmetrics.results import STATUSES, Report

#: embedded item data larger than this (bytes of JSON) is gzipped and base64-encoded
COMPRESS_ABOVE = 256 * 1024
#: compressed item data larger than this goes to a file beside the page (``entries_html``)
EMBED_LIMIT = 8 * 1024 * 1024
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
       "connect-src 'none'; base-uri 'none'; form-action 'none'")
KIND_NAMES = {"classification": "classification", "multilabel": "multi-label classification",
              "entity": "entity recognition", "score": "similarity score", "generation": "free-text generation",
              "other": ""}
MARK_NAMES = {"gold": "gold mention (underlined)", "match": "predicted, exact match", "type": "predicted, wrong type",
              "boundary": "predicted, boundary error", "spurious": "predicted, spurious", "missed": "gold, missed"}


def _f(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}"


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _overview(data: dict[str, Any]) -> str:
    models = data["models"]
    rows: list[dict[str, Any]] = []
    for task in data["tasks"]:
        values = {}
        sub = ""
        for m, info in task["models"].items():
            if info.get("value") is not None:
                ci = info.get("ci") or [None, None]
                values[m] = (info["value"], ci[0], ci[1])
                sub = f"{info.get('name')} · n={info.get('n')}"
            else:
                values[m] = (None, None, None)
        rows.append({"label": task["name"], "sub": sub, "values": values})
    by_suite: dict[str, dict[str, Any]] = {}
    for s in data["suites"]:
        row = by_suite.setdefault(s["suite"], {"label": f"{s['suite']} average", "values": {}, "bold": True,
                                               "sub": f"{s['tasks']} of {s['of']} tasks"})
        row["values"][s["model"]] = (s["value"], s["low"], s["high"])
    for k, row in enumerate(by_suite.values()):
        row["separator"] = k == 0
        rows.append(row)
    parts = ['<section id="overview"><h2>Overview</h2>']
    if rows:
        caption = ("headline value per task with its confidence interval (bars)"
                   + ("; one colour per model" if len(models) > 1 else "")
                   + ("; diamonds: suite averages" if by_suite else ""))
        parts.append(f"<figure><figcaption>{caption}</figcaption>" + svg.forest(rows, models) + "</figure>")
    head = ("<tr><th>task</th><th>model</th><th>metric</th><th>value</th><th>CI</th><th>n</th><th>no answer</th>"
            "<th>on answered</th><th>signature</th></tr>")
    body = []
    for task in data["tasks"]:
        for m, info in task["models"].items():
            if info.get("status") != "scored":
                body.append(f"<tr><td>{escape(task['name'])}</td><td>{escape(m)}</td><td colspan='7' class='note'>"
                            f"{escape(info.get('status', ''))}: {escape(info.get('reason', ''))}</td></tr>")
                continue
            for r in info["results"]:
                ci = r.get("ci")
                ci_text = f"[{_f(ci[0])}, {_f(ci[1])}]" if ci else "–"
                body.append(
                    f"<tr><td>{escape(task['name'])}</td><td>{escape(m)}</td><td>{escape(r['name'])}</td>"
                    f"<td class='n'>{_f(r['value'])}</td><td class='n'>{ci_text}</td><td class='n'>{r['n']}</td>"
                    f"<td class='n'>{r['failed']} ({_pct(r['rate'])})</td><td class='n'>{_f(r.get('answered'))}</td>"
                    f"<td class='sig'>{escape(r['signature'])}</td></tr>")
    for s in data["suites"]:
        ci_text = f"[{_f(s['low'])}, {_f(s['high'])}]" if s["low"] is not None else "–"
        body.append(f"<tr><td><b>{escape(s['suite'])} average</b></td><td>{escape(s['model'])}</td><td>"
                    f"{s['tasks']} of {s['of']} tasks</td><td class='n'><b>{_f(s['value'])}</b></td>"
                    f"<td class='n'>{ci_text}</td><td></td><td></td><td></td><td class='sig'>{escape(s['signature'])}"
                    "</td></tr>")
    parts.append(f'<table class="t">{head}{"".join(body)}</table>')
    for note in data["notes"]:
        parts.append(f'<p class="note">note: {escape(note)}</p>')
    parts.append("</section>")
    return "".join(parts)


def _failures(data: dict[str, Any]) -> str:
    bars = []
    for task in data["tasks"]:
        for m, info in task["models"].items():
            if info.get("status") == "scored":
                label = task["name"] if len(data["models"]) == 1 else f"{task['name']} · {m}"
                bars.append((label, info["statuses"]))
    parts = ['<section id="failures"><h2>Parse failures</h2>']
    if bars:
        parts.append("<figure><figcaption>parse status of every generation (no answer: ambiguous, empty or failed; "
                     "scored as wrong)</figcaption>" + svg.status_bars(bars, STATUSES) + "</figure>")
    for task in data["tasks"]:
        for m, info in task["models"].items():
            reasons = info.get("reasons") or []
            if not reasons:
                continue
            rows = "".join(
                f"<tr><td class='n'>{g['count']}</td><td class='n'>{_pct(g['share'])}</td>"
                f"<td><span class='badge b-{g['status']}'>{g['status']}</span></td><td>{escape(g['reason'])}</td>"
                f"<td><a class='jump' data-task='{escape(task['name'])}' data-model='{escape(m)}' "
                f"data-status='{g['status']}' data-index='{g['example']}'>item {g['example']}</a></td></tr>"
                for g in reasons)
            more = (f"<p class='note'>… and {info['more_reasons']} more reasons (medmetrics audit lists them all)</p>"
                    if info.get("more_reasons") else "")
            who = "" if len(data["models"]) == 1 else f" · {escape(m)}"
            parts.append(f"<h3>{escape(task['name'])}{who} <span class='kind'>most frequent reasons an item did not "
                         f"parse ok</span></h3><table class='t'><tr><th>items</th><th>share</th><th>status</th>"
                         f"<th>reason</th><th>example</th></tr>{rows}</table>{more}")
    parts.append("</section>")
    return "".join(parts)


def _label_table(per_label: Mapping[str, Mapping[str, float]], source: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(label)}</td><td class='n'>{_f(v.get('precision'))}</td><td class='n'>{_f(v.get('recall'))}"
        f"</td><td class='n'>{_f(v.get('f1'))}</td><td class='n'>{_f(v.get('support', v.get('possible')), 0)}</td>"
        f"<td class='n'>{_f(v.get('predicted', v.get('actual')), 0)}</td></tr>"
        for label, v in per_label.items())
    return (f"<figure><figcaption>per label ({escape(source)})</figcaption><table class='t'><tr><th>label</th>"
            f"<th>precision</th><th>recall</th><th>F1</th><th>gold</th><th>predicted</th></tr>{rows}</table></figure>")


def _tasks(data: dict[str, Any]) -> str:
    parts = ['<section id="tasks"><h2>Tasks</h2>']
    models = data["models"]
    for task in data["tasks"]:
        kind = task["kind"]
        blocks = []
        for m_i, m in enumerate(models):
            info = task["models"].get(m)
            if not info or info.get("status") != "scored":
                continue
            who = f"{m}: " if len(models) > 1 else ""
            figs = []
            if info.get("confusion"):
                c = info["confusion"]
                figs.append(f"<figure><figcaption>{escape(who)}confusion matrix</figcaption>"
                            + svg.confusion(c["gold"], c["rows"], c["counts"], task["name"]) + "</figure>")
            if info.get("per_label"):
                figs.append(_label_table(info["per_label"], f"{who}{info.get('per_label_from')}"))
            if info.get("histogram"):
                h = info["histogram"]
                figs.append(f"<figure><figcaption>{escape(who)}per-item {escape(str(h['metric']))} "
                            f"(mean {h['mean']:.3f}, {h['n']} items"
                            + (f", {h['missing']} undefined" if h["missing"] else "") + ")</figcaption>"
                            + svg.histogram(h, svg.model_color(m_i), task["name"]) + "</figure>")
            if info.get("calibration"):
                figs.append(f"<figure><figcaption>{escape(who)}reliability diagram (choice probabilities from "
                            "log-likelihoods)</figcaption>" + svg.reliability(info["calibration"], svg.model_color(m_i),
                                                                             task["name"]) + "</figure>")
            if figs:
                blocks.append('<div class="plots">' + "".join(figs) + "</div>")
        if kind == "entity":
            blocks.append('<p class="legend">item view: ' + "".join(
                f'<span><span class="swatch {"m-" + k if k != "gold" else ""}" '
                f'style="{"border-bottom:2px solid #222" if k == "gold" else ""}"></span>{MARK_NAMES[k]}</span>'
                for k in MARKS) + "</p>")
        if not blocks:
            continue
        parts.append(f"<h3 id='task-{escape(task['name'])}'>{escape(task['name'])}<span class='kind'>"
                     f"{KIND_NAMES.get(kind, '')} · parser {escape(task['parser'])}</span></h3>" + "".join(blocks))
    parts.append("</section>")
    return "".join(parts)


ITEMS = """
<section id="items"><h2>Items</h2>
<div id="filters">
 <label>task <select id="f-task"><option value="-1">all</option></select></label>
 <label>model <select id="f-model"><option value="-1">all</option></select></label>
 <label>status <select id="f-status"><option value="">all</option><option value="notok">not ok</option>
  <option value="0">ok</option><option value="1">partial</option><option value="2">ambiguous</option>
  <option value="3">empty</option><option value="4">failed</option></select></label>
 <label>correct <select id="f-correct"><option value="">all</option><option value="1">right</option>
  <option value="0">wrong</option><option value="-">not judged</option></select></label>
 <label>search <input id="f-search" type="search" placeholder="text in generation, value, reason"></label>
 <label>side by side <select id="cmp-a"></select> vs <select id="cmp-b"></select></label>
</div>
<div id="pager"><button id="prev" type="button">◀ prev</button><button id="next" type="button">next ▶</button>
 page <input id="page-no" type="number" min="1" style="width:5em"> <span id="pager-info"></span></div>
<div style="overflow-x:auto"><table class="t" id="items-table"><thead><tr><th>task</th><th>item</th><th>model</th>
<th>status</th><th>parsed</th><th>reference</th><th>right</th><th>score</th><th>generation</th></tr></thead>
<tbody id="items-body"></tbody></table></div>
<div id="detail"><p class="note">select an item to see its generation, the span that was read, and every model's
answer side by side</p></div>
<noscript><p class="note">The item list needs JavaScript; the summary above does not.</p></noscript>
</section>
"""


def encode_items(data: dict[str, Any]) -> tuple[str, str]:
    """The per-item data as embedded: (payload, encoding), plain JSON when small, else gzip + base64."""
    items = json.dumps(data["items"], ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if len(items.encode("utf-8")) > COMPRESS_ABOVE:
        raw = items.encode("utf-8")
        packed = gzip.compress(raw, compresslevel=6 if len(raw) < 8_000_000 else 3, mtime=0)  # 3: 2x faster, +10%
        return base64.b64encode(packed).decode("ascii"), "gzip-base64"
    return items.replace("<", "\\u003c"), "json"  # "<" only occurs inside JSON strings: no "</script>"


def render(data: dict[str, Any], *, payload: tuple[str, str] | None = None, sidecar: str | None = None) -> str:
    """The page for ``data`` (``report.data.build``). With ``sidecar`` (a relative path), the item
    data is not embedded: the page loads that script file, which sets it."""
    text, encoding = payload or encode_items(data)
    n_items = sum(len(g["st"]) for g in data["items"]["groups"])
    meta = (f"{len(data['tasks'])} tasks · {len(data['models'])} model{'s' if len(data['models']) != 1 else ''} "
            f"({escape(', '.join(data['models']))}) · {n_items} scored generations")
    policy = CSP if sidecar is None else CSP.replace("script-src ", "script-src 'self' file: ")
    if sidecar is None:
        data_tag = f'<script type="application/json" id="mm-data" data-encoding="{encoding}">{text}</script>'
    else:
        data_tag = (f'<script src="{escape(sidecar)}"></script><script type="application/json" id="mm-data" '
                    f'data-encoding="{encoding}" data-external="{escape(sidecar)}"></script>')
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(data['title'])}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(data['title'])}</h1><div class='meta'>{meta}</div>"
        "<nav><a href='#overview'>Overview</a><a href='#failures'>Parse failures</a><a href='#tasks'>Tasks</a>"
        "<a href='#items'>Items</a></nav></header><main>"
        + _overview(data) + _failures(data) + _tasks(data) + ITEMS
        + f"</main>{data_tag}<script>{JS}</script></body></html>\n"
    )


def sidecar_path(path: str | Path) -> Path:
    """Where the item data goes when it is too large to embed: ``<name>_files/items.js`` beside the page."""
    path = Path(path)
    return path.parent / f"{path.stem}_files" / "items.js"


def entries_html(entries: Sequence[Entry], suites: Sequence[SuiteRow] = (), *, title: str = "medmetrics report",
                 notes: Sequence[str] = (), path: str | Path | None = None,
                 embed_limit: int | None = EMBED_LIMIT) -> str:
    """The report of ``entries`` (one per model and task); written to ``path`` when given.

    Item data larger than ``embed_limit`` bytes (compressed; None: no limit) is written beside the
    page, as ``<name>_files/items.js``, which the page loads from disk (keep the two together);
    below it, and always without ``path``, the page is one self-contained file.
    """
    from medmetrics.inputs.files import atomic_writer

    data = build(entries, suites, title=title, notes=notes)
    payload = encode_items(data)
    outside = path is not None and embed_limit is not None and len(payload[0]) > embed_limit
    if outside:
        assert path is not None
        side = sidecar_path(path)
        side.parent.mkdir(parents=True, exist_ok=True)
        with atomic_writer(side) as handle:
            handle.write(f"window.MM_ITEMS = {json.dumps(payload[0])};\n")
        _readable(side)
        html = render(data, payload=payload, sidecar=f"{side.parent.name}/{side.name}")
    else:
        html = render(data, payload=payload)
    if path is not None:
        with atomic_writer(str(path)) as handle:
            handle.write(html)
        _readable(Path(path))
    return html


def _readable(path: Path) -> None:
    """Permissions of an ordinary new file (the atomic writer's temporary file is private)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def report_to_html(
    report: Report,
    generations: Sequence[str] | None = None,
    references: Sequence[Any] | None = None,
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    *,
    model: str = "model",
    path: str | Path | None = None,
    title: str | None = None,
) -> str:
    """``Report.to_html()``: one task's report as a self-contained page. Give the generations
    (the item view shows them with the span that was read), the references (confusion matrix,
    per-item scores, right/wrong) and the context (an entity task's ``source``)."""
    entry = Entry(model, report.task or "task", report, generations, references, context)
    return entries_html([entry], title=title or f"medmetrics report: {report.task or 'task'}", path=path)


def reports_to_html(
    reports: Mapping[str, Mapping[str, Report]] | Mapping[str, Report],
    runs: Mapping[str, Mapping[str, Any]] | Mapping[str, Any] | None = None,
    *,
    path: str | Path | None = None,
    title: str = "medmetrics report",
) -> str:
    """Several tasks' reports (task -> ``Report``), or several models' (model -> task -> ``Report``),
    with their inputs: ``runs`` task -> ``TaskRun`` (or model -> task -> ``TaskRun``)."""
    nested = all(isinstance(v, Mapping) and not isinstance(v, Report) for v in reports.values())
    by_model: Mapping[str, Any] = reports if nested else {"model": reports}
    run_models: Mapping[str, Any] = (runs if nested else {"model": runs}) if runs is not None else {}
    entries = []
    for model, tasks in by_model.items():
        for task, report in tasks.items():
            run = (run_models.get(model) or {}).get(task)
            entries.append(_entry(model, task, report, run))
    return entries_html(entries, title=title, path=path)


def _entry(model: str, task: str, report: Report | None, run: Any, headline: str | None = None,
           status: str = "scored", reason: str = "") -> Entry:
    if run is None:
        return Entry(model, task, report, headline=headline, status=status, reason=reason)
    ll = getattr(run, "loglikelihood", None)
    return Entry(model, task, report, None if ll is not None else run.generations, run.references, run.context,
                 headline=headline, loglikelihood=ll, status=status, reason=reason)


def suite_entries(result: Any, run: Mapping[str, Any] | None = None, model: str | None = None
                  ) -> tuple[list[Entry], SuiteRow | None]:
    """A ``SuiteResult``'s tasks as entries (missing and unavailable ones kept, with the reason),
    and its average as a ``SuiteRow``."""
    model = model or result.model or "model"
    entries = []
    for t in result.tasks:
        entries.append(_entry(model, t.task, t.report, (run or {}).get(t.task), t.headline, t.status, t.reason))
    row = None
    if not (isinstance(result.value, float) and math.isnan(result.value)):
        row = SuiteRow(model, result.suite.name, float(result.value), result.ci.low if result.ci else None,
                       result.ci.high if result.ci else None, result.signature, len(result.averaged),
                       len(result.tasks))
    return entries, row


def suite_to_html(
    results: Any,
    runs: Mapping[str, Any] | None = None,
    *,
    path: str | Path | None = None,
    title: str | None = None,
) -> str:
    """Suite results ``.to_html()``: one ``SuiteResult``, a list of them (one per model, named by
    ``.model``) or model -> ``SuiteResult``; ``runs`` the inputs (task -> ``TaskRun`` for one
    model, model -> task -> ``TaskRun`` for several)."""
    if isinstance(results, Mapping):
        pairs = list(results.items())
    elif isinstance(results, (list, tuple)):
        pairs = [(r.model or f"model {i + 1}", r) for i, r in enumerate(results)]
    else:
        pairs = [(results.model or "model", results)]
    entries: list[Entry] = []
    rows: list[SuiteRow] = []
    notes: list[str] = []
    for model, result in pairs:
        if runs is None:
            run = None
        elif len(pairs) == 1 and model not in runs:
            run = runs
        else:
            run = runs.get(model)
        mine, row = suite_entries(result, run, model)
        entries += mine
        if row is not None:
            rows.append(row)
        notes += [f"{model}: {note}" if len(pairs) > 1 else note for note in result.notes]
    names = ", ".join(dict.fromkeys(r.suite.name for _, r in pairs))
    return entries_html(entries, rows, title=title or f"medmetrics report: {names}", notes=notes, path=path)
