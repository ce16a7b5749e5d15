"""Parsing and item statistics in worker processes (issue 16, item 1): ``jobs=N`` gives the
parses, statistics and report of ``jobs=1``, on every kind of parser, context and metric family;
what a worker's parser raised on is reported once with the right count; a worker that dies is an
error, never a partial result; a parser that cannot be rebuilt in a worker is parsed in the
calling process, and a metric that cannot be (or asks not to be) is computed there; a bad
reference or a metric's error is the error of one process, about the same item.

Chunks are made small here (``small_chunks``) so that a few hundred items already go to several
workers; the sizes a real run uses do not change what is parsed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import medmetrics
from medmetrics import Parser, parallel
from medmetrics.aggregate.evaluation import parse_all
from medmetrics.aggregate.parallel import WorkerError, default_jobs, resolve_jobs
from medmetrics.aggregate.suites import score_task
from medmetrics.errors import InputError, MetricError, ParserErrorWarning, PluginError
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.classification import Accuracy
from medmetrics.metrics.statistics import is_sparse
from medmetrics.plugins import load_catalog
from medmetrics.results import Parsed

N = 300


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK_MIN", 16)
    monkeypatch.setattr(parallel, "CHUNK_MAX", 37)  # N items: 9 chunks, the last one short
    monkeypatch.delenv(parallel.ENV_JOBS, raising=False)


@pytest.fixture(scope="module")
def catalog() -> Any:
    return load_catalog(entry_points=False)


# --- data: several tasks, per-item and shared context --------------------------------------------

OPTIONS = ("fever", "pneumonia", "myocardial infarction", "warfarin", "heparin", "sarcoidosis", "tuberculosis",
           "metformin", "Graves disease", "aortic dissection")
MENTIONS = ("aspirin", "IL-2", "p53", "breast cancer", "fever", "cisplatin", "type 2 diabetes")


def choice_data(n: int = N, seed: int = 1) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """MedQA-like: options per item; letters, option texts, prose, refusals, ties."""
    rng = random.Random(seed)
    gens, refs, ctx = [], [], []
    for _ in range(n):
        options = rng.sample(OPTIONS, rng.choice((4, 5)))
        letters = "ABCDE"[:len(options)]
        answer = rng.choice(letters)
        text = options[letters.index(answer)]
        gens.append(rng.choice((
            f"Let's think step by step. The answer is ({answer}).", f"Answer: {answer}", f"{answer}. {text}",
            f"The most likely diagnosis is {text}.", "Answer: none of the above", "I cannot tell.",
            f"<think>maybe (A)</think>\n**{answer}**", "", f"Either (A) or ({answer}).")))
        refs.append(rng.choice(letters))
        ctx.append({"options": options})
    return gens, refs, ctx


def label_data(n: int = N, seed: int = 2) -> tuple[list[str], list[str], None]:
    """PubMedQA-like: the task's label set, shared; no context."""
    rng = random.Random(seed)
    styles = ("{x}", "Answer: {x}", "The answer is {x}.", "**{x}**", "I am not sure about this one.", "{x} or {y}")
    labels = ("yes", "no", "maybe")
    gens = [rng.choice(styles).format(x=rng.choice(labels), y=rng.choice(labels)) for _ in range(n)]
    return gens, [rng.choice(labels) for _ in range(n)], None


def spans_data(n: int = N, seed: int = 3) -> tuple[list[str], list[Any], list[dict[str, Any]]]:
    """BC5CDR-disease-like "Disease: a...b" lines, grounded in each item's source text."""
    rng = random.Random(seed)
    gens, refs, ctx = [], [], []
    for _ in range(n):
        gold = rng.sample(MENTIONS, rng.randint(0, 3))
        said = [m for m in gold if rng.random() < 0.75] + ([rng.choice(MENTIONS)] if rng.random() < 0.3 else [])
        gens.append(rng.choice(("Disease: {}", "**Entities:**\nDisease: {}", "{}")).format("...".join(said) or "None"))
        refs.append([{"type": "Disease", "text": m} for m in gold])
        ctx.append({"source": "In this study " + ", ".join(MENTIONS[:rng.randint(3, 7)]) + " were measured."})
    return gens, refs, ctx


