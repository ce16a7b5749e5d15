"""``audit``: where parsing fails. Parse every generation and count statuses, reasons and rules.

``audit(task_or_parser, predictions, references=None, context=...)`` parses a task's generations
as ``evaluate`` does (same resolution of the task or parser, same per-item context) but scores
nothing: the ``Audit`` it returns says what share of the items parsed ``ok``, ``partial``,
``ambiguous``, ``empty`` or ``failed``; the most frequent reasons an item did not parse ``ok``,
each with a count and an example (the item's index and a snippet of its generation); and the rule
that read each answer. ``medmetrics audit`` is the command line of the same thing.

Reasons carry item-specific details (``the answer E is not among the options (A-D)``,
``non-integer score 2.5``), so they are grouped by a pattern: quoted and bracketed parts, numbers,
option letters and the conflicting values of an ambiguous parse are replaced by ``…``
(``the answer … is not among the options (…)``); a group whose items all give the same reason
shows that reason. A reason made of several notes joined by ``"; "`` counts under each note.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from medmetrics._json import json_native
from medmetrics.errors import InputError
from medmetrics.results import STATUSES, Parsed

if TYPE_CHECKING:
    from medmetrics.catalog.task import Task
    from medmetrics.inputs.run import TaskRun
    from medmetrics.parsing.base import Parser
    from medmetrics.plugins import Catalog

__all__ = ["Audit", "ItemAudit", "ReasonGroup", "audit", "audit_run", "reason_notes", "render_audits", "snippet"]

#: how many reason groups the text rendering lists by default
TOP = 10
#: the longest generation shown whole in an example; longer ones are cut around the answer
SNIPPET = 120
NO_REASON = "(no reason given)"

_QUOTED = re.compile(r"""(?<!\w)'[^'\n]*'(?!\w)|"[^"\n]*"|“[^”\n]*”""")
_BRACKETED = re.compile(r"\[[^\[\]\n]*\]")
_NUMBER = re.compile(r"(?<![\w.])[-−+]?\d+(?:\.\d+)?(?!\w)")
_LETTERS = re.compile(r"\b[A-Z](?:(?:, | and |-|–)[A-Z])*\b")  # option letters: "E", "A-D", "B, E"
_LISTED = re.compile(r"'…'(?:, '…')+")  # a list of quoted values: "'Disease', 'Chemical'"


def _notes(reason: str) -> list[str]:
    """A reason's ``"; "``-joined notes, split only outside brackets and parentheses."""
    notes, depth, start = [], 0, 0
    for i, char in enumerate(reason):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0 and reason.startswith("; ", i):
            notes.append(reason[start:i])
            start = i + 2
    notes.append(reason[start:])
    return [note.strip() for note in notes if note.strip()]


def reason_notes(reason: str, candidates: Sequence[Any] = ()) -> tuple[tuple[str, str], ...]:
    """(note, pattern) for each ``"; "``-joined note of a reason; the pattern is the note with its
    item-specific details (quoted or bracketed parts, numbers, option letters) replaced by ``…``.

    ``candidates`` are the conflicting values of an ambiguous parse: the text after a note's first
    ``": "`` then lists them and is replaced as a whole (``conflicting answers: …``).
    """
    out: list[tuple[str, str]] = []
    listed = bool(candidates) and ": " in reason  # "conflicting answers: ('A',); ('A', 'C')" is one note
    for note in ([reason.strip()] if listed else _notes(reason)) or [NO_REASON]:
        pattern = note
        if listed:
            pattern = pattern[:pattern.index(": ") + 2] + "…"
        pattern = _BRACKETED.sub("[…]", _LISTED.sub("'…'", _QUOTED.sub("'…'", pattern)))
        pattern = _LETTERS.sub("…", _NUMBER.sub("…", pattern))
        if all(pattern != seen for _, seen in out):
            out.append((note, pattern))
    return tuple(out)


