"""References as the parser reads answers: option letters (any case), option texts or positions
for multiple choice, declared labels (case, spacing and punctuation aside) for labels. Every
path that scores (``evaluate``, suites, harness adapters, ``compare``) normalizes references here,
once, so a reference the task cannot have is one ``InputError`` naming the item."""

from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from medmetrics.errors import InputError
from medmetrics.parsing.base import Parser

#: How references are given: ``label`` (a letter, an option's text or a label, as the parser reads
#: them) or ``index`` (a multiple-choice option's position, 0- or 1-based as ``index_base`` says).
REFERENCE_FORMATS = ("label", "index")


def check_reference_format(reference_format: str, index_base: int | None) -> None:
    """``InputError`` unless the format is known and an index format states its base (0 or 1)."""
    if reference_format not in REFERENCE_FORMATS:
        raise InputError(f"reference_format must be one of {REFERENCE_FORMATS}, not {reference_format!r}")
    if reference_format == "index":
        if isinstance(index_base, bool) or index_base not in (0, 1):
            raise InputError("reference_format='index' needs index_base=0 or index_base=1, stated explicitly "
                             f"(got {index_base!r}): whether index 1 is option A or option B is the caller's to say")
    elif index_base is not None:
        raise InputError("index_base is for reference_format='index' only")


def reference_kind(parser: Parser) -> str | None:
    """``choice``, ``choices`` or ``label`` for the parsers whose context declares the valid
    references; None for the others (scores, mentions, text), whose references pass unchanged."""
    from medmetrics.parsing.choice import ChoiceParser, ChoicesParser
    from medmetrics.parsing.label import LabelParser

    if isinstance(parser, ChoicesParser):
        return "choices"
    if isinstance(parser, ChoiceParser):
        return "choice"
    if isinstance(parser, LabelParser):
        return "label"
    return None


def normalize_references(
    parser: Parser,
    references: Sequence[Any],
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    *,
    reference_format: str = "label",
    index_base: int | None = None,
) -> list[Any]:
    """Every reference in the form the parser returns its answers, or one ``InputError`` naming
    the item, the value and the valid set.

    - ``choice``: an option letter, case-insensitive (``"b"`` -> ``"B"``), or an option's exact
      text (case and spacing ignored) -> its letter; with ``reference_format="index"``, an
      integer (or digit string) position, ``index_base`` 0 or 1 -> its letter.
    - ``choices``: a list, tuple or set of those -> a tuple of letters in option order.
    - ``label``: a declared label, compared as the label parser compares labels (case, spacing
      and punctuation ignored) -> the label as declared.

    A reference that is not text (``None``, NaN, a dict, bytes; an integer unless told it is an
    index) is an error, never a label of its own. Other parsers' references pass unchanged.
    """
    check_reference_format(reference_format, index_base)
    kind = reference_kind(parser)
    if kind is None:
        if reference_format == "index":
            raise InputError(f"reference_format='index' is for multiple-choice tasks (parser 'choice' or "
                             f"'choices'), not parser {parser.name!r}")
        return list(references)
    if isinstance(references, (str, bytes)) or not hasattr(references, "__len__"):
        raise InputError(f"references must be a sequence of items, not {type(references).__name__}")
    references = list(references)  # a numpy array or a pandas Series too
    per_item = context is not None and not isinstance(context, Mapping)
    if per_item and len(context) != len(references):  # type: ignore[arg-type]
        raise InputError(f"context has {len(context)} items but there are {len(references)} references")  # type: ignore[arg-type]
    shared = context if isinstance(context, Mapping) else {}
    normalize = _normalizer(parser, shared, kind, reference_format, index_base)
    normalized = []
    for i, reference in enumerate(references):
        try:
            if per_item and context[i]:  # type: ignore[index]  # the item's own options or labels
                normalized.append(_normalizer(parser, context[i], kind, reference_format, index_base)(  # type: ignore[index]
                    reference, f"reference {i}"))
            else:
                normalized.append(normalize(reference, f"reference {i}"))
        except InputError as exc:
            exc.item = i
            raise
    return normalized


def normalize_reference(
    parser: Parser,
    reference: Any,
    context: Mapping[str, Any] | None = None,
    *,
    where: str = "reference",
    reference_format: str = "label",
    index_base: int | None = None,
    kind: str | None = None,
) -> Any:
    """One reference, normalized as ``normalize_references`` does; ``where`` names it in errors."""
    kind = kind or reference_kind(parser)
    if kind is None:
        return reference
    return _normalizer(parser, context, kind, reference_format, index_base)(reference, where)


