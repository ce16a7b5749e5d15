"""The reading engine the answer parsers share: answer anchors, scanners and tiers.

A parser reads a generation in priority tiers, each a callable that returns what it found; the
first tier that finds anything decides (``first_tier``), so later, looser tiers never run once an
earlier one has spoken, and what that tier found must agree, else the parse is ``ambiguous``
(``decide``). ``label`` and ``number``/``integer`` read values with ``answer_anchor`` and
``Scanner``; ``choice`` reads letters with its own grammar (``parsing/choice``) but runs its tiers
through ``first_tier`` too. Negation is shared the same way, in ``negation``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from medmetrics.results import Parsed

T = TypeVar("T")


def first_tier(tiers: Iterable[Callable[[], list[T]]]) -> list[T]:
    """What the first tier that finds anything found (empty when none does); later tiers never run."""
    for tier in tiers:
        found = tier()
        if found:
            return found
    return []




def initials(alternatives: Iterable[str]) -> str:
    """A lookahead on the first characters of ``alternatives`` (regex sources, each starting
    with a literal character); it rejects most positions before the alternation is tried."""
    firsts = {alt[0] for alt in alternatives}
    chars = sorted({c.lower() for c in firsts} | {c.upper() for c in firsts})
    return "(?=[" + "".join(re.escape(c) for c in chars) + "])"


@dataclass(frozen=True)
class Scanner:
    """A pattern tried only where one of its literal starts (``triggers``) occurs.

    ``str.find`` on the lowercased text locates the few places worth trying, which is several
    times faster than letting the regex engine try its alternation at every position. The
    matches are those ``finditer`` would give: non-overlapping, left to right. ``triggers``
    is None when no safe literal start exists; then every position is tried.
    """

    pattern: re.Pattern[str]
    triggers: tuple[str, ...] | None

    def __post_init__(self) -> None:
        if self.triggers is not None:  # "support" finds every place "supported" could start
            kept = tuple(t for t in dict.fromkeys(self.triggers)
                         if not any(o != t and t.startswith(o) for o in self.triggers))
            object.__setattr__(self, "triggers", kept)

    def scan(self, masked: str, lowered: str) -> list[re.Match[str]]:
        if self.triggers is None or len(lowered) != len(masked):
            return list(self.pattern.finditer(masked))
        starts: set[int] = set()
        for trigger in self.triggers:
            pos = lowered.find(trigger)
            while pos >= 0:
                starts.add(pos)
                pos = lowered.find(trigger, pos + 1)
        found: list[re.Match[str]] = []
        free = 0
        for pos in sorted(starts):
            if pos >= free and (match := self.pattern.match(masked, pos)):
                found.append(match)
                free = max(match.end(), pos + 1)
        return found


def _literal_start(source: str) -> str:
    """The leading letters every match of a regex source starts with ("relation(?:ship)?" ->
    "relation", "deserves?" -> "deserve")."""
    letters = re.match(r"[a-z]*", source).group()  # type: ignore[union-attr]  # always matches
    optional_last = source[len(letters):len(letters) + 1] in ("?", "*", "{")
    return letters[:-1] if optional_last else letters


_HEDGE = (
    r"\bI(?:\s+would|['’]d)\s+(?:say|go\s+with|choose|pick|answer)\b"
    r"|\bI\s+(?:think|believe|guess|conclude)(?:\s+(?:it|this|that)(?:\s+is|['’]s))?\b"
)
_HEDGE_TRIGGERS = ("i ", "i'", "i’", "i\t", "i\n")


@dataclass(frozen=True)
class Anchor:
    """An answer anchor: regex source (the value starts where it ends) and its literal starts."""

    source: str
    triggers: tuple[str, ...]

    def scanner(self, value: str) -> Scanner:
        """A scanner for this anchor followed by ``value`` (a regex source)."""
        return Scanner(re.compile(self.source + VALUE_LEAD + value, re.IGNORECASE), self.triggers)


def answer_anchor(nouns: Sequence[str], *, copulas: str = "", verbs: Sequence[str] = (), verb_tail: str = "") -> Anchor:
    """The anchor both parsers use, with their own vocabulary.

    ``nouns`` head statements such as "Answer: X", "the label is X", "The relation between A
    and B is X" or "Similarity score (0-5): X"; ``copulas`` adds extra ways to join noun and
    value (the integer parser's "score of 4"); ``verbs`` plus ``verb_tail`` add verb phrases
    ("I would rate this a 4"). Hedges ("I think X", "I'd say X") are always anchors. Each
    noun and verb must start with lowercase letters (its trigger). Every repetition is bounded
    or separated by literals, so matching stays linear.
    """
    copula = (r"(?:\s*[:=]|\s+(?:is|was|would\s+be|should\s+be|will\s+be|must\s+be|seems\s+to\s+be)\b(?:\s*:)?"
              + copulas + ")")
    noun = (
        rf"\b(?:final\s+)?(?:{'|'.join(nouns)})\b"
        r"(?:\s*\([^()\n]{0,30}\))?"  # "Similarity score (0-5): 4"
        rf"(?:{copula}|\s+(?:between|of|for|in)\s[^.:;\n]{{0,80}}?{copula})"  # "relation between A and B is"
    )
    parts = [noun, _HEDGE]
    if verbs:
        parts.append(rf"\b(?:{'|'.join(verbs)})\b{verb_tail}")
    source = initials([*nouns, *verbs, "final", "I"]) + "(?:" + "|".join(parts) + ")"
    triggers = tuple(_literal_start(word) for word in (*nouns, *verbs)) + _HEDGE_TRIGGERS
    return Anchor(source, triggers)


#: Between an anchor and its value: quotes and brackets, an option letter "(b)", an article. At
#: most 16 marks: a run of thousands ("((((...") would otherwise be backtracked over one mark at a
#: time, each time trying every label (quadratic in practice).
VALUE_LEAD = r"[\s\"'“‘(\[]{0,16}(?:[A-Za-z]\)\s*)?(?:an?\s+)?"
#: End punctuation and closing marks stripped from a whole answer.
TRAILING = " \t\r\n.,;:!?\"'”’)]"
#: Articles or pronouns before a sentence-initial anchor ("The answer is", "My answer:").
OPENER = r"(?:(?:the|my|our)\s+)?"


@dataclass(frozen=True, slots=True)
class Reading:
    """One value found in a generation, with where and by which rule."""

    value: Any
    span: tuple[int, int] | None
    rule: str
    detail: Any = None


def answer_start(masked: str) -> int:
    """Offset of the first non-space character of the masked answer."""
    return len(masked) - len(masked.lstrip())


def answer_core(masked: str, prefix: re.Pattern[str]) -> tuple[int, int]:
    """``[start, end)`` of the bare answer: ``prefix`` (an anchor and lead) and end punctuation off."""
    start = answer_start(masked)
    start = prefix.match(masked, start).end()  # type: ignore[union-attr]  # prefix is all-optional
    end = len(masked.rstrip(TRAILING))
    return start, max(start, end)


def decide(tiers: Iterable[Callable[[], list[Reading]]]) -> Reading | Parsed | None:
    """The reading of the first tier that finds any; ``ambiguous`` when that tier disagrees.

    Agreeing readings return the last one (a final statement usually closes an answer).
    """
    readings = first_tier(tiers)
    if not readings:
        return None
    values: list[Any] = []
    for reading in readings:
        if reading.value not in values:
            values.append(reading.value)
    if len(values) > 1:
        shown = ", ".join(str(v) for v in values)
        return Parsed(None, "ambiguous", reason=f"conflicting answers: {shown}", rule=readings[-1].rule,
                      candidates=tuple(values))
    return readings[-1]


def unanswered(generation: str, why: str) -> Parsed:
    """``empty`` for a blank generation, else ``failed`` with ``why``."""
    if not generation.strip():
        return Parsed(None, "empty", reason="empty generation")
    return Parsed(None, "failed", reason=why)
