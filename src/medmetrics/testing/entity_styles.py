"""Hypothesis strategies for entity data: BIO tag sequences and span sets, gold and predicted.

Predictions are drawn close to their gold (copied, retyped, shifted) as well as at random, so
that matches, partial matches and misses all occur; tag corpora keep each predicted sentence as
long as its gold one. Used by the ``seqeval`` and ``entity_f1`` tests against their peers, and
available to plugin authors for their own entity metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from medmetrics.testing.noise import surrounded

#: One mention: (type, start, end), half-open character offsets.
Span = tuple[str, int, int]


def tag(prefix: str, kind: str, suffix: bool = False) -> str:
    """``B-PER`` (or ``PER-B`` with ``suffix``); ``O`` stays ``O``."""
    return "O" if prefix == "O" else (f"{kind}-{prefix}" if suffix else f"{prefix}-{kind}")


def scheme_tags(prefixes: str, types: Sequence[str], suffix: bool = False) -> st.SearchStrategy[str]:
    """Tags of one scheme: ``prefixes`` such as ``"BI"`` (IOB2) or ``"BIES"`` (IOBES), plus ``O``."""
    return st.sampled_from(["O", *(tag(p, t, suffix) for p in prefixes for t in types)])


def tag_corpora(tags: st.SearchStrategy[str], max_sentences: int = 8,
                max_tokens: int = 8) -> st.SearchStrategy[tuple[list[list[str]], list[list[str]]]]:
    """(predictions, references): sentences of equal length per pair, some predictions copied from gold."""
    lengths = st.lists(st.integers(0, max_tokens), min_size=1, max_size=max_sentences)

    def build(sizes: list[int]) -> st.SearchStrategy[tuple[Any, Any, list[bool]]]:
        sentences = st.tuples(*(st.lists(tags, min_size=n, max_size=n) for n in sizes))
        return st.tuples(sentences, sentences, st.lists(st.booleans(), min_size=len(sizes), max_size=len(sizes)))

    def pair(drawn: tuple[Any, Any, list[bool]]) -> tuple[list[list[str]], list[list[str]]]:
        pred, gold, copy = drawn
        return [list(g if c else p) for p, g, c in zip(pred, gold, copy)], [list(g) for g in gold]

    return lengths.flatmap(build).map(pair)


@st.composite
def spans(draw: st.DrawFn, types: Sequence[str]) -> Span:
    """Short spans packed in 40 characters (overlaps, nesting, duplicates) and a few long ones,
    where nervaluate's 1%-of-gold overlap threshold starts to matter."""
    start = draw(st.integers(0, 30))
    length = draw(st.one_of(st.integers(1, 8), st.integers(1, 8), st.integers(95, 250)))
    return draw(st.sampled_from(list(types))), start, start + length


@st.composite
def predicted_from(draw: st.DrawFn, gold: list[Span], types: Sequence[str]) -> list[Span]:
    """Copies of gold spans (some retyped or shifted) mixed with random spans, in any order."""
    out: list[Span] = []
    for _ in range(draw(st.integers(0, 6))):
        copy_gold: bool = draw(st.booleans())
        if gold and copy_gold:
            kind, start, end = draw(st.sampled_from(gold))
            kind = draw(st.sampled_from([kind, kind, *types]))
            start = max(0, start + draw(st.sampled_from([0, 0, -2, 1])))
            end = max(start + 1, end + draw(st.sampled_from([0, 0, 3, -1])))
            out.append((kind, start, end))
        else:
            out.append(draw(spans(types)))
    return out


@st.composite
def span_corpora(draw: st.DrawFn, types: Sequence[str]) -> tuple[list[list[Span]], list[list[Span]]]:
    """(predictions, references): one list of mentions per document."""
    golds = draw(st.lists(st.lists(spans(types), max_size=6), min_size=1, max_size=4))
    return [draw(predicted_from(g, types)) for g in golds], golds


# ----------------------------------------------------------------------------------------------
# Renderers: a structure written in each output style models use, and generations built on them
# ----------------------------------------------------------------------------------------------

