"""Scoring on a Dask cluster: ``evaluate_dask`` and ``medmetrics score --dask`` (``docs/scale.md``).

Each partition of records is parsed and turned into per-item statistics on a worker, by the same
``run_evaluation`` that ``medmetrics.evaluate`` runs, ``SCORE_CHUNK`` items at a time (as
``medmetrics score`` streams a file, so a worker's memory does not grow with its partition beyond
the records); the client merges the partitions' reports with ``Report.merge``, so every point
value equals the single-process ``evaluate`` exactly.

Intervals: for an additive metric (``AdditiveMetric``: counts and sums) each worker also returns
its Poisson-bootstrap sums (``medmetrics.aggregate.poisson``): weights keyed by (seed, item id), so
the interval is bit-identical for any partitioning and any number of workers. A metric that is
not additive (Pearson, Spearman, BLEU, METEOR, BERTScore) has no such sums: its statistics, which
the merge gathers to the client anyway, are bootstrapped there with the ordinary multinomial
bootstrap (the interval ``evaluate`` gives), and its result says so in a note and a
``GatheredIntervalWarning``. ``bootstrap="multinomial"`` does that for every metric.

Dask is an optional extra (``pip install 'medmetrics[dask]'``), imported when these functions run:
``import medmetrics`` never loads it.
"""

from __future__ import annotations

import functools
import glob
import itertools
import math
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from medmetrics.errors import InputError, MedmetricsError, MissingDependencyError
from medmetrics.results import PARSER_NOTE, MetricResult, Report

#: the field ``read_bag`` adds to every record: ``(path, line, record number)``, lines and record
#: numbers from 1 (line ``None`` for a record of a whole-file JSON list)
SOURCE = "_medmetrics_source"
BOOTSTRAPS = ("poisson", "multinomial")
#: items a worker parses and scores at once within a partition (``_score_partition``)
SCORE_CHUNK = 50_000
INSTALL = "pip install 'medmetrics[dask]'"


class GatheredIntervalWarning(UserWarning):
    """A metric's interval was made on the client from its gathered statistics (the multinomial
    bootstrap), because the metric is not additive and has no Poisson bootstrap on the workers."""


def _dask() -> Any:
    """``dask`` with its bag, or one error saying what to install."""
    try:
        import dask
        import dask.bag
    except ImportError:
        raise MissingDependencyError(f"scoring on Dask needs dask and distributed: {INSTALL}") from None
    return dask


# ----------------------------------------------------------------------------------------------
# Reading files into a bag
# ----------------------------------------------------------------------------------------------


