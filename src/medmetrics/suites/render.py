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
#: the results a log-likelihood task reports beside its own metrics, shown under its row
LOGLIKELIHOOD_EXTRAS = ("acc_norm", "ece")


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


def known_bugs(profile: str | None, task: str) -> tuple[str, ...] | None:
    """The keys of the profile's known evaluator bugs that apply to ``task`` (docs/builtins.md,
    "Compat profiles"); ``None`` when there is no profile or it does not define the task."""
    from medmetrics.compat import PROFILES, get_profile

    if not profile or profile not in PROFILES:
        return None
    definition = get_profile(profile)
    return definition.known_bugs(task) if task in definition.methods else None


def _bugs_cell(bugs: tuple[str, ...] | None) -> str:
    return "-" if bugs is None else (", ".join(bugs) or "none known")


def render_suite(result: SuiteResult, fmt: str) -> str:
    profile = result.profile
    if fmt == "json":
        data = result.to_dict()
        if profile:  # per task, the keys of the evaluator's known bugs that apply (None: not defined)
            for task in data.get("tasks", []):
                keys = known_bugs(profile, str(task.get("task", "")))
                task["compat_bugs"] = None if keys is None else list(keys)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    header = ["group", "task", "metric", "value", "CI", "n", "failed"]
    if profile:
        header += [profile, "moved", "evaluator bugs"]
    rows: list[list[str]] = []
    compat_notes: list[str] = []
    for score in result.tasks:
        r = score.result
        bugs = _bugs_cell(known_bugs(profile, score.task))
        if r is None:
            rows.append([score.group, score.task, "-", score.status, score.reason, "-", "-"]
                        + ["-", "-", bugs] * bool(profile))
            continue
        row = [score.group, score.task, score.headline or "-", number(r.value), interval(r.ci), str(r.n),
               f"{100 * r.n_failed / r.n:.1f}%"]
        if profile:
            compat = score.compat
            row += ["-", "-"] if compat is None else [number(compat.value), signed(compat.value - r.value)]
            row.append(bugs)
            compat_notes += [] if compat is None else [f"{score.task} ({profile}): {n}" for n in compat.notes]
        rows.append(row)
        for name in LOGLIKELIHOOD_EXTRAS:  # log-likelihood tasks: lm-eval's acc_norm and the calibration
            extra = score.report.results.get(name) if score.report is not None else None
            if extra is not None and name != score.headline:
                rows.append([score.group, score.task, name, number(extra.value), interval(extra.ci), str(extra.n),
                             f"{100 * extra.n_failed / extra.n:.1f}%"] + ["-", "-", ""] * bool(profile))
    for group, value in result.groups.items():
        rows.append([group, "(group mean)", "", number(value), "", "", ""] + (["", "", ""] * bool(profile)))
    average = [f"{result.suite.name}", f"average ({result.suite.average})", "", number(result.value),
               interval(result.ci), "", ""]
    if profile:
        moved = None if result.compat_value is None else result.compat_value - result.value
        average += [number(result.compat_value), signed(moved), ""]
    rows.append(average)
    title = f"{result.suite.name}: {result.suite.description}"
    lines = [title if fmt == "text" else f"**{title}**", "", table(header, rows, fmt).rstrip("\n"), ""]
    status = "complete" if result.complete else f"partial: {len(result.averaged)} of {len(result.tasks)} tasks"
    lines.append(f"average: {status}; signature {result.signature}")
    lines += [f"note: {n}" for n in (*result.notes, *compat_notes)]
    if profile:
        lines.append(f"'{profile}' is the paper's own evaluator reproduced (bugs included); 'value' is the "
                     "correct score, 'moved' how far the evaluator moves it, and 'evaluator bugs' the keys of "
                     "its known bugs that apply to the task (docs/builtins.md, \"Compat profiles\").")
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