def bio_data(n: int = N, seed: int = 4) -> tuple[list[str], list[Any], list[dict[str, Any]]]:
    """EBM-PICO-like "word [B-PAR]" tags aligned to each item's tokens."""
    rng = random.Random(seed)
    classes = ("PAR", "INT", "OUT")
    gens, refs, ctx = [], [], []
    for _ in range(n):
        gold = [rng.choice(("O", "O", *classes)) for _ in range(rng.randint(3, 12))]
        said = [g if rng.random() < 0.8 else rng.choice(("O", *classes)) for g in gold]
        if rng.random() < 0.2:
            said = said[:-1]  # a dropped word
        gens.append(" ".join(f"w{i} [{'O' if t == 'O' else 'B-' + t}]" for i, t in enumerate(said)))
        refs.append(["O" if g == "O" else "I-" + g for g in gold])
        ctx.append({"tokens": [f"w{i}" for i in range(len(gold))]})
    return gens, refs, ctx


def number_data(n: int = N, seed: int = 5) -> tuple[list[str], list[float], dict[str, Any]]:
    """BIOSSES-like scores on 0-4, with the range as shared context."""
    rng = random.Random(seed)
    gens = [rng.choice((f"Score: {rng.uniform(0, 4):.1f}", f"{rng.randint(0, 4)}", "no idea", "7 out of 4"))
            for _ in range(n)]
    return gens, [round(rng.uniform(0, 4), 1) for _ in range(n)], {"low": 0, "high": 4}


CASES: dict[str, tuple[str, Callable[[], tuple[Any, Any, Any]]]] = {
    "choice, options per item": ("medqa", choice_data),
    "label, no context": ("pubmedqa", label_data),
    "labeled_spans, source per item": ("bc5_disease", spans_data),
    "bio, tokens per item": ("ebm_pico", bio_data),
    "number, shared context": ("biosses", number_data),
}


def _same_reports(a: medmetrics.Report, b: medmetrics.Report) -> None:
    assert a.parsed == b.parsed
    assert list(a) == list(b)
    for name in a:
        ra, rb = a[name], b[name]
        assert (ra.value, ra.n, ra.n_failed, ra.signature, ra.notes) == (rb.value, rb.n, rb.n_failed, rb.signature,
                                                                         rb.notes)
        assert ra.ci == rb.ci and ra.ci is not None
        assert ra.components == rb.components
    assert json.dumps(a.to_dict(items=True), sort_keys=True) == json.dumps(b.to_dict(items=True), sort_keys=True)
    _same_stats(a, b)


def _same_stats(a: medmetrics.Report, b: medmetrics.Report) -> None:
    """The same statistics rows, item by item (columns compared in canonical order: a label first
    seen in a later chunk comes later in a merge)."""
    for name in a:
        sa, sb = a[name].stats.canonical(), b[name].stats.canonical()
        assert (sa.metric, sa.columns, sa.counts) == (sb.metric, sb.columns, sb.counts)
        rows_a, rows_b = (s.rows.toarray() if is_sparse(s.rows) else s.rows for s in (sa, sb))
        assert np.array_equal(rows_a, rows_b)


@pytest.mark.parametrize("case", list(CASES))
def test_reports_are_identical_for_one_two_and_three_processes(case: str, small_chunks: None, catalog: Any) -> None:
    task, make = CASES[case]
    gens, refs, ctx = make()
    reports = {}
    for jobs in (1, 2, 3):
        reports[jobs] = medmetrics.evaluate(task, gens, refs, context=ctx, ci=True, resamples=200, catalog=catalog,
                                            jobs=jobs)
        if jobs > 1:
            assert parallel.last_mode() == "workers"
            assert parallel.last_scored() == tuple(reports[jobs].results)  # every metric's statistics too
    assert len({p.status for p in reports[1].parsed}) > 1  # the data exercise more than one outcome
    _same_reports(reports[1], reports[2])
    _same_reports(reports[1], reports[3])


def test_parsed_lists_are_equal_field_by_field(small_chunks: None, catalog: Any) -> None:
    gens, _, ctx = choice_data()
    parser = medmetrics.get_parser("choice", catalog=catalog)
    serial = parse_all(parser, gens, ctx, jobs=1)
    for jobs in (2, 3):
        workers = parse_all(parser, gens, ctx, jobs=jobs)
        assert len(workers) == len(serial) == N
        for a, b in zip(serial, workers):
            assert type(b) is Parsed
            assert (a.value, a.status, a.reason, a.rule, a.span, a.candidates, a.parser) == \
                (b.value, b.status, b.reason, b.rule, b.span, b.candidates, b.parser)


