"""The reference as each paper's evaluator receives it: a run's structured gold written back as the
paper's gold text, here and nowhere else.

A suite run carries the gold its correct task needs (mention lists, BIO tag lists, relation
triples, real-valued scores, option letters); a paper's evaluator reads its own gold text. Each
compat ``Method`` names the kind of gold text its evaluator reads (``Method.gold``), and
``paper_references`` renders every reference of a run into it, item by item:

- ``as_given``: the reference unchanged (labels, free text, option letters and lists the compat
  metric reads as they are).
- ``labeled_spans`` (BioMistral-NLU NER): one ``Type: span...span`` line per type the task
  declares, in the task's order, ``Type: None`` for a type without mentions; spans in document
  order (by offset when every mention has one, else as listed). An untyped mention belongs to
  the task's only type.
- ``pico_lines`` (BioMistral-NLU PICO): ``Participants: ...``, ``Interventions: ...`` and
  ``Outcomes: ...`` lines; each run of tokens of one class (a ``B-`` tag starts a new one) is a
  span, written from the item's ``tokens``.
- ``brackets`` (MedINST bracketed answers), by the task's parser ``kind``: ``[entity]``, or
  ``[entity, Type]`` for a typed mention; ``[head, relation, tail]``; ``[mention, id]``;
  ``[trigger, Type, Role: argument, ...]``; groups separated by a space, ``""`` for none.
- ``bio_tags`` (MedINST NCBI-disease, BC5CDR): ``word [B] word [I] word [O]`` from the item's
  ``tokens`` (``[B] [I] [O]`` alone without them: the evaluator reads only the tags); ``B-X``
  and ``I-X`` are ``[B]`` and ``[I]``.
- ``answer_text`` (MedINST MedQA, scored by exact match of the answer): the text of the gold
  option letter, from the item's ``options`` (and ``letters``) context.
- ``integer_score`` (MedINST BIOSSES): the score as the one integer 0..5 MedINST's gold holds
  (its evaluator penalizes any gold that is not exactly one integer, so ``2.0`` must be ``2``); a
  real-valued gold is rounded to the nearest integer (Python's ``round``, as the BioMistral-NLU
  profile rounds its STS gold; BIOSSES means of five integer scores are multiples of 0.2, so no
  tie arises).
- ``label_list`` (MedINST HoC): the gold labels (option letters become the task's option texts)
  joined by ``", "``.
- ``entity_list`` (MedS-Bench NER): ``e1, e2, e3.`` (the final period is what the evaluator
  means to cut), or ``There is no related enetity.`` (sic) when there is none.

A reference that is already text is the paper's gold and stays as it is (except a bare option
letter for ``answer_text`` and a number for ``integer_score``); text that is JSON, as a CSV cell
gives a list, is decoded first as the task's ``reference_type`` says. A reference that cannot
be written in the paper's format (a mention of a type the task does not declare, offsets
without the ``source``, a letter without ``options``, a tag outside B/I/O) is an ``InputError``
naming the task and the item, never a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeGuard

from medmetrics.catalog.task import Task
from medmetrics.errors import InputError
from medmetrics.inputs.files import json_value
from medmetrics.inputs.run import TaskRun


class GoldError(Exception):
    """One reference cannot be written as the paper's gold (the message says why)."""


#: (reference, the item's context, task) -> the paper's gold for that item
Renderer = Callable[[Any, Mapping[str, Any], Task], Any]


def _is_list(value: Any) -> TypeGuard[Sequence[Any]]:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _require_list(value: Any, what: str) -> Sequence[Any]:
    if not _is_list(value):
        raise GoldError(f"it is {value!r:.80}, not a list of {what} nor the paper's gold text")
    return value


# --- mentions ---------------------------------------------------------------------------------