def _normalizer(parser: Parser, context: Mapping[str, Any] | None, kind: str, reference_format: str,
                index_base: int | None) -> Callable[[Any, str], Any]:
    """The normalization of references under one context, set up once (labels, letters, texts)."""
    settings = {**parser.options, **(context or {})}
    if kind == "label":
        if reference_format == "index":
            raise InputError("reference_format='index' is for multiple-choice tasks; a label task's references "
                             "are its labels")
        from medmetrics.parsing.label import label_set

        labels = label_set(settings).labels
        table = _label_table(labels)
        return lambda reference, where: _label_reference(reference, labels, table, where)
    letters, texts = _choice_table(settings)
    if kind == "choice":
        return lambda reference, where: _choice_reference(reference, letters, texts, where, reference_format,
                                                          index_base)

    def several(reference: Any, where: str) -> tuple[str, ...]:
        if isinstance(reference, (str, bytes, Mapping)) or not isinstance(reference, (Sequence, set, frozenset)):
            raise InputError(f"{where} is {reference!r:.80} ({type(reference).__name__}): a multi-select "
                             f"reference must be a list of options ({letters.describe()})")
        found = [_choice_reference(x, letters, texts, f"{where}, element {k}", reference_format, index_base)
                 for k, x in enumerate(reference)]
        return letters.order(found) if found else ()

    return several


def _choice_table(settings: Mapping[str, Any]) -> tuple[Any, Mapping[str, tuple[str, ...]]]:
    """The valid letters and option text -> letters, from the parser's own option index."""
    from medmetrics.parsing.choice.options import letters_key, options_tuple

    return _choice_index(options_tuple(settings.get("options")), letters_key(settings.get("letters")))


@functools.lru_cache(maxsize=4096)
def _choice_index(options: tuple[str, ...] | None,
                  letters: str | tuple[str, ...] | None) -> tuple[Any, Mapping[str, tuple[str, ...]]]:
    from medmetrics.parsing.choice.options import letter_set, option_index

    valid = letter_set(letters, None if options is None else len(options))
    return valid, (option_index(options, valid).by_text if options is not None else {})


def _as_index(value: Any) -> int | None:
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return int(value)  # numpy integers too (a pandas column of indices)
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    return None


def _shown(value: Any) -> str:
    return f"{value!r:.80} ({type(value).__name__})"


#: A letter followed by a text: "B. fever", "(B) fever", "B: fever".
_LETTERED = re.compile(r"\s*[(\[]?([A-Za-z])[)\].:]\s*(\S.*)\Z", re.DOTALL)


def _choice_reference(reference: Any, letters: Any, texts: Mapping[str, tuple[str, ...]], where: str,
                      reference_format: str, index_base: int | None) -> str:
    from medmetrics.parsing.text import squash

    described = letters.describe()
    if reference_format == "index":
        index = _as_index(reference)
        base = int(index_base or 0)
        first, last = base, base + len(letters.letters) - 1
        if index is None:
            raise InputError(f"{where} is {_shown(reference)}: with reference_format='index' a reference must be "
                             f"an integer option index from {first} to {last} ({described})")
        if not first <= index <= last:
            raise InputError(f"{where} is {reference!r}: index out of range; with index_base={base} the options "
                             f"({described}) are {first} to {last}")
        return str(letters.letters[index - base])
    if isinstance(reference, str):
        key = squash(reference)
        if len(key) == 1 and key.isascii() and key.upper() in letters.valid:
            return key.upper()
        owners = texts.get(key, ())
        if len(owners) == 1:
            return owners[0]
        if len(owners) > 1:
            raise InputError(f"{where} is {reference!r}: options {', '.join(owners)} have that same text")
        lettered = _LETTERED.match(reference)  # "B. fever": the letter and its own option's text
        if lettered and lettered[1].upper() in texts.get(squash(lettered[2]), ()):
            return lettered[1].upper()
    valid = f"an option letter ({described})" + (" or an option's exact text (alone or after its letter)"
                                                  if texts else "")
    hint = ""
    if _as_index(reference) is not None:
        hint = "; an option index needs reference_format='index' with index_base=0 or 1"
    elif isinstance(reference, float) and not math.isfinite(reference):
        hint = "; a missing reference cannot be scored"
    raise InputError(f"{where} is {_shown(reference)}, not {valid}{hint}")


def _label_reference(reference: Any, labels: tuple[str, ...], table: Mapping[tuple[str, ...], str],
                     where: str) -> str:
    text = reference if isinstance(reference, str) else (
        str(reference) if isinstance(reference, int) and not isinstance(reference, bool) else None)
    if text is not None:
        from medmetrics.parsing.label import label_key

        found = table.get(label_key(text))
        if found is not None:
            return found
    if isinstance(reference, str):
        raise InputError(f"{where} has label(s) {[reference]} outside the label set {list(labels)} "
                         "(compared ignoring case, spacing and punctuation)")
    raise InputError(f"{where} is {_shown(reference)}, not a label: a reference must be one of the labels "
                     f"{list(labels)}")


@functools.lru_cache(maxsize=512)
def _label_table(labels: tuple[str, ...]) -> Mapping[tuple[str, ...], str]:
    """Each declared label under the label parser's own key (folded alphanumeric runs)."""
    from medmetrics.parsing.label import label_key

    return {label_key(label): label for label in labels}


# ----------------------------------------------------------------------------------------------
# compare: raw generations are parsed (task or parser given) or rejected, never compared as text
# ----------------------------------------------------------------------------------------------