def test_score_task_is_identical_with_jobs(small_chunks: None, catalog: Any) -> None:
    gens, refs, ctx = choice_data()
    run = TaskRun("medqa", gens, refs, ctx, source="run/medqa.jsonl")
    task = catalog.tasks.get("medqa").obj
    one, two = (score_task(task, "qa", run, catalog=catalog, ci=True, resamples=100, seed=7, jobs=jobs)
                for jobs in (1, 2))
    assert one.to_dict() == two.to_dict()
    assert (one.samples == two.samples).all()


# --- item statistics in workers: every metric family, and what stays in this process ------------

GENERATION_METRICS = ["rouge", "bleu", "accuracy", "f1"]


def text_data(n: int = N, seed: int = 6) -> tuple[list[str], list[str], None]:
    """Summaries: free text scored by ROUGE and BLEU (and, as labels, accuracy and F1)."""
    rng = random.Random(seed)
    words = [*MENTIONS, "patients", "were", "treated", "with", "and", "improved", "the", "trial", "showed"]
    refs = [" ".join(rng.choices(words, k=rng.randint(3, 15))) for _ in range(n)]
    gens = [" ".join(w for w in r.split() if rng.random() < 0.8) or "none" for r in refs]
    return gens, refs, None


@pytest.mark.parametrize(("parser", "metrics", "make"), [
    ("text", GENERATION_METRICS, text_data),
    ("number", ["pearson", "spearman", "accuracy"], number_data),
])
def test_metric_families_are_computed_in_workers_identically(parser: str, metrics: list[str], make: Callable[..., Any],
                                                            small_chunks: None, catalog: Any) -> None:
    gens, refs, ctx = make()
    one = medmetrics.evaluate(parser, gens, refs, metrics=metrics, context=ctx, ci=True, resamples=100,
                              catalog=catalog, jobs=1)
    two = medmetrics.evaluate(parser, gens, refs, metrics=metrics, context=ctx, ci=True, resamples=100,
                              catalog=catalog, jobs=2)
    assert parallel.last_mode() == "workers" and parallel.last_scored() == tuple(metrics)
    _same_reports(one, two)


class Unshipped(Accuracy):
    """Accuracy that asks to be computed in the calling process (as BERTScore does)."""

    name = "unshipped_accuracy"
    stats_in_workers = False


def test_a_metric_that_stays_in_this_process_gives_the_same_result(medmetrics_register, small_chunks: None) -> None:
    class Local(Accuracy):  # defined in a function: it does not pickle
        name = "local_accuracy"

    class Plugin:
        @medmetrics.hookimpl
        def register_metrics(self, register: Any) -> None:
            register(Unshipped)
            register(Local)

    catalog = medmetrics_register(Plugin(), name="metrics-here")
    gens, refs, _ = label_data()
    names = ["accuracy", "unshipped_accuracy", "local_accuracy", "f1"]
    one = medmetrics.evaluate("pubmedqa", gens, refs, metrics=None, catalog=catalog, jobs=1)
    reports = [medmetrics.evaluate(medmetrics.get_parser("label", labels=["yes", "no", "maybe"], catalog=catalog),
                                   gens, refs, metrics=names, catalog=catalog, ci=True, resamples=50, jobs=jobs)
               for jobs in (1, 2)]
    assert parallel.last_scored() == ("accuracy", "f1")
    _same_reports(*reports)
    assert reports[1]["unshipped_accuracy"].value == reports[1]["local_accuracy"].value == one["accuracy"].value