def snippet(generation: str, span: tuple[int, int] | None = None, width: int = SNIPPET) -> str:
    """The generation, cut to about ``width`` characters: around the answer's span when there is
    one, else its start and its end (where a final answer usually is)."""
    if len(generation) <= width:
        return generation
    if span is not None and 0 <= span[0] <= span[1] <= len(generation):
        start = max(0, min(span[0] - width // 2, len(generation) - width))
        end = start + width
        return ("…" if start else "") + generation[start:end] + ("…" if end < len(generation) else "")
    head = width // 3
    return generation[:head] + " … " + generation[len(generation) - (width - head):]


@dataclass(frozen=True)
class ItemAudit:
    """One item: its 0-based index in the task's records, its generation, and how it parsed."""

    index: int
    generation: str
    parsed: Parsed
    reference: Any = None

    @property
    def span_text(self) -> str | None:
        """The text the answer was read from (``generation[start:end]``), or None without a span."""
        span = self.parsed.span
        return None if span is None else self.generation[span[0]:span[1]]

    def to_dict(self, task: str | None = None) -> dict[str, Any]:
        """One line of ``--per-item``: where, how it parsed, the span both as offsets and as text."""
        p = self.parsed
        return {
            "task": task, "index": self.index, "status": p.status, "value": json_native(p.value),
            "rule": p.rule, "reason": p.reason, "span": json_native(p.span), "span_text": self.span_text,
            "candidates": json_native(p.candidates), "reference": json_native(self.reference),
            "generation": self.generation, "parser": p.parser,
        }


@dataclass(frozen=True)
class ReasonGroup:
    """The items whose reason matches one pattern (under one status), and the first of them.

    ``reason`` is the note itself when every item gives the same one, else the ``pattern``.
    """

    status: str
    reason: str
    pattern: str
    count: int
    share: float
    example: ItemAudit

    def to_dict(self) -> dict[str, Any]:
        item = self.example
        return {
            "status": self.status, "reason": self.reason, "pattern": self.pattern, "count": self.count,
            "share": json_native(self.share),
            "example": {"index": item.index, "reason": item.parsed.reason,
                        "snippet": snippet(item.generation, item.parsed.span),
                        "span": json_native(item.parsed.span), "span_text": item.span_text},
        }


@dataclass(frozen=True)
class Audit:
    """How one task's generations parsed: status shares, reasons not ``ok``, rules; ``to_dict`` is
    JSON-native and ``render()`` (or ``str()``) the text ``medmetrics audit`` prints."""

    task: str | None
    parser: str
    items: tuple[ItemAudit, ...]
    source: str = ""

    @property
    def n(self) -> int:
        return len(self.items)

    @cached_property
    def statuses(self) -> dict[str, int]:
        """Status -> how many items parsed so, every status listed (as ``Report.statuses``)."""
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for item in self.items:
            counts[item.parsed.status] += 1
        return counts

    @property
    def shares(self) -> dict[str, float]:
        """Status -> share of the items (NaN, ``None`` in JSON, when there are none)."""
        return {status: count / self.n if self.n else float("nan") for status, count in self.statuses.items()}

    @cached_property
    def reasons(self) -> tuple[ReasonGroup, ...]:
        """Every item not ``ok``, grouped by (status, reason pattern); most frequent first."""
        groups: dict[tuple[str, str], list[ItemAudit]] = {}
        notes: dict[tuple[str, str], set[str]] = {}
        for item in self.items:
            p = item.parsed
            if p.status == "ok":
                continue
            for note, pattern in reason_notes(p.reason, p.candidates):
                groups.setdefault((p.status, pattern), []).append(item)
                notes.setdefault((p.status, pattern), set()).add(note)
        ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0].index))
        return tuple(ReasonGroup(status, next(iter(notes[key])) if len(notes[key]) == 1 else pattern, pattern,
                                 len(members), len(members) / self.n, members[0])
                     for key, members in ordered for status, pattern in [key])

    @cached_property
    def rules(self) -> tuple[tuple[str | None, int, dict[str, int]], ...]:
        """(rule, items, status -> items) for every rule that read an item (None: no rule)."""
        counts: Counter[str | None] = Counter(item.parsed.rule for item in self.items)
        by_status: dict[str | None, Counter[str]] = {}
        for item in self.items:
            by_status.setdefault(item.parsed.rule, Counter())[item.parsed.status] += 1
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
        return tuple((rule, count, {s: by_status[rule][s] for s in STATUSES if by_status[rule][s]})
                     for rule, count in ordered)

    def to_dict(self, items: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "task": self.task, "parser": self.parser, "source": self.source, "n": self.n,
            "statuses": self.statuses, "shares": json_native(self.shares),
            "reasons": [group.to_dict() for group in self.reasons],
            "rules": [{"rule": rule, "count": count, "share": json_native(count / self.n), "statuses": statuses}
                      for rule, count, statuses in self.rules],
        }
        if items:
            out["items"] = self.per_item()
        return out

    def per_item(self) -> list[dict[str, Any]]:
        """The ``--per-item`` lines: one JSON-native dict per item."""
        return [item.to_dict(self.task) for item in self.items]

    def render(self, top: int | None = TOP) -> str:
        """The text report: statuses, the ``top`` reason groups (all with ``None``), rules."""
        title = f"{self.task or 'command-line'}: {self.n} items, parser {self.parser}"
        lines = [title + (f"  ({self.source})" if self.source else ""), ""]
        lines.append(_table(["status", "n", "share"],
                            [[s, str(c), _percent(self.shares[s])] for s, c in self.statuses.items()]))
        lines.append("")
        shown = self.reasons if top is None else self.reasons[:top]
        if not self.reasons:
            lines.append("reasons: every item parsed ok")
        else:
            lines.append("why items did not parse ok, most frequent first (items, share, status, reason):")
            for group in shown:
                lines += _render_group(group)
            if len(shown) < len(self.reasons):
                lines.append(f"  ... and {len(self.reasons) - len(shown)} more (--top 0 lists them all)")
        lines.append("")
        lines.append(_table(["rule", "n", "share", "statuses"],
                            [[rule or "(none)", str(count), _percent(count / self.n),
                              ", ".join(f"{c} {s}" for s, c in statuses.items())]
                             for rule, count, statuses in self.rules]))
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.render()


