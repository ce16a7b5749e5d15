"""Parsing and item statistics in worker processes: ``jobs=N`` (``--jobs N``) gives the same
parses, statistics and report as ``jobs=1``.

Parsing is one Python loop over the generations and most of a large run's time, and each item is
parsed on its own, so the generations are cut into chunks of a few thousand items that N worker
processes parse; the parent puts the chunks back in order. The result is the same list of
``Parsed`` objects, equal field by field, that the serial loop of ``evaluation.parse_all`` gives,
whatever N: no number, interval or signature depends on ``jobs``.

When scoring (``run_evaluation``: ``evaluate``, ``score``), each worker also turns its chunk's
parses into every metric's item statistics (``evaluation.item_statistics``: the chunk's
references normalized, then ``Metric.stats``), since an item's statistics depend on that item
alone. The parent merges the chunks' statistics in order (``Stats.merge``): the same rows as one
process computes (the columns of a label first seen in a later chunk may come later; scores read
columns by name), so every value, interval and signature is the one of ``jobs=1``. A metric with
``stats_in_workers = False`` (BERTScore: one model in one process) or one that does not pickle
is computed in the parent, as is every metric of a run in which any chunk could not be scored:
the parent then scores all items itself, so a bad reference or a metric's error is the one
error, naming the same first bad item, that one process raises.

How many processes (``resolve_jobs``): ``jobs=`` (an int >= 1, or ``"auto"``) if given, else the
innermost ``default_jobs(...)`` block (how the command line passes ``--jobs`` down), else the
``MEDMETRICS_JOBS`` environment variable (an int or ``auto``), else ``auto``. ``auto`` parses in
this process below ``AUTO_MIN_ITEMS`` items; above, it parses a first chunk here, and only when
the rest would take more than ``AUTO_MIN_SECONDS`` in one process does it hand the rest to as many
workers as this process may use cores (``os.process_cpu_count()``, or the CPU affinity). A fast
parser on a mid-sized run so never pays for starting processes it does not need.

Workers and the parser:

- Workers are forked on Linux when this process runs a single thread (they start at once, import
  nothing, and see this process as it is: ``sys.path``, environment, the ``__main__`` of a script
  without an ``if __name__ == "__main__":`` guard, which is not run again). A process that holds
  threads (a plugin hook left running, the caller's own) is never forked: workers then come from
  the ``forkserver`` (POSIX) or are spawned, with the parent's ``sys.path`` and working directory
  (``multiprocessing`` passes them), and a script then needs the ``__main__`` guard, as always
  with ``multiprocessing``. ``START_METHOD`` forces one method.
- The parser is **pickled**, not rebuilt by name: the worker gets the same class, options and
  provenance (so the same signature, which the worker checks), without loading plugins again.
  A built-in parser, a third-party plugin's parser, or any parser whose class is importable by
  its module path works in workers. No plugin is loaded in a worker, so ``MEDMETRICS_PLUGINS``,
  ``MEDMETRICS_BLOCK_PLUGINS`` and strict mode act where the catalog is built, in the parent (and
  strict mode's ``PluginError`` for a raising parser is raised there, after parsing).
- A parser that cannot be rebuilt in a worker (a class defined inside a function or a test, a
  lambda among its options, a module only the parent can import), or per-item context that does
  not pickle, is parsed **in this process**, with no error and no warning: the result is the same,
  only slower. ``last_mode()`` says which way the last call went.

Guarantees: a caller mistake is the same ``InputError``, naming the same first bad item, as in
one process; what the workers' parser raised on (``Parser.internal_errors``) is added to the
parent's parser, so a run still reports its parser errors once with the right count; progress is
reported after each chunk, in order; a worker that dies (killed, out of memory) is a
``WorkerError`` and no result, never a partial one; workers ignore Ctrl-C, which the parent
handles (``medmetrics: interrupted``).

What stays in the parent: merging the statistics, the metrics' scores and their intervals.
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from medmetrics.errors import InputError, MedmetricsError
from medmetrics.results import Parsed

ENV_JOBS = "MEDMETRICS_JOBS"
#: ``auto`` parses runs shorter than this in this process.
AUTO_MIN_ITEMS = 20_000
#: ``auto`` starts workers only when parsing the rest here would take longer than this (seconds).
AUTO_MIN_SECONDS = 1.5
#: Items per chunk sent to a worker (at most), and at least (unless the run is shorter).
CHUNK_MAX = 4000
CHUNK_MIN = 500
#: How many chunks per worker are in flight at once (bounds the parent's memory).
IN_FLIGHT_PER_WORKER = 2
#: The ``multiprocessing`` start method of the workers; ``None``: ``start_method()`` decides.
START_METHOD: str | None = None

if TYPE_CHECKING:
    from concurrent.futures import Future

    from medmetrics.metrics.statistics import Stats

_default_jobs: contextvars.ContextVar[int | str | None] = contextvars.ContextVar("medmetrics_jobs", default=None)
_last_mode: list[str] = ["serial"]
_last_scored: list[tuple[str, ...]] = [()]


class WorkerError(MedmetricsError):
    """A worker process ended abruptly (killed, out of memory) while parsing; nothing is returned."""


def available_cores() -> int:
    """The cores this process may run on: ``os.process_cpu_count()`` (Python 3.13), else the CPU
    affinity, else ``os.cpu_count()``."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return max(1, count() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_jobs(jobs: Any, where: str = "jobs") -> int | str | None:
    """``jobs`` as given (``None``, ``"auto"`` or an int >= 1; an int-like string is read), or an
    ``InputError`` saying what is allowed."""
    if jobs is None:
        return None
    if isinstance(jobs, str):
        text = jobs.strip().lower()
        if text == "auto":
            return "auto"
        if text.isdigit() and text.isascii():
            jobs = int(text)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"{where} must be a number of processes >= 1 or 'auto', not {jobs!r}")
    return jobs


