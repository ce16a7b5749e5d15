"""One exception hierarchy for everything medmetrics raises on purpose.

Model output never raises (parsers return a failed ``Parsed``); these errors are for caller
mistakes (``InputError``), unknown or clashing registry names, and broken plugins.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable


class MedmetricsError(Exception):
    """Base class of every error medmetrics raises deliberately."""


class InputError(MedmetricsError, ValueError):
    """The caller passed something that cannot be scored; the message says what and where.

    ``item`` is the position (from 0, as a Python index) of the item the error is about, when it
    is about one. A caller that knows where items came from names that place instead: the CLI
    turns "reference 3 is nan" into "run.jsonl:5: the reference is nan" (see ``located``).
    """

    def __init__(self, message: str, *, item: int | None = None) -> None:
        super().__init__(message)
        self.item = item

    def located(self, where: str) -> InputError:
        """This error at ``where`` (``PATH:LINE``, say) instead of at its item's position."""
        message = str(self)
        if self.item is not None:
            position = re.compile(rf"(item|reference|prediction) {self.item}\b(: )?")
            match = position.match(message)
            if match:
                rest = message[match.end():]
                message = rest if match[2] else f"the {match[1]}{rest}"
            else:  # "field 'x' of item 3 is ..."
                message = message.replace(f" of item {self.item} ", " ", 1)
        return InputError(f"{where}: {message}", item=self.item)


class UnknownNameError(MedmetricsError, KeyError):
    """A parser, metric, task or plugin name that is not registered.

    A ``KeyError`` so that ``registry[name]``-style code keeps working, but with a readable
    message listing what exists and the closest matches.
    """

    def __init__(self, kind: str, name: str, available: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.available = sorted(available)
        close = difflib.get_close_matches(name, self.available, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        listing = ", ".join(self.available) if self.available else "(none)"
        self.message = f"unknown {kind} {name!r}.{hint} Available {kind}s: {listing}."
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would otherwise print the message in quotes
        return self.message


class DuplicateNameError(MedmetricsError):
    """Two plugins registered the same name; a name means one thing everywhere."""


class PluginError(MedmetricsError):
    """A plugin failed to import, validate or run one of its hooks (raised from the cause)."""


class MetricError(MedmetricsError):
    """A metric raised while computing per-item statistics: a bug in the metric, not a caller
    mistake. The message names the metric, its distribution and the item (raised from the cause)."""


class PluginWarning(UserWarning):
    """A plugin was skipped because it is broken; the rest keep working."""


class ParserErrorWarning(PluginWarning):
    """A parser raised inside ``read`` on some generations of a run: they were scored as failed
    parses (``rule="internal-error"``). One warning per run names the parser, its distribution,
    the count and the first error."""


class MissingDependencyError(MedmetricsError, ImportError):
    """An optional dependency is not installed; the message says exactly what to install."""
