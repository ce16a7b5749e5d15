"""Text helpers every parser shares. They keep character offsets: masking, never deleting.

Masked text has the same length as the generation, so a match position in it is a position in
the generation, and ``Parsed.span`` needs no offset bookkeeping.
"""

from __future__ import annotations

import re
import unicodedata

# <think> ... </think> (or <thinking>, <reasoning>) and an unclosed opening tag that runs to the end.
_REASONING = re.compile(r"<(think|thinking|reasoning)>.*?(?:</\1>|\Z)", re.IGNORECASE | re.DOTALL)
_CLOSED = re.compile(r"</(?:think|thinking|reasoning)>\Z", re.IGNORECASE)
_STRAY_CLOSE = re.compile(r"</(?:think|thinking|reasoning)>", re.IGNORECASE)
# Markdown emphasis and code marks, headings and list bullets: decoration around an answer.
_DECORATION = re.compile(r"\*\*|__|`+|^[ \t]*#{1,6}[ \t]", re.MULTILINE)
_BOXED = re.compile(r"\\boxed\{([^{}]{0,200})\}")
# Chat-template tokens a generation keeps when it is decoded without skipping special tokens:
# Llama 3 headers (with the role between them) and end marks, ChatML, Mistral/Llama 2, Gemma.
_TEMPLATE = re.compile(
    r"<\|start_header_id\|>[a-z_]{0,20}<\|end_header_id\|>|<\|im_start\|>(?:system|user|assistant)?"
    r"|<\|(?:eot_id|end_of_text|begin_of_text|end_header_id|start_header_id|im_end|endoftext|end|eom_id)\|>"
    r"|</?s>|\[/?INST\]|<start_of_turn>(?:user|model)?|<end_of_turn>|<(?:eos|bos|pad)>",
    re.IGNORECASE)


def blank(text: str, start: int, end: int) -> str:
    """Replace ``text[start:end]`` with spaces, keeping newlines (and so line structure)."""
    return text[:start] + _spaces(text[start:end]) + text[end:]


def _spaces(segment: str) -> str:
    return re.sub(r"[^\n]", " ", segment)


def mask_reasoning(text: str) -> tuple[str, bool]:
    """Blank reasoning blocks in one pass; return the masked text and whether a block was unclosed.

    Text before a stray ``</think>`` (a template that opened the block in the prompt) is
    reasoning too.
    """
    lowered = text.lower()
    if "<think" not in lowered and "<reason" not in lowered and "</" not in lowered:
        return text, False
    closes = list(_STRAY_CLOSE.finditer(text))
    if closes and not re.search(r"<(?:think|thinking|reasoning)>", text[: closes[-1].start()], re.IGNORECASE):
        text = blank(text, 0, closes[-1].end())
    unclosed = False

    def masked(match: re.Match[str]) -> str:
        nonlocal unclosed
        if not _CLOSED.search(match.group(0)):
            unclosed = True
        return _spaces(match.group(0))

    return _REASONING.sub(masked, text), unclosed


def mask_decoration(text: str) -> str:
    """Blank markdown marks and unwrap ``\\boxed{X}`` (its braces and command become spaces)."""
    if not any(mark in text for mark in "*_`#\\"):
        return text
    text = _DECORATION.sub(lambda m: " " * len(m.group(0)), text)
    return _BOXED.sub(lambda m: " " * 7 + m.group(1) + " ", text)


def mask_template_tokens(text: str) -> str:
    """Blank chat-template tokens (``<|eot_id|>``, ``</s>``, ``[/INST]``, a Llama 3 header with its
    role): decoding artifacts, never part of an answer."""
    if "<" not in text and "[" not in text:
        return text
    return _TEMPLATE.sub(lambda m: " " * len(m.group(0)), text)


def prepare(text: str) -> tuple[str, str | None]:
    """Mask chat-template tokens, reasoning and decoration; return (masked text, reason it holds
    no answer or None)."""
    masked, unclosed = mask_reasoning(mask_template_tokens(text))
    masked = mask_decoration(masked)
    if not masked.strip():
        if text.strip():
            if unclosed:
                return masked, "only an unfinished reasoning block"
            return masked, "only reasoning, decoration or template tokens, no answer"
        return masked, "empty generation"
    return masked, None


def fold(text: str) -> str:
    """Case- and compatibility-fold for comparisons, keeping every letter and digit.

    NFKC maps full-width and compatibility forms to their plain forms (but keeps Greek letters,
    ``µ`` becomes ``μ``); casefold handles ``ß`` and friends. Punctuation is not removed here:
    ``IL-6`` and ``1.5 mg`` mean what they say.
    """
    if text.isascii():  # NFKC leaves ASCII alone, and casefold is lower there: the common case, 5x faster
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


_SEPARATORS = str.maketrans({"_": " ", "-": " ", "/": " "})


def squash(text: str) -> str:
    """``fold`` plus: separators (space, ``_``, ``-``, ``/``) collapse to one space; end punctuation goes.

    For matching short answers such as labels, where ``Not_Entailment``, ``not entailment``
    and ``NOT-ENTAILMENT.`` mean the same.
    """
    folded = " ".join(fold(text).translate(_SEPARATORS).split())
    return folded.strip(" \t\n.,;:!?\"'()[]{}*")