def _mention(raw: Any, context: Mapping[str, Any]) -> tuple[str | None, str, int | None]:
    """(type, text, start) of one gold mention in any form the entity metrics accept."""
    start = end = text = None
    if isinstance(raw, Mapping):
        kind, text, start, end = raw.get("type"), raw.get("text"), raw.get("start"), raw.get("end")
    elif _is_list(raw) and len(raw) == 2:
        kind, text = raw
    elif _is_list(raw) and len(raw) == 3:
        kind, start, end = raw
    else:
        raise GoldError(f"mention {raw!r:.80} is not a mapping {{type, text, start, end}}, (type, text) "
                        "or (type, start, end)")
    if kind is not None and not isinstance(kind, str):
        raise GoldError(f"mention {raw!r:.80} has type {kind!r}, not a string")
    if not isinstance(start, int) or isinstance(start, bool):
        start = None
    if text is None:
        source = context.get("source")
        if start is None or not isinstance(end, int) or not isinstance(source, str):
            raise GoldError(f"mention {raw!r:.80} has no text, and its text cannot be read from the item's "
                            "'source' (give the source as context, or the mention's text)")
        text = source[start:end]
    if not isinstance(text, str):
        raise GoldError(f"mention {raw!r:.80} has text {text!r}, not a string")
    return kind, " ".join(text.split()), start


