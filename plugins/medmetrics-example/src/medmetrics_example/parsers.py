"""Patient age and sex from a generation, as MedS-Bench's PMC-Patients extraction task asks.

A generation states the answer in one of three ways, read in order of strength. For each field
(age, sex) the strongest rule that finds anything decides, and two different values found by
that rule are ``ambiguous``:

1. *labeled*: ``Age: 45 years``, ``Sex: F``, ``Gender: female``, ``The patient's age is 18 months``.
   Every labeled field counts, and so do alternatives inside one (``Sex: M/F``, ``Age: 45 or 50``).
2. *descriptive*: ``45-year-old``, ``45 y/o M``, ``45 years of age``, ``aged 72``, ``45F``, sex
   nouns (woman, girl, female, man, boy, ...). Only the first sentence with such a mention is
   the answer, because a case summary goes on to mention other people; an age followed by a
   relative ("her 30-year-old mother") is not the patient's.
3. *weak*: ``newborn`` / ``neonate`` (age 0), ``at the age of 30`` (often the age at an earlier
   event), and a bare age beside a sex ("female, 60 years", "60/F").

Ages become years: months / 12, weeks * 7 / 365.25, days / 365.25, hours / (24 * 365.25),
rounded to 4 decimals ("18-month-old" -> 1.5). Pronouns are not read: "she" may be the mother.
Every quantifier in the patterns is bounded, so a parse is linear in the generation's length.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import medmetrics
from medmetrics.parsing.text import prepare

Field = Literal["age", "sex"]

LABELED, DESCRIPTIVE, WEAK = 3, 2, 1
_PLURAL = {"age": "ages", "sex": "sexes"}

_YEARS_PER_UNIT = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25, "hour": 1 / (24 * 365.25)}
_SEX_OF_WORD = {
    "f": "female", "female": "female", "woman": "female", "girl": "female", "lady": "female",
    "m": "male", "male": "male", "man": "male", "boy": "male", "gentleman": "male",
}
_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_VALUE = {**{w: i for i, w in enumerate(_ONES, start=1)}, **{w: 20 + 10 * i for i, w in enumerate(_TENS)}}


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so "seventeen" is tried before "seven"."""
    return "|".join(sorted(words, key=len, reverse=True))


# --- the grammar ------------------------------------------------------------------------------
_DIGITS = r"(?<![\w.,])\d{1,3}(?:\.\d{1,4})?(?!\d|\.\d)"
_WORDS = rf"(?<![\w-])(?:(?:{_alternation(_TENS)})(?:[-\s](?:{_alternation(_ONES[:9])}))?" \
         rf"|{_alternation(_ONES)})(?![a-z])"
_NUMBER = rf"(?:{_DIGITS}|{_WORDS})"
_UNIT = r"(?:years?|yrs?|months?|mos?|mths?|weeks?|wks?|days?|hours?|hrs?)(?![a-z])"
_UNIT_AFTER_NUMBER = rf"(?:[-\s]{{1,2}}|(?<=\d)){_UNIT}"  # "45 years", "45-year", "45yrs"
# "2 years and 3 months", "2-year, 3-month": a second part only after a first with a unit.
_SECOND_PART = rf"(?:[\s,-]{{1,3}}(?:and[\s-]{{1,2}})?{_NUMBER}{_UNIT_AFTER_NUMBER})?"
_QUANTITY_WITH_UNIT = rf"{_NUMBER}{_UNIT_AFTER_NUMBER}{_SECOND_PART}"
_QUANTITY = rf"{_NUMBER}(?:{_UNIT_AFTER_NUMBER}{_SECOND_PART})?"
_SEX_WORD = rf"\b(?:{_alternation(w for w in _SEX_OF_WORD if len(w) > 1)})\b(?!-)"  # not "male-pattern"
_SEX_LETTER = r"(?-i:[MF])(?![\w-])"
_FLAGS = re.IGNORECASE

_PART = re.compile(rf"(?P<number>{_NUMBER})[-\s]{{0,2}}(?P<unit>{_UNIT})?", _FLAGS)
_QUANTITY_IN_FIELD = re.compile(_QUANTITY, _FLAGS)
_NEWBORN = re.compile(r"\b(?:new[-\s]?born|neonate)\b", _FLAGS)
_SEX_IN_FIELD = re.compile(rf"\b(?:{_alternation(_SEX_OF_WORD)})\b", _FLAGS)  # "Sex: F" too
_FIELD_END = r"[^\n;|,(]{0,60}"
_LABEL_VERB = r"[ \t]{0,3}(?:[:=：]|is\b|was\b)[ \t]{0,3}"
_LABELED_AGE = re.compile(rf"(?<!gestational )\bage\b{_LABEL_VERB}(?P<field>{_FIELD_END})", _FLAGS)
_LABELED_SEX = re.compile(rf"\b(?:sex|gender)\b{_LABEL_VERB}(?P<field>{_FIELD_END})", _FLAGS)
_SEX_TAIL = rf"(?:[ \t,]{{0,2}}(?P<sex>{_SEX_LETTER}))?"