def _percent(share: float) -> str:
    return "-" if share != share else f"{100 * share:.1f}%"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Aligned plain text as ``medmetrics score`` prints it: names left, numbers right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = [i > 0 and all(_NUMERIC.fullmatch(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) if right else cell.ljust(w) for cell, w, right in zip(row, widths, numeric))
             .rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_NUMERIC = re.compile(r"-|[\d.]+%?")
_INDENT = " " * 28  # under the reason, after "  count  share  status  "


def _render_group(group: ReasonGroup) -> list[str]:
    item = group.example
    text = json.dumps(snippet(item.generation, item.parsed.span), ensure_ascii=False)
    lines = [f"  {group.count:>5}  {_percent(group.share):>6}  {group.status:<9}  {group.reason}",
             f"{_INDENT}e.g. item {item.index}: {text}"]
    if item.parsed.reason and item.parsed.reason != group.reason:
        lines.append(f"{_INDENT}    reason: {item.parsed.reason}")
    if item.span_text is not None:
        start, end = item.parsed.span or (0, 0)
        lines.append(f"{_INDENT}    read [{start}, {end}): {json.dumps(item.span_text, ensure_ascii=False)}")
    return lines


def render_audits(audits: Mapping[str, Audit], fmt: str = "text", *, notes: Sequence[str] = (),
                  top: int | None = TOP) -> str:
    """Several tasks' audits: JSON ``{"tasks": {task: audit}, "notes": [...]}``, or text with an
    overview table first when there is more than one task."""
    if fmt == "json":
        data = {"tasks": {name: a.to_dict() for name, a in audits.items()}, "notes": list(notes)}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt not in ("text", "table"):
        raise InputError(f"unknown audit format {fmt!r}; use text or json")
    parts = []
    if len(audits) > 1:
        header = ["task", "n", *STATUSES]
        rows = [[name, str(a.n), *(_percent(a.shares[s]) for s in STATUSES)] for name, a in audits.items()]
        parts.append(_table(header, rows) + "\n")
    parts += [a.render(top) for a in audits.values()]
    text = "\n".join(parts)
    if notes:
        text += "\n" + "".join(f"note: {note}\n" for note in notes)
    return text


def _resolve(task_or_parser: str | Task | Parser, catalog: Catalog) -> tuple[Task | None, Parser]:
    """The task (if any) and its parser, as ``evaluate`` resolves them: a task name first, else a
    parser name; a ``Task``; or a ``Parser``."""
    from medmetrics.catalog.task import Task
    from medmetrics.parsing.base import Parser
    from medmetrics.plugins import get_parser

    if isinstance(task_or_parser, str):
        if task_or_parser in catalog.tasks:
            task_or_parser = catalog.tasks.get(task_or_parser).obj
        else:
            return None, get_parser(task_or_parser, catalog=catalog)
    if isinstance(task_or_parser, Task):
        return task_or_parser, get_parser(task_or_parser.parser, catalog=catalog, **dict(task_or_parser.parser_options))
    if isinstance(task_or_parser, Parser):
        return None, task_or_parser
    raise InputError(f"audit needs a task, a parser or a name, not {type(task_or_parser).__name__}")


def audit(
    task_or_parser: str | Task | Parser,
    predictions: Sequence[str],
    references: Sequence[Any] | None = None,
    *,
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    catalog: Catalog | None = None,
    source: str = "",
    progress: Callable[[int], None] | None = None,
) -> Audit:
    """Parse every generation and return the ``Audit``: status shares, reasons, rules, per item.

    Arguments as for ``evaluate``: ``task_or_parser`` is a ``Task``, a ``Parser`` or a name (a
    registered task first, else a parser); ``context`` is one mapping for every item or one per
    item (option texts, label set, source text). ``references`` are optional: they are only
    carried into the per-item records. Nothing is scored.
    """
    from medmetrics.aggregate.evaluation import parse_all
    from medmetrics.plugins import default_catalog

    task, parser = _resolve(task_or_parser, catalog or default_catalog())
    if references is not None and len(references) != len(predictions):
        raise InputError(f"predictions has {len(predictions)} items but references has {len(references)}")
    parsed = parse_all(parser, predictions, context if task is None else task.parser_context(context), progress)
    refs: Sequence[Any] = references if references is not None else [None] * len(parsed)
    items = tuple(ItemAudit(i, generation, p, ref)
                  for i, (generation, p, ref) in enumerate(zip(predictions, parsed, refs)))
    return Audit(task.name if task is not None else None, parser.signature, items, source)


def audit_run(
    runs: Mapping[str, TaskRun],
    tasks: Sequence[str] | None = None,
    *,
    catalog: Catalog | None = None,
) -> tuple[dict[str, Audit], list[str]]:
    """Audit the tasks of a loaded run (``adapters.load_run``): ``tasks`` (default: every task of
    the run) that are in the run and registered. Returns task -> ``Audit`` and notes on the tasks
    left out (not in the run, no such task, parser not installed, in the run but not asked for)."""
    from medmetrics.aggregate.suites import resolve_task
    from medmetrics.inputs.files import coerce
    from medmetrics.plugins import default_catalog

    catalog = catalog or default_catalog()
    wanted = list(runs) if tasks is None else list(dict.fromkeys(tasks))
    audits: dict[str, Audit] = {}
    missing, unavailable = [], []
    for name in wanted:
        task = resolve_task(name, catalog)
        if isinstance(task, str):
            unavailable.append(f"{name} ({task})")
            continue
        run = runs.get(name)
        if run is None:
            missing.append(name)
            continue
        if getattr(run, "loglikelihood", None) is not None:  # answers chosen by log-likelihood: nothing parsed
            unavailable.append(f"{name} (log-likelihood samples: no generated text to audit)")
            continue
        where = f"task {name!r}" + (f" ({run.source})" if run.source else "")
        try:
            references = coerce(list(run.references), task.reference_type)
            audits[name] = audit(task, run.generations, references, context=run.context, catalog=catalog,
                                 source=run.source)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
    notes = []
    if missing:
        notes.append(f"not in the run: {', '.join(missing)}")
    if unavailable:
        notes.append(f"not audited: {', '.join(unavailable)}")
    stray = [name for name in runs if name not in wanted]
    if stray:
        notes.append(f"not audited: the run has tasks not asked for: {', '.join(stray)} (rename them with --task-map)")
    if not audits and unavailable:  # asked for tasks, none of which can be audited: say why, not an empty table
        raise InputError(f"nothing to audit: {', '.join(unavailable)}")
    return audits, notes
