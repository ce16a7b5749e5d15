"""Generation metrics (BLEU, ROUGE, METEOR, BERTScore): text against reference text.

Their peers (sacrebleu, rouge-score, nltk, ``rouge``, jieba, janome, bert-score) are optional: nothing here
imports them at package import; each metric imports what it needs when it is built, through
``require``, which says what to install when it is missing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from medmetrics.errors import MissingDependencyError


def require(module: str, needed_for: str, extra: str = "generation") -> ModuleType:
    """Import an optional dependency, or raise ``MissingDependencyError`` naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingDependencyError(
            f"{needed_for} needs the Python package that provides {module!r}, which is not installed: "
            f"pip install 'medmetrics[{extra}]'") from error