def expand(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[str]:
    """The files named by ``paths``: one pattern or path, or several; a glob pattern
    (``runs/*.jsonl``) gives its matches in sorted order. Nothing matching is an error."""
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    files: list[str] = []
    for item in given:
        text = os.fspath(item)
        matches = sorted(glob.glob(text)) if glob.has_magic(text) else [text]
        if not matches:
            raise InputError(f"{text}: no file matches")
        files += matches
    if not files:
        raise InputError("no input files given")
    return list(dict.fromkeys(files))


def _read_file(path: str, input_format: str | None) -> list[dict[str, Any]]:
    """The records of one file (read where the task runs), each with its ``SOURCE``."""
    from medmetrics.inputs.files import read_records

    records = read_records(path, input_format)
    lines = getattr(records, "lines", None) or []
    for k, record in enumerate(records):  # in place: the records were just made here, and a copy would double them
        record[SOURCE] = (path, lines[k] if k < len(lines) else None, k + 1)
    return list(records)


def read_bag(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *,
             input_format: str | None = None) -> Any:
    """A ``dask.bag.Bag`` of the records of JSONL, JSON or CSV files (a glob pattern, or several
    paths), one partition per file, read on the workers as ``medmetrics score`` reads a file: a bad
    line is an ``InputError`` naming the file and line. Each record carries its place
    (``SOURCE``), which names it in errors and keys its bootstrap weights when it has no ``id``."""
    dask = _dask()
    import dask.bag as db

    # not pure: a file read again (changed since, perhaps) is read again, never taken from a past result
    read = dask.delayed(functools.partial(_read_file, input_format=input_format), pure=False)
    return db.from_delayed([read(path) for path in expand(paths)])


@dataclass(frozen=True)
class Files:
    """Files that ``evaluate_dask`` reads on the workers, one task per file (``read_files``)."""

    paths: tuple[str, ...]
    input_format: str | None = None


def read_files(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *,
               input_format: str | None = None) -> Files:
    """JSONL, JSON or CSV files (a glob pattern, or several paths) for ``evaluate_dask``, each read
    and scored on a worker ``SCORE_CHUNK`` records at a time as ``medmetrics score`` streams a
    file: a worker holds one chunk of a file, whatever the file's size (the partitions of
    ``read_bag``'s bag are held whole). Records are named in errors, and keyed for the bootstrap,
    by file and line, as ``read_bag`` names and keys them, so both give the same report."""
    return Files(tuple(expand(paths)), input_format)


def _as_bag(data: Any) -> Any:
    import dask.bag as db

    if isinstance(data, db.Bag):
        return data
    if hasattr(data, "to_bag") and hasattr(data, "columns"):  # a Dask DataFrame: one record per row
        return data.to_bag(index=False, format="dict")
    raise InputError(f"evaluate_dask takes a dask.bag.Bag of records, a Dask DataFrame or read_files(...), not "
                     f"{type(data).__name__}")


# ----------------------------------------------------------------------------------------------
# Worker side: one partition
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """What every partition needs: what to score, how records are read, and the bootstrap."""

    target: Any
    metrics: Any
    catalog: Any
    shared: Mapping[str, Any]
    fields: Any
    task_name: str | None
    reference_type: str | None
    reference_format: str
    index_base: int | None
    id_field: str
    poisson: bool
    resamples: int
    seed: int
    items: bool
    score_chunk: int = SCORE_CHUNK  # read when the job is made, on the client


@dataclass
class _Partial:
    """A partition's report (statistics, no scorers) and the Poisson sums of its additive metrics."""

    report: Report
    totals: dict[str, Any] = field(default_factory=dict)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _place(record: Mapping[str, Any], partition: int, k: int, id_field: str) -> str:
    """Where a record is, for messages: ``PATH:LINE: record N`` as ``medmetrics score`` says it, else
    its id, else its position in its partition."""
    source = record.get(SOURCE)
    if source:
        path, line, number = source
        return f"{path}:{line}: record {number}" if line is not None else f"{path}: record {number}"
    if not _missing(record.get(id_field)):
        return f"record {id_field}={record[id_field]!r}"
    return f"partition {partition}, record {k + 1}"


def item_id(record: Mapping[str, Any], id_field: str = "id") -> Any:
    """The id that keys a record's bootstrap weights: its ``id_field`` when it has one, else the
    file and line ``read_bag`` read it from (``path:line``), else ``None``."""
    value = record.get(id_field)
    if not _missing(value):
        return value
    source = record.get(SOURCE)
    if source:
        path, line, number = source
        return f"{path}:{line}" if line is not None else f"{path}#record {number}"
    return None


@contextmanager
def _located(places: Sequence[str]) -> Iterator[None]:
    """An ``InputError`` about item ``i`` of the partition names the record's place instead."""
    try:
        yield
    except InputError as exc:
        if exc.item is None or not 0 <= exc.item < len(places):
            raise
        raise exc.located(places[exc.item]) from None


def _score_partition(records: Any, partition: int, job: _Job) -> _Partial | None:
    """Parse and score one partition of a bag on a worker (``_score_chunks``), ``SCORE_CHUNK``
    records at a time. ``None`` for an empty partition."""
    records = list(records)
    size = job.score_chunk
    return _score_chunks((records[start:start + size] for start in range(0, len(records), size)), partition, job)


def _score_file(path: str, partition: int, job: _Job, input_format: str | None) -> _Partial | None:
    """Read and score one file on a worker, ``SCORE_CHUNK`` records at a time as ``medmetrics
    score`` streams a file: the worker holds one chunk of it, whatever its size."""
    from medmetrics.inputs.files import iter_records

    def chunks() -> Iterator[list[dict[str, Any]]]:
        for chunk in iter_records(path, input_format, chunk_size=job.score_chunk):
            for k, record in enumerate(chunk):
                record[SOURCE] = (path, chunk.lines[k] if k < len(chunk.lines) else None, chunk.first + k + 1)
            yield chunk

    return _score_chunks(chunks(), partition, job)


def _score_chunks(chunks: Iterable[Sequence[Any]], partition: int, job: _Job) -> _Partial | None:
    """Parse and score one partition, given as chunks of records, on a worker: its report,
    scored as ``evaluate`` scores, and the Poisson sums of its additive metrics (``None`` when it
    has no records). Each chunk is scored as ``medmetrics score`` scores one (``evaluate_stream``):
    its parses and item statistics are dropped once its Poisson sums are made and its statistics
    compacted; only each item's place (for errors) and id (for the sums) are kept."""
    from medmetrics.aggregate.poisson import poisson_totals
    from medmetrics.aggregate.streaming import evaluate_stream, rebased
    from medmetrics.inputs.adapters.base import require
    from medmetrics.inputs.adapters.generic import context as record_context
    from medmetrics.inputs.files import coerce
    from medmetrics.metrics.base import AdditiveMetric
    from medmetrics.plugins import default_catalog

    places: list[str] = []
    ids: list[Any] = []
    seen: dict[str, str] = {}

    def items() -> Iterator[tuple[list[Any], list[Any], Any]]:
        """Each chunk's generations, references and context, its records checked."""
        for records in chunks:
            offset = len(places)
            generations, references, own = [], [], []
            for k, record in enumerate(records, start=offset):
                if not isinstance(record, Mapping):
                    raise InputError(f"partition {partition}, record {k + 1}: a record must be a mapping of fields, "
                                     f"not {type(record).__name__}")
                place = _place(record, partition, k, job.id_field)
                places.append(place)
                generations.append(require(record, job.fields.prediction, place))
                references.append(require(record, job.fields.reference, place))
                own.append(record_context(record, job.fields, place, job.task_name))
                if job.poisson:
                    ids.append(_checked_id(record, place, job.id_field, seen))
            try:
                references = coerce(references, job.reference_type)
            except InputError as exc:
                raise rebased(exc, offset) from None
            yield generations, references, [{**job.shared, **c} for c in own] if any(own) else dict(job.shared)

    totals: dict[str, Any] = {}

    def add_totals(offset: int, chunk: Report, references: Any, context: Any) -> None:
        """The Poisson sums of a chunk's items, made before its statistics are compacted."""
        if not job.poisson:
            return
        chunk_ids = ids[offset:offset + len(chunk.parsed)]
        for name, result in chunk.results.items():
            if isinstance(result.scorer, AdditiveMetric):
                made = poisson_totals(chunk_ids, result.stats, job.resamples, job.seed)
                totals[name] = made if name not in totals else totals[name] + made

    with warnings.catch_warnings():  # a parser's errors: the note on every result says it, the client warns
        warnings.simplefilter("ignore")
        with _located(places):
            chunk_items = items()
            first = next(chunk_items, None)
            if first is None:
                return None
            report = evaluate_stream(job.target, itertools.chain([first], chunk_items), metrics=job.metrics,
                                     ci=False, resamples=job.resamples, seed=job.seed,
                                     catalog=job.catalog if job.catalog is not None else default_catalog(),
                                     reference_format=job.reference_format, index_base=job.index_base, jobs=1,
                                     items=job.items, on_chunk=add_totals)
    # the metric objects stay here (the client has its own); the items travel only when asked for
    results = {name: replace(r, scorer=None, replicates=None) for name, r in report.results.items()}
    kept = Report(results, report.parsed if job.items else (), report.task, report.parser,
                  stored_statuses=None if job.items else report.statuses)
    return _Partial(kept.compacted(), totals)


def _checked_id(record: Mapping[str, Any], place: str, id_field: str, seen: dict[str, str]) -> Any:
    """The record's bootstrap id (``item_id``), which must exist and be unique in its partition."""
    key = item_id(record, id_field)
    if key is None:
        raise InputError(f"{place}: no {id_field!r} field: the Poisson bootstrap keys each item's weights by its id; "
                         f"give every record an {id_field!r}, read files with read_bag (which keys them by file and "
                         "line), or use bootstrap='multinomial'")
    if str(key) in seen:
        raise InputError(f"{place}: item id {key!r} is also the id of {seen[str(key)]}; ids must be unique")
    seen[str(key)] = place
    return key


# ----------------------------------------------------------------------------------------------
# Client side
# ----------------------------------------------------------------------------------------------


def evaluate_dask(
    task_or_parser: Any,
    data: Any,
    *,
    client: Any = None,
    metrics: Sequence[str] | Mapping[str, Mapping[str, Any]] | None = None,
    context: Mapping[str, Any] | None = None,
    ci: bool | float = False,
    resamples: int = 1000,
    seed: int = 12345,
    bootstrap: str = "poisson",
    catalog: Any = None,
    reference_format: str = "label",
    index_base: int | None = None,
    reference_type: str | None = None,
    prediction_field: str = "generation",
    reference_field: str = "reference",
    context_fields: Mapping[str, str] | None = None,
    id_field: str = "id",
    items: bool = False,
) -> Report:
    """Score a Dask bag of records (or a Dask DataFrame, one record per row, or files given by
    ``read_files``) on a cluster: the ``Report`` that ``evaluate`` gives for the same items in the
    same order, point values exactly.

    Each record holds the generation (``prediction_field``), the reference (``reference_field``)
    and, optionally, its context (a ``context`` mapping, or the fields ``context_fields`` names:
    context key -> dotted path) and an ``id``. ``context`` is shared by every item. ``client`` is a
    ``distributed.Client`` (``None``: dask's current or default scheduler). ``read_bag`` makes a bag
    of files. ``reference_type`` (``int``, ``float``, ``json``) converts text references, as CSV gives.

    ``ci`` adds intervals. ``bootstrap="poisson"`` (default): additive metrics get the Poisson
    bootstrap, made on the workers, keyed by each item's id (the ``id_field``, else the file and
    line ``read_bag`` read it from; a record with neither is an error), the same for any
    partitioning; other metrics are bootstrapped on the client (multinomial, as ``evaluate``
    does), with a note and a ``GatheredIntervalWarning``. ``bootstrap="multinomial"``: every
    interval as ``evaluate`` makes it, on the client. ``items=True`` brings every ``Parsed`` back too
    (``report.parsed``); by default only their status counts travel.

    A bad record stops the run with one ``InputError`` naming its file and line (or its id); a
    worker that dies is replaced and its partitions run again (Dask's retries), leaving the result
    unchanged.
    """
    dask = _dask()
    from medmetrics.aggregate.evaluation import resolve
    from medmetrics.inputs.adapters.base import Fields
    from medmetrics.metrics.resampling import check_resampling
    from medmetrics.parsing.references import check_reference_format
    from medmetrics.plugins import default_catalog

    if bootstrap not in BOOTSTRAPS:
        raise InputError(f"bootstrap must be one of {BOOTSTRAPS}, not {bootstrap!r}")
    level: float | None = None
    if ci is not False:
        level = 0.95 if ci is True else float(ci)
        if not 0.0 < level < 1.0:
            raise InputError(f"ci level must be between 0 and 1, got {level}")
        check_resampling(resamples, seed)
    check_reference_format(reference_format, index_base)
    if context is not None and not isinstance(context, Mapping):
        raise InputError("context of evaluate_dask is one mapping shared by every item; per-item context goes in "
                         "each record (a 'context' field, or context_fields)")
    # resolved here too: a bad name fails before any work, and the client scores with its own metrics
    task, parser, built = resolve(task_or_parser, metrics, catalog or default_catalog())
    if reference_type is None and task is not None:
        reference_type = task.reference_type
    fields = Fields(prediction=prediction_field, reference=reference_field, context=dict(context_fields or {}))
    job = _Job(target=task_or_parser, metrics=metrics, catalog=catalog, shared=dict(context or {}), fields=fields,
               task_name=task.name if task is not None else None, reference_type=reference_type,
               reference_format=reference_format, index_base=index_base, id_field=id_field,
               poisson=level is not None and bootstrap == "poisson", resamples=resamples, seed=seed, items=items,
               score_chunk=SCORE_CHUNK)
    if isinstance(data, Files):  # each file read on its worker, a chunk at a time
        read_and_score = dask.delayed(_score_file, pure=False)
        tasks = [read_and_score(path, k, job, data.input_format) for k, path in enumerate(data.paths)]
    else:
        score = dask.delayed(_score_partition, pure=False)
        tasks = [score(part, k, job) for k, part in enumerate(_as_bag(data).to_delayed())]
    partials = [p for p in _compute(tasks, client) if p is not None]
    if not partials:
        raise InputError("no items to score: every partition is empty")
    reports = []
    for partial in partials:
        report = partial.report
        if report.parser != parser.signature:
            raise MedmetricsError(f"a worker built the parser {report.parser!r}, this process {parser.signature!r}: "
                                  "install the same medmetrics and plugins on the workers")
        results = {}
        for name, result in report.results.items():
            if result.stats.metric != built[name].signature:
                raise MedmetricsError(f"a worker built the metric {result.stats.metric!r}, this process "
                                      f"{built[name].signature!r}: install the same medmetrics and plugins on the "
                                      "workers")
            results[name] = replace(result, scorer=built[name])
        reports.append(replace(report, results=results))
    merged = reports[0].merge(*reports[1:], ci=False)
    parser_notes = [note for r in merged.results.values() for note in r.notes if PARSER_NOTE in note]
    if parser_notes:
        from medmetrics.errors import ParserErrorWarning

        warnings.warn(parser_notes[0], ParserErrorWarning, stacklevel=2)
    if level is None:
        return merged
    results = {}
    for name, result in merged.results.items():
        if name in partials[0].totals:  # additive, with Poisson sums from every partition
            totals = functools.reduce(lambda a, b: a + b, [p.totals[name] for p in partials])
            results[name] = _poisson_result(result, totals, level)
        else:
            results[name] = _gathered_result(name, result, level, resamples, seed, bootstrap)
    return replace(merged, results=results)


def _poisson_result(result: MetricResult, totals: Any, level: float) -> MetricResult:
    from medmetrics.aggregate.poisson import poisson_interval

    interval, undefined, replicates = poisson_interval(result.scorer, result.stats, totals, level)
    notes = result.notes
    if undefined:
        notes += (f"{undefined} of {totals.resamples} bootstrap resamples were undefined (e.g. a constant side) "
                  "and are left out of the interval",)
    return replace(result, ci=interval, replicates=replicates, notes=notes)


def _gathered_result(name: str, result: MetricResult, level: float, resamples: int, seed: int,
                     bootstrap: str) -> MetricResult:
    """The interval made on the client from the merged statistics: the multinomial bootstrap, as
    ``evaluate`` makes it (asked for, or the metric is not additive)."""
    full = result.scorer.result(result.stats, ci=level, resamples=resamples, seed=seed)
    notes = (*full.notes, *(note for note in result.notes if note not in full.notes))
    if bootstrap == "poisson":
        note = (f"interval of {name!r} ({result.metric}): the metric is not additive, so it has no Poisson "
                "bootstrap on the workers; its per-item statistics were gathered to the client and bootstrapped "
                "there (multinomial, as evaluate does)")
        warnings.warn(note, GatheredIntervalWarning, stacklevel=3)
        notes = (*notes, note)
    return replace(result, ci=full.ci, replicates=full.replicates, notes=notes)


def _compute(tasks: list[Any], client: Any) -> list[Any]:
    """The tasks' results, in order, on ``client`` (or dask's scheduler); a worker that dies is
    replaced and its tasks retried by Dask; one that keeps dying is a ``WorkerError``."""
    import dask

    from medmetrics.aggregate.parallel import WorkerError

    try:
        if client is None:
            return list(dask.compute(*tasks))
        return list(client.gather(client.compute(tasks)))
    except Exception as exc:
        if type(exc).__name__ == "KilledWorker":
            raise WorkerError(f"Dask workers kept dying while scoring a partition ({exc}); no result is returned. "
                              "Out of memory? Use smaller partitions (more files), or more memory per worker") from None
        raise


# ----------------------------------------------------------------------------------------------
# The command line: ``--dask ADDRESS|local:N``
# ----------------------------------------------------------------------------------------------


@contextmanager
def connect(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` for ``--dask``: ``local:N`` starts N single-threaded worker processes
    on this machine for the duration; anything else is a scheduler's address (``tcp://host:8786``)."""
    _dask()
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        raise MissingDependencyError(f"--dask needs dask and distributed: {INSTALL}") from None
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not (count.isdigit() and count.isascii() and int(count) >= 1):
            raise InputError(f"--dask local:N needs a number of workers N >= 1, not {count!r}")
        with LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout="20s")
    except OSError as exc:
        raise InputError(f"--dask {address}: cannot reach the scheduler ({exc})") from None
    with client:
        yield client