def jobs_argument(value: str) -> int | str:
    """An ``argparse`` type for ``--jobs``: an int >= 1 or ``auto``."""
    import argparse

    try:
        checked = check_jobs(value, "--jobs")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    assert checked is not None
    return checked


def add_jobs_argument(parser: Any) -> None:
    """``--jobs N|auto`` on a command that parses (``score``, ``audit``, ``report``)."""
    parser.add_argument("--jobs", type=jobs_argument, default=None, metavar="N",
                        help="processes that parse and compute item statistics: N or auto (default: "
                             "MEDMETRICS_JOBS, else auto: one process below 20,000 items, the available cores "
                             "above); the results do not depend on it")


@contextlib.contextmanager
def default_jobs(jobs: int | str | None) -> Iterator[None]:
    """Within the block, calls that are not given ``jobs=`` use ``jobs`` (``None``: no change).

    The command line wraps a command in it, so ``--jobs`` reaches every parse of the command
    (score, audit, report, compare) without each function passing it on."""
    if jobs is None:
        yield
        return
    token = _default_jobs.set(check_jobs(jobs))
    try:
        yield
    finally:
        _default_jobs.reset(token)


def requested_jobs(jobs: int | str | None = None) -> int | str:
    """What was asked for: ``jobs``, else ``default_jobs``, else ``MEDMETRICS_JOBS``, else ``auto``."""
    checked = check_jobs(jobs)
    if checked is None:
        checked = _default_jobs.get()
    if checked is None:
        raw = os.environ.get(ENV_JOBS, "").strip()
        if raw:
            checked = check_jobs(raw, ENV_JOBS)
    return "auto" if checked is None else checked


def resolve_jobs(jobs: int | str | None, n: int) -> int:
    """How many processes parse ``n`` items: the request (see ``requested_jobs``), or for
    ``auto`` 1 below ``AUTO_MIN_ITEMS`` items and the available cores from there (``auto`` may
    still parse in one process when the parser is fast; see ``parse_in_workers``)."""
    wanted = requested_jobs(jobs)
    if wanted == "auto":
        return 1 if n < AUTO_MIN_ITEMS else available_cores()
    return int(wanted)