def _mentions(reference: Any, context: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """One document's gold mentions as (type, text), in document order when every one has an offset."""
    mentions = [_mention(m, context) for m in _require_list(reference, "mentions")]
    if mentions and all(start is not None for _, _, start in mentions):
        mentions.sort(key=lambda m: -1 if m[2] is None else m[2])  # stable: equal offsets keep their listed order
    return [(kind, text) for kind, text, _ in mentions]


def _declared(kind: str | None, types: Sequence[str]) -> str:
    """The task's spelling of a gold mention's type (case-insensitive), its only type if untyped."""
    if kind is None:
        if len(types) == 1:
            return types[0]
        raise GoldError(f"a mention has no type, and the task declares {len(types)} types: {', '.join(types)}")
    for declared in types:
        if declared.casefold() == kind.strip().casefold():
            return declared
    raise GoldError(f"a mention has type {kind!r}, which the task does not declare ({', '.join(types)})")


def labeled_spans(reference: Any, context: Mapping[str, Any], task: Task) -> Any:
    """BioMistral-NLU's ``Type: span...span`` lines, one per declared type."""
    if isinstance(reference, str):
        return reference
    mentions = _mentions(reference, context)
    types = list(task.parser_options.get("types") or dict.fromkeys(k for k, _ in mentions if k is not None))
    if not types:
        raise GoldError("the task declares no entity types and the mentions have none: no 'Type:' line can be "
                        "written")
    spans: dict[str, list[str]] = {t: [] for t in types}
    for kind, text in mentions:
        spans[_declared(kind, types)].append(text)
    return "\n".join(f"{t}: {'...'.join(spans[t]) if spans[t] else 'None'}" for t in types)


#: BioMistral-NLU's PICO line names, with the class code of ``medmetrics.metrics.pico.pico_class``
PICO_LINES = (("Participants", 1), ("Interventions", 2), ("Outcomes", 3))


def pico_lines(reference: Any, context: Mapping[str, Any], task: Task) -> Any:
    """Participants / Interventions / Outcomes lines from token tags and the item's tokens."""
    from medmetrics.metrics.pico import pico_class

    if isinstance(reference, str):
        return reference
    tags = _require_list(reference, "PICO tags")
    tokens = context.get("tokens")
    if not _is_list(tokens) or len(tokens) != len(tags):
        given = "none" if tokens is None else f"{len(tokens)}" if _is_list(tokens) else repr(tokens)
        raise GoldError(f"the spans are written from the item's 'tokens' context (one per tag, {len(tags)} "
                        f"here), and it has {given}")
    spans: dict[int, list[str]] = {code: [] for _, code in PICO_LINES}
    current, words = 0, list[str]()
    for token, tag in zip(tokens, tags):
        code = pico_class(tag)
        if code < 0:
            raise GoldError(f"tag {tag!r} names no PICO class (PAR, INT, OUT, or O for none)")
        begins = isinstance(tag, str) and tag.strip()[:2].upper() == "B-"
        if code != current or begins:
            if current:
                spans[current].append(" ".join(words))
            current, words = code, []
        if code:
            words.append(str(token))
    if current:
        spans[current].append(" ".join(words))
    return "\n".join(f"{name}: {'...'.join(spans[code]) if spans[code] else 'None'}" for name, code in PICO_LINES)


# --- MedINST ----------------------------------------------------------------------------------


def _fields(value: Any, keys: tuple[str, ...], what: str) -> list[str]:
    """A tuple given as a mapping with ``keys`` or as a sequence in that order, as strings."""
    parts = [value.get(k) for k in keys] if isinstance(value, Mapping) else \
        list(value) if _is_list(value) and len(value) == len(keys) else None
    if parts is None or not all(isinstance(p, str) for p in parts):
        raise GoldError(f"{value!r:.80} is not a {what} ({', '.join(keys)}: strings)")
    return [" ".join(str(p).split()) for p in parts]


def _event(value: Any) -> str:
    if not isinstance(value, Mapping):
        raise GoldError(f"{value!r:.80} is not an event {{trigger, type, arguments: [{{role, text}}]}}")
    head = _fields(value, ("trigger", "type"), "event")
    arguments = value.get("arguments") or []
    if not _is_list(arguments):
        raise GoldError(f"event arguments {arguments!r:.80} are not a list of {{role, text}}")
    return ", ".join([*head, *(": ".join(_fields(a, ("role", "text"), "argument")) for a in arguments)])


def brackets(reference: Any, context: Mapping[str, Any], task: Task) -> Any:
    """MedINST's bracketed gold, for the structure the task's ``brackets`` parser reads."""
    if isinstance(reference, str):
        return reference
    kind = task.parser_options.get("kind", "entities")
    items = _require_list(reference, kind)
    if kind in ("entities", "typed_entities"):
        groups = [text if t is None else f"{text}, {t}" for t, text in _mentions(items, context)]
    elif kind == "relations":
        groups = [", ".join(_fields(r, ("head", "relation", "tail"), "relation")) for r in items]
    elif kind == "ids":
        groups = [", ".join(_fields(p, ("text", "id"), "linked mention")) for p in items]
    elif kind == "events":
        groups = [_event(e) for e in items]
    else:
        raise GoldError(f"no MedINST bracket format for the parser kind {kind!r}")
    return " ".join(f"[{g}]" for g in groups)


_BIO = re.compile(r"^(?P<tag>[BIO])(?:-.*)?$", re.IGNORECASE | re.DOTALL)


def bio_tags(reference: Any, context: Mapping[str, Any], task: Task) -> Any:
    """MedINST's ``word [B] word [I] word [O]``."""
    if isinstance(reference, str):
        return reference
    tags = []
    for tag in _require_list(reference, "BIO tags"):
        found = _BIO.match(tag.strip()) if isinstance(tag, str) else None
        if found is None or (found.group("tag").upper() == "O" and len(tag.strip()) > 1):
            raise GoldError(f"tag {tag!r} is not B, I or O (B-X, I-X): MedINST's gold has only [B], [I] and [O]")
        tags.append(f"[{found.group('tag').upper()}]")
    tokens = context.get("tokens")
    if tokens is None:
        return " ".join(tags)
    if not _is_list(tokens) or len(tokens) != len(tags):
        raise GoldError(f"the item's 'tokens' context does not give one token per tag ({len(tags)} tags)")
    return " ".join(f"{token} {tag}" for token, tag in zip(tokens, tags))


_LETTER = re.compile(r"^\(?(?P<letter>[A-Za-z])[).]?$")


def answer_text(reference: Any, context: Mapping[str, Any], task: Task) -> Any:
    """The text of the gold option, for an evaluator that compares answers as text."""
    found = _LETTER.match(reference.strip()) if isinstance(reference, str) else None
    if found is None:
        return reference
    letter = found.group("letter").upper()
    options = context.get("options")
    if not _is_list(options):
        raise GoldError(f"the gold is the option letter {reference!r} and the evaluator compares the answer text: "
                        "the item needs its 'options' context (the option texts)")
    letters = [str(x).upper() for x in (context.get("letters") or [chr(ord("A") + i) for i in range(len(options))])]
    if letter not in letters[:len(options)]:
        raise GoldError(f"the gold letter {reference!r} is not one of the item's {len(options)} options")
    return str(options[letters.index(letter)])


def integer_score(reference: Any, context: Mapping[str, Any], task: Task) -> Any:
    """MedINST's BIOSSES gold: one integer from 0 to 5."""
    if isinstance(reference, bool) or not isinstance(reference, (int, float, str)):
        raise GoldError(f"{reference!r:.80} is not a similarity score")
    try:
        value = float(reference)
    except ValueError:
        return reference  # the paper's own gold text
    if not math.isfinite(value) or not 0 <= value <= 5:
        raise GoldError(f"the score {reference!r} is outside MedINST's scale 0..5")
    return str(round(value))


def label_list(reference: Any, context: Mapping[str, Any], task: Task) -> Any:
    """Labels joined by ``", "``; an option letter becomes its option text."""
    if isinstance(reference, str):
        return reference
    options = list(task.parser_options.get("options") or context.get("options") or [])
    out = []
    for value in _require_list(reference, "labels"):
        text = str(value)
        index = ord(text) - ord("A") if len(text) == 1 else -1
        out.append(options[index] if 0 <= index < len(options) else text)
    return ", ".join(out)


#: MedS-Bench's no-entity gold, misspelt as in the released data
MEDS_NO_ENTITY = "There is no related enetity."


def entity_list(reference: Any, context: Mapping[str, Any], task: Task) -> Any:
    """MedS-Bench NER: ``e1, e2.``, or the no-entity sentence."""
    if isinstance(reference, str):
        return reference
    texts = [text for _, text in _mentions(reference, context)]
    return ", ".join(texts) + "." if texts else MEDS_NO_ENTITY


def as_given(reference: Any, context: Mapping[str, Any], task: Task) -> Any:
    return reference


RENDERERS: dict[str, Renderer] = {
    "as_given": as_given,
    "labeled_spans": labeled_spans,
    "pico_lines": pico_lines,
    "brackets": brackets,
    "bio_tags": bio_tags,
    "answer_text": answer_text,
    "integer_score": integer_score,
    "label_list": label_list,
    "entity_list": entity_list,
}


def _decoded(value: Any, kind: str | None) -> Any:
    """A reference read as text (a CSV cell) decoded as the task's ``reference_type`` says; text
    that does not decode is kept (it is the paper's gold text)."""
    if not isinstance(value, str) or kind in (None, "str"):
        return value
    if kind in ("json", "list"):
        return json_value(value)
    try:
        return float(value) if kind == "float" else int(value)
    except ValueError:
        return value


def item_contexts(run: TaskRun) -> list[Mapping[str, Any]]:
    context = run.context
    if context is None or isinstance(context, Mapping):
        return [context or {}] * len(run.references)
    return [c if isinstance(c, Mapping) else {} for c in context]


def paper_references(kind: str, task: Task, run: TaskRun, profile: str = "") -> list[Any]:
    """Every reference of ``run`` as the paper's evaluator receives it (``kind``: see the module)."""
    if kind not in RENDERERS:
        raise InputError(f"no gold renderer {kind!r}; the renderers are: {', '.join(sorted(RENDERERS))}")
    render = RENDERERS[kind]
    contexts = item_contexts(run)
    if len(contexts) != len(run.references):
        raise InputError(f"task {task.name!r}: context has {len(contexts)} items but there are "
                         f"{len(run.references)} references")
    out = []
    for index, (reference, context) in enumerate(zip(run.references, contexts)):
        try:
            out.append(render(_decoded(reference, task.reference_type), context, task))
        except GoldError as exc:
            where = f"task {task.name!r}" + (f" ({run.source})" if run.source else "")
            by = f"compat profile {profile!r}" if profile else "the compat profile"
            raise InputError(f"{where}, reference {index + 1}: {by} cannot write it as the paper's gold "
                             f"({kind}): {exc}") from None
    return out
