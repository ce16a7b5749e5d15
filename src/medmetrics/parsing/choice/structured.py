"""Answers given as JSON: ``{"step_by_step_thinking": "...", "answer_choice": "B"}``.

Models asked for JSON write it valid, truncated, with single quotes or trailing commas, inside
code fences or bold, with prose around it. So the object is not parsed as JSON: its quoted keys
are found where a key can stand (after ``{``, ``,`` or a line break), and the values of the
answer-like keys are kept while everything else is masked. The choice tiers then read those
values as they read any answer, and a letter named in a reasoning field never counts.
"""

from __future__ import annotations

from typing import NamedTuple

from medmetrics.parsing.choice.vocabulary import ANSWER_KEYS, JSON_KEY, NESTED_ANSWER_KEYS
from medmetrics.parsing.text import blank


class AnswerFields(NamedTuple):
    """The answer keys found (empty: a JSON object without one) and the text with only their values."""

    keys: tuple[str, ...]
    masked: str


def answer_fields(masked: str) -> AnswerFields | None:
    """The answer fields of a JSON answer in ``masked``, or None when it holds no JSON object."""
    if "{" not in masked or ":" not in masked:
        return None
    keys: list[str] = []
    values: list[tuple[int, int]] = []
    if not _collect(masked, masked.find("{"), len(masked), ANSWER_KEYS, keys, values):
        return None
    kept = masked
    cursor = 0
    for start, end in values:
        kept = blank(kept, cursor, start)
        cursor = end
    return AnswerFields(tuple(dict.fromkeys(keys)), blank(kept, cursor, len(kept)) if values else masked)


def _collect(text: str, lo: int, hi: int, wanted: frozenset[str], keys: list[str],
             values: list[tuple[int, int]], nested: bool = False) -> bool:
    """Add the keys in ``wanted`` found between ``lo`` and ``hi`` and their value spans; an answer
    field holding an object contributes the answer-like fields inside it (one level deep, so a
    parse stays linear). Returns whether any key was found at all."""
    found = False
    taken = lo
    for match in JSON_KEY.finditer(text, lo, hi):
        if match.start() < taken:
            continue  # a quoted "key": inside a value already taken
        found = True
        key = "_".join(match.group(2).lower().replace("-", " ").split())
        if key not in wanted:
            continue
        keys.append(match.group(2))
        if text.startswith("{", match.end()):
            taken = _object_end(text, match.end(), hi)
            if not nested:
                _collect(text, match.end(), taken, NESTED_ANSWER_KEYS, keys, values, nested=True)
        else:
            span = _value_span(text, match.end())
            values.append(span)
            taken = span[1]
    return found


def _object_end(text: str, pos: int, hi: int) -> int:
    """Where the object opening at ``pos`` closes (braces inside strings aside), or ``hi``."""
    depth = 0
    quote = ""
    for i in range(pos, hi):
        char = text[i]
        if quote:
            if char == quote and text[i - 1] != "\\":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return hi


def _value_span(text: str, pos: int) -> tuple[int, int]:
    """The characters of the value at ``pos``, without its quotes; a cut-off string runs to the end."""
    if pos < len(text) and text[pos] in "\"'":
        quote = pos
        end = quote + 1
        while True:
            end = text.find(text[quote], end)
            if end < 0:
                return quote + 1, len(text)
            if text[end - 1] != "\\":
                return quote + 1, end
            end += 1
    end = pos
    while end < len(text) and text[end] not in ",}\n":
        end += 1
    return pos, end
