"""Suite tables: what ``medmetrics score --suite`` and ``compare`` print, in every format of
``medmetrics.report.tables`` (text, Markdown, CSV, JSON, LaTeX)."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from medmetrics.aggregate.comparison import ModelCell, ModelComparison, SuiteComparison
from medmetrics.aggregate.suites import SuiteResult
from medmetrics.report.tables import FORMATS, check_format, document, interval, latex_escape, number, signed, table
from medmetrics.results import Comparison

#: what a table of several models (``render_models``) can be printed as
MODEL_FORMATS = FORMATS
#: marks a model whose Holm-adjusted p-value against the baseline is below alpha
MARK = "\u2020"
#: the results a log-likelihood task reports beside its own metrics, shown under its row
LOGLIKELIHOOD_EXTRAS = ("acc_norm", "ece")


def known_bugs(profile: str | None, task: str) -> tuple[str, ...] | None:
    """The keys of the profile's known evaluator bugs that apply to ``task`` (docs/builtins.md,
    "Compat profiles"); ``None`` when there is no profile or it does not define the task."""
    from medmetrics.metrics.compat import get_profile
    from medmetrics.plugins import default_catalog

    if not profile or profile not in default_catalog().profiles:
        return None
    definition = get_profile(profile)
    return definition.known_bugs(task) if task in definition.methods else None


def _bugs_cell(bugs: tuple[str, ...] | None) -> str:
    return "-" if bugs is None else (", ".join(bugs) or "none known")


def render_suite(result: SuiteResult, fmt: str) -> str:
    profile = result.profile
    fmt = check_format(fmt)
    if fmt == "json":
        data = result.to_dict()
        if profile:  # per task, the keys of the evaluator's known bugs that apply (None: not defined)
            for task in data.get("tasks", []):
                keys = known_bugs(profile, str(task.get("task", "")))
                task["compat_bugs"] = None if keys is None else list(keys)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _suite_csv(result)
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
    status = "complete" if result.complete else f"partial: {len(result.averaged)} of {len(result.tasks)} tasks"
    footer = [f"average: {status}; signature {result.signature}"]
    explained = [] if not profile else [
        f"'{profile}' is the paper's own evaluator reproduced (bugs included); 'value' is the correct score, "
        "'moved' how far the evaluator moves it, and 'evaluator bugs' the keys of its known bugs that apply to the "
        "task (docs/builtins.md, \"Compat profiles\")."]
    return document(fmt, header, rows, title=title, footer=footer, notes=[*result.notes, *compat_notes, *explained])


def _suite_csv(result: SuiteResult) -> str:
    """The suite for scripts: one line per task (and per group mean, and the average), numbers apart."""
    def cell(x: Any) -> Any:
        return "" if x is None or (isinstance(x, float) and math.isnan(x)) else x

    header = ["group", "task", "kind", "status", "metric", "value", "ci_low", "ci_high", "n", "n_failed",
              "parse_failure_rate", "compat_value", "reason", "signature"]
    rows = []
    for score in result.tasks:
        r = score.result
        rows.append([cell(x) for x in (
            score.group, score.task, "task", score.status, score.headline, r and r.value, r and r.ci and r.ci.low,
            r and r.ci and r.ci.high, r and r.n, r and r.n_failed, score.failure_rate,
            score.compat.value if score.compat else None, score.reason, r and r.signature)])
    rows += [[group, "", "group mean", "", "", cell(value), "", "", "", "", "", "", "", ""]
             for group, value in result.groups.items()]
    ci = result.ci
    rows.append([result.suite.name, "", f"average ({result.suite.average})", "complete" if result.complete else
                 "partial", "", cell(result.value), cell(ci and ci.low), cell(ci and ci.high), "", "", "",
                 cell(result.compat_value), "", result.signature])
    return table(header, rows, "csv")


def _comparison_row(task: str, c: Comparison | str) -> list[str]:
    if isinstance(c, str):
        return [task, "-", "-", "-", "-", "-", c]
    return [task, number(c.value_a), number(c.value_b), signed(c.difference), interval(c.ci),
            number(c.p_value), c.metric]


def render_comparison(result: SuiteComparison | dict[str, Comparison], fmt: str, title: str) -> str:
    """A suite comparison, or per-task comparisons (``--task``), as a table."""
    data: Any = result.to_dict() if isinstance(result, SuiteComparison) else {t: c.to_dict() for t, c in result.items()}
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
    return document(fmt, header, rows, title=title, footer=[f"method: {method}"], notes=notes, data=data)


# --- several models against a baseline -------------------------------------------------------
def _p(p: float) -> str:
    return "-" if math.isnan(p) else "<0.001" if p < 0.001 else number(p, 3)


def _model_cells(cell: ModelCell, tested: bool, mark: str) -> list[str]:
    """A model's cells on one row: value [CI] (marked where significant), failed, and p if tested."""
    value = "-" if cell.value is None else number(cell.value, 3)
    value += "" if cell.value is None or cell.ci is None else f" {interval(cell.ci, 3)}"
    value += mark if cell.significant else ""
    failed = "-" if cell.failure_rate is None else f"{100 * cell.failure_rate:.1f}%"
    return [value, failed] + ([_p(cell.p_holm)] if tested else [])


