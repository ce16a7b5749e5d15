"""Read a real-valued score in a declared range (BIOSSES 0-4, ClinicalSTS 0-5); ``integer`` builds on it.

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
fails rather than being rescaled, and a score outside the range fails ("score 7 outside [0, 5]");
"-1" is minus one, not one.

``number`` returns a float ("3" is 3.0). On a real-valued scale models also write an estimate
("about 2.5", "~2.5") and a decimal scale ("2.5/4.0"), so ``number`` reads those too; the
``integer`` parser (``integer.py``) is this one with the integer grammar (without them, as its
version 1 reads) and an integer check.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from medmetrics.errors import InputError
from medmetrics.options import Options, finite, option
from medmetrics.parsing.base import Parser
from medmetrics.parsing.choice import ChoiceParser
from medmetrics.parsing.engine import (
    OPENER,
    VALUE_LEAD,
    Reading,
    Scanner,
    answer_anchor,
    answer_core,
    answer_start,
    decide,
    initials,
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
_WORD_SCALE = rf"|(?:{_WORDS})(?!\w)"
_INTEGER_SCALE = r"\d{1,9}(?![\w]|\.\d)" + _WORD_SCALE
_DECIMAL_SCALE = _UNSIGNED + _WORD_SCALE  # "2.5/4.0"
#: "about 2.5", "~2.5": an estimate is still the answer on a real-valued scale.
_ESTIMATE = r"(?:(?:about|approximately|around|roughly)[ \t]+|[~≈][ \t]*)?"
_OVER = r"[ \t]*(?:/|out[ \t]+of)[ \t]*"
_RANGE = rf"(?:[ \t]*(?:-|–|—|to|or)[ \t]*(?P<upper>{_UNSIGNED}))?"
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
_PREFIX = re.compile(OPENER + "(?:" + _ANCHOR.source + ")?" + VALUE_LEAD, re.IGNORECASE)
_CHOICE = ChoiceParser()


@dataclass(frozen=True)
class Grammar:
    """Tiers 1, 2 and 4 compiled for one way of writing scores (integer or real-valued)."""

    anchored: Scanner
    whole: re.Pattern[str]
    leading: re.Pattern[str]
    fraction: Scanner


@functools.cache
def grammar(real: bool) -> Grammar:
    """The integer grammar, or the real-valued one (estimates and decimal scales admitted)."""
    denominator = rf"(?P<den>{_DECIMAL_SCALE if real else _INTEGER_SCALE})"
    score = (_ESTIMATE if real else "") + _NUMBER + rf"(?:{_OVER}{denominator})?" + _RANGE
    fraction = re.compile(initials(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", *NUMBER_WORDS])
                          + _NUMBER + _OVER + denominator, re.IGNORECASE)
    return Grammar(
        anchored=_ANCHOR.scanner(score + _AFTER_ANCHORED),
        whole=re.compile(score, re.IGNORECASE),
        leading=re.compile(VALUE_LEAD + score + _AFTER_LEADING, re.IGNORECASE),
        fraction=Scanner(fraction, None),
    )


def _number(text: str) -> int | float:
    """The value of a number as written: an int when it is integral ("4", "4.0", "four")."""
    word = NUMBER_WORDS.get(text.lower())
    if word is not None:
        return word
    value = Decimal(text.replace("−", "-"))
    return int(value) if value == value.to_integral_value() else float(value)


def _plain(value: float) -> int | float:
    """A value for a message: 7.0 as 7."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _readings(match: re.Match[str], rule: str) -> list[Reading]:
    """One reading per number a score statement gives ("3-4" gives two)."""
    number = match.group("num")
    found = [Reading(_number(number), match.span("num"), rule, (number, match.group("den")))]
    upper = match.groupdict().get("upper")
    if upper:
        found.append(Reading(_number(upper), match.span("upper"), rule, (upper, None)))
    return found


def _stated(rules: Grammar, masked: str, lowered: str) -> list[Reading]:
    """Tier 1: scores after an anchor."""
    return [r for m in rules.anchored.scan(masked, lowered) for r in _readings(m, "anchored")]


def _answered(rules: Grammar, masked: str) -> list[Reading]:
    """Tier 2: the whole answer is a score, or the answer opens with one."""
    start, end = answer_core(masked, _PREFIX)
    whole = rules.whole.fullmatch(masked, start, end)
    if whole:
        return _readings(whole, "whole")
    leading = rules.leading.match(masked, answer_start(masked))
    return _readings(leading, "leading") if leading else []


def _fractions(rules: Grammar, masked: str, high: float) -> list[Reading]:
    """Tier 4: "N/M" or "N out of M" anywhere, with M the top of the range."""
    if "/" not in masked and "out" not in masked.lower():
        return []
    return [r for m in rules.fraction.scan(masked, masked) if _number(m.group("den")) == high
            for r in _readings(m, "fraction")]


def _picked(text: str, options: Sequence[str], low: float, high: float, real: bool) -> list[Reading]:
    """Tier 3: the score of the option the answer picks (each, when the choice is ambiguous)."""
    choice = _CHOICE.parse(text, options=list(options))
    scores = option_scores(tuple(options), low, high, real=real)
    letters = (choice.value,) if choice.status == "ok" else choice.candidates if choice.status == "ambiguous" else ()
    span = choice.span if choice.status == "ok" else None
    found = []
    for letter in letters:
        score = scores[ord(letter) - ord("A")]
        found.append(Reading(score, span, "option", (str(score), None)))
    return found


