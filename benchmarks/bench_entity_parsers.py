"""The entity parsers on 100,000 generations each (10,000 with ``--quick``), against the seed
evaluators' own reading rules on the same generations.

The peers are the few-line rules the three papers ship (notes/seed-evaluators.md), restated
here because none of them is a package: MedINST's ``bio`` regex with padding, MedS-Bench's NER
split, BioMistral-NLU's ``read_events`` and MedINST's bracket stack. They are wrong by design on
some outputs (that is why the parsers exist), so rows report how many items they read
differently instead of asserting equality. Generations are rendered with the renderers in
``medmetrics.testing.entity_styles`` (seeded), with reasoning, markdown and explanations around
a third of them; ours also ground every mention in the source (or align to the gold tokens).

    .venv/bin/python benchmarks/bench_entity_parsers.py [--quick]
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable
from typing import Any

from bench_common import Row, best_of, render
from medmetrics.testing.entity_styles import (
    ENTITY_NAMES,
    FILLER_WORDS,
    render_bio,
    render_brackets,
    render_labeled_spans,
    render_list,
)

_AROUND = ("Let me read the sentence carefully.\n\nAnswer: {A}\n\nExplanation: they are named in the text.",
           "<think>Some reasoning about the sentence.</think>\n{A}", "**Entities:**\n{A}")


def _document(rng: random.Random) -> tuple[str, list[tuple[str, str]], list[str], list[str]]:
    """(source, [(name, type)], tokens, BIO tags) of a seeded sentence of about 25 tokens."""
    parts, mentions, tokens, tags = [], [], [], []
    while len(tokens) < 24:
        if rng.random() < 0.2:
            name, kind = rng.choice(ENTITY_NAMES)
            mentions.append((name, kind))
            words = name.split()
            tags += ["B-" + kind] + ["I-" + kind] * (len(words) - 1)
        else:
            name = rng.choice(FILLER_WORDS)
            words = [name]
            tags.append("O")
        parts.append(name)
        tokens += words
    return " ".join(parts) + " .", mentions, [*tokens, "."], [*tags, "O"]


def _wrapped(rng: random.Random, answer: str) -> str:
    return rng.choice(_AROUND).format(A=answer) if rng.random() < 0.33 else answer


def cases(kind: str, n: int, seed: int = 3) -> list[tuple[str, dict[str, Any]]]:
    """(generation, context) pairs for one parser."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        source, mentions, tokens, tags = _document(rng)
        names = [name for name, _ in mentions]
        if kind == "bio":
            words, word_tags = list(tokens), list(tags)
            if rng.random() < 0.3:  # one dropped word
                drop = rng.randrange(len(words))
                del words[drop], word_tags[drop]
            untyped = [t[0] for t in word_tags]
            out.append((render_bio(words, untyped, "bracket"), {"tokens": tokens}))
        elif kind == "entity_list":
            out.append((_wrapped(rng, render_list(names, ", ") if names else "None"), {"source": source}))
        elif kind == "labeled_spans":
            lines = [(t, [name for name, k in mentions if k == t]) for t in ("Disease", "Chemical", "Species")]
            out.append((_wrapped(rng, render_labeled_spans(lines)), {"source": source}))
        else:
            out.append((_wrapped(rng, render_brackets([[name] for name in names]) or "None"), {"source": source}))
    return out


# --- the seed evaluators' rules (restated; see notes/seed-evaluators.md) ----------------------

_MEDINST_BIO = re.compile(r"\[B\]|\[I\]|\[O\]")


def medinst_bio(generation: str, tokens: list[str]) -> list[str]:
    """MedINST: tags only, padded with 'N' or cut to the gold length."""
    found = _MEDINST_BIO.findall(generation)
    return (found + ["N"] * len(tokens))[:len(tokens)]


def meds_ner(generation: str) -> set[str]:
    """MedS-Bench: periods removed, lowercased, ``[:-1]``, split on ', '."""
    text = generation.replace(".", "").strip().lower()
    return set() if text == "there is no related enetity" else set(text[:-1].split(", "))


def biomistral_spans(generation: str) -> list[tuple[str, str]]:
    """BioMistral-NLU ``read_events`` per line: label before the first colon, spans split on '...'."""
    found = []
    for line in generation.split("\n"):
        if ":" in line:
            label, spans = line[:line.index(":")].strip(), line[line.index(":") + 1:].strip()
            if spans != "None":
                found += [(label, s.strip()) for s in spans.split("...") if s.strip()]
    return found


def medinst_brackets(generation: str) -> list[str]:
    """MedINST: the outermost bracketed groups (stack), a stray ']' resets."""
    groups, depth, current = [], 0, ""
    for char in generation:
        if char == "[":
            if depth:
                current += char
            depth += 1
        elif char == "]":
            if depth == 0:
                current = ""
                continue
            depth -= 1
            if depth == 0:
                groups.append(current)
                current = ""
            else:
                current += char
        elif depth:
            current += char
    return groups


PEERS: dict[str, tuple[str, Callable[[str, dict[str, Any]], Any]]] = {
    "bio": ("MedINST bio regex", lambda g, c: medinst_bio(g, c["tokens"])),
    "entity_list": ("MedS-Bench NER split", lambda g, c: meds_ner(g)),
    "labeled_spans": ("BioMistral read_events", lambda g, c: biomistral_spans(g)),
    "brackets": ("MedINST bracket stack", lambda g, c: medinst_brackets(g)),
}


def _comparable(kind: str, value: Any, context: dict[str, Any]) -> Any:
    """Our value in the peer's shape, to count the items the peer reads differently."""
    if value is None:
        return None
    if kind == "bio":
        return [t if t == "O" else f"[{t[0]}]" for t in value]
    if kind == "entity_list":
        return {m["text"].lower() for m in value}
    if kind == "labeled_spans":
        return [(m["type"], m["text"]) for m in value]
    return [m["text"] for m in value]


def bench_entity_parsers(quick: bool) -> list[Row]:
    import medmetrics

    n = 10_000 if quick else 100_000
    repeat = 1 if quick else 3
    rows = []
    for kind, (peer_name, peer) in PEERS.items():
        items = cases(kind, n)
        parser = medmetrics.get_parser(kind)
        ours_s, parsed = best_of(lambda: [parser.parse(g, **c) for g, c in items], repeat)  # noqa: B023
        peer_s, theirs = best_of(lambda: [peer(g, c) for g, c in items], repeat)  # noqa: B023
        failed = sum(1 for p in parsed if not p.answered)
        if kind == "bio":  # the peer's brackets around tags: compare tag letters
            theirs = [[t if t == "N" else ("O" if t == "[O]" else t) for t in tags] for tags in theirs]
        differ = sum(1 for p, t, (_, c) in zip(parsed, theirs, items) if _comparable(kind, p.value, c) != t)
        rows.append(Row(f"parser {kind}", peer_name, f"{n:,} generations", ours_s, peer_s, per_item=n,
                        agree=f"peer reads {differ:,} differently", ok=failed == 0,
                        notes=[f"{failed} of ours not answered"] if failed else []))
    return rows


if __name__ == "__main__":
    print(render(bench_entity_parsers("--quick" in sys.argv)))
