"""Options of parsers and metrics: declared once, validated once, rendered into signatures."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from medmetrics.errors import InputError


def check_options(owner: str, given: Mapping[str, Any], declared: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``declared`` defaults updated with ``given``; an unknown name is an ``InputError``."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InputError(
            f"{owner} has no option {', '.join(repr(u) for u in unknown)}; "
            f"its options are: {', '.join(sorted(declared)) or '(none)'}"
        )
    return {**declared, **given}


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
