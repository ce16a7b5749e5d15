"""Read an integer score in a declared range (BIOSSES-style semantic similarity, 0-4 or 0-5).

Tiers, the first that finds anything deciding (all it finds must agree, else ``ambiguous``):

1. ``anchored``: a number right after a score statement: "Score: 4", "a score of 4", "The
   similarity score is **4**", "Similarity (0-5): 4", "I would rate this a 4", "I think 1";
2. ``whole`` / ``leading``: the answer is a number or fraction ("4", "four", "4/5", "4 out of 5")
   or opens with one followed by a clause break ("4 - nearly equivalent");
3. ``option``: with ``options`` (option texts lettered A, B, ...), the option the answer picks
   (read by the ``choice`` parser) maps to the score written in its text;
4. ``fraction``: "N out of M" or "N/M" anywhere, when M is the top of the range.

Numbers in unanchored prose never count ("the two sentences share 2 concepts"), nor do
numbers after an anchor that are followed by a noun ("I think 2 concepts overlap"). What was
read is then checked, never repaired silently: a fraction on another scale ("8/10" for 0-5)
fails rather than being rescaled, "2.5" fails unless ``rounding="nearest"``, and a score
outside the range fails ("score 7 outside [0, 5]"); "-1" is minus one, not one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import Any, ClassVar

from medmetrics.errors import InputError
from medmetrics.parsing.base import Parser
from medmetrics.parsing.choice import ChoiceParser
from medmetrics.parsing.label import (
    OPENER,
    VALUE_LEAD,
    Reading,
    Scanner,
    answer_anchor,
    answer_core,
    answer_start,
    decide,
    initials,
    unanswered,
)
from medmetrics.parsing.text import prepare
from medmetrics.results import Parsed

NUMBER_WORDS = {w: i for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))}
_WORDS = "|".join(NUMBER_WORDS)
#: Up to nine digits each side of the point: longer numerals are no score (and stay cheap to convert).
_UNSIGNED = r"\d{1,9}(?:\.\d{1,9})?(?![\w]|\.\d)"
_DIGITS = r"[-−]?" + _UNSIGNED
_NUMBER = rf"(?<![\w.])(?P<num>{_DIGITS}|(?:{_WORDS})(?!\w))"
_DENOMINATOR = rf"(?P<den>\d{{1,9}}(?![\w]|\.\d)|(?:{_WORDS})(?!\w))"
_FRACTION = rf"(?:[ \t]*(?:/|out[ \t]+of)[ \t]*{_DENOMINATOR})?"
_RANGE = rf"(?:[ \t]*(?:-|–|—|to|or)[ \t]*(?P<upper>{_UNSIGNED}))?"
_SCORE = _NUMBER + _FRACTION + _RANGE
#: What may follow an anchored score: the end, punctuation, or a connective ("4 because ..."),
#: but not a noun ("I think 2 concepts overlap").
_AFTER_ANCHORED = (
    r"(?=[ \t]*(?:\Z|\n|[^\w\s]|(?:because|since|as|given|due|and|but|for|on|in|out|points?|stars?|which"
    r"|indicating|meaning|reflecting|suggesting|with|based|overall)\b))"
)
#: What may follow a score that opens the answer; stricter, so a numbered list ("1. The first
#: sentence ...") is not a score.
_AFTER_LEADING = r"(?=[ \t]*(?:\Z|\n|[,;:!)(/\-–—]|\.[ \t]*(?:\n|\Z)|(?:because|since|as|given|out|points?)\b))"

_ANCHOR = answer_anchor(
    ("answer", "score", "rating", "similarity", "grade", "output"),
    copulas=r"|\s+of\b|(?=\s+[-−]?\d)",  # "a score of 4", "Score 4"
    verbs=("rate", "rated", "give", "gave", "assign", "assigned", "score", "scored", "deserves?", "merits?",
           "receives?", "warrants?", "gets?"),
    verb_tail=(
        r"(?:\s+(?:it|this|that|them|these|those|(?:the|this|each)\s+pair|(?:the|these|both)\s+(?:two\s+)?sentences"
        r"|the\s+similarity))?(?:\s+(?:as|at|with))?"
    ),
)
_ANCHORED = _ANCHOR.scanner(_SCORE + _AFTER_ANCHORED)
_PREFIX = re.compile(OPENER + "(?:" + _ANCHOR.source + ")?" + VALUE_LEAD, re.IGNORECASE)
_WHOLE = re.compile(_SCORE, re.IGNORECASE)
_LEADING = re.compile(VALUE_LEAD + _SCORE + _AFTER_LEADING, re.IGNORECASE)
_FRACTION_ANYWHERE = Scanner(
    re.compile(initials(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", *NUMBER_WORDS])
               + _NUMBER + r"[ \t]*(?:/|out[ \t]+of)[ \t]*" + _DENOMINATOR,
               re.IGNORECASE),
    None,
)
_CHOICE = ChoiceParser()


def _number(text: str) -> int | float:
    """The value of a number as written: an int when it is integral ("4", "4.0", "four")."""
    word = NUMBER_WORDS.get(text.lower())
    if word is not None:
        return word
    value = Decimal(text.replace("−", "-"))
    return int(value) if value == value.to_integral_value() else float(value)


def _readings(match: re.Match[str], rule: str) -> list[Reading]:
    """One reading per number a score statement gives ("3-4" gives two)."""
    number = match.group("num")
    found = [Reading(_number(number), match.span("num"), rule, (number, match.group("den")))]
    upper = match.groupdict().get("upper")
    if upper:
        found.append(Reading(_number(upper), match.span("upper"), rule, (upper, None)))
    return found


def _stated(masked: str, lowered: str) -> list[Reading]:
    """Tier 1: scores after an anchor."""
    return [r for m in _ANCHORED.scan(masked, lowered) for r in _readings(m, "anchored")]


def _answered(masked: str) -> list[Reading]:
    """Tier 2: the whole answer is a score, or the answer opens with one."""
    start, end = answer_core(masked, _PREFIX)
    whole = _WHOLE.fullmatch(masked, start, end)
    if whole:
        return _readings(whole, "whole")
    leading = _LEADING.match(masked, answer_start(masked))
    return _readings(leading, "leading") if leading else []


def _fractions(masked: str, high: int) -> list[Reading]:
    """Tier 4: "N/M" or "N out of M" anywhere, with M the top of the range."""
    if "/" not in masked and "out" not in masked.lower():
        return []
    return [r for m in _FRACTION_ANYWHERE.scan(masked, masked) if _number(m.group("den")) == high
            for r in _readings(m, "fraction")]


def _picked(text: str, options: Sequence[str], low: int, high: int) -> list[Reading]:
    """Tier 3: the score of the option the answer picks (each, when the choice is ambiguous)."""
    choice = _CHOICE.parse(text, options=list(options))
    scores = option_scores(tuple(options), low, high)
    letters = (choice.value,) if choice.status == "ok" else choice.candidates if choice.status == "ambiguous" else ()
    span = choice.span if choice.status == "ok" else None
    found = []
    for letter in letters:
        score = scores[ord(letter) - ord("A")]
        found.append(Reading(score, span, "option", (str(score), None)))
    return found


@functools.lru_cache(maxsize=1024)
def option_scores(options: tuple[str, ...], low: int, high: int) -> tuple[int, ...]:
    """The score each option text states ("very similar (score 4)", "4", "4 - very similar").

    A text is read like an answer; failing that, its only number counts. An option without a
    score in the range is a caller mistake (``InputError``).
    """
    scores = []
    for letter, option in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", options):
        masked, _ = prepare(option)
        readings = _stated(masked, masked.lower()) or _answered(masked)
        values = {r.value for r in readings} or {
            _number(m.group("num")) for m in re.finditer(_NUMBER, masked, re.IGNORECASE)
            if m.group("num").lower() not in NUMBER_WORDS  # "one" in prose is a pronoun, not the score
        }
        if len(values) != 1:
            raise InputError(f"option {letter} ({option!r:.60}) states {'no' if not values else 'more than one'} score")
        score = values.pop()
        if not isinstance(score, int) or not low <= score <= high:
            raise InputError(f"option {letter} ({option!r:.60}) states {score}, not an integer in [{low}, {high}]")
        scores.append(score)
    return tuple(scores)


class IntegerParser(Parser):
    """An integer score in ``[low, high]`` (see the module docstring for what is read)."""

    name = "integer"
    version = "1"
    defaults: ClassVar[Mapping[str, Any]] = {"low": None, "high": None, "rounding": None, "options": None}
    required = ("low", "high")

    def validate(self, settings: Mapping[str, Any]) -> None:
        low, high, options = settings.get("low"), settings.get("high"), settings.get("options")
        for key, bound in (("low", low), ("high", high)):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int)):
                raise InputError(f"{key!r} must be an int, got {bound!r}")
        if low is not None and high is not None and low > high:
            raise InputError(f"'low' ({low}) is above 'high' ({high})")
        if settings.get("rounding") not in (None, "nearest"):
            raise InputError(f"'rounding' must be None or 'nearest', got {settings.get('rounding')!r}")
        if options is not None:
            if isinstance(options, (str, bytes)) or not isinstance(options, Sequence) or not options \
                    or not all(isinstance(o, str) for o in options):
                raise InputError(f"'options' must be a non-empty list of option texts, got {options!r:.80}")
            if low is not None and high is not None:
                option_scores(tuple(options), low, high)

    def read(self, text: str, settings: Mapping[str, Any]) -> Parsed:
        masked, why = prepare(text)
        if why:
            return unanswered(text, why)
        low: int = settings["low"]
        high: int = settings["high"]
        options = settings.get("options")
        lowered = masked.lower()
        outcome = decide((
            lambda: _stated(masked, lowered),
            lambda: _answered(masked),
            lambda: _picked(text, options, low, high) if options else [],
            lambda: _fractions(masked, high),
        ))
        if outcome is None:
            return Parsed(None, "failed", reason="no score statement or number answer found")
        if isinstance(outcome, Parsed):
            return outcome
        return self._check(outcome, low, high, settings.get("rounding"))

    @staticmethod
    def _check(reading: Reading, low: int, high: int, rounding: str | None) -> Parsed:
        """The reading as a score in range, or why it is not one."""
        written, scale = reading.detail
        rule, span = reading.rule, reading.span
        if scale is not None and _number(scale) != high:
            return Parsed(None, "failed", rule=rule, span=span,
                          reason=f"score {written}/{scale} is on another scale than [{low}, {high}]")
        value = reading.value
        if not isinstance(value, int):
            if rounding != "nearest":
                return Parsed(None, "failed", rule=rule, span=span, reason=f"non-integer score {written}")
            half_up = Decimal(written.replace("−", "-")) + Decimal("0.5")  # the regex admits only numerals
            value = int(half_up.to_integral_value(ROUND_FLOOR))
        if not low <= value <= high:
            return Parsed(None, "failed", rule=rule, span=span, reason=f"score {value} outside [{low}, {high}]")
        return Parsed(value, "ok", rule=rule, span=span, reason="" if value == reading.value else
                      f"rounded {written} to {value}")

