"""Read entity mentions, relations and events from the list styles models answer NER, RE and NED in.

Parsers (all share the answer-finding, splitting, type-matching and grounding rules below):

- ``entity_list``: "fever, rash", one per line, bullets, "a; b", a JSON list (MedS-Bench NER).
- ``labeled_spans``: one line per type, "Disease: fever...rash" (BioMistral-NLU).
- ``brackets``: "[fever] [rash]", "[fever, Disease]", "[fever, MESH:D005334]", "[aspirin,
  inhibits, COX-1]", "[trigger, EventType, Theme: arg]" (MedINST), chosen by ``kind``; with
  declared ``types``, an untyped "[aspirin, Chemical]" is the mention aspirin of type Chemical.

Values: a mention is ``{"type", "text", "start", "end"}`` (offsets into ``source`` when grounded,
see ``grounding``); a relation ``{"head", "relation", "tail"}``; an NED pair ``{"text", "id"}``;
an event ``{"trigger", "type", "arguments": [{"role", "text"}, ...]}``. An empty list means "no
entities" and is ``ok``; ``empty`` is for a blank generation only.

Where the answer is: reasoning blocks and markdown are masked; inside the last fenced code
block when there is one; after the last answer anchor ("Answer:", "Entities:", "The chemicals
mentioned are:", a header line ending in a colon) when there is one, else the last paragraph;
trailing explanations ("Explanation: ...", "Note: ...") are cut off.

Splitting: on newlines, bullets, ";", "|", "...", "[SEP]" and on a comma followed by white space. A comma
inside a word ("1,2-dichloroethane") never splits, nor does one between the locants of a chemical
name, source or not ("7 , 22 - diene", "2, 3, 7, 8-TCDD", "N , N - dimethyl": a number, primed
number or N/O/S standing alone or spaced from the comma before it, and one after it that a
hyphen or comma follows; "IL-6, 1,2-dichloroethane" splits). With ``source``, pieces are joined
back when their joined text occurs in the source with a comma that is not a list comma there
("7 , 22 - diene" in pre-tokenized text). No-entity sentinels ("None", "N/A", "No entities", "There are no
... mentioned", "[]", MedS-Bench's "There is no related enetity") give an empty list.

Nothing is dropped silently: a mention of an undeclared type is kept with the type as written
and the status is ``partial``; ungrounded mentions are kept and counted in the reason (status
``partial``); an unclosed bracket is reported.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from medmetrics.options import Options, non_blank, option
from medmetrics.parsing.base import Parser
from medmetrics.parsing.engine import unanswered
from medmetrics.parsing.grounding import Grounder, Mention, ground, mention, ungrounded_note
from medmetrics.parsing.text import prepare, squash
from medmetrics.results import Parsed

# ----------------------------------------------------------------------------------------------
# Finding the answer
# ----------------------------------------------------------------------------------------------

_FENCE_INFO = re.compile(r"```[\w+-]{0,20}")
_FENCED_BLOCK = re.compile(r"```[\w+-]{0,20}[ \t]*\n(?P<body>[^`]*)```")
_ANCHOR_NOUNS = (r"answers?|entit(?:y|ies)|enetit(?:y|ies)|mentions?|outputs?|results?|responses?|lists?"
                 r"|relations?|relationships?|triples?|events?|predictions?|extractions?")
#: "Answer:", "Entities:", "The chemical entities mentioned in the text are:", "Final answer is".
_ANCHOR = re.compile(
    rf"(?:^|(?<=[.!?])[ \t])[^\S\n]*(?:[-*•+][ \t]+)?(?:[^\n:.!?]{{0,60}}?\b(?:{_ANCHOR_NOUNS})\b[^\n:.!?\[\]]{{0,60}}?"
    r"(?:[ \t]*:|[ \t]+(?:is|are|include|includes)\b[ \t]*:?)"
    r"|[^\n:.!?\[\]]{1,80}?\b(?:is|are|include|includes)[ \t]*:)",
    re.IGNORECASE | re.MULTILINE,
)
#: "Species: mice" - a short head naming what the list holds.
_LIST_HEAD = re.compile(r"^[ \t]*(?:[-*•+][ \t]+)?[A-Za-z][\w \-]{0,30}:(?=[ \t]*\S)", re.MULTILINE)
#: A line that only introduces what follows ("Here are the diseases:", "Diseases:").
_HEADER_LINE = re.compile(r"^[^\S\n]*[^\n:\[\]]{1,80}:[ \t]*$", re.MULTILINE)
#: Lines and sentences that explain rather than answer.
_EXPLANATION = re.compile(
    r"^[ \t]*(?:[-*•+][ \t]+)?(?:explanation|note|notes|reason|reasoning|rationale|justification|these\s+are"
    r"|this\s+is|the\s+above|i\s+(?:have|found|identified)|in\s+summary|let\s+me)\b",
    re.IGNORECASE | re.MULTILINE,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BULLET = re.compile(r"^[ \t]*(?:[-*•+‣◦]|\d{1,3}[.)])[ \t]+", re.MULTILINE)
#: Answers that say there are no entities.
_SENTINEL = re.compile(
    r"(?:none|nil|null|n/?a|nothing(?:\s+found)?|not\s+(?:applicable|found|mentioned|available)|\[\s*\]|\{\s*\}|-+"
    r"|[^\n,;]{0,80}?\bno(?:\s+\w+){0,3}?\s+(?:entit(?:y|ies)|enetit(?:y|ies)|mentions?|relations?|relationships?"
    r"|triples?|events?|found|identified|detected|present|mentioned)(?:\b[^\n]{0,120})?"
    r"|there\s+(?:are|is|were|was)\s+no\b[^\n]{0,160}"
    r"|(?:the\s+text|it)\s+(?:does\s+not|doesn't)\s+(?:contain|mention)\b[^\n]{0,160})",
    re.IGNORECASE,
)
#: A sentence after the last item: ". " then a capitalised word and at least two more words.
_TRAILING_SENTENCE = re.compile(r"\.[ \t]+(?=[A-Z][a-z]+(?:[ \t]+\S+){2})")
_EDGE = " \t\r\n.;:,\"'“”‘’`*"


def answer_region(text: str) -> tuple[str, str | None]:
    """The part of a generation that holds the answer, and why there is none (or None)."""
    masked, why = prepare(_FENCE_INFO.sub(lambda m: " " * len(m.group(0)), text))
    if why:
        return "", why
    blocks = [block for block in _FENCED_BLOCK.finditer(text) if block.group("body").strip()]
    if blocks:  # a code block holds the answer
        masked = masked[:blocks[-1].end("body")]
        start = blocks[-1].start("body")
    else:
        start = 0
    anchors = list(_ANCHOR.finditer(masked, start))
    if anchors and not masked[anchors[-1].end():].strip():
        return "", None  # "Entities:" and nothing after it
    if anchors:
        start = anchors[-1].end()
    heads = list(_LIST_HEAD.finditer(masked, start))
    if len(heads) == 1 and not masked[start:heads[0].start()].strip():
        start = heads[0].end()
    for match in _HEADER_LINE.finditer(masked, start):
        if masked[match.end():].strip() and not _SENTINEL.fullmatch(match.group(0).strip().rstrip(":")):
            start = match.end()
    anchored = bool(blocks) or start > 0
    region = masked[start:]
    cut = _EXPLANATION.search(region, len(region) - len(region.lstrip()) + 1)
    if cut:
        region = region[:cut.start()]
    if not anchored:  # unanchored: reasoning paragraphs before the answer paragraph
        region = _BLANK_LINE.split(region.strip())[-1]
    return region.strip(), None


def is_sentinel(text: str) -> bool:
    """Whether an answer (or one type's part of it) says there is nothing."""
    return _SENTINEL.fullmatch(text.strip(_EDGE)) is not None


def clean_item(item: str) -> str:
    """One listed item without bullets, quotes, emphasis and end punctuation."""
    item = _BULLET.sub("", item, count=1).strip(_EDGE)
    if len(item) >= 2 and item[0] in "[(" and item[-1] in "])" and item.count(item[0]) == 1:
        item = item[1:-1].strip(_EDGE)
    return item


# ----------------------------------------------------------------------------------------------
# Splitting lists
# ----------------------------------------------------------------------------------------------

# BioMistral-NLU's answers may join spans with "[SEP]" (its evaluator reads it as "...")
_LIST_SEPARATOR = re.compile(r"\n|;|\||\.{3,}|…|\[SEP\]|,(?=\s)")
_ELLIPSIS_SEPARATOR = re.compile(r"\n|\.{3,}|…|\[SEP\]")
#: A comma of a natural list in the source: a character, the comma, white space.
_LIST_COMMA = re.compile(r"\S,\s")
_MAX_JOIN = 4
#: A chemical locant (2, 22, 3', 5a, N, O, S) ending the text before a comma, standing alone or
#: spaced from the comma as pre-tokenized text has it ("- 5 ,"; not the "6" of "IL-6,") ...
_LOCANT_BEFORE = re.compile(r"(?:(?:^|[\s(\[,])(?:\d{1,3}[a-z]?['′]*|[NOS])\s*|(?:\d{1,3}[a-z]?['′]*|[NOS])\s+)$")
#: ... and one starting the text after it, itself followed by a hyphen or another comma:
#: "7 , 22 - diene", "2, 3, 7, 8-tetrachloro", "N , N - dimethyl", "2', 3'-dideoxy".
_LOCANT_AFTER = re.compile(r"\s*(?:\d{1,3}[a-z]?['′]*|[NOS])\s*[,-]")


#: How far before a comma its locant is looked for: the search stays local, so a long list stays linear.
_LOCANT_WINDOW = 24


def _locant_comma(text: str, match: re.Match[str]) -> bool:
    """Whether a comma sits between locants of one chemical name ("7 , 22 - diene"): not a list comma."""
    if match.group(0) != ",":
        return False
    start = match.start()
    # ``^`` matches only at the text's real start, so a window cut mid-line never counts as one
    return (_LOCANT_BEFORE.search(text, max(0, start - _LOCANT_WINDOW), start) is not None
            and _LOCANT_AFTER.match(text, match.end(), match.end() + _LOCANT_WINDOW) is not None)


def split_items(text: str, grounder: Grounder | None, separator: re.Pattern[str] = _LIST_SEPARATOR) -> list[str]:
    """The items of a list, with pieces of one name joined back when the source shows them joined
    (and, with or without a source, never split at a comma between locants of a chemical name)."""
    pieces: list[tuple[int, int]] = []
    position = 0
    for match in separator.finditer(text):
        if _locant_comma(text, match):
            continue
        pieces.append((position, match.start()))
        position = match.end()
    pieces.append((position, len(text)))
    items: list[str] = []
    index = 0
    while index < len(pieces):
        last = index
        if grounder is not None and "," in grounder.source:
            for end in range(min(index + _MAX_JOIN, len(pieces)) - 1, index, -1):
                if _joined_in_source(text[pieces[index][0]:pieces[end][1]], grounder):
                    last = end
                    break
        item = clean_item(text[pieces[index][0]:pieces[last][1]])
        if last == len(pieces) - 1:
            item = _without_trailing_sentence(item, grounder)
        if item:
            items.append(item)
        index = last + 1
    return items


def _joined_in_source(joined: str, grounder: Grounder) -> bool:
    """Whether pieces split at commas form one name in the source (not a list there)."""
    if "\n" in joined or "," not in joined:
        return False
    found = grounder.peek(clean_item(joined))
    return found is not None and not _LIST_COMMA.search(grounder.source[found[0]:found[1]])


def _without_trailing_sentence(item: str, grounder: Grounder | None) -> str:
    """"rash. These are the disease mentions" -> "rash" (unless the source has it all)."""
    match = _TRAILING_SENTENCE.search(item)
    if match is None or (grounder is not None and grounder.peek(item) is not None):
        return item
    return item[:match.start()].strip(_EDGE)


def list_items(region: str, grounder: Grounder | None) -> list[str]:
    """Items of a list answer: a JSON array of strings, or a separated list."""
    stripped = region.strip()
    if stripped.startswith("[") and stripped.endswith("]") and '"' in stripped:
        try:
            loaded = json.loads(stripped)
        except ValueError:
            loaded = None
        if isinstance(loaded, list) and all(isinstance(v, str) for v in loaded):
            return [item for item in (clean_item(v) for v in loaded) if item]
    if stripped.startswith("[") and stripped.endswith("]") and stripped.count("[") == 1:
        stripped = stripped[1:-1]
    return split_items(stripped, grounder)


# ----------------------------------------------------------------------------------------------
# Types
# ----------------------------------------------------------------------------------------------


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def type_key(name: str) -> str:
    """What spellings of one type share: case, plural, spaces/underscores/hyphens ignored."""
    return "".join(_singular(word) for word in squash(name).split())


@functools.lru_cache(maxsize=256)
def _type_table(types: tuple[str, ...]) -> dict[str, str]:
    return {type_key(t): t for t in types}


def resolve_type(written: str, types: Sequence[str] | None) -> tuple[str, bool]:
    """(declared type, True), or (the type as written, False) when it is not declared."""
    written = written.strip(_EDGE)
    if not types:
        return written, True
    declared = _type_table(tuple(types)).get(type_key(written))
    return (declared, True) if declared is not None else (written, False)


# ----------------------------------------------------------------------------------------------
# The parsers
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MentionContext(Options):
    source: str | None = option(None, "the source text of the item: mentions are grounded in it")


@dataclass(frozen=True)
class EntityListOptions(Options):
    entity_type: str | None = option(None, "the type every mention gets (single-type tasks), else None")


@dataclass(frozen=True)
class LabeledSpansOptions(Options):
    types: tuple[str, ...] | None = option(None, "the declared entity types", check=non_blank)


@dataclass(frozen=True)
class BracketsOptions(Options):
    kind: Literal["entities", "typed_entities", "ids", "relations", "events"] = option(
        "entities", "what each [...] group holds")
    types: tuple[str, ...] | None = option(
        None, "declared entity (or event) types, matched leniently; others are kept and reported", check=non_blank)
    relations: tuple[str, ...] | None = option(
        None, "declared relation labels: they tell head from tail when a name holds commas", check=non_blank)


class MentionParser(Parser):
    """Shared options, context and result building of the mention parsers."""

    context_class = MentionContext

    @staticmethod
    def grounder(settings: Mapping[str, Any]) -> Grounder | None:
        source = settings.get("source")
        return Grounder(source) if source is not None else None

    @staticmethod
    def finish(mentions: list[Mention], grounder: Grounder | None, rule: str, notes: Iterable[str] = ()) -> Parsed:
        """Ground the mentions and say what is not right about them (status ``partial``)."""
        grounded, missing = ground(mentions, grounder)
        reasons = [note for note in (*notes, ungrounded_note(missing, len(grounded))) if note]
        return Parsed(grounded, "partial" if reasons else "ok", reason="; ".join(reasons), rule=rule)


def _undeclared_note(unknown: list[str]) -> str:
    shown = ", ".join(repr(t) for t in dict.fromkeys(unknown))
    return f"{len(unknown)} mention(s) of undeclared types {shown} (kept with the type as written)" if unknown else ""


class EntityListParser(MentionParser):
    """Mentions listed with commas, semicolons, newlines or bullets (see the module docstring)."""

    name = "entity_list"
    version = "2"  # 2: chat-template tokens masked, "[SEP]" splits
    options_class = EntityListOptions

    def read(self, text: str, settings: Mapping[str, Any]) -> Parsed:
        region, why = answer_region(text)
        if why:
            return unanswered(text, why)
        if not region:
            return Parsed(None, "failed", reason="nothing after the answer prefix")
        if is_sentinel(region):
            return Parsed([], "ok", rule="none")
        grounder = self.grounder(settings)
        kind = settings.get("entity_type")
        items = list_items(region, grounder)
        if not items:
            return Parsed(None, "failed", reason="no list items found")
        return self.finish([mention(item, kind) for item in items], grounder, "list")


# A head starts at its first non-blank (or is the one blank before the colon), so a line of blanks
# is tried once rather than once per split of it between the blanks and the head (tests/test_redos.py).
_TYPE_LINE = re.compile(r"^[ \t]*(?:[-*•+][ \t]+)?(?P<head>[^:\n \t][^:\n]{0,59}?|[ \t](?=:))"
                        r"[ \t]*:[ \t]*(?P<body>[^\n]*)$", re.MULTILINE)
_HEAD = re.compile(r"[ \t]*(?:[-*•+][ \t]+)?(?P<head>[^:\n \t][^:\n]{0,59}?|[ \t](?=:))[ \t]*:[ \t]*")
#: Heads of "X: ..." lines that are not entity types.
_NOT_TYPES = frozenset({
    "answer", "final answer", "output", "entity", "entities", "named entity", "named entities", "note", "explanation",
    "reason", "reasoning", "rationale", "justification", "step", "analysis", "summary", "text", "input", "sentence",
    "context", "source", "question", "task", "result", "response", "example", "thought", "thinking",
})
#: First words of prose before a colon ("Let me look: ...", "Here is the list: ...").
_PROSE_STARTS = frozenset({"let", "first", "second", "then", "next", "finally", "step", "here", "so", "therefore",
                           "thus", "now", "i", "we", "the", "this", "these", "it", "in", "based", "looking", "okay"})


class LabeledSpansParser(MentionParser):
    """BioMistral-NLU's "Type: span1...span2" lines (see the module docstring)."""

    name = "labeled_spans"
    version = "2"  # 2: chat-template tokens masked, "[SEP]" splits
    options_class = LabeledSpansOptions

    def before_masking(self, text: str) -> str:
        return _FENCE_INFO.sub(lambda m: " " * len(m.group(0)), text)  # "```yaml": a fence's tag is no type

    def read_masked(self, text: str, masked: str, settings: Mapping[str, Any]) -> Parsed:
        types = settings.get("types")
        grounder = self.grounder(settings)
        mentions: list[Mention] = []
        unknown: list[str] = []
        lines = 0
        for match in _TYPE_LINE.finditer(masked):
            head, body_start, line_end = match.group("head").strip(_EDGE), match.start("body"), match.end("body")
            # "Answer: Disease: fever": the head after a non-type, read in place (linear in the line)
            while squash(head) in _NOT_TYPES and (inner := _HEAD.match(masked, body_start, line_end)):
                head, body_start = inner.group("head").strip(_EDGE), inner.end()
            body = masked[body_start:line_end]
            kind, declared = resolve_type(head, types)
            if not declared and not self._could_be_type(head):
                continue
            lines += 1
            if not body.strip(_EDGE) or is_sentinel(body):
                continue
            separator = _ELLIPSIS_SEPARATOR if ("..." in body or "…" in body or "[SEP]" in body) else _LIST_SEPARATOR
            for item in split_items(body, grounder, separator):
                mentions.append(mention(item, kind))
                if not declared:
                    unknown.append(kind)
        if not lines:
            region, _ = answer_region(text)
            if region and not is_sentinel(region):
                return Parsed(None, "failed", reason="no 'Type: span...span' line found")
            return Parsed([], "ok", rule="none")
        return self.finish(mentions, grounder, "typed-lines", [_undeclared_note(unknown)])

    @staticmethod
    def _could_be_type(head: str) -> bool:
        """A short name ("Cell line"), not prose ("Let me look at the text") nor a known non-type."""
        words = head.split()
        return 0 < len(words) <= 3 and not re.search(r"[.?!,;()\d]", head) and squash(head) not in _NOT_TYPES \
            and not head[0].islower() and words[0].lower() not in _PROSE_STARTS


# --- brackets ---------------------------------------------------------------------------------

_BRACKET_MARKS = re.compile(r"[\[\]\n]")
KINDS = ("entities", "typed_entities", "ids", "relations", "events")


def bracket_groups(region: str) -> tuple[list[str], int]:
    """Contents of the outermost ``[...]`` groups, in order, and how many brackets stayed unclosed.

    A stray ``]`` is ignored; a bracket still open at the end of its line is unclosed. Nested
    brackets stay part of the content ("[[3H]thymidine]" is "[3H]thymidine"), and a group that is
    only one inner group ("[[fever]]") is unwrapped.
    """
    groups: list[str] = []
    depth = unclosed = start = 0
    for mark in _BRACKET_MARKS.finditer(region):
        char, position = mark.group(), mark.start()
        if char == "[":
            if depth == 0:
                start = position + 1
            depth += 1
        elif char == "]" and depth:
            depth -= 1
            if depth == 0:
                groups.append(_unwrapped(region[start:position]))
        elif char == "\n" and depth:  # a group never spans lines: the bracket was left open
            unclosed += 1
            depth = 0
    return groups, unclosed + (depth > 0)


def _unwrapped(content: str) -> str:
    content = content.strip()
    while len(content) >= 2 and content[0] == "[" and content[-1] == "]" and content.count("[") == 1:
        content = content[1:-1].strip()
    return content


_PART_SEPARATOR = re.compile(r",(?=\s)|;")
_ROLE = re.compile(r"^(?P<role>[A-Za-z][\w\- ]{0,30}?)[ \t]*[:=][ \t]*(?P<text>.+)$", re.DOTALL)


class BracketsParser(MentionParser):
    """MedINST's bracketed answers; ``kind`` says which structure (see the module docstring)."""

    name = "brackets"
    version = "3"  # 3: chat-template tokens masked
    options_class = BracketsOptions

    def read(self, text: str, settings: Mapping[str, Any]) -> Parsed:
        region, why = answer_region(text)
        if why:
            return unanswered(text, why)
        groups, unclosed = bracket_groups(region)
        groups = [group for group in groups if group.strip(_EDGE)]
        notes = [f"{unclosed} unclosed bracket(s) ignored" if unclosed else ""]
        if not groups:
            if region and is_sentinel(region):
                return Parsed([], "ok", rule="none")
            return Parsed(None, "failed", reason="no [bracketed] item found" + ("; " + notes[0] if unclosed else ""))
        grounder = self.grounder(settings)
        kind = settings["kind"]
        if kind in ("entities", "typed_entities"):
            return self._mentions(groups, kind == "typed_entities", settings.get("types"), grounder, notes)
        reader = self._relation if kind == "relations" else self._pair if kind == "ids" else self._event
        values = []
        for group in groups:
            value, note = reader(group, settings, grounder)
            notes.append(note)
            if value is not None:
                values.append(value)
        reasons = "; ".join(n for n in notes if n)
        if not values:
            return Parsed(None, "failed", reason=reasons or f"no {kind} found", rule=kind)
        return Parsed(values, "partial" if reasons else "ok", reason=reasons, rule=kind)

    def _mentions(self, groups: list[str], typed: bool, types: Sequence[str] | None, grounder: Grounder | None,
                  notes: list[str]) -> Parsed:
        mentions = []
        unknown: list[str] = []
        untyped = 0
        for group in groups:
            if not typed:
                if group.strip(_EDGE):
                    mentions.append(self._maybe_typed(group, types))
                continue
            head, comma, tail = group.rpartition(",")
            if not comma or not head.strip(_EDGE):
                untyped += 1
                mentions.append(mention(group.strip(_EDGE)))
                continue
            kind, declared = resolve_type(tail, types)
            if not declared:
                unknown.append(kind)
            mentions.append(mention(head.strip(_EDGE), kind))
        notes = [*notes, _undeclared_note(unknown), f"{untyped} mentions without a type" if untyped else ""]
        return self.finish(mentions, grounder, "typed-brackets" if typed else "brackets", notes)

    @staticmethod
    def _maybe_typed(group: str, types: Sequence[str] | None) -> Mention:
        """An untyped group, unless it ends in ", <declared type>": models asked for "[fever]" often
        answer "[fever, Disease]", and "fever, Disease" is no mention of the source."""
        head, comma, tail = group.rpartition(",")
        if types and comma and head.strip(_EDGE):
            kind, declared = resolve_type(tail, types)
            if declared:
                return mention(head.strip(_EDGE), kind)
        return mention(group.strip(_EDGE))

    @staticmethod
    def _pair(group: str, settings: Mapping[str, Any], grounder: Grounder | None) -> tuple[Any, str]:
        head, comma, identifier = group.rpartition(",")
        if not comma or not head.strip(_EDGE) or not identifier.strip(_EDGE):
            return None, f"no 'mention, id' in [{group}]"
        return {"text": head.strip(_EDGE), "id": identifier.strip(_EDGE)}, ""

    def _parts(self, group: str, grounder: Grounder | None) -> list[str]:
        return [p for p in split_items(group, grounder, _PART_SEPARATOR) if p]

    def _relation(self, group: str, settings: Mapping[str, Any], grounder: Grounder | None) -> tuple[Any, str]:
        parts = self._parts(group, grounder)
        if len(parts) < 3:
            return None, f"not a triple: [{group}]"
        labels = settings.get("relations")
        middle = 1
        if len(parts) > 3 and labels:
            keys = {type_key(r) for r in labels}
            found = [i for i in range(1, len(parts) - 1) if type_key(parts[i]) in keys]
            if len(found) != 1:
                return None, f"cannot tell the relation in [{group}]"
            middle = found[0]
        relation, known = resolve_type(parts[middle], labels)
        note = "" if known else f"undeclared relation {relation!r}"
        if len(parts) > 3 and not labels:
            note = f"more than three parts in [{group}]: read as head, relation, rest"
        return {"head": ", ".join(parts[:middle]), "relation": relation, "tail": ", ".join(parts[middle + 1:])}, note

    def _event(self, group: str, settings: Mapping[str, Any], grounder: Grounder | None) -> tuple[Any, str]:
        parts = self._parts(group, grounder)
        arguments, plain = [], []
        for part in parts:
            role = _ROLE.match(part)
            if role:
                arguments.append({"role": role.group("role").strip(), "text": role.group("text").strip(_EDGE)})
            else:
                plain.append(part)
        if len(plain) != 2:
            return None, f"not an event (trigger, type, Role: argument ...): [{group}]"
        types = settings.get("types")
        trigger, kind = plain
        if types and resolve_type(trigger, types)[1] and not resolve_type(kind, types)[1]:
            trigger, kind = kind, trigger  # "[Phosphorylation, phosphorylates, Theme: p53]"
        kind, declared = resolve_type(kind, types)
        return ({"trigger": trigger, "type": kind, "arguments": arguments},
                "" if declared else f"undeclared event type {kind!r}")