#: Entity names with the characters that break naive parsers (commas, hyphens, Greek letters,
#: periods); none is a substring of another or of a filler word.
ENTITY_NAMES: tuple[tuple[str, str], ...] = (
    ("fever", "Disease"), ("rash", "Disease"), ("type 2 diabetes", "Disease"), ("breast carcinoma", "Disease"),
    ("aspirin", "Chemical"), ("1,2-dichloroethane", "Chemical"), ("TNF-α", "Chemical"), ("IL-6", "Chemical"),
    ("S. cerevisiae", "Species"), ("Homo sapiens", "Species"),
)
#: Words between the entities of a generated source sentence.
FILLER_WORDS: tuple[str, ...] = ("the", "patient", "with", "after", "received", "developed", "was", "treated", "for")
#: Prose before an anchored answer: no anchor noun, no colon, no entity name.
ENTITY_NOISE: tuple[str, ...] = (
    "Let me read the sentence carefully.", "I will go through it word by word.",
    "Several terms in the abstract look relevant.", "The sentence describes a clinical case.",
)
_ENTITY_THINK: tuple[str, ...] = ("Is fever a disease? Yes.", "Entities: aspirin, maybe rash?", "[fever] [rash")
_LIST_ANCHORS: tuple[str, ...] = ("Entities: {L}", "Answer: {L}", "The entities mentioned in the text are: {L}",
                                  "**Entities:**\n{L}", "Final answer:\n{L}", "```\n{L}\n```")
_NONE_ANSWERS: tuple[str, ...] = ("None", "None.", "No entities.", "There are no entities mentioned in the text.",
                                  "N/A", "[]", "There is no related enetity.")
BIO_STYLES = ("bracket", "slash", "columns")


def render_list(texts: Sequence[str], separator: str) -> str:
    """Items joined by ``separator``; ``"json"`` writes a JSON list, ``"bullets"`` a bulleted one."""
    if separator == "json":
        return "[" + ", ".join('"' + t + '"' for t in texts) + "]"
    if separator == "bullets":
        return "\n".join("- " + t for t in texts)
    return separator.join(texts)


def render_labeled_spans(lines: Sequence[tuple[str, Sequence[str]]]) -> str:
    """BioMistral-NLU style: one "Type: span1...span2" line per type, "None" for no spans."""
    return "\n".join(f"{kind}: {'...'.join(spans) if spans else 'None'}" for kind, spans in lines)


def render_brackets(groups: Sequence[Sequence[str]]) -> str:
    """MedINST style: each group's parts joined by ", " inside brackets ("[fever] [aspirin, Chemical]")."""
    return " ".join("[" + ", ".join(parts) + "]" for parts in groups)


def render_bio(words: Sequence[str], tags: Sequence[str], style: str) -> str:
    """Tagged words: "w [T] ..." (``bracket``), "w/T ..." (``slash``) or "w<TAB>T" lines (``columns``)."""
    if style == "bracket":
        return " ".join(f"{w} [{t}]" for w, t in zip(words, tags))
    if style == "slash":
        return " ".join(f"{w}/{t}" for w, t in zip(words, tags))
    return "\n".join(f"{w}\t{t}" for w, t in zip(words, tags))


@st.composite
def entity_documents(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], list[str], list[str]]:
    """(source, gold mentions in source order with offsets, tokens, BIO tags of the tokens)."""
    pieces = draw(st.lists(st.one_of(st.sampled_from(FILLER_WORDS), st.sampled_from(ENTITY_NAMES)),
                           min_size=1, max_size=12))
    source, mentions, tokens, tags = "", [], [], []
    for piece in pieces:
        if source:
            source += " "
        if isinstance(piece, tuple):
            name, kind = piece
            mentions.append({"type": kind, "text": name, "start": len(source), "end": len(source) + len(name)})
            words = name.split()
            tokens += words
            tags += [f"B-{kind}", *[f"I-{kind}"] * (len(words) - 1)]
        else:
            name = piece
            tokens.append(name)
            tags.append("O")
        source += name
    return source + ".", mentions, [*tokens, "."], [*tags, "O"]


def _respelt(draw: st.DrawFn, text: str) -> str:
    case = draw(st.sampled_from(("as is", "as is", "lower", "upper")))
    return text.lower() if case == "lower" else text.upper() if case == "upper" else text