def test_reference_and_metric_errors_are_those_of_one_process(small_chunks: None, catalog: Any) -> None:
    gens, refs, ctx = choice_data()
    bad_reference = [*refs[:250], "Z", *refs[251:]]  # no option Z: found while normalizing, in a worker
    one = _error(lambda: medmetrics.evaluate("medqa", gens, bad_reference, context=ctx, catalog=catalog, jobs=1))
    assert one[1] == 250 and "reference 250" in one[0]
    assert _error(lambda: medmetrics.evaluate("medqa", gens, bad_reference, context=ctx, catalog=catalog,
                                              jobs=2)) == one
    # a parse error later in the run comes first, as in one process, which parses before scoring
    bad_context = [*ctx[:280], {**ctx[280], "colour": "red"}, *ctx[281:]]
    one = _error(lambda: medmetrics.evaluate("medqa", gens, bad_reference, context=bad_context, catalog=catalog,
                                             jobs=1))
    assert one[1] == 280
    assert _error(lambda: medmetrics.evaluate("medqa", gens, bad_reference, context=bad_context, catalog=catalog,
                                              jobs=3)) == one
    # a metric's own InputError (Pearson: a reference that is no number) names the metric and item
    scores, golds, shared = number_data()
    golds = [*golds[:190], "high", *golds[191:]]
    one = _error(lambda: medmetrics.evaluate("biosses", scores, golds, context=shared, catalog=catalog, jobs=1))
    assert one[1] == 190 and one[0].startswith("metric ")
    assert _error(lambda: medmetrics.evaluate("biosses", scores, golds, context=shared, catalog=catalog,
                                              jobs=2)) == one


class Fragile(Accuracy):
    """Accuracy with a bug: raises on the prediction 'maybe' (a metric error, named by item)."""

    name = "fragile_accuracy"

    def item_stats(self, predictions: Any, references: Any) -> Any:
        if "maybe" in predictions:
            raise ZeroDivisionError("a bug")
        return super().item_stats(predictions, references)


def test_a_metric_bug_in_a_worker_is_the_error_of_one_process(medmetrics_register, small_chunks: None) -> None:
    class Plugin:
        @medmetrics.hookimpl
        def register_metrics(self, register: Any) -> None:
            register(Fragile)

    catalog = medmetrics_register(Plugin(), name="fragile")
    gens, refs, _ = label_data()
    parser = medmetrics.get_parser("label", labels=["yes", "no", "maybe"], catalog=catalog)
    errors = []
    for jobs in (1, 2):
        with pytest.raises(MetricError) as caught:
            medmetrics.evaluate(parser, gens, refs, metrics=["accuracy", "fragile_accuracy"], catalog=catalog,
                                jobs=jobs)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "fragile_accuracy" in errors[0] and "raised in item_stats on item" in errors[0]


# --- third-party and run-time parsers -------------------------------------------------------------

PLUGIN = """
    import os
    import signal

    import medmetrics
    from medmetrics import Parser
    from medmetrics.results import Parsed

    class Shout(Parser):
        '''Reads the generation upper-cased; raises on "boom"; a worker dies on "KILL".'''
        name = "shout"
        version = "2"
        defaults = {"suffix": ""}

        def read(self, text, settings):
            if "boom" in text:
                raise RuntimeError(f"cannot read {text!r}")
            if text == "KILL":
                if os.getpid() != int(os.environ.get("MM_TEST_PARENT", "0")):
                    os.kill(os.getpid(), signal.SIGKILL)  # only ever a worker
                raise RuntimeError("KILL reached the parent process")
            return Parsed(text.upper() + settings["suffix"], "ok", rule="shout")

    @medmetrics.hookimpl
    def register_parsers(register):
        register(Shout)
"""


def _shout(fake_distribution: Callable[..., None], **options: Any) -> tuple[Any, Parser]:
    fake_distribution("medmetrics-shout", "shout", "mm_shout", PLUGIN, version="3.4")
    catalog = load_catalog(strict=False)
    return catalog, medmetrics.get_parser("shout", catalog=catalog, **options)


def test_third_party_parser_runs_in_workers(fake_distribution, small_chunks: None) -> None:
    catalog, parser = _shout(fake_distribution, suffix="!")
    assert parser.signature == "shout@2(suffix=!)[medmetrics-shout==3.4]"
    gens = [f"item {i}" for i in range(N)]
    serial = medmetrics.evaluate(parser, gens, [g.upper() + "!" for g in gens], metrics=["accuracy"],
                                 catalog=catalog, jobs=1)
    workers = medmetrics.evaluate(parser, gens, [g.upper() + "!" for g in gens], metrics=["accuracy"],
                                  catalog=catalog, jobs=2)
    assert parallel.last_mode() == "workers"
    assert workers["accuracy"].value == 1.0
    assert workers.parsed == serial.parsed and workers.parser == serial.parser == parser.signature
    assert workers["accuracy"].signature == serial["accuracy"].signature