def last_scored() -> tuple[str, ...]:
    """The results whose item statistics the last ``parse_in_workers`` call computed in workers."""
    return _last_scored[0]


def last_mode() -> str:
    """How the last ``parse_in_workers`` call (a parse with ``jobs`` other than 1) parsed:
    ``"serial"`` (in this process), ``"workers"`` or
    ``"fallback"`` (asked for workers, parsed here because the parser or context did not pickle
    or could not be rebuilt in a worker)."""
    return _last_mode[0]


def start_method() -> str:
    """``START_METHOD`` if set; else ``fork`` on Linux in a process running one thread (workers
    start at once, import nothing, and a script without an ``if __name__ == "__main__":`` guard is
    not run again in them), and otherwise ``forkserver`` (POSIX) or ``spawn``: a process that
    holds threads is never forked."""
    if START_METHOD is not None:
        return START_METHOD
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def chunk_size(n: int, jobs: int) -> int:
    """Items per chunk: about four chunks per worker, between ``CHUNK_MIN`` and ``CHUNK_MAX``."""
    return max(CHUNK_MIN, min(CHUNK_MAX, -(-n // (4 * max(1, jobs)))))


# ----------------------------------------------------------------------------------------------
# The parse loop (one chunk), shared by the parent and the workers
# ----------------------------------------------------------------------------------------------


def parse_span(parser: Any, generations: Sequence[Any], contexts: Sequence[Mapping[str, Any]] | None,
               shared: Mapping[str, Any], offset: int = 0,
               progress: Callable[[int], None] | None = None) -> list[Parsed]:
    """Parse ``generations`` (items ``offset``, ``offset + 1``, ...), each with its context (or
    ``shared``): the one parse loop, run by ``evaluation.parse_all`` in this process and by each
    worker on its chunk. A caller mistake is an ``InputError`` naming the first bad item."""
    out: list[Parsed] = []
    parse = parser.parse
    for k, generation in enumerate(generations):
        i = offset + k
        item_context = contexts[k] if contexts is not None else shared
        if not isinstance(generation, str):
            raise InputError(f"prediction {i} is {type(generation).__name__} {generation!r:.60}, not a string",
                             item=i)
        try:
            out.append(parse(generation, **item_context))
        except InputError as exc:
            raise InputError(f"item {i}: {exc}", item=i) from None
        if progress is not None:
            progress(i + 1)
    return out


@dataclass(frozen=True)
class Scoring:
    """What workers need to compute item statistics besides parsing: the metrics by result name,
    one reference per generation, and how the references are read (``normalize_references``)."""

    metrics: Mapping[str, Any]
    references: Sequence[Any]
    reference_format: str = "label"
    index_base: int | None = None

    def shipped(self) -> dict[str, Any]:
        """The metrics workers may compute: ``stats_in_workers``, and pickled whole; the rest are
        computed in the parent."""
        out = {}
        for name, metric in self.metrics.items():
            if getattr(metric, "stats_in_workers", True):
                try:
                    pickle.dumps(metric, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:
                    continue
                out[name] = metric
        return out


def chunk_statistics(parser: Any, metrics: Mapping[str, Any], parsed: Sequence[Parsed], references: Sequence[Any],
                     context: Sequence[Mapping[str, Any]] | Mapping[str, Any], reference_format: str,
                     index_base: int | None) -> dict[str, Stats] | None:
    """The statistics of a chunk's items (``context``: one per item, or the shared one), or
    ``None`` when computing them raises: the parent then scores every item itself, and so raises
    the error one process raises, about the same item."""
    from medmetrics.aggregate.evaluation import item_statistics

    try:
        return item_statistics(parser, metrics, parsed, references, context, reference_format=reference_format,
                               index_base=index_base)
    except Exception:
        return None


# ----------------------------------------------------------------------------------------------
# Worker side
# ----------------------------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(parser_blob: bytes, signature: str, shared_blob: bytes, scoring_blob: bytes | None,
                 metric_signatures: Mapping[str, str]) -> None:
    """Rebuild the parser (and the metrics workers score) once per worker; a failure is
    remembered and reported by each chunk (an initializer that raises would break the whole
    pool, like a killed worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for name in ("SIGTERM", "SIGHUP"):  # a forked worker must not run the command's handlers: it just ends
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _worker.clear()
    try:
        parser = pickle.loads(parser_blob)
        shared = pickle.loads(shared_blob)
        if parser.signature != signature:
            raise ValueError(f"the parser rebuilt in a worker has signature {parser.signature!r}, not {signature!r}")
        scoring = None if scoring_blob is None else pickle.loads(scoring_blob)
        for name, metric in (scoring[0] if scoring else {}).items():
            if metric.signature != metric_signatures[name]:
                raise ValueError(f"metric {name!r} rebuilt in a worker has signature {metric.signature!r}, "
                                 f"not {metric_signatures[name]!r}")
    except Exception as exc:
        _worker["error"] = f"{type(exc).__name__}: {exc}"
        return
    _worker["parser"], _worker["shared"], _worker["scoring"] = parser, shared, scoring


def _work(offset: int, payload: bytes) -> tuple[Any, ...]:
    """Parse one chunk in a worker, and compute its statistics when scoring: ``("ok", rows, new
    internal errors, statistics or None)``, ``("input", message, item, new internal errors)`` or
    ``("unrebuildable", why)``."""
    if "error" in _worker:
        return ("unrebuildable", _worker["error"])
    try:
        generations, contexts, references = pickle.loads(payload)
    except Exception as exc:
        return ("unrebuildable", f"{type(exc).__name__}: {exc}")
    parser, shared, scoring = _worker["parser"], _worker["shared"], _worker["scoring"]
    before = parser.internal_errors
    try:
        parsed = parse_span(parser, generations, contexts, shared, offset)
    except InputError as exc:
        return ("input", str(exc), exc.item, parser.internal_errors - before)
    stats = None
    if scoring is not None:
        stats = chunk_statistics(parser, scoring[0], parsed, references, shared if contexts is None else contexts,
                                 *scoring[1:])
    # plain tuples cross the pipe several times faster than pickled dataclasses
    rows = [(p.value, p.status, p.reason, p.rule, p.span, p.candidates, p.parser) if type(p) is Parsed else p
            for p in parsed]
    return ("ok", rows, parser.internal_errors - before, stats)


# ----------------------------------------------------------------------------------------------
# Parent side
# ----------------------------------------------------------------------------------------------


#: what a call returns: every parse in order, and the statistics workers computed, by result name
Done = tuple[list[Parsed], dict[str, "Stats"]]


def parse_in_workers(
    parser: Any,
    predictions: Sequence[Any],
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    *,
    jobs: int | str | None = None,
    progress: Callable[[int], None] | None = None,
    scoring: Scoring | None = None,
    idle: Callable[[], None] | None = None,
) -> Done | None:
    """Every generation parsed, in order, by ``jobs`` processes, and with ``scoring`` the item
    statistics of the metrics workers may compute (``Scoring.shipped``; none when a chunk could
    not be scored); ``None`` when the caller should parse them itself (one process resolved, a
    short run, a daemon process, or a parser or context that cannot be sent to a worker).
    ``context`` is checked by the caller (one mapping, or one per item of the same length). New
    internal errors of the workers' parser are added to ``parser.internal_errors``.

    ``idle`` is called once, in this process, while the workers have their first chunks (a
    streamed run reads its next chunk then); never when the items are parsed here."""
    _last_mode[0], _last_scored[0] = "serial", ()
    n = len(predictions)
    wanted = requested_jobs(jobs)
    workers = resolve_jobs(wanted, n)
    if workers <= 1 or multiprocessing.current_process().daemon:  # a daemon process may not have children
        return None
    size = chunk_size(n, workers)
    if n <= size:
        return None
    contexts: Sequence[Mapping[str, Any]] | None = None if isinstance(context, Mapping) else context
    shared: Mapping[str, Any] = context if isinstance(context, Mapping) else {}
    predictions = predictions if isinstance(predictions, list) else list(predictions)  # sliced below
    if any(not isinstance(g, str) for g in predictions):
        return None  # the serial loop names the first one that is not a string
    if scoring is not None and not isinstance(scoring.references, list):  # sliced below (a Series slices by label)
        scoring = Scoring(scoring.metrics, list(scoring.references), scoring.reference_format, scoring.index_base)
    job = _Job(parser, predictions, contexts, shared, scoring, scoring.shipped() if scoring else {})
    try:
        blobs = (pickle.dumps(parser, protocol=pickle.HIGHEST_PROTOCOL),
                 pickle.dumps(dict(shared), protocol=pickle.HIGHEST_PROTOCOL), job.scoring_blob())
    except Exception:
        _last_mode[0] = "fallback"
        return None

    first: list[Parsed] | None = None
    if wanted == "auto":  # parse a first chunk here: is the rest worth starting processes for?
        began = time.perf_counter()
        first = job.parse_here(0, size)
        if progress is not None:
            progress(size)
        rest = (time.perf_counter() - began) / size * (n - size)
        if rest < AUTO_MIN_SECONDS:
            return first + job.parse_here(size, n, progress), {}
    start = 0 if first is None else size
    workers = min(workers, -(-(n - start) // size))
    if workers <= 1:
        return None if first is None else (first + job.parse_here(start, n, progress), {})
    parts = _in_workers(job, blobs, start, size, workers, progress, idle)
    if parts is None:
        _last_mode[0] = "fallback"
        return None if first is None else (first + job.parse_here(start, n, progress), {})
    _last_mode[0] = "workers"
    if first is not None:  # its statistics made here, as a worker makes a chunk's
        parts.insert(0, (first, job.statistics(first, 0, size)))
    return job.done(parts)


#: one chunk's result: its parses, and its statistics (``None``: not computed, or they raised)
_Part = tuple[list[Parsed], "dict[str, Stats] | None"]


@dataclass(frozen=True)
class _Job:
    """One call's parser, items and scoring, and what the parent does with them."""

    parser: Any
    predictions: Sequence[Any]
    contexts: Sequence[Mapping[str, Any]] | None
    shared: Mapping[str, Any]
    scoring: Scoring | None
    shipped: Mapping[str, Any]  # the metrics workers compute

    def own(self, begin: int, end: int) -> list[Mapping[str, Any]] | None:
        """The per-item contexts of items ``begin:end`` (``None``: one shared context)."""
        return None if self.contexts is None else [self.contexts[i] for i in range(begin, end)]

    def parse_here(self, begin: int, end: int, progress: Callable[[int], None] | None = None) -> list[Parsed]:
        """Items ``begin:end`` parsed in this process."""
        parsed = parse_span(self.parser, self.predictions[begin:end], self.own(begin, end), self.shared, begin)
        if progress is not None:
            progress(end)
        return parsed

    def statistics(self, parsed: Sequence[Parsed], begin: int, end: int) -> dict[str, Stats] | None:
        """The shipped metrics' statistics of items ``begin:end``, made in this process."""
        if self.scoring is None or not self.shipped:
            return None
        own = self.own(begin, end)
        return chunk_statistics(self.parser, self.shipped, parsed, self.scoring.references[begin:end],
                                self.shared if own is None else own, self.scoring.reference_format,
                                self.scoring.index_base)

    def scoring_blob(self) -> bytes | None:
        if self.scoring is None or not self.shipped:
            return None
        return pickle.dumps((dict(self.shipped), self.scoring.reference_format, self.scoring.index_base),
                            protocol=pickle.HIGHEST_PROTOCOL)

    def chunks(self, start: int, size: int) -> Iterator[tuple[int, int, bytes]]:
        """``(offset, end, pickled (generations, contexts, references))`` of each chunk, made when
        it is sent (references only when workers compute statistics)."""
        scored = self.scoring is not None and bool(self.shipped)
        for offset in range(start, len(self.predictions), size):
            end = min(offset + size, len(self.predictions))
            items, own = list(self.predictions[offset:end]), self.own(offset, end)
            references = list(self.scoring.references[offset:end]) if scored else None  # type: ignore[union-attr]
            yield offset, end, pickle.dumps((items, own, references), protocol=pickle.HIGHEST_PROTOCOL)

    def done(self, parts: Sequence[_Part]) -> Done:
        """The chunks' parses in order, and each shipped metric's statistics merged in order when
        every chunk has them (else none: the caller computes them all, and raises what one
        process raises)."""
        parsed = [p for chunk, _ in parts for p in chunk]
        stats: dict[str, Stats] = {}
        if self.shipped and all(part[1] is not None for part in parts):
            tables = [part[1] for part in parts]
            stats = {name: tables[0][name].merge(*(t[name] for t in tables[1:]))  # type: ignore[index]
                     for name in self.shipped}
        _last_scored[0] = tuple(stats)
        return parsed, stats


class _Unpicklable(Exception):
    """A chunk's per-item context does not pickle."""


def _ended(offset: int, end: int) -> WorkerError:
    return WorkerError(f"a worker process parsing items {offset}-{end - 1} ended abruptly (killed by a signal, or "
                       "out of memory?); no result is returned. Parse in one process with jobs=1 (--jobs 1)")


def _in_workers(job: _Job, blobs: tuple[bytes, bytes, bytes | None], start: int, size: int, workers: int,
                progress: Callable[[int], None] | None, idle: Callable[[], None] | None) -> list[_Part] | None:
    """Items ``start:`` parsed (and scored) by ``workers`` processes, chunk by chunk in order;
    ``None`` if they cannot be. ``blobs``: the pickled parser, shared context and shipped metrics."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    parser = job.parser
    chunks = job.chunks(start, size)
    out: list[_Part] = []
    new_errors = 0
    signatures = {name: metric.signature for name, metric in job.shipped.items()}
    parser_blob, shared_blob, scoring_blob = blobs
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(start_method()),
                                   initializer=_init_worker,
                                   initargs=(parser_blob, parser.signature, shared_blob, scoring_blob, signatures))
    pending: deque[tuple[int, int, Future[tuple[Any, ...]]]] = deque()

    def send() -> bool:
        """Send the next chunk; False when there is none. A context that does not pickle raises
        ``_Unpicklable`` (the caller parses here instead)."""
        try:
            offset, end, payload = next(chunks)
        except StopIteration:
            return False
        except Exception as exc:  # made in this process: the per-item context does not pickle
            raise _Unpicklable(str(exc)) from exc
        try:
            future = executor.submit(_work, offset, payload)
        except BrokenProcessPool:  # a worker died since the last result: a pending chunk's result says which
            if pending:
                return False
            raise _ended(offset, end) from None
        pending.append((offset, end, future))
        return True

    try:
        # the parent's objects are moved out of the collector's sight while workers fork: a forked
        # worker's collections would otherwise touch (and so copy) every page holding them
        gc.freeze()
        try:
            for _ in range(workers * IN_FLIGHT_PER_WORKER):
                if not send():
                    break
        finally:
            gc.unfreeze()
        if idle is not None and pending:
            idle()
        while pending:
            offset, end, future = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                raise _ended(offset, end) from None
            kind = result[0]
            if kind == "unrebuildable":
                return None
            if kind == "input":
                parser.internal_errors += new_errors + result[3]
                raise InputError(result[1], item=result[2])
            new_errors += result[2]
            out.append(([Parsed(*row) if type(row) is tuple else row for row in result[1]], result[3]))
            send()
            if progress is not None:
                progress(end)
    except _Unpicklable:
        return None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    parser.internal_errors += new_errors
    return out
