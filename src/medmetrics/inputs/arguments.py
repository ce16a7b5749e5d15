"""Command-line arguments that say how a run is read, shared by ``score``, ``compare``, ``audit``
and ``report`` so that each flag is spelled, defaulted and explained once.

Flags renamed so that a name means one thing across the commands keep their old spelling for a
release through :class:`RenamedFlag`: it stores into the new destination and says so on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from medmetrics.catalog.suite import AVERAGES


class RenamedFlag(argparse.Action):
    """An old flag spelling kept for a release: sets the new flag's value and tells the user."""

    def __init__(self, option_strings: Sequence[str], dest: str, *, new: str, **kwargs: Any) -> None:
        self.new = new
        super().__init__(option_strings, dest, help=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"medmetrics: warning: {option_string} is now {self.new}; the old name is accepted until the next "
              "release", file=sys.stderr)
        setattr(namespace, self.dest, values)


def add_renamed_flag(parser: argparse.ArgumentParser, old: str, target: argparse.Action) -> None:
    """Accept ``old`` as a hidden alias of the flag ``target`` (the action ``add_argument``
    returned for it): the same destination, type and choices."""
    kwargs: dict[str, Any] = {"type": target.type} if target.type is not None else {}
    parser.add_argument(old, action=RenamedFlag, new=target.option_strings[0], dest=target.dest,
                        choices=target.choices, metavar=target.metavar, default=argparse.SUPPRESS, **kwargs)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """How a run's records are read: fields, adapters, harness task names, the suite's average."""
    p = parser
    p.add_argument("--prediction-field", default="generation", help="field holding the generation")
    p.add_argument("--reference-field", default="reference", help="field holding the reference")
    p.add_argument("--context-field", action="append", default=[], metavar="KEY[=PATH]",
                   help="per-item context (repeatable), e.g. options, or options=doc.choices for a nested field; "
                   "default for generic files: the record's 'context' object")
    p.add_argument("--task-field", default="task", help="field naming the task, in a one-file run")
    p.add_argument("--adapter", default="auto", metavar="NAME",
                   help="how to read a run: auto (default: detected), generic JSONL/CSV, lm_eval samples, "
                   "opencompass predictions, or any adapter a plugin registers (medmetrics list adapters)")
    p.add_argument("--task-map", action="append", default=[], metavar="THEIRS=OURS",
                   help="rename a harness task to a medmetrics task (repeatable)")
    p.add_argument("--lm-eval-filter", help="lm_eval: the filter whose records to read (default: the first)")
    p.add_argument("--lm-eval-response", choices=["raw", "filtered"], default="raw",
                   help="lm_eval: parse the raw generation (default) or the task filter's output")
    p.add_argument("--run", metavar="DATE", help="lm_eval: read the run of this date (samples_<task>_<DATE>.jsonl; "
                   "its leading part will do) instead of each task's latest; opencompass: the time-stamped folder")
    average = p.add_argument("--suite-average", choices=list(AVERAGES),
                             help="override the suite's averaging rule: tasks (mean over tasks) or groups (mean "
                             "of the group means); the signature says which")
    add_renamed_flag(p, "--average", average)
