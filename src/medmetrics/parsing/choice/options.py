"""The question side of a multiple-choice item: its valid letters and its indexed option texts."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from medmetrics.errors import InputError
from medmetrics.parsing.text import squash

if TYPE_CHECKING:
    from medmetrics.parsing.choice.reader import Item

DEFAULT_LETTERS = "ABCDE"

@dataclass(frozen=True)
class LetterSet:
    """The valid letters of one question, in order."""

    letters: tuple[str, ...]

    @cached_property
    def valid(self) -> frozenset[str]:
        return frozenset(self.letters)

    def describe(self) -> str:
        """``A-D`` for a run, else the letters listed."""
        run = "".join(self.letters)
        if len(run) > 2 and run in string.ascii_uppercase:
            return f"{run[0]}-{run[-1]}"
        return ", ".join(self.letters)

    @cached_property
    def rank(self) -> Mapping[str, int]:
        return {letter: i for i, letter in enumerate(self.letters)}

    def valid_in(self, items: Sequence[Item]) -> tuple[str, ...]:
        """The distinct valid letters of ``items``, in option order."""
        valid = self.valid
        return self.order([item.letter for item in items if item.letter in valid])

    def order(self, letters: Sequence[str]) -> tuple[str, ...]:
        """Distinct letters in option order (letters outside the set last, alphabetically)."""
        distinct = set(letters)
        if len(distinct) == 1:
            return tuple(distinct)
        rank = self.rank
        return tuple(sorted(distinct, key=lambda x: (rank.get(x, len(rank)), x)))


@dataclass(frozen=True)
class OptionIndex:
    """Option texts squashed for matching, longest first, so "fever and rash" beats "fever"."""

    longest_first: tuple[tuple[str, str], ...]  # (squashed text, letter)
    by_text: Mapping[str, tuple[str, ...]]
    own: Mapping[str, str]  # letter -> squashed text
    longest: int


@lru_cache(maxsize=256)
def letter_set(letters: str | tuple[str, ...] | None, n_options: int | None) -> LetterSet:
    """Check and normalize the ``letters``/``options`` context; raise ``InputError`` if malformed."""
    if letters is None:
        chosen: tuple[str, ...] = tuple(string.ascii_uppercase if n_options is not None else DEFAULT_LETTERS)
    else:
        chosen = tuple(letters)
        bad = [x for x in chosen if not (isinstance(x, str) and len(x) == 1 and x in string.ascii_letters)]
        if bad:
            raise InputError(f"letters must be single ASCII letters, got {bad[0]!r} in {letters!r}")
        chosen = tuple(x.upper() for x in chosen)
        if len(set(chosen)) != len(chosen):
            raise InputError(f"letters must not repeat (case-insensitively): {letters!r}")
    if not chosen:
        raise InputError("letters must not be empty")
    if n_options is not None:
        if len(chosen) < n_options:
            raise InputError(f"{n_options} options need {n_options} letters, only {len(chosen)} available")
        chosen = chosen[:n_options]
    return LetterSet(chosen)


# An option text that repeats a letter before its text: "B. fever", "(B) fever", "B: fever".
_OWN_LETTER = re.compile(r"[ \t]*[(\[]?([A-Za-z])[)\].:][ \t]*(?=\S)")


@lru_cache(maxsize=4096)
def option_index(options: tuple[str, ...], letters: LetterSet) -> OptionIndex:
    """Index the option texts; a leading copy of the option's own letter ("B. fever") is dropped."""
    pairs: list[tuple[str, str]] = []
    own: dict[str, str] = {}
    for letter, option in zip(letters.letters, options):
        prefix = _OWN_LETTER.match(option)
        own_prefix = prefix is not None and prefix.group(1).upper() == letter
        text = squash(option[prefix.end():] if own_prefix else option)  # type: ignore[union-attr]
        if text:
            pairs.append((text, letter))
            own[letter] = text
    by_text: dict[str, tuple[str, ...]] = {}
    for text, letter in pairs:
        by_text[text] = (*by_text.get(text, ()), letter)
    pairs.sort(key=lambda pair: -len(pair[0]))
    return OptionIndex(tuple(pairs), by_text, own, max((len(t) for t, _ in pairs), default=0))


def options_tuple(options: Any) -> tuple[str, ...] | None:
    if options is None:
        return None
    if isinstance(options, (str, bytes)) or not isinstance(options, Sequence):
        raise InputError(f"options must be a list of option texts, got {type(options).__name__}: {options!r:.80}")
    bad = [o for o in options if not isinstance(o, str)]
    if bad:
        raise InputError(f"options must all be str, got {type(bad[0]).__name__}: {bad[0]!r:.60}")
    if not options:
        raise InputError("options must not be empty (pass None when the option texts are unknown)")
    return tuple(options)


def letters_key(letters: Any) -> str | tuple[str, ...] | None:
    if letters is None or isinstance(letters, str):
        return letters
    if isinstance(letters, Sequence):
        return tuple(letters)
    raise InputError(f"letters must be a string or a list of letters, got {type(letters).__name__}")