def test_workers_from_the_fork_server_get_the_plugin_too(fake_distribution, small_chunks: None, monkeypatch) -> None:
    """Workers that are not forked from this process import the plugin's module from the parent's
    ``sys.path`` (here a temporary directory)."""
    monkeypatch.setattr(parallel, "START_METHOD", "forkserver")
    _, parser = _shout(fake_distribution)
    gens = [f"item {i}" for i in range(N)]
    serial = parse_all(parser, gens, None, jobs=1)
    assert parse_all(parser, gens, None, jobs=2) == serial
    assert parallel.last_mode() == "workers"


def test_internal_errors_in_workers_are_reported_once_with_the_right_count(fake_distribution,
                                                                            small_chunks: None) -> None:
    catalog, parser = _shout(fake_distribution)
    boom = {57, 130, 131, 299}  # several chunks, the last item too
    gens = [f"boom {i}" if i in boom else f"item {i}" for i in range(N)]
    before = parser.internal_errors
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = medmetrics.evaluate(parser, gens, [g.upper() for g in gens], metrics=["accuracy", "f1"],
                                     catalog=catalog, jobs=2)
    assert parallel.last_mode() == "workers"
    assert parser.internal_errors - before == len(boom)  # the workers' counts, summed back
    hits = [str(w.message) for w in caught if issubclass(w.category, ParserErrorWarning)]
    assert len(hits) == 1, hits
    for part in ("'shout'", "distribution medmetrics-shout==3.4", "raised on 4 of 300 generations",
                 "first error, item 57: RuntimeError: cannot read 'boom 57'"):
        assert part in hits[0], hits[0]
    for result in report.values():
        assert hits[0] in result.notes
    assert [i for i, p in enumerate(report.parsed) if p.rule == "internal-error"] == sorted(boom)

    with pytest.raises(PluginError, match="raised on 4 of 300"):
        medmetrics.evaluate(parser, gens, gens, metrics=["accuracy"], catalog=load_catalog(strict=True), jobs=2)


def test_a_killed_worker_is_an_error_and_no_result(fake_distribution, small_chunks: None, monkeypatch) -> None:
    monkeypatch.setenv("MM_TEST_PARENT", str(os.getpid()))
    catalog, parser = _shout(fake_distribution)
    gens = [f"item {i}" for i in range(N)]
    gens[200] = "KILL"
    progress: list[int] = []
    children = set(multiprocessing.active_children())  # other tests' children may still be running
    with pytest.raises(WorkerError, match=r"worker process parsing items .* ended abruptly.*jobs=1") as caught:
        medmetrics.evaluate(parser, gens, gens, metrics=["accuracy"], catalog=catalog, jobs=2)
    assert isinstance(caught.value, medmetrics.MedmetricsError)  # the CLI prints it as one line, exit 2
    with pytest.raises(WorkerError):
        parse_all(parser, gens, None, progress.append, jobs=2)
    assert not progress or progress[-1] < 200  # never reported past the lost chunk
    assert set(multiprocessing.active_children()) <= children  # every worker was reaped
    # and the next run starts new workers
    gens[200] = "item 200"
    assert parse_all(parser, gens, None, jobs=2) == parse_all(parser, gens, None, jobs=1)


class _Reverse(Parser):
    """A parser class at module level: importable, so it is pickled by reference."""

    name = "reverse_words"

    def read(self, text: str, settings: Any) -> Parsed:
        return Parsed(" ".join(reversed(text.split())), "ok")


class _ReversePlugin:
    @medmetrics.hookimpl
    def register_parsers(self, register: Any) -> None:
        register(_Reverse)


def test_parser_registered_at_run_time_with_an_importable_class_runs_in_workers(medmetrics_register,
                                                                                 small_chunks: None) -> None:
    catalog = medmetrics_register(_ReversePlugin(), name="reverse")
    parser = medmetrics.get_parser("reverse_words", catalog=catalog)
    gens = [f"a b {i}" for i in range(N)]
    assert parse_all(parser, gens, None, jobs=2) == parse_all(parser, gens, None, jobs=1)


