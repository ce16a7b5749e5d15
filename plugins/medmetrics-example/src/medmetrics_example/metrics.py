"""``dose_match``: accuracy of dose statements that keeps units and decimals.

A dose is a number and a unit: ``1.5 mg``, ``1,500 µg``, ``0.5 mg/kg/day``, ``10 mL``,
``5000 IU``. Two doses match when they are the same quantity, computed exactly with fractions:

- mass converts (kg, g, mg, mcg = µg = ug, ng), volume converts (L, mL, cc, µL), amount of
  substance converts (mol, mmol, µmol); ``1500 mcg == 1.5 mg == 0.0015 g``;
- IU, units (U) and mEq are kept apart from everything, and from each other: an IU is not a
  USP unit for every drug;
- a compound unit is compared as such: ``mg/kg`` never equals ``mg``; the parts convert
  (``1000 mcg/kg == 1 mg/kg``) and time denominators have one spelling (``/d`` = ``/day``);
- decimals are kept and a comma is a thousands separator only (``1,500``): ``1,5 mg`` is not a
  dose, rather than a guess between 1.5 and 15.

A text that states one dose (possibly twice, ``1.5 mg (1500 mcg)``) is read as that dose;
no dose, or two different ones, is unreadable. An unreadable prediction is wrong and counted
in the ``unreadable`` component; an unreadable reference is an ``InputError`` naming it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import medmetrics
import numpy as np
from medmetrics.metrics.base import Table, ratio
from medmetrics.parsing.text import fold, prepare

#: dimension -> unit spellings (folded: ``µ`` is ``μ``) -> size in the dimension's base unit
_UNIT_FAMILIES: dict[str, dict[tuple[str, ...], Fraction]] = {
    "mass": {("kg", "kilogram", "kilograms"): Fraction(10**6), ("g", "gm", "gram", "grams"): Fraction(1000),
             ("mg", "milligram", "milligrams"): Fraction(1),
             ("mcg", "μg", "ug", "microgram", "micrograms"): Fraction(1, 1000),
             ("ng", "nanogram", "nanograms"): Fraction(1, 10**6)},
    "volume": {("l", "liter", "liters", "litre", "litres"): Fraction(1000),
               ("ml", "cc", "milliliter", "milliliters", "millilitre", "millilitres"): Fraction(1),
               ("μl", "ul", "microliter", "microliters", "microlitre", "microlitres"): Fraction(1, 1000)},
    "amount": {("mol",): Fraction(1000), ("mmol",): Fraction(1), ("μmol", "umol"): Fraction(1, 1000)},
    "iu": {("iu", "international unit", "international units"): Fraction(1)},
    "unit": {("u", "unit", "units"): Fraction(1)},
    "meq": {("meq",): Fraction(1)},
}
_UNITS: dict[str, tuple[str, Fraction]] = {
    spelling: (dimension, size)
    for dimension, sizes in _UNIT_FAMILIES.items() for spellings, size in sizes.items() for spelling in spellings
}

#: spellings of a non-convertible denominator -> the one compared
_PER_SPELLINGS = {"d": "day", "day": "day", "days": "day", "h": "h", "hr": "h", "hrs": "h", "hour": "h",
                  "hours": "h", "min": "min", "minute": "min", "minutes": "min", "wk": "week", "week": "week",
                  "m2": "m2", "m^2": "m2"}

_NUMBER = r"(?<![\w.,])(?:\d{1,3}(?:,\d{3}){1,4}(?![\d,])|\d{1,12}(?![\d,]))(?:\.\d{1,8})?(?!\.\d)" \
          r"|(?<![\w.,])\.\d{1,8}"
_WORD = r"(?:international[ \t]{1,3}units?|[^\W\d_]{1,12})"
_DOSE = re.compile(
    rf"(?P<number>{_NUMBER})[ \t]{{0,2}}(?P<unit>{_WORD})"
    rf"(?P<per>(?:[ \t]{{0,2}}(?:/|\bper\b)[ \t]{{0,2}}(?:{_WORD}(?:\^?2)?)){{0,3}})(?![\w^])",
    re.IGNORECASE,
)
_PER_SPLIT = re.compile(r"[ \t]*(?:/|\bper\b)[ \t]*", re.IGNORECASE)
# "1-2 mg", "1 to 2 mg", "1 or 2 mg": the dose is one end of a range or a choice, not one dose.
_RANGE_BEFORE = re.compile(r"\d[ \t]{0,2}(?:-|–|to|or)[ \t]{0,2}\Z", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Dose:
    """An exact quantity: ``amount`` in the base units of ``dimension`` (mg, mL, mmol, or per-units)."""

    amount: Fraction
    dimension: tuple[str, ...]


def _dose_from_match(match: re.Match[str]) -> Dose | None:
    unit = _UNITS.get(" ".join(fold(match["unit"]).split()))
    if unit is None:
        return None  # "5 tablets", "3 times": a number with a word that is not a unit
    dimension, amount = unit[0], Fraction(match["number"].replace(",", "")) * unit[1]
    per: list[str] = []
    for part in _PER_SPLIT.split(match["per"])[1:]:
        key = fold(part).replace("²", "2")
        if key in _UNITS:
            per_dimension, size = _UNITS[key]
            amount /= size
            per.append(per_dimension)
        else:
            per.append(_PER_SPELLINGS.get(key, key))
    return Dose(amount, (dimension, *sorted(per)))


def read_dose(value: Any) -> Dose | None:
    """The one dose that ``value`` states, or None (not text, no dose, or two different doses)."""
    if not isinstance(value, str):
        return None
    masked, _ = prepare(value)
    doses: set[Dose] = set()
    for match in _DOSE.finditer(masked):
        dose = _dose_from_match(match)
        if dose is None:
            continue
        if _RANGE_BEFORE.search(masked, max(0, match.start() - 8), match.start()):
            return None
        doses.add(dose)
    return doses.pop() if len(doses) == 1 else None


class DoseMatch(medmetrics.AdditiveMetric):
    """Share of predictions that state the reference dose: units converted, decimals kept."""

    name = "dose_match"
    primary = "dose_match"
    defaults: ClassVar[dict[str, Any]] = {}

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        gold = []
        for i, reference in enumerate(references):
            dose = read_dose(reference)
            if dose is None:
                raise medmetrics.InputError(
                    f"reference {i} is {reference!r:.80}, which does not state one dose (a number and a unit, "
                    "such as '1.5 mg' or '10 mg/kg')"
                )
            gold.append(dose)
        read = [None if p is None else read_dose(p) for p in predictions]
        correct = [dose is not None and dose == g for dose, g in zip(read, gold)]
        unreadable = [p is not None and dose is None for p, dose in zip(predictions, read)]
        return ["correct", "unreadable"], np.column_stack([correct, unreadable]).astype(np.float64)

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        return {"dose_match": ratio(totals["correct"], totals["n"], math.nan), "unreadable": totals["unreadable"]}