#: (rule name, strength, pattern): groups ``age`` (a quantity), ``sex`` (a word or letter).
_RULES: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("year-old", DESCRIPTIVE, re.compile(
        rf"(?P<age>{_QUANTITY_WITH_UNIT})[-\s]{{0,2}}(?:old\b|of\s{{1,3}}age\b){_SEX_TAIL}", _FLAGS)),
    ("y/o", DESCRIPTIVE, re.compile(rf"(?P<age>{_NUMBER})[ \t]{{0,2}}(?:y[ \t]?/[ \t]?o|y\.[ \t]?o\.?|yo)(?![a-z])"
                                    rf"{_SEX_TAIL}", _FLAGS)),
    ("aged", DESCRIPTIVE, re.compile(rf"\baged[ \t]{{1,3}}(?P<age>{_QUANTITY})", _FLAGS)),
    ("compact", DESCRIPTIVE, re.compile(rf"(?P<age>{_DIGITS})(?P<sex>{_SEX_LETTER})", _FLAGS)),
    ("sex-word", DESCRIPTIVE, re.compile(rf"(?P<sex>{_SEX_WORD})", _FLAGS)),
    ("age-at", WEAK, re.compile(rf"\b(?:at[ \t]{{1,3}})?(?:the[ \t]{{1,3}})?age[ \t]{{1,3}}(?:of[ \t]{{1,3}})?"
                                rf"(?P<age>{_QUANTITY})", _FLAGS)),
    ("beside-sex", WEAK, re.compile(
        rf"(?P<sex>{_SEX_WORD}|{_SEX_LETTER})[ \t]{{0,2}}[,/(][ \t]{{0,2}}(?P<age>{_DIGITS}(?:[-\s]{{1,2}}{_UNIT})?)"
        rf"|(?P<age2>{_DIGITS}(?:[-\s]{{1,2}}{_UNIT})?)[ \t]{{0,2}}[,/][ \t]{{0,2}}(?P<sex2>{_SEX_WORD}|{_SEX_LETTER})",
        _FLAGS)),
)
# "her 30-year-old mother": an age that describes someone else.
_RELATIVE_AFTER = re.compile(
    r"[ \t,]{0,3}(?:[a-z]{1,20}[ \t-]{1,2}){0,2}?"
    r"(?:mother|father|parents?|sister|brother|siblings?|husband|wife|spouse|partner|son|daughter"
    r"|grandmother|grandfather|aunt|uncle|cousin)\b",
    _FLAGS,
)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


@dataclass(frozen=True, slots=True)
class Mention:
    """One statement of an age (in years) or a sex, where it is and how strongly it answers."""

    field: Field
    value: float | str
    start: int
    end: int
    strength: int
    rule: str


def years(quantity: str, fallback_unit: str = "year") -> float:
    """``"2 years and 3 months"`` -> 2.25; a part without a unit takes ``fallback_unit``."""
    total = 0.0
    for part in _PART.finditer(quantity):
        unit = _unit_key(part["unit"]) if part["unit"] else fallback_unit
        total += _number_value(part["number"]) * _YEARS_PER_UNIT[unit]
    return round(total, 4)


def _number_value(text: str) -> float:
    words = re.split(r"[-\s]+", text.lower())
    if words[0] in _WORD_VALUE:
        return float(sum(_WORD_VALUE[w] for w in words))
    return float(text)


def _unit_key(unit: str) -> str:
    """The grammar's units differ in their first letter: "yrs" -> year, "mos" -> month."""
    return {"y": "year", "m": "month", "w": "week", "d": "day", "h": "hour"}[unit[0].lower()]


def _quantities_in_field(field: str, start: int) -> Iterator[tuple[float, int]]:
    """Every age in a labeled field, with where it ends; a bare number takes the field's last unit."""
    found = list(_QUANTITY_IN_FIELD.finditer(field))
    units = [_unit_key(p["unit"]) for m in found for p in _PART.finditer(m.group()) if p["unit"]]
    fallback = units[-1] if units else "year"
    for m in found:
        yield years(m.group(), fallback), start + m.end()
    for m in _NEWBORN.finditer(field):
        yield 0.0, start + m.end()