def _model_footnotes(result: ModelComparison) -> list[str]:
    level = f"{100 * result.level:g}%"
    ci = (f"value [{level} CI]: each model's headline metric scored alone, with its bootstrap percentile "
          f"interval ({result.resamples} resamples, seed {result.seed}"
          + ("; the suite average: joint bootstrap over its tasks" if result.suite is not None else "")
          + "); failed: share of the generations that gave no usable answer, scored as wrong.")
    test = (f"p (Holm): {result.method.replace('_', ' ')} test of each model against the baseline "
            f"{result.baseline} on the same items, adjusted by {result.family_description}; "
            f"{MARK}: Holm-adjusted p < {result.alpha:g}.")
    reasons = [f"{row.task}, {model}: {cell.reason}" for row in result.rows for model, cell in row.cells.items()
               if cell.reason]
    return [ci, test, *reasons, *result.notes]


def _models_csv(result: ModelComparison) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["task", "kind", "metric", "model", "baseline", "value", "ci_low", "ci_high", "level", "n",
                     "n_failed", "parse_failure_rate", "difference", "difference_ci_low", "difference_ci_high",
                     "p_value", "p_holm", "significant", "method", "reason"])

    def cell(x: Any) -> Any:
        return "" if x is None or (isinstance(x, float) and math.isnan(x)) else x

    for row in result.rows:
        for model, c in row.cells.items():
            t = c.test
            writer.writerow([cell(v) for v in (
                row.task, row.kind, row.metric, model, model == result.baseline, c.value,
                c.ci.low if c.ci else None, c.ci.high if c.ci else None, result.level, c.n, c.n_failed,
                c.failure_rate, t.difference if t else None, t.ci.low if t and t.ci else None,
                t.ci.high if t and t.ci else None, t.p_value if t else None, c.p_holm if t else None,
                c.significant if t else None, t.method if t else None, c.reason)])
    return buffer.getvalue()


def _models_latex(result: ModelComparison, title: str) -> str:
    others = result.models[1:]
    columns = "ll" + "rr" + "rrr" * len(others)
    group = [rf"\multicolumn{{2}}{{c}}{{{latex_escape(result.baseline)} (baseline)}}"]
    group += [rf"\multicolumn{{3}}{{c}}{{{latex_escape(m)}}}" for m in others]
    rules = [r"\cmidrule(lr){3-4}"] + [rf"\cmidrule(lr){{{5 + 3 * i}-{7 + 3 * i}}}" for i in range(len(others))]
    level = f"{100 * result.level:g}\\% CI"
    sub = ["Task", "Metric", f"Value [{level}]", "Failed"] + [f"Value [{level}]", "Failed", "$p_{\\mathrm{Holm}}$"] \
        * len(others)
    lines = [f"% {latex_escape(title)}", "% needs \\usepackage{booktabs}; suggested caption:"]
    lines += ["% " + latex_escape(note).replace(MARK, r"$^{\dagger}$") for note in _model_footnotes(result)]
    lines += [rf"\begin{{tabular}}{{{columns}}}", r"\toprule", " & ".join(["", "", *group]) + r" \\",
              "".join(rules), " & ".join(sub) + r" \\", r"\midrule"]
    for row in result.rows:
        if row.kind == "average":
            lines.append(r"\midrule")
        cells = [latex_escape(row.task), latex_escape(row.metric)]
        for model in result.models:
            own = _model_cells(row.cells[model], model != result.baseline, "")
            own = [latex_escape(x) for x in own]
            if row.cells[model].significant:
                own[0] += r"$^{\dagger}$"
            cells += own
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def render_models(result: ModelComparison, fmt: str, title: str | None = None) -> str:
    """Several models side by side: per row, each model's value [CI] and parse-failure rate, and for
    every model but the baseline its Holm-adjusted p against the baseline, marked where below alpha.
    ``fmt``: text, markdown, csv (one line per row and model), json or latex (a booktabs tabular)."""
    fmt = check_format(fmt)
    title = title or (f"{len(result.models)} models against {result.baseline}"
                      + (f" on {result.suite.name}" if result.suite is not None else ""))
    if fmt == "json":
        return json.dumps({"title": title, **result.to_dict()}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _models_csv(result)
    if fmt == "latex":
        return _models_latex(result, title)
    header = ["task", "metric", f"{result.baseline} (baseline)", "failed"]
    for model in result.models[1:]:
        header += [model, "failed", "p (Holm)"]
    rows = []
    for row in result.rows:
        cells = [row.task, row.metric]
        for model in result.models:
            cells += _model_cells(row.cells[model], model != result.baseline, MARK)
        rows.append(cells)
    return document(fmt, header, rows, title=title, notes=_model_footnotes(result))
