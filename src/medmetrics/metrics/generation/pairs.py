"""Checking (generated text, reference texts) pairs, shared by the text-generation metrics."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from typing import Any

from medmetrics.errors import InputError


def check_predictions(metric: str, predictions: Sequence[Any]) -> None:
    """A prediction is a text, or ``None`` for no answer; anything else is an ``InputError`` naming the item."""
    for i, prediction in enumerate(predictions):
        if prediction is not None and not isinstance(prediction, str):
            raise InputError(f"metric {metric!r}: prediction {i} is {type(prediction).__name__} {prediction!r}; "
                             "it must be a text (or None for no answer)")


def check_texts(metric: str, predictions: Sequence[Any], references: Sequence[Any]) -> None:
    """For metrics with one reference per item: every reference must be one text."""
    check_predictions(metric, predictions)
    for i, reference in enumerate(references):
        if not isinstance(reference, str):
            raise InputError(f"metric {metric!r}: reference {i} is {type(reference).__name__} {reference!r}; "
                             "it must be a text")


def text_pairs(metric: str, predictions: Sequence[Any], references: Sequence[Any]) -> list[tuple[str, ...]]:
    """The references of each item as a tuple of texts, after checking both sides' types.

    A reference is one text or a non-empty list of texts (several references); a prediction is
    a text or ``None`` (no answer). Anything else is an ``InputError`` naming the item.
    """
    check_predictions(metric, predictions)
    grouped = []
    for i, reference in enumerate(references):
        group = (reference,) if isinstance(reference, str) else reference
        if (not isinstance(group, (list, tuple)) or not group
                or not all(isinstance(text, str) for text in group)):
            raise InputError(f"metric {metric!r}: reference {i} is {reference!r}; "
                             "it must be a text or a non-empty list of texts")
        grouped.append(tuple(group))
    return grouped


def installed_versions(*distributions: str) -> str:
    """``name==version,...`` of the libraries a metric's numbers depend on, for its signature."""
    def version(distribution: str) -> str:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            return "absent"

    return ",".join(f"{d}=={version(d)}" for d in distributions)