def find_mentions(text: str, max_age_years: float) -> list[Mention]:
    """Every age and sex statement in (masked) ``text``, by every rule."""
    mentions: list[Mention] = []
    for m in _LABELED_AGE.finditer(text):
        for age, end in _quantities_in_field(m["field"], m.start("field")):
            if age <= max_age_years:
                mentions.append(Mention("age", age, m.start(), end, LABELED, "age-label"))
    for m in _LABELED_SEX.finditer(text):
        for s in _SEX_IN_FIELD.finditer(m["field"]):
            sex = _SEX_OF_WORD[s.group().lower()]
            mentions.append(Mention("sex", sex, m.start(), m.start("field") + s.end(), LABELED, "sex-label"))
    for rule, strength, pattern in _RULES:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            age_text, sex_text = groups.get("age") or groups.get("age2"), groups.get("sex") or groups.get("sex2")
            if age_text is not None:
                age = years(age_text)
                if age > max_age_years or (strength == DESCRIPTIVE and _RELATIVE_AFTER.match(text, m.end())):
                    continue  # not the patient's age ("a 500M file", "her 30-year-old mother"): skip the match
                mentions.append(Mention("age", age, m.start(), m.end(), strength, rule))
            if sex_text is not None:
                mentions.append(Mention("sex", _SEX_OF_WORD[sex_text.lower()], m.start(), m.end(), strength, rule))
    for m in _NEWBORN.finditer(text):
        mentions.append(Mention("age", 0.0, m.start(), m.end(), WEAK, "newborn"))
    return mentions


def _sentence_ends(text: str, mentions: list[Mention]) -> list[int]:
    """Sentence boundaries, except the dots inside a mention ("45 y.o. Male")."""
    covered: list[list[int]] = []  # the mentions' spans, merged where they overlap
    for start, end in sorted((m.start, m.end) for m in mentions):
        if covered and start <= covered[-1][1]:
            covered[-1][1] = max(covered[-1][1], end)
        else:
            covered.append([start, end])
    starts = [start for start, _ in covered]
    ends: list[int] = []
    for boundary in _SENTENCE_END.finditer(text):
        i = bisect.bisect_right(starts, boundary.start()) - 1
        if i < 0 or boundary.start() >= covered[i][1]:
            ends.append(boundary.start())
    return ends


def choose(mentions: list[Mention], field: Field, sentence_ends: list[int]) -> list[Mention]:
    """The mentions that state ``field`` as the answer: the strongest rule's, in its scope."""
    own = [m for m in mentions if m.field == field]
    if not own:
        return []
    strongest = max(m.strength for m in own)
    chosen = sorted((m for m in own if m.strength == strongest), key=lambda m: m.start)
    if strongest == LABELED:
        return chosen
    first_sentence = bisect.bisect_right(sentence_ends, chosen[0].start)
    return [m for m in chosen if bisect.bisect_right(sentence_ends, m.start) == first_sentence]


class PatientAgeSexParser(medmetrics.Parser):
    """Age (in years) and sex of the patient, as MedS-Bench PMC-Patients asks for them."""

    name = "patient_age_sex"
    version = "1"
    defaults: ClassVar[Mapping[str, Any]] = {"max_age_years": 130}

    def validate(self, settings: Mapping[str, Any]) -> None:
        limit = settings["max_age_years"]
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit > 0:
            raise medmetrics.InputError(f"max_age_years must be a positive number, got {limit!r}")

    def read(self, text: str, settings: Mapping[str, Any]) -> medmetrics.Parsed:
        masked, why_empty = prepare(text)
        if why_empty is not None:
            return medmetrics.Parsed(None, "empty" if not text.strip() else "failed", reason=why_empty)
        mentions = find_mentions(masked, float(settings["max_age_years"]))
        ends = _sentence_ends(masked, mentions)
        chosen = {field: choose(mentions, field, ends) for field in ("age", "sex")}
        values: dict[str, list[Any]] = {field: sorted({m.value for m in found}) for field, found in chosen.items()}
        used = chosen["age"] + chosen["sex"]
        if not used:
            return medmetrics.Parsed(None, "failed", reason="no age or sex of a patient found")
        span = (min(m.start for m in used), max(m.end for m in used))
        rule = ",".join(f"{field}:{found[0].rule}" for field, found in chosen.items() if found)
        conflicts = [f"{_PLURAL[field]} {' / '.join(map(str, v))}" for field, v in values.items() if len(v) > 1]
        if conflicts:
            candidates = tuple(v for found in values.values() if len(found) > 1 for v in found)
            return medmetrics.Parsed(None, "ambiguous", reason=f"conflicting {'; '.join(conflicts)}", rule=rule,
                                     span=span, candidates=candidates)
        value = {"age_years": values["age"][0] if values["age"] else None,
                 "sex": values["sex"][0] if values["sex"] else None}
        missing = [field for field, v in values.items() if not v]
        if missing:
            return medmetrics.Parsed(value, "partial", reason=f"no {missing[0]} found", rule=rule, span=span)
        return medmetrics.Parsed(value, "ok", rule=rule, span=span)