@functools.lru_cache(maxsize=1024)
def option_scores(options: tuple[str, ...], low: float, high: float, *, real: bool) -> tuple[int | float, ...]:
    """The score each option text states ("very similar (score 4)", "4", "4 - very similar").

    A text is read like an answer; failing that, its only number counts. An option without a
    score in the range (an integer one, unless ``real``) is a caller mistake (``InputError``).
    """
    rules = grammar(real)
    scores = []
    for letter, text in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", options):
        masked, _ = prepare(text)
        readings = _stated(rules, masked, masked.lower()) or _answered(rules, masked)
        values = {r.value for r in readings} or {
            _number(m.group("num")) for m in re.finditer(_NUMBER, masked, re.IGNORECASE)
            if m.group("num").lower() not in NUMBER_WORDS  # "one" in prose is a pronoun, not the score
        }
        if len(values) != 1:
            raise InputError(f"option {letter} ({text!r:.60}) states {'no' if not values else 'more than one'} score")
        score = values.pop()
        if not (real or isinstance(score, int)) or not low <= score <= high:
            kind = "a number" if real else "an integer"
            raise InputError(f"option {letter} ({text!r:.60}) states {score}, not {kind} in [{low}, {high}]")
        scores.append(score)
    return tuple(scores)


def option_texts(value: tuple[str, ...]) -> tuple[str, ...]:
    """A non-empty list of option texts (repeats and order kept: positions are letters)."""
    if not value:
        raise ValueError("a non-empty list of option texts")
    return value


@dataclass(frozen=True)
class NumberOptions(Options):
    low: int | float | None = option(None, "the lowest valid score (required)", check=finite)
    high: int | float | None = option(None, "the highest valid score (required)", check=finite)


@dataclass(frozen=True)
class NumberContext(Options):
    options: tuple[str, ...] | None = option(
        None, "option texts lettered A, B, ..., each stating a score, for answers that pick an option",
        check=option_texts)


class NumberParser(Parser):
    """A real-valued score in ``[low, high]``, as a float (see the module docstring for what is read).

    Subclasses change what a score may be through ``real`` (the grammar, and which option
    scores and bounds are valid) and ``convert`` (the check on the value read).
    """

    name = "number"
    version = "2"  # 2: chat-template tokens masked
    options_class: ClassVar[type[Options] | None] = NumberOptions
    context_class: ClassVar[type[Options] | None] = NumberContext
    required = ("low", "high")
    #: Scores, bounds and option scores may be non-integers; estimates and decimal scales are read.
    real: ClassVar[bool] = True

    def validate(self, settings: Mapping[str, Any]) -> None:
        # each key's type is checked by its declaration (options and each item's context alike)
        low, high, options = settings.get("low"), settings.get("high"), settings.get("options")
        if low is not None and high is not None and low > high:
            raise InputError(f"'low' ({low}) is above 'high' ({high})")
        if options is not None and low is not None and high is not None:
            option_scores(tuple(options), low, high, real=self.real)

    def read_masked(self, text: str, masked: str, settings: Mapping[str, Any]) -> Parsed:
        low, high, options = settings["low"], settings["high"], settings.get("options")
        rules = grammar(self.real)
        lowered = masked.lower()
        outcome = decide((
            lambda: _stated(rules, masked, lowered),
            lambda: _answered(rules, masked),
            lambda: _picked(text, options, low, high, self.real) if options else [],
            lambda: _fractions(rules, masked, high),
        ))
        if outcome is None:
            return Parsed(None, "failed", reason="no score statement or number answer found")
        if isinstance(outcome, Parsed):
            return self.disagreement(outcome)
        return self._check(outcome, settings)

    def _check(self, reading: Reading, settings: Mapping[str, Any]) -> Parsed:
        """The reading as a score in range, or why it is not one."""
        low, high = settings["low"], settings["high"]
        written, scale = reading.detail
        rule, span = reading.rule, reading.span
        if scale is not None and _number(scale) != high:
            return Parsed(None, "failed", rule=rule, span=span,
                          reason=f"score {written}/{scale} is on another scale than [{low}, {high}]")
        converted = self.convert(reading, settings)
        if isinstance(converted, Parsed):
            return converted
        value, note = converted
        if not low <= value <= high:
            return Parsed(None, "failed", rule=rule, span=span, reason=f"score {_plain(value)} outside [{low}, {high}]")
        return Parsed(value, "ok", rule=rule, span=span, reason=note)

    def convert(self, reading: Reading, settings: Mapping[str, Any]) -> tuple[Any, str] | Parsed:
        """The value this parser returns for a reading, with a note on any change; or why there is none."""
        return float(reading.value), ""

    def disagreement(self, parsed: Parsed) -> Parsed:
        """An ambiguous parse, its candidates floats like every value this parser returns."""
        return dataclasses.replace(parsed, candidates=tuple(float(c) for c in parsed.candidates))
