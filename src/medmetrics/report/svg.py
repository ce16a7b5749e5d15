"""Inline SVG plots, written as text (no plotting library, nothing fetched): the forest plot of
values with CIs, stacked status bars, confusion matrices, histograms and reliability diagrams.

Every drawn datum carries ``class="mark"`` (the browser test counts them) and a ``<title>`` that
a browser shows as a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

MODEL_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22")
STATUS_COLORS = {"ok": "#3a9d5d", "partial": "#e8c547", "ambiguous": "#f28e2b", "failed": "#d62728",
                 "empty": "#9e9e9e"}
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def model_color(i: int) -> str:
    return MODEL_COLORS[i % len(MODEL_COLORS)]


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, body: list[str], kind: str, label: str) -> str:
    return (f'<svg class="plot" data-plot="{kind}" role="img" '
            f'aria-label="{escape(label)}" width="{_num(width)}" height="{_num(height)}" '
            f'viewBox="0 0 {_num(width)} {_num(height)}" {FONT} font-size="12">' + "".join(body) + "</svg>")


def _fmt(x: float | None, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * step:
            step *= m
            break
    first = math.ceil(low / step - 1e-9) * step
    out, x = [], first
    while x <= high + 1e-9:
        out.append(round(x, 10))
        x += step
    return out


def forest(rows: Sequence[dict[str, Any]], models: Sequence[str]) -> str:
    """Rows ``{"label", "sub", "values": {model: (value, low, high)}}``: one line per row, one
    point with its CI per model, models side by side (offset vertically, one colour each)."""
    label_w, value_w, plot_w = 230, 70 * max(1, min(len(models), 4)), 420
    per_model = 12
    row_h = max(34, per_model * len(models) + 14)
    top, bottom = 28, 34
    height = top + row_h * len(rows) + bottom
    width = label_w + plot_w + value_w + 20
    points = [v for r in rows for m in r["values"].values() for v in m if v is not None and not math.isnan(v)]
    low, high = (min(points), max(points)) if points else (0.0, 1.0)
    if low >= 0 and high <= 1:
        low, high = 0.0, 1.0
    elif low >= -1 and high <= 1:
        low, high = -1.0, 1.0
    else:
        pad = (high - low) * 0.05 or 1.0
        low, high = low - pad, high + pad

    def x(v: float) -> float:
        return label_w + (v - low) / (high - low) * plot_w

    body = []
    for t in _ticks(low, high):
        body.append(f'<line x1="{_num(x(t))}" x2="{_num(x(t))}" y1="{top - 6}" y2="{height - bottom}" '
                    f'stroke="#e3e3e3"/><text x="{_num(x(t))}" y="{height - bottom + 16}" text-anchor="middle" '
                    f'fill="#555">{t:g}</text>')
    for i, m in enumerate(models):  # legend
        lx = label_w + i * 150
        body.append(f'<circle cx="{lx + 6}" cy="12" r="5" fill="{model_color(i)}"/>'
                    f'<text x="{lx + 15}" y="16" fill="#222">{escape(m[:22])}</text>')
    for r_i, row in enumerate(rows):
        y0 = top + r_i * row_h
        if r_i % 2 == 0:
            body.append(f'<rect x="0" y="{y0}" width="{width}" height="{row_h}" fill="#f7f8fa"/>')
        if row.get("separator"):
            body.append(f'<line x1="0" x2="{width}" y1="{y0}" y2="{y0}" stroke="#888" stroke-dasharray="3 3"/>')
        mid = y0 + row_h / 2
        weight = ' font-weight="600"' if row.get("bold") else ""
        sub = escape(row.get("sub", "")[:44])
        body.append(f'<text x="8" y="{_num(mid - 1)}" fill="#111"{weight}>{escape(row["label"][:34])}</text>'
                    f'<text x="8" y="{_num(mid + 12)}" fill="#777" font-size="10">{sub}</text>')
        for m_i, m in enumerate(models):
            value = row["values"].get(m)
            y = y0 + 5 + per_model * m_i + per_model / 2 + (row_h - 10 - per_model * len(models)) / 2
            vx = label_w + plot_w + 14 + (m_i % 4) * 70
            if value is None or value[0] is None:
                body.append(f'<text x="{_num(vx)}" y="{_num(y + 4)}" fill="#aaa" font-size="11">n/a</text>')
                continue
            v, lo, hi = value
            color = model_color(m_i)
            tip = f"{m}: {row['label']} {_fmt(v)}" + (f" [{_fmt(lo)}, {_fmt(hi)}]" if lo is not None else "")
            parts = [f"<title>{escape(tip)}</title>"]
            if lo is not None and hi is not None:
                parts.append(f'<line x1="{_num(x(lo))}" x2="{_num(x(hi))}" y1="{_num(y)}" y2="{_num(y)}" '
                             f'stroke="{color}" stroke-width="2"/>')
                for end in (lo, hi):
                    parts.append(f'<line x1="{_num(x(end))}" x2="{_num(x(end))}" y1="{_num(y - 3)}" '
                                 f'y2="{_num(y + 3)}" stroke="{color}" stroke-width="1.5"/>')
            shape = (f'<rect x="{_num(x(v) - 4.5)}" y="{_num(y - 4.5)}" width="9" height="9" fill="{color}" '
                     f'transform="rotate(45 {_num(x(v))} {_num(y)})"/>' if row.get("bold") else
                     f'<circle cx="{_num(x(v))}" cy="{_num(y)}" r="4" fill="{color}"/>')
            parts.append(shape)
            body.append(f'<g class="mark">{"".join(parts)}</g>')
            body.append(f'<text x="{_num(vx)}" y="{_num(y + 4)}" fill="{color}" font-size="11">{_fmt(v)}</text>')
    return _svg(width, height, body, "forest", "values with confidence intervals")


def status_bars(rows: Sequence[tuple[str, Mapping[str, int]]], statuses: Sequence[str]) -> str:
    """One 100% stacked bar per (label, status counts)."""
    label_w, bar_w, row_h, top = 170, 460, 24, 26
    tail_w = 110
    height = top + row_h * len(rows) + 6
    width = label_w + bar_w + tail_w
    body = []
    lx = label_w
    for s in statuses:  # legend
        body.append(f'<rect x="{lx}" y="6" width="10" height="10" fill="{STATUS_COLORS.get(s, "#888")}"/>'
                    f'<text x="{lx + 14}" y="15" fill="#333">{s}</text>')
        lx += 14 + 8 * len(s) + 18
    for i, (label, counts) in enumerate(rows):
        y = top + i * row_h
        total = sum(counts.values()) or 1
        body.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" fill="#111">{escape(label[:26])}</text>')
        x = float(label_w)
        for s in statuses:
            c = counts.get(s, 0)
            if not c:
                continue
            w = c / total * bar_w
            body.append(f'<rect class="mark" data-status="{s}" x="{_num(x)}" y="{y + 3}" width="{max(_num(w), "0.5")}" '
                        f'height="{row_h - 7}" fill="{STATUS_COLORS.get(s, "#888")}"><title>{escape(label)}: {c} {s} '
                        f'({100 * c / total:.1f}%)</title></rect>')
            x += w
        bad = total - counts.get("ok", 0) - counts.get("partial", 0)
        body.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}" fill="#555">{100 * bad / total:.1f}% no ans.</text>')
    return _svg(width, height, body, "statuses", "parse statuses per task")


def confusion(gold: Sequence[str], rows: Sequence[str], counts: Sequence[Sequence[int]], title: str = "") -> str:
    """Counts[row = predicted (no answer last)][column = gold]; diagonal green, errors red."""
    cell = 34 if len(gold) <= 8 else 24
    label_w = min(140, 12 + 7 * max(len(r) for r in rows))
    top = 60
    width = max(label_w + cell * len(gold) + 10, 190)
    height = top + cell * len(rows) + 10
    peak = max((c for row in counts for c in row), default=1) or 1
    body = ['<text x="4" y="14" fill="#333" font-size="11">columns: gold · rows: predicted</text>']
    for j, g in enumerate(gold):
        cx = label_w + j * cell + cell / 2
        body.append(f'<text transform="translate({_num(cx + 4)},{top - 4}) rotate(-45)" fill="#333" '
                    f'font-size="10">{escape(g[:14])}</text>')
    for i, r in enumerate(rows):
        y = top + i * cell
        style = ' font-style="italic" fill="#b00"' if i == len(rows) - 1 else ' fill="#333"'
        body.append(f'<text x="{label_w - 6}" y="{_num(y + cell / 2 + 4)}" text-anchor="end" font-size="10"{style}>'
                    f'{escape(r[:18])}</text>')
        for j, g in enumerate(gold):
            c = counts[i][j]
            diag = r == g
            alpha = 0.08 + 0.85 * c / peak if c else 0.0
            fill = f"rgba(58,157,93,{alpha:.2f})" if diag else f"rgba(214,39,40,{alpha:.2f})"
            body.append(f'<rect class="mark" x="{label_w + j * cell}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                        f'fill="{fill if c else "#f4f4f4"}"><title>predicted {escape(r)}, gold {escape(g)}: {c}'
                        f'</title></rect>')
            if c:
                body.append(f'<text x="{_num(label_w + j * cell + cell / 2)}" y="{_num(y + cell / 2 + 4)}" '
                            f'text-anchor="middle" font-size="10" fill="#111">{c}</text>')
    return _svg(width, height, body, "confusion", f"confusion matrix {title}")


def histogram(hist: Mapping[str, Any], color: str = "#1f77b4", title: str = "") -> str:
    counts = hist["counts"]
    low, high = hist["low"], hist["high"]
    width, height, left, bottom, top = 360, 170, 36, 28, 10
    plot_w, plot_h = width - left - 10, height - top - bottom
    peak = max(counts) or 1
    bw = plot_w / len(counts)
    body = [f'<line x1="{left}" x2="{width - 10}" y1="{height - bottom}" y2="{height - bottom}" stroke="#888"/>']
    for t in _ticks(low, high, 4):
        tx = left + (t - low) / (high - low) * plot_w
        body.append(f'<text x="{_num(tx)}" y="{height - bottom + 14}" text-anchor="middle" font-size="10" '
                    f'fill="#555">{t:g}</text>')
    body.append(f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" font-size="10" fill="#555">{peak}</text>')
    for i, c in enumerate(counts):
        if not c:
            continue
        h = c / peak * plot_h
        a, b = low + i * (high - low) / len(counts), low + (i + 1) * (high - low) / len(counts)
        body.append(f'<rect class="mark" x="{_num(left + i * bw + 0.5)}" y="{_num(height - bottom - h)}" '
                    f'width="{_num(bw - 1)}" height="{_num(h)}" fill="{color}"><title>[{a:.3g}, {b:.3g}): {c} items'
                    f'</title></rect>')
    mean = hist.get("mean")
    if mean is not None:
        mx = left + (mean - low) / (high - low) * plot_w
        body.append(f'<line x1="{_num(mx)}" x2="{_num(mx)}" y1="{top}" y2="{height - bottom}" stroke="#222" '
                    f'stroke-dasharray="4 3"><title>mean {mean:.3f}</title></line>')
    return _svg(width, height, body, "histogram", f"per-item scores {title}")


def reliability(bins: Sequence[Mapping[str, float]], color: str = "#1f77b4", title: str = "") -> str:
    size, left, bottom, top = 220, 34, 28, 10
    width, height = left + size + 12, top + size + bottom

    def px(v: float) -> float:
        return left + v * size

    def py(v: float) -> float:
        return top + (1 - v) * size

    body = [f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#bbb"/>',
            f'<line x1="{px(0)}" y1="{py(0)}" x2="{px(1)}" y2="{py(1)}" stroke="#999" stroke-dasharray="4 3"/>']
    for t in (0, 0.5, 1):
        body.append(f'<text x="{_num(px(t))}" y="{height - bottom + 14}" text-anchor="middle" font-size="10" '
                    f'fill="#555">{t:g}</text><text x="{left - 4}" y="{_num(py(t) + 3)}" text-anchor="end" '
                    f'font-size="10" fill="#555">{t:g}</text>')
    body.append(f'<text x="{left + size / 2}" y="{height - 2}" text-anchor="middle" font-size="10" fill="#333">'
                'confidence</text>')
    for b in bins:
        x0, x1 = px(b["low"]), px(b["high"])
        body.append(f'<rect class="mark" x="{_num(x0 + 1)}" y="{_num(py(b["accuracy"]))}" width="{_num(x1 - x0 - 2)}" '
                    f'height="{_num(py(0) - py(b["accuracy"]))}" fill="{color}" fill-opacity="0.75"><title>'
                    f'confidence {b["low"]:.1f}-{b["high"]:.1f}: {int(b["n"])} items, accuracy {b["accuracy"]:.3f}, '
                    f'mean confidence {b["confidence"]:.3f}</title></rect>')
    return _svg(width, height, body, "calibration", f"reliability diagram {title}")
