"""Read an integer score in a declared range (BIOSSES-style semantic similarity, 0-4 or 0-5).

The ``number`` parser (``number.py``: its tiers and checks) with the integer grammar and one more
check: "2.5" fails unless ``rounding="nearest"``, which rounds half up and says so in ``reason``.
Bounds and option scores must be integers. Scores are returned as ints, candidates of an
ambiguous parse as written ("2.5, or rather 3" gives 2.5 and 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any, ClassVar, Literal

from medmetrics.options import Options, option
from medmetrics.parsing.engine import Reading
from medmetrics.parsing.number import NUMBER_WORDS, NumberParser
from medmetrics.results import Parsed

__all__ = ["NUMBER_WORDS", "IntegerParser"]


@dataclass(frozen=True)
class IntegerOptions(Options):
    low: int | None = option(None, "the lowest valid score, an int (required)")
    high: int | None = option(None, "the highest valid score, an int (required)")
    rounding: Literal["nearest"] | None = option(
        None, "None: a non-integer score fails; nearest: it is rounded half up, and reason says so")


class IntegerParser(NumberParser):
    """An integer score in ``[low, high]``: the ``number`` parser plus the integer check."""

    name = "integer"
    version = "2"  # 2: chat-template tokens masked
    options_class = IntegerOptions
    real: ClassVar[bool] = False

    def convert(self, reading: Reading, settings: Mapping[str, Any]) -> tuple[Any, str] | Parsed:
        """An integral reading as it is; any other fails, or is rounded half up when asked."""
        if isinstance(reading.value, int):
            return reading.value, ""
        written = reading.detail[0]
        if settings.get("rounding") != "nearest":
            return Parsed(None, "failed", rule=reading.rule, span=reading.span, reason=f"non-integer score {written}")
        half_up = Decimal(written.replace("−", "-")) + Decimal("0.5")  # the regex admits only numerals
        value = int(half_up.to_integral_value(ROUND_FLOOR))
        return value, f"rounded {written} to {value}"

    def disagreement(self, parsed: Parsed) -> Parsed:
        """An ambiguous parse, its candidates as written (an int, or a float such as 2.5)."""
        return parsed
