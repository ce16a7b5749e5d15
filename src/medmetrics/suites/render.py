"""Suite tables as text, Markdown or JSON: what ``medmetrics score --suite`` and ``compare`` print."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from medmetrics.results import Comparison, ConfidenceInterval
from medmetrics.suites.comparison import SuiteComparison
from medmetrics.suites.scoring import SuiteResult

FORMATS = ("text", "markdown", "json")


def number(x: float | None, digits: int = 4) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def signed(x: float | None) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:+.4f}"


def interval(ci: ConfidenceInterval | None) -> str:
    return "-" if ci is None else f"[{number(ci.low)}, {number(ci.high)}]"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], fmt: str) -> str:
    """Aligned plain text, or a Markdown pipe table."""
    if fmt == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def render_suite(result: SuiteResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    profile = result.profile
    header = ["group", "task", "metric", "value", "CI", "n", "failed"]
    if profile:
        header += [profile, "moved"]
    rows: list[list[str]] = []
    for score in result.tasks:
        r = score.result
        if r is None:
            rows.append([score.group, score.task, "-", score.status, score.reason, "-", "-"]
                        + ["-", "-"] * bool(profile))
            continue
        row = [score.group, score.task, score.headline or "-", number(r.value), interval(r.ci), str(r.n),
               f"{100 * r.n_failed / r.n:.1f}%"]
        if profile:
            compat = score.compat
            row += ["-", "-"] if compat is None else [number(compat.value), signed(compat.value - r.value)]
        rows.append(row)
    for group, value in result.groups.items():
        rows.append([group, "(group mean)", "", number(value), "", "", ""] + (["", ""] * bool(profile)))
    average = [f"{result.suite.name}", f"average ({result.suite.average})", "", number(result.value),
               interval(result.ci), "", ""]
    if profile:
        moved = None if result.compat_value is None else result.compat_value - result.value
        average += [number(result.compat_value), signed(moved)]
    rows.append(average)
    title = f"{result.suite.name}: {result.suite.description}"
    lines = [title if fmt == "text" else f"**{title}**", "", table(header, rows, fmt).rstrip("\n"), ""]
    status = "complete" if result.complete else f"partial: {len(result.averaged)} of {len(result.tasks)} tasks"
    lines.append(f"average: {status}; signature {result.signature}")
    lines += [f"note: {n}" for n in result.notes]
    if profile:
        lines.append(f"'{profile}' is the paper's own evaluator reproduced (bugs included); 'value' is the "
                     "correct score and 'moved' how far the evaluator moves it.")
    return "\n".join(lines) + "\n"


def _comparison_row(task: str, c: Comparison | str) -> list[str]:
    if isinstance(c, str):
        return [task, "-", "-", "-", "-", "-", c]
    return [task, number(c.value_a), number(c.value_b), signed(c.difference), interval(c.ci),
            number(c.p_value), c.metric]


def render_comparison(result: SuiteComparison | dict[str, Comparison], fmt: str, title: str) -> str:
    """A suite comparison, or per-task comparisons (``--task``), as a table."""
    if fmt == "json":
        data: Any = result.to_dict() if isinstance(result, SuiteComparison) else \
            {t: c.to_dict() for t, c in result.items()}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    tasks = result.tasks if isinstance(result, SuiteComparison) else result
    header = ["task", "A", "B", "A - B", "CI of A - B", "p", "metric"]
    rows = [_comparison_row(t, c) for t, c in tasks.items()]
    notes: tuple[str, ...] = ()
    if isinstance(result, SuiteComparison):
        rows.append([f"{result.suite.name} average", number(result.value_a), number(result.value_b),
                     signed(result.difference), interval(result.ci), number(result.p_value), result.suite.average])
        notes = result.notes
        method = result.method
    else:
        method = next((c.method for c in tasks.values() if isinstance(c, Comparison)), "")
    lines = [title, "", table(header, rows, fmt).rstrip("\n"), "", f"method: {method}"]
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines) + "\n"
