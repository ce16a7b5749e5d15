"""Generation metrics (BLEU, ROUGE, ...): text against reference text.

Their peers (sacrebleu, rouge-score, nltk, ``rouge``, jieba, janome) are optional: nothing here
imports them at package import; each metric imports what it needs when it is built, through
``require``, which says what to install when it is missing.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from medmetrics.errors import InputError, MissingDependencyError


def require(module: str, needed_for: str, extra: str = "generation") -> ModuleType:
    """Import an optional dependency, or raise ``MissingDependencyError`` naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingDependencyError(
            f"{needed_for} needs the Python package that provides {module!r}, which is not installed: "
            f"pip install 'medmetrics[{extra}]'") from error


def check_texts(metric: str, predictions: Sequence[Any], references: Sequence[Any]) -> None:
    """Generation metrics score text against text (``None`` = no answer); anything else is a caller mistake."""
    for what, values in (("prediction", predictions), ("reference", references)):
        for i, value in enumerate(values):
            if value is not None and not isinstance(value, str):
                raise InputError(f"metric {metric!r}: {what} {i} is {type(value).__name__}, not a string")
