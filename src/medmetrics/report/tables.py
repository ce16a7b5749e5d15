"""One renderer for every table medmetrics prints: text, Markdown, CSV, JSON and LaTeX.

Every command (``score``, ``score --suite``, ``compare``, ``demo``) builds its rows and hands them
to ``document``, so a format means the same thing everywhere and an unknown one is an error, never
another format printed silently. JSON is each result's own ``to_dict`` (the commands pass it in);
CSV is the table alone (a header line, one line per row: what a script reads), with the title and
notes left out; LaTeX is a booktabs ``tabular`` with the title and notes as ``%`` comments above
it, to paste into a paper.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from medmetrics.errors import InputError

#: every format a table can be printed as ("table" is the CLI's old name for "text")
FORMATS = ("text", "markdown", "csv", "json", "latex")


def check_format(fmt: str, formats: Sequence[str] = FORMATS) -> str:
    """``fmt`` as one of ``formats`` ("table" read as "text"), or an error that lists them."""
    fmt = "text" if fmt == "table" else fmt
    if fmt not in formats:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(formats)}")
    return fmt


def number(x: float | None, digits: int = 4) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def signed(x: float | None) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:+.4f}"


def interval(ci: Any, digits: int = 4) -> str:
    """``[low, high]`` of a ``ConfidenceInterval`` (or anything with ``low`` and ``high``), ``-`` for none."""
    return "-" if ci is None else f"[{number(ci.low, digits)}, {number(ci.high, digits)}]"


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                  "<": r"\textless{}", ">": r"\textgreater{}"}


def latex_escape(text: str) -> str:
    """``text`` as LaTeX source that prints it: the ten special characters and ``<``, ``>`` (which print
    as other glyphs in LaTeX's default font encoding) escaped, line breaks as spaces."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in " ".join(str(text).splitlines()))


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    """The table alone: aligned plain text, a Markdown pipe table, CSV or a booktabs tabular."""
    fmt = check_format(fmt, ("text", "markdown", "csv", "latex"))
    if fmt == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue()
    if fmt == "latex":
        align = "".join("l" if i < 2 else "r" for i in range(len(header)))
        lines = [rf"\begin{{tabular}}{{{align}}}", r"\toprule", " & ".join(map(latex_escape, header)) + r" \\",
                 r"\midrule"]
        lines += [" & ".join(latex_escape(str(cell)) for cell in row) + r" \\" for row in rows]
        return "\n".join([*lines, r"\bottomrule", r"\end{tabular}"]) + "\n"
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def document(fmt: str, header: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "",
             footer: Sequence[str] = (), notes: Sequence[str] = (), data: Any = None) -> str:
    """A titled table in ``fmt``, with ``footer`` lines (as they are) and ``notes`` under it;
    ``data`` is what the JSON format prints."""
    fmt = check_format(fmt)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    body = table(header, rows, fmt)
    if fmt == "csv":
        return body
    if fmt == "latex":
        comments = [f"% {latex_escape(line)}" for line in [*([title] if title else []), *footer, *notes]]
        return "\n".join([*comments, "% needs \\usepackage{booktabs}", body.rstrip("\n")]) + "\n"
    markdown = fmt == "markdown"
    lines = ([f"**{title}**" if markdown else title, ""] if title else []) + [body.rstrip("\n")]
    if footer or notes:
        lines += ["", *footer] + [f"- {n}" if markdown else f"note: {n}" for n in notes]
    return "\n".join(lines) + "\n"
