"""Signatures: one text that pins everything that changes a number, made in one place.

A metric's signature is ``[compat:PROFILE|]NAME@VERSION(OPTIONS)[|DETAIL...]|ORIGIN[|INSTALLED...]``:
the options that are set (``None`` ones left out, long values as a count and a hash), details the
metric owes to a peer (sacrebleu's own signature), where the metric comes from (``medmetrics==X``
or a plugin's ``distribution==version``) and the installed libraries its number depends on
(``nltk==X``). A parser's is ``NAME@VERSION(OPTIONS)`` with a plugin's distribution in brackets.
A result scored from parsed generations adds ``|parser:PARSER``.

``Signature`` holds the parts, ``format()`` writes them; metrics and parsers build theirs with
``describe()`` (a subclass adds a part with ``dataclasses.replace``), never by editing the text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PARSER = "|parser:"


@dataclass(frozen=True)
class Signature:
    """The parts of a metric's or parser's signature."""

    name: str
    version: str
    #: the options under the names signatures write (``Options.signature_names``)
    options: Mapping[str, Any]
    #: ``medmetrics==X`` or ``distribution==version``; for a built-in parser, None
    origin: str | None = None
    #: the compat profile a paper's evaluator belongs to
    profile: str | None = None
    #: what the number owes to a peer, written before the origin (sacrebleu's signature)
    details: tuple[str, ...] = ()
    #: installed libraries the number depends on, written after the origin
    installed: tuple[str, ...] = ()
    #: a parser's signature is ``head[origin]``, a metric's ``head|origin``
    parser: bool = False

    def format(self) -> str:
        head = render_signature(self.name, self.version, self.options)
        if self.parser:
            return f"{head}[{self.origin}]" if self.origin else head
        parts = [f"compat:{self.profile}"] if self.profile else []
        parts += [head, *self.details, *([self.origin] if self.origin else []), *self.installed]
        return "|".join(parts)

    def __str__(self) -> str:
        return self.format()


def with_parser(metric_signature: str, parser_signature: str) -> str:
    """A result's signature: the metric's, and the parser (or rule) that read the generations."""
    return f"{metric_signature}{_PARSER}{parser_signature}"


def metric_part(result_signature: str) -> str:
    """The metric's own signature within a result's (without the parser)."""
    return result_signature.split(_PARSER, 1)[0]


def render_value(value: Any) -> str:
    """A short, stable text for a signature; long values become a count and a content hash."""
    if isinstance(value, Mapping):
        text = ",".join(f"{k}={render_value(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        text = ",".join(render_value(v) for v in items)
    else:
        text = str(value)
    if len(text) > 40:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        count = len(value) if isinstance(value, (Mapping, list, tuple, set, frozenset)) else len(text)
        return f"{count}#{digest}"
    return text


def render_signature(name: str, version: str, options: Mapping[str, Any]) -> str:
    """``name@version(key=value,...)`` with ``None`` options left out."""
    shown = ",".join(f"{k}={render_value(v)}" for k, v in sorted(options.items()) if v is not None)
    return f"{name}@{version}" + (f"({shown})" if shown else "")
