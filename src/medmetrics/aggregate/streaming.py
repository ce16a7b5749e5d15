"""Scoring a run chunk by chunk: ``evaluate_stream`` and ``medmetrics score`` (``docs/scale.md``).

A run too large to hold (a million generations, their parses and the records they came from) is
scored in chunks: each chunk is parsed and turned into per-item statistics by the same
``run_evaluation`` that ``medmetrics.evaluate`` runs, and then only its statistics are kept,
compacted to distinct rows with counts (``Stats.compacted``: a few hundred rows for accuracy or
F1 however long the chunk); its generations, references and parses are dropped, unless
``items=True`` keeps the parses. The chunks' reports are merged with ``Report.merge``, which
scores the merged statistics exactly as if every item had been scored at once, intervals
included for the same seed (``tests/test_report_merge.py``). So memory is bounded by one chunk and
the distinct statistics, not by the file, and the report is the one ``evaluate`` gives on the whole run
(``tests/test_streaming.py`` checks values, components, per-label tables, statuses, notes and
intervals over random chunk sizes).

What is made again for the whole: the note on generations the parser raised on (counted over the
run, its first error named by its index in the run) and its ``ParserErrorWarning``, given once;
strict mode's ``PluginError`` is raised after the last chunk, as ``evaluate`` raises it after
parsing. An error about an item names it by its index in the run (``prediction 50003 is ...``),
the index ``evaluate`` on the whole run would name.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from medmetrics.errors import InputError, ParserErrorWarning, PluginError
from medmetrics.results import PARSER_NOTE, Report

#: ``(generations, references, context)`` of one chunk; context: one mapping, one per item, or None
Chunk = tuple[Sequence[Any], Sequence[Any], Any]
#: called after each chunk is scored: (index in the run of its first item, its report with its
#: parses, its references, its context), e.g. to write per-item lines as the run goes
OnChunk = Callable[[int, Report, Sequence[Any], Any], None]


def rebased(exc: InputError, offset: int) -> InputError:
    """``exc``, about item ``i`` of a chunk whose first item is item ``offset`` of the run, about
    item ``offset + i`` instead: its ``item`` and the number its message names it by."""
    if exc.item is None or offset == 0:
        return exc
    local, index = exc.item, offset + exc.item
    message = re.sub(rf"\b(item|reference|prediction) {local}\b", lambda m: f"{m[1]} {index}", str(exc))
    return InputError(message, item=index)


def evaluate_stream(
    task_or_parser: Any,
    chunks: Iterable[Chunk],
    *,
    metrics: Any = None,
    ci: bool | float = False,
    resamples: int = 1000,
    seed: int = 12345,
    catalog: Any = None,
    reference_format: str = "label",
    index_base: int | None = None,
    jobs: int | str | None = None,
    items: bool = False,
    on_chunk: OnChunk | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Score a run given in chunks of ``(generations, references, context)``: the ``Report`` that
    ``medmetrics.evaluate`` gives on all the chunks' items at once, in order (every value,
    component, per-label table, status count, note and signature; the interval too, for the same
    ``seed``), holding one chunk at a time and the statistics (two chunks when worker processes
    score them: the next is read while they score the current one).

    ``chunks`` is any iterable (a generator reading a file: ``medmetrics.inputs.files.iter_records``). Each
    chunk's ``context`` is one mapping for all its items, one mapping per item, or ``None``.
    ``items=True`` keeps every ``Parsed`` (``report.parsed``); by default only the status counts
    are kept. ``on_chunk(offset, report, references, context)`` is called after each chunk with
    its report, parses included (``offset``: the index in the run of its first item).
    ``progress(done)`` is told the number of items parsed so far in the run.
    """
    from medmetrics.aggregate.evaluation import _builtin, parser_error_text, resolve, run_evaluation
    from medmetrics.plugins import default_catalog

    catalog = catalog if catalog is not None else default_catalog()
    _, parser, _ = resolve(task_or_parser, metrics, catalog)  # a bad name fails before any reading
    quiet = replace(catalog, strict=False)  # strict mode stops the run after the last chunk, as evaluate does
    reports: list[Report] = []
    offset = 0
    raised = 0  # generations the parser raised on, and the first of them
    first_error: tuple[int, str] | None = None
    ahead = _ReadAhead(iter(chunks))
    while (chunk := ahead.next()) is not None:
        generations, references, context = chunk
        told = progress
        if progress is not None:
            told = (lambda start: lambda done: progress(start + done))(offset)
        try:
            with warnings.catch_warnings():  # said once for the run, below
                warnings.simplefilter("ignore", ParserErrorWarning)
                report = run_evaluation(task_or_parser, generations, references, metrics=metrics, context=context,
                                        ci=False, resamples=resamples, seed=seed, catalog=quiet, progress=told,
                                        reference_format=reference_format, index_base=index_base, jobs=jobs,
                                        idle=ahead.read)
        except InputError as exc:
            raise rebased(exc, offset) from None
        if any(note.startswith(PARSER_NOTE) for r in report.results.values() for note in r.notes):
            hits = [i for i, p in enumerate(report.parsed) if p.rule == "internal-error" and p.status == "failed"]
            if hits and first_error is None:
                first_error = (offset + hits[0], report.parsed[hits[0]].reason)
            raised += len(hits)
            report = replace(report, results={
                name: replace(r, notes=tuple(n for n in r.notes if not n.startswith(PARSER_NOTE)))
                for name, r in report.results.items()})
        if on_chunk is not None:
            on_chunk(offset, report, references, context)
        kept = report if items else Report(report.results, (), report.task, report.parser,
                                           stored_statuses=report.statuses)
        reports.append(kept.compacted())
        offset += len(generations)
        # what the chunk held goes before the next is read (or, with workers, scored)
        del chunk, generations, references, context, report, told
    if not reports:  # no items: the error (or report) evaluate gives on none
        return run_evaluation(task_or_parser, [], [], metrics=metrics, context=None, ci=ci, resamples=resamples,
                              seed=seed, catalog=catalog, reference_format=reference_format, index_base=index_base,
                              jobs=jobs)
    note = None
    if first_error is not None:
        note = parser_error_text(parser, raised, offset, *first_error)
        if catalog.strict and not _builtin(parser):
            raise PluginError(note + " (MEDMETRICS_STRICT_PLUGINS is set, so the run stops)")
        warnings.warn(note, ParserErrorWarning, stacklevel=2)
    merged = reports[0].merge(*reports[1:], ci=ci, resamples=resamples, seed=seed)
    if note is not None:
        merged = replace(merged, results={name: replace(r, notes=(*r.notes, note))
                                          for name, r in merged.results.items()})
    return merged


