"""Read BIO tag sequences and align them to the gold tokens.

Styles read (the one with the most tagged words wins):

- ``bracket``: MedINST's "fever [B-Disease] and [O]", typed or untyped ("fever [B]"); tags in
  brackets may be lowercase;
- ``slash``: "fever/B-Disease and/O";
- ``columns``: one "word TAG" line per token, tab- or space-separated (CoNLL; extra middle
  columns are ignored).

Words between two tagged words that carry no tag are read as ``O`` words; text before the first
and after the last tagged word (reasoning, "Answer:", explanations) is not part of the sentence.

Tags: the prefix is upper-cased and ``_`` becomes ``-`` (``b_disease`` -> ``B-disease``); with
``types`` declared, the type is matched leniently (case, plural, separators) and written as
declared, and an undeclared type is kept as written and reported (status ``partial``). Untyped
tags ("B", "I", "O") are kept as given. With ``scheme``, tags whose prefix the scheme does not
use (an ``S-`` in IOB2) are kept and reported.

With the gold ``tokens`` (per-item context), the predicted words are aligned to them: a
``difflib.SequenceMatcher`` over case-folded words finds the words that agree, and each
stretch between them is aligned character by character, so dropped, added, re-cased, merged
("IL-2" for "IL", "-", "2") and split words land on the right gold tokens and one dropped word
never shifts the tags after it (MedINST pads or cuts the tag list, which does). A gold word split
by the model takes the first piece's tag and continues it (``B-X`` then ``I-X``); a gold token
with no predicted word gets ``O``. The value is one tag per gold token, ready for ``seqeval``,
and the reason says how many gold tokens aligned (``partial`` when not all). Without
``tokens`` the value is the predicted tag list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

from medmetrics.errors import InputError
from medmetrics.options import Options, option
from medmetrics.parsing.base import Parser
from medmetrics.parsing.mentions import resolve_type
from medmetrics.parsing.text import fold
from medmetrics.results import Parsed

_TAG = r"(?:O|[BIESLU](?:[-_][^\s\[\]/]{1,40})?)"
_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bracket", re.compile(r"\[[ \t]*(?P<tag>O|[BIESLU](?:[-_][^\[\]\n]{1,40}?)?)[ \t]*\]", re.IGNORECASE)),
    ("columns", re.compile(rf"^[ \t]*(?P<word>\S+)(?:[ \t]+\S+){{0,3}}?[ \t]+(?P<tag>{_TAG})[ \t]*$", re.MULTILINE)),
    ("slash", re.compile(rf"(?<!\S)(?P<word>\S+)/(?P<tag>{_TAG})(?!\S)")),
)
SCHEME_PREFIXES = {"IOB1": "BI", "IOB2": "BI", "IOE1": "IE", "IOE2": "IE", "IOBES": "BIES", "BILOU": "BILU"}
#: Pairs beyond which word alignment lets difflib skip very frequent words (it stays near-linear).
_EXACT_ALIGNMENT_LIMIT = 250_000


def read_tagged_words(masked: str) -> tuple[str, list[str], list[str]]:
    """(style, words, raw tags) of the style that tags the most words; words may be empty."""
    best: tuple[str, list[str], list[str]] = ("", [], [])
    for style, pattern in _STYLES:
        if style == "slash" and "/" not in masked:
            continue  # cannot match: skip the scan
        matches = list(pattern.finditer(masked))
        if len(matches) <= len(best[1]):
            continue
        words: list[str] = []
        tags: list[str] = []
        previous_end = None
        for match in matches:
            if style == "bracket":
                before = masked[previous_end if previous_end is not None else masked.rfind("\n", 0, match.start()) + 1:
                                match.start()].split()
                if not before:  # a tag with no word before it ("[B] [I]")
                    previous_end = match.end()
                    continue
                untagged, word = before[:-1] if previous_end is not None else [], before[-1]
            else:
                between = masked[previous_end:match.start()] if previous_end is not None else ""
                untagged = between.split() if style == "slash" else []
                word = match.group("word")
            words.extend(untagged)
            tags.extend("O" * len(untagged))
            words.append(word)
            tags.append(match.group("tag"))
            previous_end = match.end()
        if len(words) > len(best[1]):
            best = (style, words, tags)
    return best


def normalize_tag(raw: str, types: Sequence[str] | None) -> tuple[str, str | None]:
    """(tag, undeclared type or None): prefix upper-cased, ``_`` -> ``-``, type as declared."""
    prefix, kind = raw[0].upper(), raw[2:].strip()
    if prefix == "O" or not kind:
        return prefix, None
    declared_kind, declared = resolve_type(kind, types)
    return f"{prefix}-{declared_kind}", None if declared else declared_kind


def split_tag(tag: str, pieces: int) -> list[str]:
    """The tags of one predicted word that covers ``pieces`` gold tokens, in its scheme."""
    if pieces == 1 or tag == "O":
        return [tag] * pieces
    prefix, rest = tag[0], tag[1:]
    first = {"B": "B", "S": "B", "U": "B"}.get(prefix, "I")
    last = {"E": "E", "S": "E", "L": "L", "U": "L"}.get(prefix, "I")
    return [first + rest, *["I" + rest] * (pieces - 2), last + rest]


def _chars(words: Sequence[str]) -> tuple[str, list[int]]:
    """The words joined without spaces, and the word owning each character."""
    owner: list[int] = []
    for index, word in enumerate(words):
        owner.extend([index] * len(word))
    return "".join(words), owner


def _align_stretch(predicted: Sequence[str], gold: Sequence[str]) -> list[list[int]]:
    """For each gold token of a stretch, the predicted words (indices, in order) that cover it.

    Characters are aligned; a word covers a token when at least half of the token's or of the
    word's characters match between them, so a typo still aligns and an unrelated word does not.
    """
    p_text, p_owner = _chars(predicted)
    g_text, g_owner = _chars(gold)
    blocks = [(0, 0, len(g_text))] if p_text == g_text else [
        (block.a, block.b, block.size) for block in SequenceMatcher(
            None, p_text, g_text, autojunk=len(p_text) * len(g_text) > _EXACT_ALIGNMENT_LIMIT).get_matching_blocks()]
    shared: dict[tuple[int, int], int] = {}
    for a, b, size in blocks:
        for offset in range(size):
            pair = (g_owner[b + offset], p_owner[a + offset])
            shared[pair] = shared.get(pair, 0) + 1
    covering: list[list[int]] = [[] for _ in gold]
    for (token, word), count in sorted(shared.items()):
        if 2 * count >= min(len(gold[token]), len(predicted[word])):
            covering[token].append(word)
    return covering


def align_tags(words: Sequence[str], tags: Sequence[str], tokens: Sequence[str]) -> tuple[list[str], int]:
    """One tag per gold token, and how many gold tokens a predicted word covers."""
    folded_words = [fold(w) for w in words]
    folded_tokens = [fold(t) for t in tokens]
    matcher = SequenceMatcher(None, folded_words, folded_tokens,
                              autojunk=len(words) * len(tokens) > _EXACT_ALIGNMENT_LIMIT)
    out = ["O"] * len(tokens)
    aligned = 0
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            out[j1:j2] = tags[i1:i2]
            aligned += j2 - j1
        elif operation == "replace":
            covering = _align_stretch(folded_words[i1:i2], folded_tokens[j1:j2])
            owners: dict[int, list[int]] = {}
            for j, words_of_token in enumerate(covering):
                if words_of_token:
                    aligned += 1
                    chosen = next((w for w in words_of_token if tags[i1 + w] != "O"), words_of_token[0])
                    owners.setdefault(chosen, []).append(j)
            for word, gold_positions in owners.items():
                for j, tag in zip(gold_positions, split_tag(tags[i1 + word], len(gold_positions))):
                    out[j1 + j] = tag
    return out, aligned


@dataclass(frozen=True)
class BioOptions(Options):
    types: tuple[str, ...] | None = option(
        None, "declared entity types: tag types matched leniently and written as declared; others kept and reported")
    scheme: Literal["IOB1", "IOB2", "IOE1", "IOE2", "IOBES", "BILOU"] | None = option(
        None, "the tagging scheme: tags with a prefix it does not use are kept and reported")


@dataclass(frozen=True)
class BioContext(Options):
    tokens: tuple[str, ...] | None = option(None, "the gold tokens of the item: the value then has one tag per token")


class BioParser(Parser):
    """BIO tags per token (see the module docstring)."""

    name = "bio"
    # 2: "Participants: ... / Interventions: ... / Outcomes: ..." lines onto the gold tokens;
    # 3: chat-template tokens masked
    version = "3"
    options_class = BioOptions
    context_class = BioContext

    def validate(self, settings: Mapping[str, Any]) -> None:  # per-item context too: checked on every item
        for key in ("tokens", "types"):
            value = settings.get(key)
            if value is not None and (isinstance(value, (str, bytes)) or not isinstance(value, Sequence)
                                      or not all(isinstance(v, str) for v in value)):
                raise InputError(f"{key!r} must be a list of strings, got {value!r:.80}")
        scheme = settings.get("scheme")
        if scheme is not None and scheme not in SCHEME_PREFIXES:
            raise InputError(f"'scheme' must be one of {', '.join(SCHEME_PREFIXES)}, got {scheme!r}")

    def read_masked(self, text: str, masked: str, settings: Mapping[str, Any]) -> Parsed:
        style, words, raw_tags = read_tagged_words(masked)
        if not words and settings.get("tokens") is not None:
            lines = _typed_lines_as_tags(text, settings["tokens"], settings.get("types"))
            if lines is not None:  # "Participants: ... / Interventions: ... / Outcomes: ..." (BioMistral-NLU)
                return lines
        if not words:
            return Parsed(None, "failed", reason="no tagged words (word [TAG], word/TAG or 'word TAG' lines) found")
        types = settings.get("types")
        tags: list[str] = []
        undeclared: list[str] = []
        for raw in raw_tags:
            tag, unknown = normalize_tag(raw, types)
            tags.append(tag)
            if unknown is not None:
                undeclared.append(unknown)
        notes: list[str] = []  # problems with the tags themselves
        if undeclared:
            shown = ", ".join(repr(t) for t in dict.fromkeys(undeclared))
            notes.append(f"{len(undeclared)} tag(s) of undeclared types {shown} (kept as written)")
        scheme = settings.get("scheme")
        if scheme is not None:
            outside = sum(1 for t in tags if t != "O" and t[0] not in SCHEME_PREFIXES[scheme])
            if outside:
                notes.append(f"{outside} tag(s) with a prefix {scheme} does not use")
        partial = bool(notes)
        tokens = settings.get("tokens")
        if tokens is not None:
            tags, aligned = align_tags(words, tags, tokens)
            partial = partial or aligned < len(tokens)
            if aligned < len(tokens) or len(words) != len(tokens):
                notes.insert(0, f"aligned {aligned} of {len(tokens)} gold tokens ({len(words)} predicted words)")
        return Parsed(tags, "partial" if partial else "ok", reason="; ".join(notes), rule=style)


#: The names "Type: span...span" lines give the PICO classes (BioMistral-NLU's EBM-PICO prompt).
PICO_NAMES = {"participants": "PAR", "participant": "PAR", "population": "PAR", "patients": "PAR",
              "interventions": "INT", "intervention": "INT", "outcomes": "OUT", "outcome": "OUT"}
_TOKEN_EDGE = " \t\r\n.,;:\"'()[]"


def _typed_lines_as_tags(text: str, tokens: Sequence[str], types: Sequence[str] | None) -> Parsed | None:
    """Tags for ``tokens`` from "Type: span...span" lines: each span found as a run of the tokens
    (case-insensitive, in order of appearance, each token tagged once) and tagged B-/I- with its
    type; None when the text has no such lines. Read by the ``labeled_spans`` parser, so the
    lines are read as it reads them."""
    from medmetrics.parsing.mentions import LabeledSpansParser

    lines = LabeledSpansParser().parse(text)
    if lines.status not in ("ok", "partial") or lines.rule != "typed-lines":
        return None
    folded = [fold(t) for t in tokens]
    starts: dict[str, list[int]] = {}
    for i, token in enumerate(folded):
        starts.setdefault(token, []).append(i)
    tags = ["O"] * len(tokens)
    missing, undeclared = 0, []
    for mention in lines.value or ():
        written = str(mention["type"])
        kind = PICO_NAMES.get(written.strip().lower(), written)
        kind = resolve_type(kind, types)[0] if types else kind
        if types and kind not in types:
            undeclared.append(written)
            continue
        words = [fold(w.strip(_TOKEN_EDGE)) for w in str(mention["text"]).split()]
        words = [w for w in words if w]
        at = next((i for i in starts.get(words[0], ()) if words and folded[i:i + len(words)] == words
                   and all(t == "O" for t in tags[i:i + len(words)])), None) if words else None
        if at is None:
            missing += 1
            continue
        tags[at:at + len(words)] = [f"B-{kind}"] + [f"I-{kind}"] * (len(words) - 1)
    notes = []
    if missing:
        notes.append(f"{missing} span(s) not found among the gold tokens")
    if undeclared:
        notes.append(f"lines of undeclared types {', '.join(repr(t) for t in dict.fromkeys(undeclared))}")
    return Parsed(tags, "partial" if notes else "ok", reason="; ".join(notes), rule="typed-lines")