def test_parser_that_cannot_be_rebuilt_in_a_worker_is_parsed_here_silently(medmetrics_register,
                                                                           small_chunks: None) -> None:
    class Local(Parser):  # defined in a function: no worker can import it
        name = "local_upper"

        def read(self, text: str, settings: Any) -> Parsed:
            return Parsed(text.upper(), "ok")

    class Plugin:
        @medmetrics.hookimpl
        def register_parsers(self, register: Any) -> None:
            register(Local)

    catalog = medmetrics_register(Plugin(), name="local")
    gens = [f"item {i}" for i in range(N)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = medmetrics.evaluate("local_upper", gens, [g.upper() for g in gens], metrics=["accuracy"],
                                     catalog=catalog, jobs=3)
    assert parallel.last_mode() == "fallback"
    assert report["accuracy"].value == 1.0 and len(report.parsed) == N

    # per-item context that does not pickle: the same
    parser = medmetrics.get_parser("choice", catalog=catalog)
    gens, _, ctx = choice_data()

    class Options(list):  # a local class: cannot be pickled
        pass

    odd = [{"options": Options(c["options"])} for c in ctx]
    assert parse_all(parser, gens, odd, jobs=2) == parse_all(parser, gens, ctx, jobs=1)
    assert parallel.last_mode() == "fallback"


# --- caller mistakes, progress -----------------------------------------------------------------


def _error(fn: Callable[[], Any]) -> tuple[str, int | None]:
    with pytest.raises(InputError) as caught:
        fn()
    return str(caught.value), caught.value.item


def test_caller_mistakes_are_the_same_error_at_the_same_item(small_chunks: None, catalog: Any) -> None:
    gens, _, ctx = choice_data()
    parser = medmetrics.get_parser("choice", catalog=catalog)
    bad_context = [*ctx[:200], {**ctx[200], "colour": "red"}, *ctx[201:250], {"options": 3}, *ctx[251:]]
    one = _error(lambda: parse_all(parser, gens, bad_context, jobs=1))
    assert one[1] == 200 and one[0].startswith("item 200: ")
    assert _error(lambda: parse_all(parser, gens, bad_context, jobs=2)) == one
    not_text = [*gens[:123], 5, *gens[124:]]
    one = _error(lambda: parse_all(parser, not_text, ctx, jobs=1))
    assert one == ("prediction 123 is int 5, not a string", 123)
    assert _error(lambda: parse_all(parser, not_text, ctx, jobs=3)) == one


def test_progress_is_reported_per_chunk_in_order(small_chunks: None, catalog: Any) -> None:
    gens, _, ctx = choice_data()
    parser = medmetrics.get_parser("choice", catalog=catalog)
    calls: list[int] = []
    parse_all(parser, gens, ctx, calls.append, jobs=2)
    assert calls == sorted(calls) and calls[-1] == N and len(calls) == 9


# --- how many processes ---------------------------------------------------------------------------


def test_default_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.ENV_JOBS, raising=False)
    monkeypatch.setattr(parallel, "available_cores", lambda: 6)
    assert resolve_jobs(None, 19_999) == 1  # small runs: this process
    assert resolve_jobs(None, 20_000) == 6 and resolve_jobs("auto", 1_000_000) == 6
    assert resolve_jobs(3, 10) == 3  # what the caller asks for (a short run still parses here: one chunk)
    monkeypatch.setenv(parallel.ENV_JOBS, "2")
    assert resolve_jobs(None, 10) == 2 and resolve_jobs(1, 10**6) == 1
    with default_jobs(4):
        assert resolve_jobs(None, 10) == 4 and resolve_jobs(1, 10) == 1
        with default_jobs(None):
            assert resolve_jobs(None, 10) == 4
    assert resolve_jobs(None, 10) == 2
    monkeypatch.setenv(parallel.ENV_JOBS, "auto")
    assert resolve_jobs(None, 10) == 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(parallel.ENV_JOBS, bad)
        with pytest.raises(InputError, match="MEDMETRICS_JOBS must be a number of processes >= 1 or 'auto'"):
            resolve_jobs(None, 10)
    monkeypatch.delenv(parallel.ENV_JOBS)
    for bad in (0, -2, True, 1.5, "x"):
        with pytest.raises(InputError, match="jobs must be"):
            resolve_jobs(bad, 10)  # type: ignore[arg-type]
    assert parallel.available_cores() >= 1
    assert parallel.jobs_argument("auto") == "auto" and parallel.jobs_argument("3") == 3


