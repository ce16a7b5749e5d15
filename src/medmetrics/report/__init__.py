"""``medmetrics report``: one self-contained HTML file with plots and a per-item drill-down.

- ``report_to_html(report, generations, references, context)``: one task's ``Report``;
- ``reports_to_html(reports, runs)``: task -> ``Report`` or model -> task -> ``Report``;
- ``suite_to_html(results, runs)``: one or several models' ``SuiteResult``;
- ``item_scores(report, references, context)``: each metric on each item alone;
- ``add_report_command`` / ``cmd_report`` (``medmetrics.report.cli``): the command line.

No plotting library and nothing fetched: plots are inline SVG written here, the item list a small
script of its own. See docs/report.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: name -> module; imported on first use, so the command line's tables (``report.tables``) and
#: ``--help`` do not load the page builder and numpy
_EXPORTS = {"Entry": "data", "SuiteRow": "data", "entries_html": "html", "report_to_html": "html",
            "reports_to_html": "html", "suite_to_html": "html", "item_scores": "scores"}

__all__ = ["Entry", "SuiteRow", "entries_html", "item_scores", "report_to_html", "reports_to_html",
           "suite_to_html"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'medmetrics.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f"medmetrics.report.{module}"), name)


if TYPE_CHECKING:
    from medmetrics.report.data import Entry, SuiteRow
    from medmetrics.report.html import entries_html, report_to_html, reports_to_html, suite_to_html
    from medmetrics.report.scores import item_scores