class _ReadAhead:
    """The chunks, one of which may be read early: while worker processes score a chunk
    (``--jobs``), this process, otherwise waiting, reads the next one (``read``, the ``idle`` of
    ``run_evaluation``). Two chunks are then held instead of one. An error in reading it is
    raised when that chunk is due, after the current chunk's own errors, as without reading
    ahead."""

    def __init__(self, chunks: Iterator[Chunk]) -> None:
        self._chunks = chunks
        self._ahead: list[Chunk | None] = []
        self._failed: list[Exception] = []

    def read(self) -> None:
        if self._ahead or self._failed:
            return
        try:
            self._ahead.append(next(self._chunks, None))
        except Exception as exc:
            self._failed.append(exc)

    def next(self) -> Chunk | None:
        if self._failed:
            raise self._failed.pop()
        return self._ahead.pop() if self._ahead else next(self._chunks, None)


def chunked(generations: Sequence[Any], references: Sequence[Any], context: Any = None,
            size: int = 50_000) -> Iterable[Chunk]:
    """Lists already in memory as chunks of ``size`` items (for ``evaluate_stream``; a context of
    one mapping is shared by every chunk)."""
    if size < 1:
        raise InputError(f"chunk size must be at least 1, not {size}")
    per_item = context is not None and not isinstance(context, Mapping)
    for start in range(0, len(generations), size):
        end = start + size
        yield (generations[start:end], references[start:end],
               context[start:end] if per_item else context)