def test_auto_uses_workers_only_when_the_rest_is_slow_enough(small_chunks: None, catalog: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "AUTO_MIN_ITEMS", 100)
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    gens, _, ctx = choice_data()
    parser = medmetrics.get_parser("choice", catalog=catalog)
    serial = parse_all(parser, gens, ctx, jobs=1)
    monkeypatch.setattr(parallel, "AUTO_MIN_SECONDS", 1e9)
    assert parse_all(parser, gens, ctx) == serial
    assert parallel.last_mode() == "serial"
    monkeypatch.setattr(parallel, "AUTO_MIN_SECONDS", 0.0)
    calls: list[int] = []
    assert parse_all(parser, gens, ctx, calls.append) == serial  # the first chunk here, the rest in workers
    assert parallel.last_mode() == "workers"
    assert calls[0] == 37 and calls[-1] == N and calls == sorted(calls)


def test_short_input_stays_in_this_process(catalog: Any) -> None:
    parser = medmetrics.get_parser("label", labels=["yes", "no"], catalog=catalog)
    assert [p.value for p in parse_all(parser, ["yes", "no"], None, jobs=4)] == ["yes", "no"]
    assert parallel.last_mode() == "serial"


# --- a streamed run: the next chunk is read while workers score the current one ------------------


def test_a_streamed_run_reads_ahead_while_workers_score(small_chunks: None, catalog: Any) -> None:
    from medmetrics.aggregate.streaming import chunked, evaluate_stream

    gens, refs, ctx = choice_data()
    events: list[str] = []

    def chunks() -> Any:
        for k, chunk in enumerate(chunked(gens, refs, ctx, size=100)):
            events.append(f"read {k}")
            yield chunk

    streamed = evaluate_stream("medqa", chunks(), ci=True, resamples=100, catalog=catalog, jobs=2, items=True,
                               on_chunk=lambda offset, *_: events.append(f"scored {offset // 100}"))
    assert events == ["read 0", "read 1", "scored 0", "read 2", "scored 1", "scored 2"]
    whole = medmetrics.evaluate("medqa", gens, refs, context=ctx, ci=True, resamples=100, catalog=catalog, jobs=1)
    assert streamed.parsed == whole.parsed and streamed["accuracy"].ci == whole["accuracy"].ci
    assert json.dumps(streamed.to_dict(items=True), sort_keys=True) == json.dumps(whole.to_dict(items=True),
                                                                                 sort_keys=True)


def test_an_error_reading_ahead_comes_after_the_current_chunks_own(small_chunks: None, catalog: Any) -> None:
    from medmetrics.aggregate.streaming import chunked, evaluate_stream

    gens, refs, ctx = choice_data()
    bad = [*refs[:150], "Z", *refs[151:]]  # item 150, in the second chunk

    def chunks(fail_at: int) -> Any:
        for k, chunk in enumerate(chunked(gens, bad, ctx, size=100)):
            if k == fail_at:
                raise InputError(f"run.jsonl: chunk {k} cannot be read")
            yield chunk

    # the third chunk is read while the second is scored: the second's bad reference is said first
    for jobs in (1, 2):
        error = _error(lambda: evaluate_stream("medqa", chunks(2), catalog=catalog, jobs=jobs))  # noqa: B023
        assert error[1] == 150 and "reference 150" in error[0]
    # a chunk that cannot be read is said when it is due, after the chunks before it are scored
    good = _error(lambda: evaluate_stream("medqa", (c for k, c in enumerate(chunked(gens, refs, ctx, size=100))
                                                    if k < 1 or _raise(k)), catalog=catalog, jobs=2))
    assert good == ("run.jsonl: chunk 1 cannot be read", None)


def _raise(k: int) -> bool:
    raise InputError(f"run.jsonl: chunk {k} cannot be read")


def test_references_of_any_sequence_type_are_scored_alike(small_chunks: None, catalog: Any) -> None:
    """A numpy array or a pandas Series with its own index (sliced by position, not label)."""
    pd = pytest.importorskip("pandas")
    gens, refs, _ = label_data()
    one = medmetrics.evaluate("pubmedqa", gens, refs, catalog=catalog, jobs=1)
    for given in (np.array(refs, dtype=object), pd.Series(refs, index=range(1000, 1000 + N))):
        two = medmetrics.evaluate("pubmedqa", gens, given, catalog=catalog, jobs=2)
        assert parallel.last_scored() == tuple(two.results)
        assert json.dumps(two.to_dict(items=True), sort_keys=True) == json.dumps(one.to_dict(items=True),
                                                                                sort_keys=True)
