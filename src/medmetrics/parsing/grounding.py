"""Locate predicted mentions in the source text: character offsets, or flagged as ungrounded.

Every mention parser grounds its mentions here when the per-item context ``source`` is given.

- Comparison is on a *folded view* of the source (``fold`` per character, every run of white
  space one space), with a map back to source positions, so offsets always point at the
  source's own characters while case, width and white space may differ ("Heart  Failure" finds
  "heart failure").
- Repeated mentions are matched in order of appearance: the second "fever" a model lists gets
  the second occurrence. Occurrences at word boundaries come first; a match inside a word
  ("rash" in "thrash") is used only when no whole-word occurrence is left.
- A mention that still does not occur is tried with all white space removed on both sides
  ("7,22-diene" in a pre-tokenized "7 , 22 - diene").
- A mention that does not occur at all, or whose occurrences are used up, keeps ``start`` and
  ``end`` ``None``: it is ungrounded and will be a false positive, never silently dropped.

The folded view and an index of its words are built once per source; a mention costs a look-up
in that index, and one scan of the view only when it occurs inside a word or not at all.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from medmetrics.parsing.text import fold

#: One predicted mention: ``{"type": str | None, "text": str, "start": int | None, "end": int | None}``.
Mention = dict[str, Any]


def mention(text: str, kind: str | None = None) -> Mention:
    """An ungrounded mention (offsets ``None``)."""
    return {"type": kind, "text": text, "start": None, "end": None}


_NON_SPACE = re.compile(r"\S+")
#: White space the folded view would change: runs, tabs and newlines, and space at either end.
_UNUSUAL_SPACE = re.compile(r"\s\s|[^\S ]|\A\s|\s\Z")


def _folded_view(source: str, keep_space: bool) -> tuple[str, list[int]]:
    """The folded source and, per folded character, the source index it came from (plus the end).

    With ``keep_space`` every white-space run becomes one space; without, white space is dropped.
    Runs of non-space characters are folded whole when folding keeps their length (nearly
    always), character by character otherwise (``ß`` -> ``ss``).
    """
    if keep_space and source.isascii() and not _UNUSUAL_SPACE.search(source):  # the common case
        return source.lower(), list(range(len(source) + 1))
    chars: list[str] = []
    where: list[int] = []
    for match in _NON_SPACE.finditer(source):
        start, end = match.span()
        if keep_space and chars:
            chars.append(" ")
            where.append(start - 1)
        run = match.group()
        folded = run.lower() if run.isascii() else fold(run)
        if len(folded) == len(run):
            chars.append(folded)
            where.extend(range(start, end))
            continue
        for index, char in enumerate(run, start):
            char_folded = fold(char)
            chars.append(char_folded)
            where.extend([index] * len(char_folded))
    where.append(len(source))
    return "".join(chars), where


@functools.lru_cache(maxsize=8192)
def mention_key(text: str, keep_space: bool = True) -> str:
    """A mention text as the folded view spells it."""
    return _folded_view(text, keep_space)[0]


#: A run of word characters: what ``_is_word`` accepts, as the index of a view's words sees it.
_WORD_RUN = re.compile(r"[^\W_]+")


def _is_word(char: str) -> bool:
    return char.isalnum()


@dataclass
class _View:
    """One folded view of the source with the occurrences already handed out, per mention key.

    Whole-word occurrences are looked up through an index of the view's words (a key starting
    with a letter or digit can only occur whole where that word starts), so n mentions of a long
    source cost O(source + n), not O(n x source). Occurrences inside words ("rash" in "thrash")
    are searched for only when no whole-word one is left.
    """

    text: str
    where: list[int]
    pending: dict[str, deque[int]] = field(default_factory=dict)
    inside_added: set[str] = field(default_factory=set)
    found: set[str] = field(default_factory=set)
    firsts: dict[str, int | None] = field(default_factory=dict)
    words: dict[str, list[int]] | None = None

    def take(self, key: str) -> tuple[int, int] | None:
        """Source offsets of the next unused occurrence of ``key``, whole words first."""
        if not key:
            return None
        if key not in self.pending:
            self.pending[key] = deque(self._whole(key))
            if self.pending[key]:
                self.found.add(key)
        queue = self.pending[key]
        if not queue and key not in self.inside_added:
            self.inside_added.add(key)
            queue.extend(self._inside(key))
            if queue:
                self.found.add(key)
        return self.offsets(queue.popleft(), key) if queue else None

    def seen(self, key: str) -> bool:
        """Whether ``key`` occurs at all (its occurrences may be used up)."""
        return key in self.found

    def offsets(self, start: int, key: str) -> tuple[int, int]:
        """Source offsets of ``key`` found at ``start`` of the folded view."""
        return self.where[start], self.where[start + len(key) - 1] + 1

    def first(self, key: str) -> int | None:
        """Where ``key`` first occurs (whole words first); nothing is used up, and it is remembered."""
        if key not in self.firsts:
            whole = self._whole(key)
            inside = self._inside(key, first_only=True) if not whole else []
            self.firsts[key] = whole[0] if whole else inside[0] if inside else None
        return self.firsts[key]

    def _bounded(self, position: int, key: str) -> bool:
        text = self.text
        end = position + len(key)
        return (position == 0 or not (_is_word(text[position - 1]) and _is_word(key[0]))) and (
            end == len(text) or not (_is_word(text[end]) and _is_word(key[-1])))

    def _whole(self, key: str) -> list[int]:
        """Positions of ``key`` at word boundaries, in order."""
        head = _WORD_RUN.match(key)
        if head is None:  # a key that starts with punctuation: no word to look it up by
            return [p for p in self._positions(key) if self._bounded(p, key)]
        if self.words is None:
            self.words = {}
            for word in _WORD_RUN.finditer(self.text):
                self.words.setdefault(word.group(), []).append(word.start())
        return [p for p in self.words.get(head.group(), ()) if self.text.startswith(key, p) and self._bounded(p, key)]

    def _inside(self, key: str, first_only: bool = False) -> list[int]:
        """Positions of ``key`` inside words, in order (the first one only, if asked)."""
        found = []
        for position in self._positions(key):
            if not self._bounded(position, key):
                found.append(position)
                if first_only:
                    break
        return found

    def _positions(self, key: str) -> Iterable[int]:
        position = self.text.find(key)
        while position >= 0:
            yield position
            position = self.text.find(key, position + 1)


class Grounder:
    """Grounds the mentions of one document in its source, handing each occurrence out once."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._spaced = _View(*_folded_view(source, keep_space=True))
        self._bare: _View | None = None  # built only when some mention needs it

    def locate(self, text: str) -> tuple[int, int] | None:
        """Offsets of the next occurrence of ``text``, or None."""
        key = mention_key(text, keep_space=True)
        found = self._spaced.take(key)
        if found is None and not self._spaced.seen(key):  # white space ignored only for texts never found
            found = self._bare_view().take(mention_key(text, keep_space=False))
        return found

    def peek(self, text: str) -> tuple[int, int] | None:
        """Offsets of the first occurrence of ``text`` (whole words first); nothing is used up."""
        for keep_space in (True, False):
            view = self._spaced if keep_space else self._bare_view()
            key = mention_key(text, keep_space)
            if key:
                first = view.first(key)
                if first is not None:
                    return view.offsets(first, key)
        return None

    def _bare_view(self) -> _View:
        if self._bare is None:
            self._bare = _View(*_folded_view(self.source, keep_space=False))
        return self._bare


def ground(mentions: Iterable[Mention], grounder: Grounder | None) -> tuple[list[Mention], int]:
    """The mentions with offsets filled in (in place, in the order given), and how many are ungrounded.

    Without a source (``grounder`` None) nothing is grounded and the count is 0: there was
    nothing to check against.
    """
    listed = list(mentions)
    if grounder is None:
        return listed, 0
    missing = 0
    for item in listed:
        found = grounder.locate(item["text"])
        if found is None:
            missing += 1
            item["start"] = item["end"] = None
        else:
            item["start"], item["end"] = found
    return listed, missing


def ungrounded_note(missing: int, total: int) -> str:
    """The reason text for ungrounded mentions ("" when all were found)."""
    if not missing:
        return ""
    return f"{missing} of {total} mentions not found in the source (kept ungrounded)"
