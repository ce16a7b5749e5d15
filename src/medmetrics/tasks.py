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

    def to_dict(self) -> dict[str, Any]:
        return json_native({
            "name": self.name, "parser": self.parser, "parser_options": dict(self.parser_options),
            "metrics": {k: {"metric": m, "options": dict(o)} for k, (m, o) in self.metrics.items()},
            "description": self.description, "source": self.source, "reference_type": self.reference_type,
        })
