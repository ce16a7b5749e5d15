"""A task: one dataset's parser (with its options) and the metrics its benchmark defines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from medmetrics._json import json_native


@dataclass(frozen=True)
class Task:
    """``parser`` and each metric are registry names; options are passed when they are built.

    ``metrics`` maps a result name to ``(metric name, options)``, so one task can report the
    same metric twice with different options (``f1_macro`` and ``f1_micro``).
    """

    name: str
    parser: str
    metrics: Mapping[str, tuple[str, Mapping[str, Any]]]
    parser_options: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str = ""
    #: how the CLI converts string references (from CSV): "str", "int", "float" or "json"
    reference_type: str | None = None
    #: per-item facts an item of this task may carry that are not its parser's context (the
    #: MedS-Bench rationale's ``task_id``, which picks its evaluator's tokenizer): kept in a run
    #: for compat profiles and per-item output, never given to the parser. Any other key the
    #: parser does not declare is still an error.
    item_fields: tuple[str, ...] = ()

    def parser_context(self, context: Any) -> Any:
        """``context`` (one mapping, one per item, or ``None``) without the task's ``item_fields``."""
        if not self.item_fields or context is None:
            return context
        if isinstance(context, Mapping):
            return self._without_item_fields(context)
        return [self._without_item_fields(c) if isinstance(c, Mapping) else c for c in context]

    def _without_item_fields(self, context: Mapping[str, Any]) -> Mapping[str, Any]:
        if not any(key in context for key in self.item_fields):
            return context
        return {k: v for k, v in context.items() if k not in self.item_fields}

    def to_dict(self) -> dict[str, Any]:
        return json_native({
            "name": self.name, "parser": self.parser, "parser_options": dict(self.parser_options),
            "metrics": {k: {"metric": m, "options": dict(o)} for k, (m, o) in self.metrics.items()},
            "description": self.description, "source": self.source, "reference_type": self.reference_type,
            "item_fields": list(self.item_fields),
        })