def _answer(draw: st.DrawFn, body: str, empty: bool) -> str:
    """The body as a bare answer, or anchored after prose, inside the usual noise."""
    if empty:
        body = draw(st.sampled_from(_NONE_ANSWERS))
    anchored = draw(st.booleans())
    if anchored:
        body = draw(st.sampled_from(_LIST_ANCHORS)).format(L=body)
    return draw(surrounded(body, ENTITY_NOISE, _ENTITY_THINK, prose_before=anchored))


def _expected(mentions: Sequence[dict[str, Any]], texts: Sequence[str], kind: Any = None) -> list[dict[str, Any]]:
    return [{**m, "text": t, "type": kind(m) if callable(kind) else kind} for m, t in zip(mentions, texts)]


@st.composite
def entity_list_generations(draw: st.DrawFn) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """(generation, context, expected mentions) for the ``entity_list`` parser, grounded in ``source``."""
    source, mentions, _, _ = draw(entity_documents())
    texts = [_respelt(draw, m["text"]) for m in mentions]
    separator = draw(st.sampled_from((", ", "; ", "\n", "bullets", "json")))
    generation = _answer(draw, render_list(texts, separator), empty=not mentions)
    return generation, {"source": source}, _expected(mentions, texts)


@st.composite
def labeled_span_generations(draw: st.DrawFn) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """(generation, context, expected mentions) for ``labeled_spans``: types spelt loosely, lines shuffled."""
    source, mentions, _, _ = draw(entity_documents())
    types = sorted({kind for _, kind in ENTITY_NAMES})
    order = draw(st.permutations(types))
    lines, expected = [], []
    for kind in order:
        of_type = [m for m in mentions if m["type"] == kind]
        texts = [_respelt(draw, m["text"]) for m in of_type]
        plural = kind if kind.endswith("s") else kind + "s"
        spelt = draw(st.sampled_from((kind, kind.lower(), kind.upper(), plural)))
        lines.append((spelt, texts))
        expected += _expected(of_type, texts, lambda m: m["type"])
    generation = draw(surrounded(render_labeled_spans(lines), ENTITY_NOISE, _ENTITY_THINK))
    return generation, {"source": source, "types": types}, expected


@st.composite
def bracket_generations(draw: st.DrawFn) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """(generation, context, expected mentions) for ``brackets`` with ``kind`` entities or typed_entities."""
    source, mentions, _, _ = draw(entity_documents())
    typed = draw(st.booleans())
    texts = [_respelt(draw, m["text"]) for m in mentions]
    groups = [[t, m["type"]] if typed else [t] for t, m in zip(texts, mentions)]
    generation = _answer(draw, render_brackets(groups), empty=not mentions)
    context = {"source": source, "kind": "typed_entities" if typed else "entities"}
    return generation, context, _expected(mentions, texts, (lambda m: m["type"]) if typed else None)


@st.composite
def relation_generations(draw: st.DrawFn) -> tuple[str, dict[str, Any], list[dict[str, str]]]:
    """(generation, context, expected triples) for ``brackets`` with ``kind="relations"``."""
    names = [name for name, _ in ENTITY_NAMES]
    relations = ["inhibits", "causes", "treats", "CPR:4"]
    triples = draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(relations), st.sampled_from(names)),
                            max_size=4))
    generation = _answer(draw, render_brackets(triples), empty=not triples)
    expected = [{"head": h, "relation": r, "tail": t} for h, r, t in triples]
    return generation, {"kind": "relations", "relations": relations}, expected


@st.composite
def bio_generations(draw: st.DrawFn) -> tuple[str, dict[str, Any], list[str]]:
    """(generation, context with gold ``tokens``, expected tags) for ``bio``: one ``O`` word may be
    dropped, words re-cased, and the tags must still land on the right tokens."""
    _, _, tokens, tags = draw(entity_documents())
    words, word_tags = list(tokens), list(tags)
    outside: list[int] = [i for i, t in enumerate(tags) if t == "O"]
    drop: bool = draw(st.booleans())
    if outside and drop:
        dropped = draw(st.sampled_from(outside))
        del words[dropped], word_tags[dropped]
    words = [_respelt(draw, w) for w in words]
    body = render_bio(words, word_tags, draw(st.sampled_from(BIO_STYLES)))
    generation = draw(surrounded(body, ENTITY_NOISE, _ENTITY_THINK, prose_before=False))
    return generation, {"tokens": tokens}, tags
