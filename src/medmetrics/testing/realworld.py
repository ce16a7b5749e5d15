"""Scoring readers against hand-annotated real model outputs (``tests/data/realworld``).

Each record of that file is one generation a real model wrote, with ``annotated_answer``: what
the text itself commits to (a letter, a label or a number), or ``"none"`` when it commits to no
answer. A reader's value for an item is one of three outcomes:

- ``read as annotated``: the value equals the annotation, or the annotation is ``none`` and
  nothing was read;
- ``false read``: a value that differs from the annotation (any value, where it is ``none``);
- ``miss``: no value where the text commits to an answer.

Letters and labels compare case-insensitively after stripping; scores compare as numbers, either
exactly or, for a reader that only gives integers, ``with rounding`` (the annotation rounded half
up). ``read_medmetrics`` reads items the way ``../shared/tools/realworld_score.py`` does: the
``choice`` parser with the item's option texts, ``label`` with its label set (and, as the
medmetrics task of that name reads it, the task's synonyms: ChemProt's "ANTAGONIST"), for a score
``number`` with the item's range when that parser exists, else ``integer`` with
``rounding="nearest"``. The test suite and ``benchmarks/bench_realworld.py`` both score with this
module, so their figures are the same figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medmetrics.results import Parsed

KINDS = ("mc", "label", "score")
READ = "read as annotated"
FALSE = "false read"
MISS = "miss"
OUTCOMES = (READ, FALSE, MISS)


def load(path: str | Path) -> list[dict[str, Any]]:
    """The records of a realworld JSONL file, in file order."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def kind(item: Mapping[str, Any]) -> str:
    """``mc``, ``label`` or ``score``: the part of the task name before the first underscore."""
    return str(item["task"]).split("_", 1)[0]


def medmetrics_parsers() -> dict[str, Any]:
    """The built-in parsers the items need, by name: choice, label, integer, and number if it exists."""
    import medmetrics

    names = set(medmetrics.list_parsers())
    return {n: medmetrics.get_parser(n) for n in ("choice", "label", "integer", "number") if n in names}


def score_parser(parsers: Mapping[str, Any]) -> str:
    """The parser that reads scores: ``number`` when present, else ``integer``."""
    return "number" if "number" in parsers else "integer"


def read_medmetrics(item: Mapping[str, Any], parsers: Mapping[str, Any]) -> Parsed:
    """One item read by the medmetrics parser for its kind, with the item's own context."""
    task, generation = item["task"], item["generation"]
    if task.startswith("mc_"):
        if item.get("options"):
            result: Parsed = parsers["choice"].parse(generation, options=item["options"])
        else:  # a source that kept only the letters
            result = parsers["choice"].parse(generation, letters=item.get("letters") or "ABCDE")
    elif task.startswith("label_"):
        result = parsers["label"].parse(generation, labels=item["labels"], **task_synonyms(task, item["labels"]))
    else:
        low, high = item["score_range"]
        if "number" in parsers:
            result = parsers["number"].parse(generation, low=low, high=high)
        else:
            result = parsers["integer"].parse(generation, low=low, high=high, rounding="nearest")
    return result


def task_synonyms(task: str, labels: Sequence[str]) -> dict[str, Any]:
    """The ``synonyms`` of the medmetrics task an item's task names (``label_chemprot``: ChemProt's
    verbal class names), when that task reads the same label set; else nothing."""
    import medmetrics

    name = task.split("_", 1)[1]
    if name not in medmetrics.list_tasks():
        return {}
    options = medmetrics.get_task(name).parser_options
    if list(options.get("labels") or ()) != list(labels) or not options.get("synonyms"):
        return {}
    return {"synonyms": options["synonyms"]}


def value_of(parsed: Parsed) -> Any:
    """The value a metric would score: set for ``ok`` and ``partial`` parses, else ``None``."""
    return parsed.value if parsed.status in ("ok", "partial") else None


def same(value: Any, annotation: str, task: str, exact_numbers: bool = True) -> bool:
    """Whether ``value`` is the annotated answer (see the module docstring for the rules)."""
    if task.startswith("score_"):
        try:
            v, a = float(value), float(annotation)
        except (TypeError, ValueError):
            return False
        if not (math.isfinite(v) and math.isfinite(a)):
            return False
        return abs(v - a) < 1e-9 if exact_numbers else int(v) == math.floor(a + 0.5)
    return str(value).strip().lower() == annotation.strip().lower()


def outcome(value: Any, item: Mapping[str, Any], exact_numbers: bool = True) -> str:
    """``read as annotated``, ``false read`` or ``miss`` for one reader's value (``None``: nothing read)."""
    annotation = str(item["annotated_answer"])
    if annotation == "none":
        return READ if value is None else FALSE
    if value is None:
        return MISS
    return READ if same(value, annotation, item["task"], exact_numbers) else FALSE


@dataclass
class Tally:
    """The outcomes of one reader on the items of one kind."""

    n: int = 0
    read: int = 0
    false: int = 0
    miss: int = 0

    def add(self, result: str) -> None:
        self.n += 1
        if result == READ:
            self.read += 1
        elif result == FALSE:
            self.false += 1
        else:
            self.miss += 1

    def share(self, count: int) -> float:
        return count / self.n if self.n else 0.0

    @property
    def read_share(self) -> float:
        return self.share(self.read)

    @property
    def false_share(self) -> float:
        return self.share(self.false)

    @property
    def miss_share(self) -> float:
        return self.share(self.miss)

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, READ: self.read, FALSE: self.false, MISS: self.miss,
                "read_share": self.read_share, "false_share": self.false_share, "miss_share": self.miss_share}


def tally(items: Sequence[Mapping[str, Any]], values: Iterable[Any], exact_numbers: bool = True,
          kinds: Iterable[str] = KINDS) -> dict[str, Tally]:
    """Outcome counts per kind for one reader; ``values[i]`` is its value for ``items[i]`` (``None``: nothing)."""
    wanted = set(kinds)
    out: dict[str, Tally] = {}
    for item, value in zip(items, values):
        k = kind(item)
        if k in wanted:
            out.setdefault(k, Tally()).add(outcome(value, item, exact_numbers))
    return out


def score_medmetrics(
    items: Sequence[Mapping[str, Any]], parsers: Mapping[str, Any] | None = None
) -> tuple[dict[str, Tally], list[Parsed]]:
    """medmetrics' parsers on ``items``, scored as ``realworld_score.py`` scores them: scores compare
    exactly with the ``number`` parser and with rounding with ``integer``. Also returns every parse."""
    parsers = medmetrics_parsers() if parsers is None else parsers
    parsed = [read_medmetrics(item, parsers) for item in items]
    exact = score_parser(parsers) == "number"
    return tally(items, [value_of(p) for p in parsed], exact_numbers=exact), parsed
