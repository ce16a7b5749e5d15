"""Event extraction F1 (``event_f1``): triggers and arguments, micro over the corpus.

Each item is one document: a list of events ``{"trigger", "type", "arguments": [{"role",
"text"}, ...]}``, as the ``brackets`` parser reads them with ``kind="events"``. Two levels are
scored, each over *sets* per document (a repeated event counts once, reported in
``duplicates``):

- trigger: an event is right when its trigger text and event type match a gold event's;
- argument: an argument is right when its role and text match a gold argument *of an event
  with the same trigger and type* (an argument of a wrongly typed event is wrong).

Texts, types and roles are compared after ``normalize_mention_text`` (NFKC, casefold, white
space collapsed). ``level`` (``argument`` by default, the stricter, or ``trigger``) chooses which
level ``precision``/``recall``/``f1`` report; both are always in the components as
``trigger_*`` and ``argument_*``. A failed parse (``None``) predicts nothing; 0/0 is
``zero_division``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import AdditiveMetric, Table
from medmetrics.metrics.counting import KINDS
from medmetrics.metrics.entities import normalize_mention_text
from medmetrics.metrics.prf import prf
from medmetrics.options import Options, option, zero_division

LEVELS = ("trigger", "argument")
Key = tuple[str, ...]


def _text(value: Any, what: str, where: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where}: {what} is {value!r}, it must be a string")
    return normalize_mention_text(value)


def event_keys(value: Any, where: str) -> tuple[list[Key], list[Key]]:
    """One document's trigger keys ``(type, trigger)`` and argument keys ``(type, trigger, role, text)``."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InputError(f"{where} is {value!r}: it must be a list of events "
                         "{'trigger', 'type', 'arguments': [{'role', 'text'}]}")
    triggers: list[Key] = []
    arguments: list[Key] = []
    for index, event in enumerate(value):
        at = f"{where}, event {index}"
        if not isinstance(event, Mapping):
            raise InputError(f"{at} is {event!r}: it must be a mapping with trigger, type and arguments")
        trigger = (_text(event.get("type"), "type", at), _text(event.get("trigger"), "trigger", at))
        triggers.append(trigger)
        raw_arguments = event.get("arguments", [])
        if isinstance(raw_arguments, (str, Mapping)) or not isinstance(raw_arguments, Iterable):
            raise InputError(f"{at}: arguments is {raw_arguments!r}, it must be a list of {{'role', 'text'}}")
        for argument in raw_arguments:
            if not isinstance(argument, Mapping):
                raise InputError(f"{at}: argument {argument!r} must be a mapping with role and text")
            role, text = _text(argument.get("role"), "role", at), _text(argument.get("text"), "text", at)
            arguments.append((*trigger, role, text))
    return triggers, arguments


@dataclass(frozen=True)
class EventF1Options(Options):
    level: Literal["trigger", "argument"] = option(
        "argument", "which level precision, recall and f1 report: argument (stricter) or trigger")
    zero_division: float = option(0.0, "the value of 0/0: 0, 1 or nan", check=zero_division)


class EventF1(AdditiveMetric):
    """Micro P/R/F1 of event triggers (with type) and of their arguments (role, text)."""

    name = "event_f1"
    primary = "f1"
    whole_number_stats = True
    options_class = EventF1Options

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        columns = [f"{kind}:{level}" for level in LEVELS for kind in KINDS] + ["duplicates", "duplicates_reference"]
        rows = np.zeros((len(references), len(columns)))
        for i, (prediction, reference) in enumerate(zip(predictions, references)):
            gold = event_keys(reference, f"reference {i}")
            pred = ([], []) if prediction is None else event_keys(prediction, f"prediction {i}")
            counts = []
            for gold_keys, pred_keys in zip(gold, pred):
                gold_set, pred_set = set(gold_keys), set(pred_keys)
                counts += [len(gold_set & pred_set), len(pred_set), len(gold_set)]
            rows[i] = [*counts, len(pred[0]) - len(set(pred[0])), len(gold[0]) - len(set(gold[0]))]
        return columns, rows

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        zd = self.options["zero_division"]
        out: dict[str, np.ndarray] = {}
        for level in LEVELS:
            tp, pred, true = (totals[f"{kind}:{level}"] for kind in KINDS)
            scores = prf(tp, pred, true, zd)
            out.update({f"{level}_{k}": v for k, v in scores.items()})
            out[f"{level}_support"] = totals[f"true:{level}"]
            if level == self.options["level"]:
                out.update(scores)
        return {**out, "duplicates": totals["duplicates"], "duplicates_reference": totals["duplicates_reference"]}
