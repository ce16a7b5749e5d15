"""The ``medmetrics`` command: ``list``, ``score``, ``compare``, ``audit``, ``demo`` and ``report``.

Every caller mistake ends in one line on stderr, ``medmetrics: error: ...``, and exit code 2;
no partial output file is left behind.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medmetrics._json import json_native
from medmetrics.aggregate import METHODS
from medmetrics.aggregate.parallel import add_jobs_argument, default_jobs
from medmetrics.catalog.suite import SUITE_FILE_SUFFIXES, Suite, load_suite_file
from medmetrics.catalog.task import Task
from medmetrics.errors import InputError, MedmetricsError
from medmetrics.inputs.arguments import add_renamed_flag, add_run_arguments
from medmetrics.inputs.files import (
    CHUNK_RECORDS,
    INPUT_FORMATS,
    Records,
    atomic_writers,
    check_output,
    coerce,
    field,
    items_located,
    iter_records,
    json_value,
    locate_item,
    read_records,
    record_place,
)
from medmetrics.plugins import default_catalog, exit_on_interrupt
from medmetrics.progress import Progress
from medmetrics.report.cli import add_report_command
from medmetrics.report.tables import FORMATS, check_format, document, interval, number, table
from medmetrics.results import Report

if TYPE_CHECKING:
    from medmetrics.inputs.adapters import Fields
    from medmetrics.inputs.run import TaskRun
    from medmetrics.plugins import Catalog

# What reads runs, parses and scores (and numpy) is imported by the command that needs it, so
# that ``medmetrics --help`` and ``--version`` answer at once.

DEMO_TASKS = ("medqa", "pubmedqa", "mednli", "chemprot", "hoc", "biosses", "bc5_disease")


def _pairs(items: Sequence[str], what: str) -> dict[str, Any]:
    out = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise MedmetricsError(f"{what} {item!r} must look like KEY=VALUE")
        out[key.strip()] = json_value(raw)
    return out


def _metric_specs(specs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``f1`` or ``f1:average=macro,zero_division=1`` -> {name: options}; ``name@alias`` renames."""
    out: dict[str, dict[str, Any]] = {}
    for spec in specs:
        name, _, raw = spec.partition(":")
        options = _pairs([p for p in raw.split(",") if p], f"metric option in {spec!r}") if raw else {}
        key = name if name not in out else f"{name}_{len(out)}"
        out[key] = {"metric": name, **options}
    return out


# --- rendering ----------------------------------------------------------------------------
def render(reports: dict[str, Report], fmt: str) -> str:
    """One or more tasks' reports: one row per metric, in any format of ``medmetrics.report.tables``.
    CSV keeps the numbers apart (``ci_low``, ``ci_high``, the signature) for scripts."""
    fmt = check_format(fmt)
    rows = [(label, name, r) for label, report in reports.items() for name, r in report.items()]
    if fmt == "csv":
        header = ["task", "metric", "value", "ci_low", "ci_high", "n", "n_failed", "signature"]
        return table(header, [[label, name, r.value, r.ci.low if r.ci else "", r.ci.high if r.ci else "", r.n,
                               r.n_failed, r.signature] for label, name, r in rows], "csv")
    with_ci = all(r.ci is not None for _, _, r in rows)
    header = ["task", "metric", "value", "95% CI" if with_ci else "CI", "n", "failed"]
    cells = [[label, name, number(r.value), interval(r.ci), str(r.n), str(r.n_failed)] for label, name, r in rows]
    return document(fmt, header, cells, data={label: report.to_dict() for label, report in reports.items()})


def _emit(text: str, output: str | None, files: dict[str, Iterable[str]] | None = None) -> None:
    """Write ``text`` to ``output`` (or stdout) and each of ``files`` (path -> lines) all or none:
    a failure while any of them is written leaves no new file, not even the ones already done."""
    outputs = {path: lines for path, lines in (files or {}).items() if path}
    if output:
        outputs[output] = [text]
    with atomic_writers(list(outputs)) as handles:
        for handle, lines in zip(handles, outputs.values()):
            handle.writelines(lines)
    if not output:
        sys.stdout.write(text)


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse an output path that cannot be written before any work is done."""
    for option in ("output", "per_item"):
        if getattr(args, option, None):
            check_output(getattr(args, option), "--" + option.replace("_", "-"))


# --- commands -----------------------------------------------------------------------------
#: what ``medmetrics list`` shows, in this order (``all``: every one)
LIST_KINDS = ("parsers", "metrics", "tasks", "suites", "adapters", "profiles", "plugins")


def _version() -> str:
    from medmetrics._version import __version__

    return __version__


def cmd_list(args: argparse.Namespace) -> int:
    catalog = default_catalog()
    kinds = list(LIST_KINDS) if args.what == "all" else [args.what]
    data: dict[str, Any] = {}
    for kind in kinds:
        if kind == "plugins":
            data[kind] = [p.to_dict() for p in catalog.plugins]
        else:
            registry = catalog.registry(kind[:-1])
            entries = list(registry)
            if kind == "adapters":  # in the order --adapter auto tries them: catch-alls (generic) last
                entries = sorted(registry.in_order(), key=lambda e: bool(getattr(e.obj, "fallback", False)))
            data[kind] = [{"name": e.name, "aliases": list(e.aliases), "plugin": e.plugin, "summary": e.summary,
                           "provenance": catalog.provenance(e.plugin) or f"medmetrics=={_version()}"}
                          for e in entries]
    if args.json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    for kind, entries in data.items():
        sys.stdout.write(f"{kind}:\n")
        for e in entries:
            if kind == "plugins":
                extra = f"  ({e['error']})" if e["error"] else ""
                sys.stdout.write(f"  {e['name']:<40} {e['distribution']} {e['version']}  {e['status']}{extra}\n")
            else:
                aliases = f" (aliases: {', '.join(e['aliases'])})" if e["aliases"] else ""
                origin = "" if e["provenance"].startswith("medmetrics==") else f" [{e['provenance']}]"
                sys.stdout.write(f"  {e['name']:<14} {e['summary']}{aliases}{origin}\n")
    return 0


def _fields(args: argparse.Namespace) -> Fields:
    """Where records keep each value: ``--context-field options`` or ``options=doc.options``."""
    from medmetrics.inputs.adapters.base import fields_from_options

    return fields_from_options(args)


def _read_models(path: str, args: argparse.Namespace) -> dict[str, dict[str, TaskRun]]:
    from medmetrics.inputs.adapters import load_runs

    return load_runs(path, adapter=args.adapter, fields=_fields(args), run=args.run,
                     task_map={k: str(v) for k, v in _pairs(args.task_map, "--task-map").items()})


def _load_runs(path: str, args: argparse.Namespace) -> dict[str, dict[str, TaskRun]]:
    """Every model's run at ``path`` (model -> task -> inputs); ``--model`` keeps one."""
    from medmetrics.inputs.adapters import pick_model

    models = _read_models(path, args)
    if args.model is not None:
        return {args.model: pick_model(models, args.model, path)}
    return models


def _load_run(path: str, args: argparse.Namespace, model: str | None = None) -> dict[str, TaskRun]:
    """One model's run at ``path``: the only one, or the one ``--model`` names; several models
    and no choice is an error that lists them. ``compare`` passes each side's ``model``, used
    only where that side holds several models."""
    from medmetrics.inputs.adapters import pick_model

    models = _read_models(path, args)
    if isinstance(args.model, list):  # compare: --model once (both sides) or twice (A's, then B's)
        return next(iter(models.values())) if len(models) == 1 else pick_model(models, model, path)
    return pick_model(models, args.model, path)


def _suite(args: argparse.Namespace, name: str | None = None) -> Suite:
    """A registered suite or a suite file (``my-bench.yaml``), averaged as ``--suite-average`` says and
    restricted to ``--tasks`` when given."""
    name = name or args.suite
    suite: Suite
    if Path(name).suffix.lower() in SUITE_FILE_SUFFIXES:
        suite = load_suite_file(name)
    else:
        suite = default_catalog().suites.get(name).obj
    tasks = _task_list(getattr(args, "tasks", None))
    return (suite.only(tasks) if tasks else suite).with_average(args.suite_average)


def _task_list(spec: str | None) -> list[str]:
    return [t.strip() for t in spec.split(",") if t.strip()] if spec else []


def _run_suite(args: argparse.Namespace, models: dict[str, dict[str, TaskRun]]) -> Suite:
    """``score RUN`` without ``--suite``: every task of the run that medmetrics knows (or those
    ``--tasks`` names), one group, the mean over tasks. Tasks it does not know are named in a note."""
    catalog = default_catalog()
    found = sorted({task for run in models.values() for task in run})
    wanted = _task_list(args.tasks)
    if wanted:
        missing = [t for t in wanted if t not in found]
        if missing:
            raise MedmetricsError(f"{args.predictions}: no task(s) {', '.join(missing)} in the run; it has: "
                                  f"{', '.join(found)}")
        found = wanted
    known = [task for task in found if task in catalog.tasks]
    if not known:
        raise MedmetricsError(f"{args.predictions}: none of its tasks ({', '.join(found)}) is a medmetrics task; "
                              "name them with --task-map THEIRS=OURS (medmetrics list tasks)")
    return Suite(name="run", groups={"tasks": tuple(known)}, average=args.suite_average or "tasks",
                 description="every task of the run that medmetrics knows")


def cmd_score_suite(args: argparse.Namespace) -> int:
    """``score RUN --suite S`` (S registered or a suite file; several comma-separated), or ``score
    RUN`` alone: every task of the run it recognizes. Every model of the run, one table each."""
    from medmetrics.aggregate.suites import score_suite
    from medmetrics.report.suites import render_suite

    if args.task or args.parser or args.metric or args.references:
        raise MedmetricsError("--suite scores the tasks its run holds; drop --task/--parser/--metric/--references")
    from medmetrics.metrics.compat import get_profile

    catalog = default_catalog()
    profile = get_profile(args.profile, catalog=catalog) if args.profile else None  # any registered profile
    models = _load_runs(args.predictions, args)  # read once, however many suites score it
    if args.suite:
        suites = [_suite(args, name.strip()) for name in args.suite.split(",")]
    else:
        suites = [_run_suite(args, models)]
    listed = {task for suite in suites for task in suite.tasks}
    for model, run in models.items():  # a run none of whose tasks medmetrics knows is an error, not an empty table
        if not (listed | set(catalog.tasks.names())) & set(run):
            where = args.predictions + (f" (model {model})" if len(models) > 1 else "")
            raise MedmetricsError(f"{where}: none of its tasks ({', '.join(sorted(run))}) is a medmetrics task; "
                                  "name them with --task-map THEIRS=OURS (medmetrics list tasks)")
    fmt = check_format(args.format)
    scored: dict[str, list[Any]] = {}
    for model, run in models.items():
        scored[model] = [replace(score_suite(suite, run, catalog=catalog, ci=False if args.ci is None else args.ci,
                                             resamples=args.resamples, seed=args.seed,
                                             compat=profile.scorer if profile else None,
                                             profile=profile.name if profile else None), model=model)
                         for suite in suites]
    if fmt == "json":
        data = {model: results[0].to_dict() if len(results) == 1 else [r.to_dict() for r in results]
                for model, results in scored.items()}
        shown = next(iter(data.values())) if len(data) == 1 else data  # several models: keyed by model
        text = json.dumps(shown, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":  # one table for scripts: every model's and suite's rows, named in two columns
        header: list[str] = []
        rows: list[list[str]] = []
        for model, results in scored.items():
            for result in results:
                header, *own = list(csv.reader(io.StringIO(render_suite(result, "csv"))))
                rows += [[model, result.suite.name, *row] for row in own]
        text = table(["model", "suite", *header], rows, "csv")
    else:
        blocks = []
        for model, results in scored.items():
            tables = "\n".join(render_suite(result, fmt) for result in results)
            if len(scored) > 1:
                heading = {"text": "model: ", "markdown": "### model: ", "latex": "% model: "}[fmt] + model
                tables = f"{heading}\n\n{tables}"
            blocks.append(tables)
        text = "\n".join(blocks)
    per_item = _suite_items(scored, models, catalog) if args.per_item else ()
    _emit(text, args.output, {args.per_item: per_item})
    return 0


def _suite_items(scored: dict[str, list[Any]], models: dict[str, dict[str, TaskRun]], catalog: Any) -> Iterator[str]:
    """``--per-item`` with a suite: one JSON line per item of every scored task and model, with its
    model and task (a task in two suites is written once), its parse, reference and scores."""
    from medmetrics.aggregate.suites import task_references
    from medmetrics.report.scores import item_scores

    for model, results in scored.items():
        written: set[str] = set()
        for result in results:
            for score in result.tasks:
                if score.report is None or score.task in written:
                    continue
                written.add(score.task)
                run = models[model][score.task]
                references = task_references(catalog.tasks.get(score.task).obj, run, catalog=catalog)
                scores = item_scores(score.report, references, run.context, catalog=catalog, normalized=True)
                for i, parsed in enumerate(score.report.parsed):
                    line = {"model": model, "task": score.task, "index": i, "reference": references[i],
                            **parsed.to_dict(), "scores": {k: v[i] for k, v in scores.items()}}
                    yield json.dumps(json_native(line), ensure_ascii=False) + "\n"


def cmd_compare(args: argparse.Namespace) -> int:
    """Two runs: run A against run B (as ever). Three or more runs, one folder holding several
    models, ``--baseline``, ``--demo``, or ``--format csv|latex``: every model side by side, each
    tested against the baseline, the p-values Holm-adjusted over the table (``render_models``)."""
    from medmetrics.aggregate.comparison import DEMO_MODEL_TASKS, compare_models, demo_models, name_models
    from medmetrics.report.suites import render_models

    runs = list(args.runs)
    if args.demo and runs:
        raise MedmetricsError("--demo compares the models bundled with medmetrics; drop the runs")
    if not args.demo and not runs:
        raise MedmetricsError("compare needs two or more runs (or one folder holding several models, or --demo)")
    if args.suite and args.task:
        raise MedmetricsError("compare needs --suite S or --task T (one of them)")
    if not args.demo and not args.suite and not args.task:
        raise MedmetricsError("compare needs --suite S or --task T (one of them)")
    tasks = [t.strip() for t in args.task.split(",") if t.strip()] if args.task else None
    catalog = default_catalog()
    fmt = check_format(args.format)
    if not args.demo and len(runs) == 2 and args.baseline is None and fmt not in ("csv", "latex"):
        return _compare_two(args, tasks or [], fmt, catalog)
    if args.demo:
        models = demo_models()
        paths: dict[str, str] = {}
        if args.suite is None and tasks is None:
            tasks = list(DEMO_MODEL_TASKS)
    else:
        models = name_models([(path, _read_models(path, args)) for path in runs], args.model)
        paths = dict(zip(models, runs)) if len(runs) > 1 else {}
    baseline = args.baseline
    if baseline is not None and baseline not in models:  # a path given for the baseline
        given = [m for m, path in paths.items() if Path(path).resolve() == Path(baseline).resolve()]
        baseline = given[0] if len(given) == 1 else baseline
    result = compare_models(models, suite=_suite(args) if args.suite else None, tasks=tasks, baseline=baseline,
                            catalog=catalog, method=args.method, resamples=args.resamples, seed=args.seed,
                            level=args.ci_level)
    title = "bundled demo models" if args.demo else None
    _emit(render_models(result, fmt, None if title is None else f"{title}: {len(result.models)} models against "
                        f"{result.baseline}"), args.output)
    return 0


def _compare_two(args: argparse.Namespace, tasks: list[str], fmt: str, catalog: Any) -> int:
    """``compare RUN_A RUN_B``: A against B per task (``--task``, several comma-separated) or on a suite."""
    from medmetrics.aggregate.comparison import compare_suite, compare_task
    from medmetrics.report.suites import render_comparison

    run_a, run_b = args.runs
    chosen = args.model or []
    if len(chosen) > 2:
        raise MedmetricsError("compare takes --model once (both runs) or twice (run A's, then run B's)")
    model_a = chosen[0] if chosen else None
    model_b = chosen[-1] if chosen else None
    runs_a, runs_b = _load_run(run_a, args, model_a), _load_run(run_b, args, model_b)
    title = f"{run_a} (A) against {run_b} (B)"
    if args.suite:
        result = compare_suite(_suite(args), runs_a, runs_b, catalog=catalog, method=args.method,
                               resamples=args.resamples, seed=args.seed, level=args.ci_level)
        _emit(render_comparison(result, fmt, title), args.output)
        return 0
    compared = {}
    for task in tasks:
        for side, runs in (("A", runs_a), ("B", runs_b)):
            if task not in runs:
                raise MedmetricsError(f"run {side} has no task {task!r}; it has: {', '.join(sorted(runs))}")
        compared[task], _ = compare_task(task, runs_a[task], runs_b[task], catalog=catalog, method=args.method,
                                         resamples=args.resamples, seed=args.seed, level=args.ci_level)
    _emit(render_comparison(compared, fmt, title), args.output)
    return 0


def _read_task_file(args: argparse.Namespace) -> tuple[list[Any], list[Any], Any, Callable[[], Any]]:
    """Generations, references (as read) and context of one task's file(s), as ``score`` reads them,
    and ``located()``: a context in which an error about item ``i`` names its file and line."""
    from medmetrics.inputs.adapters.generic import context as record_context

    records = read_records(args.predictions, args.input_format)
    generations = field(records, args.prediction_field, args.predictions)
    if args.references:
        ref_records = read_records(args.references, args.input_format)
        references = field(ref_records, args.reference_field, args.references)
        context_records, context_path = ref_records, args.references
    else:
        references = field(records, args.reference_field, args.predictions)
        context_records, context_path = records, args.predictions

    def located() -> Any:
        return items_located(records, args.predictions, (ref_records, args.references) if args.references else None)

    shared = _pairs(args.context, "--context")
    fields = _fields(args)
    own = [record_context(r, fields, record_place(context_records, context_path, i), args.task)
           for i, r in enumerate(context_records)]  # --context-field paths, or each record's context object
    context: Any = [{**shared, **c} for c in own] if any(own) else shared
    return generations, references, context, located


def cmd_score_run_task(args: argparse.Namespace) -> int:
    """``score RUN --task T`` on a folder or a harness's output: the task's inputs as the adapters
    read them (log-likelihood samples included), scored as in a suite."""
    from medmetrics.aggregate.suites import resolve_task, score_task

    if args.parser or args.metric or args.references:
        raise MedmetricsError("score --task on a run reads the task's inputs from the run; drop "
                              "--parser/--metric/--references")
    if args.reference_format != "label" or args.index_base is not None:
        raise MedmetricsError("--reference-format/--index-base are for one task's file; on an lm-eval run the "
                              "targets are read as lm-eval reads them")
    catalog = default_catalog()
    task = resolve_task(args.task, catalog)
    if isinstance(task, str):
        raise MedmetricsError(f"task {args.task!r} cannot be scored: {task}")
    runs = _load_run(args.predictions, args)
    if args.task not in runs:
        raise MedmetricsError(f"the run has no task {args.task!r}; it has: {', '.join(sorted(runs))} "
                              "(rename with --task-map THEIRS=OURS)")
    score = score_task(task, "", runs[args.task], catalog=catalog, ci=False if args.ci is None else args.ci,
                       resamples=args.resamples, seed=args.seed)
    assert score.report is not None
    text = render({args.task: score.report}, args.format)
    per_item = (json.dumps({"index": i, "reference": ref, **parsed.to_dict()}, ensure_ascii=False) + "\n"
                for i, (parsed, ref) in enumerate(zip(score.report.parsed, runs[args.task].references)))
    _emit(text, args.output, {args.per_item: per_item})
    return 0


def _score_target(args: argparse.Namespace, catalog: Catalog) -> tuple[Task, str | None]:
    """What ``score`` scores one task's file with: ``--task``, or a task made of ``--parser`` and
    ``--metric`` options; and how its string references are converted."""
    if args.task:
        if args.parser or args.metric:
            raise MedmetricsError("--task already names the parser and metrics; drop --parser/--metric")
        task = catalog.tasks.get(args.task).obj
        return task, task.reference_type
    if not args.parser or not args.metric:
        raise MedmetricsError("score needs --task, or --parser with at least one --metric")
    task = Task(name="command-line", parser=args.parser, parser_options=_pairs(args.parser_option, "--parser-option"),
                metrics={k: (v.pop("metric"), v) for k, v in _metric_specs(args.metric).items()})
    return task, args.reference_type


def cmd_score_dask(args: argparse.Namespace) -> int:
    """``score --task T --dask ADDRESS|local:N 'runs/*.jsonl'``: one task's files (a glob) scored on a
    Dask cluster (``medmetrics.aggregate.distributed``, docs/scale.md); the numbers of ``score`` on the files
    joined in sorted order, intervals of additive metrics by the Poisson bootstrap."""
    import warnings

    from medmetrics.aggregate.distributed import GatheredIntervalWarning, connect, evaluate_dask, read_files

    for option, given in (("--suite", args.suite), ("--tasks", args.tasks), ("--references", args.references),
                          ("--per-item", args.per_item), ("--model", args.model), ("--run", args.run),
                          ("--jobs", args.jobs), ("--profile", args.profile)):
        if given:
            raise MedmetricsError(f"--dask scores one task's JSONL, JSON or CSV files (a glob); {option} is not "
                                  "available with it" + (" (the workers parse)" if option == "--jobs" else ""))
    if args.adapter not in ("auto", "generic"):
        raise MedmetricsError("--dask reads one task's files as the generic adapter does; drop --adapter")
    target, reference_type = _score_target(args, default_catalog())
    fields = _fields(args)
    files = read_files(args.predictions, input_format=args.input_format)
    with connect(args.dask) as client, warnings.catch_warnings():
        warnings.simplefilter("ignore", GatheredIntervalWarning)  # said below, as a note
        report = evaluate_dask(target, files, client=client, context=_pairs(args.context, "--context"),
                               ci=False if args.ci is None else args.ci, resamples=args.resamples, seed=args.seed,
                               reference_type=reference_type, reference_format=args.reference_format,
                               index_base=args.index_base, prediction_field=fields.prediction,
                               reference_field=fields.reference, context_fields=fields.context)
    for result in report.values():
        for note in result.notes:
            if "gathered to the client" in note:
                sys.stderr.write(f"medmetrics: note: {note}\n")
    _emit(render({args.task or "command-line": report}, args.format), args.output)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    if getattr(args, "dask", None):
        return cmd_score_dask(args)
    if args.suite:
        return cmd_score_suite(args)
    if args.task and _is_run(args):
        return cmd_score_run_task(args)
    if not (args.task or args.parser or args.metric) and _is_run(args):
        return cmd_score_suite(args)  # every task of the run it recognizes
    if args.tasks:
        raise MedmetricsError("--tasks picks tasks of a run (a folder or a harness's output); this is one task's "
                              "file: use --task")
    if args.model or args.run:
        raise MedmetricsError("--model/--run pick a model and a run of a harness's output folder (lm-eval, "
                              "OpenCompass); this is one task's file")
    if args.chunk_size < 0:
        raise MedmetricsError(f"--chunk-size must be a number of records >= 1, or 0 (the whole file at once), "
                              f"not {args.chunk_size}")
    return _score_file(args)


class _Reading:
    """Where ``score`` is in one task's file(s): the chunk being scored (and its references' chunk)."""

    records: Records | None = None
    references: Records | None = None


def _task_chunks(args: argparse.Namespace, reference_type: str | None, state: _Reading,
                 size: int) -> Iterator[tuple[list[Any], list[Any], Any]]:
    """``(generations, references, context)`` of one task's file, ``size`` records at a time
    (``iter_records``; 0: the whole file), read as ``_read_task_file`` reads it; with
    ``--references``, both files in step. ``state`` holds the chunk being scored, which names an
    item's file and line in errors."""
    from medmetrics.inputs.adapters.generic import context as record_context

    shared = _pairs(args.context, "--context")
    fields = _fields(args)
    refs = iter_records(args.references, args.input_format, size) if args.references else None
    done = 0
    for records in iter_records(args.predictions, args.input_format, size):
        ref_records = records
        if refs is not None:
            ref_records = next(refs, Records(first=done))
            if len(ref_records) != len(records):
                _uneven(args, done + len(records), ref_records.first + len(ref_records), refs)
        state.records, state.references = records, (ref_records if refs is not None else None)
        generations = field(records, args.prediction_field, args.predictions)
        context_path = args.references or args.predictions
        references = field(ref_records, args.reference_field, context_path)
        own = [record_context(r, fields, record_place(ref_records, context_path, i), args.task)
               for i, r in enumerate(ref_records)]  # --context-field paths, or each record's context object
        context: Any = [{**shared, **c} for c in own] if any(own) else shared
        with items_located(records, args.predictions, (ref_records, args.references) if refs is not None else None):
            references = coerce(references, reference_type)
        done += len(records)
        yield generations, references, context
        # scored: what the chunk held goes before the next is read
        state.records = state.references = None
        del records, ref_records, generations, references, context, own
    if refs is not None:
        rest = sum(len(chunk) for chunk in refs)
        if rest:
            raise InputError(f"predictions has {done} items but references has {done + rest}")


def _uneven(args: argparse.Namespace, predictions: int, references: int, refs: Iterator[Records]) -> None:
    """The files of ``--references`` end at different records: count both to the end and say so
    (the error ``evaluate`` gives on lists of different lengths)."""
    if predictions > references:  # the references ended: count the predictions
        total = sum(len(chunk) for chunk in iter_records(args.predictions, args.input_format, CHUNK_RECORDS))
        raise InputError(f"predictions has {total} items but references has {references}")
    rest = sum(len(chunk) for chunk in refs)
    raise InputError(f"predictions has {predictions} items but references has {references + rest}")


def _score_file(args: argparse.Namespace) -> int:
    """``score --task T FILE`` (or ``--parser`` and ``--metric``): the file read and scored in
    chunks of ``--chunk-size`` records (``medmetrics.aggregate.streaming``), holding one chunk and the
    statistics; the report is the one of the whole file at once. ``--per-item`` lines are written
    as each chunk is scored, to the temporary file that becomes the output only when all is done."""
    from medmetrics.aggregate.streaming import evaluate_stream

    catalog = default_catalog()
    target, reference_type = _score_target(args, catalog)
    ci: bool | float = False if args.ci is None else args.ci
    state = _Reading()
    outputs = [path for path in (args.per_item, args.output) if path]
    scorers = None
    if args.per_item and not args.task:
        from medmetrics.api import get_metric

        scorers = {key: get_metric(name, catalog=catalog, **dict(options))
                   for key, (name, options) in target.metrics.items()}
    progress = Progress(_line_count(args.predictions), "parsing")
    with atomic_writers(outputs) as handles:
        items_file = handles[0] if args.per_item else None

        def write_items(offset: int, report: Report, references: Sequence[Any], context: Any) -> None:
            assert items_file is not None
            scores = report.item_scores(references, context, metrics=scorers, catalog=catalog)
            items_file.writelines(
                json.dumps(json_native({"index": offset + i, "reference": ref, **parsed.to_dict(),
                                        "scores": {name: values[i] for name, values in scores.items()}}),
                           ensure_ascii=False) + "\n"
                for i, (parsed, ref) in enumerate(zip(report.parsed, references)))

        try:
            report = evaluate_stream(target, _task_chunks(args, reference_type, state, args.chunk_size), ci=ci,
                                     resamples=args.resamples, seed=args.seed, catalog=catalog, progress=progress,
                                     reference_format=args.reference_format, index_base=args.index_base,
                                     on_chunk=write_items if items_file is not None else None)
        except MedmetricsError as exc:
            raise _located(exc, args, state) from None
        finally:
            progress.close()
        text = render({args.task or "command-line": report}, args.format)
        if args.output:
            handles[-1].write(text)
    if not args.output:
        sys.stdout.write(text)
    return 0


def _located(exc: MedmetricsError, args: argparse.Namespace, state: _Reading) -> MedmetricsError:
    """An error about item ``i`` of the run (``evaluate_stream`` counts items in the run) named by
    the file and line of its record in the chunk being scored."""
    records = state.records
    if not isinstance(exc, InputError) or exc.item is None or records is None:
        return exc
    references = (state.references, args.references) if state.references is not None else None
    return locate_item(exc, records, args.predictions, references, exc.item - records.first) or exc


def _line_count(path: str) -> int:
    """How many lines ``path`` has (about its records), for a progress bar on a terminal only."""
    if not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        return 0
    try:
        with open(path, "rb") as f:
            return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 22), b""))
    except OSError:
        return 0


def _is_run(args: argparse.Namespace) -> bool:
    """Whether ``audit --task`` reads a whole run (a folder, or a harness's output) as ``compare``
    does, rather than one task's file as ``score --task`` does."""
    from medmetrics.inputs.adapters.base import detect

    path = Path(args.predictions)
    if args.adapter not in ("auto", "generic") or path.is_dir():  # any harness adapter, a plugin's too
        return True
    return args.adapter == "auto" and path.is_file() and detect(path) != "generic"


def cmd_audit(args: argparse.Namespace) -> int:
    from medmetrics.aggregate.auditing import Audit, audit, audit_run, render_audits
    from medmetrics.api import get_parser

    if args.top < 0:
        raise MedmetricsError("--top must be 0 (every reason) or more")
    catalog = default_catalog()
    audits: dict[str, Audit]
    notes: list[str] = []
    if args.suite:
        if args.task or args.parser or args.references:
            raise MedmetricsError("--suite audits the tasks its run holds; drop --task/--parser/--references")
        tasks = [task for name in args.suite.split(",") for task in _suite(args, name.strip()).tasks]
        audits, notes = audit_run(_load_run(args.predictions, args), tasks, catalog=catalog)
    elif args.task and args.parser:
        raise MedmetricsError("--task already names the parser; drop --parser")
    elif args.task and _is_run(args):
        catalog.tasks.get(args.task)  # an unknown task is an error, not a note
        runs = _load_run(args.predictions, args)
        if args.task not in runs:
            raise MedmetricsError(f"the run has no task {args.task!r}; it has: {', '.join(sorted(runs))}")
        audits, notes = audit_run({args.task: runs[args.task]}, [args.task], catalog=catalog)
    elif args.task or args.parser:
        generations, references, context, located = _read_task_file(args)
        target: Any
        if args.task:
            target = catalog.tasks.get(args.task).obj
            reference_type = target.reference_type
        else:
            target = get_parser(args.parser, catalog=catalog, **_pairs(args.parser_option, "--parser-option"))
            reference_type = args.reference_type
        with located():
            references = coerce(references, reference_type)
            audits = {args.task or "command-line": audit(
                target, generations, references, context=context, catalog=catalog, source=args.predictions,
                progress=Progress(len(generations), "parsing"))}
    else:
        raise MedmetricsError("audit needs --task T (or --parser P) for one task's file, or --suite S for a run")
    fmt = check_format(args.format)
    text = render_audits(audits, fmt, notes=notes, top=args.top or None)
    per_item = (json.dumps(line, ensure_ascii=False) + "\n" for result in audits.values() for line in result.per_item())
    _emit(text, args.output, {args.per_item: per_item})
    return 0


def demo_reports(resamples: int = 1000, seed: int = 12345) -> dict[str, Report]:
    """Score the bundled demo generations of each demo task (what ``medmetrics demo`` prints)."""
    from medmetrics.aggregate.evaluation import run_evaluation

    catalog = default_catalog()
    reports = {}
    for name in DEMO_TASKS:
        task = catalog.tasks.get(name).obj
        text = (resources.files("medmetrics") / "data" / "demo" / f"{name}.jsonl").read_text(encoding="utf-8")
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
        reports[name] = run_evaluation(
            task, [i["generation"] for i in items], [i["reference"] for i in items], metrics=None,
            context=[i.get("context", {}) for i in items], ci=True, resamples=resamples, seed=seed, catalog=catalog)
    return reports


def cmd_demo(args: argparse.Namespace) -> int:
    reports = demo_reports()
    text = render(reports, args.format)
    if check_format(args.format) == "text":
        failed = sum(r.statuses["failed"] + r.statuses["ambiguous"] + r.statuses["empty"] for r in reports.values())
        total = sum(len(r.parsed) for r in reports.values())
        text = ("medmetrics demo: real-style generations bundled with the package, scored per task\n\n"
                + text + f"\n{failed} of {total} generations gave no usable answer; they are scored as wrong "
                "(see `medmetrics score --per-item` for why each one failed).\n")
    _emit(text, args.output)
    return 0


def _file_arguments(p: argparse.ArgumentParser) -> None:
    """How one task's file is read (``score`` and ``audit`` without ``--suite``)."""
    p.add_argument("--references", help="a separate file with the references (same order)")
    p.add_argument("--input-format", choices=list(INPUT_FORMATS), help="default: from the file name (.parquet "
                   "needs pip install 'medmetrics[parquet]')")
    p.add_argument("--reference-type", choices=["str", "int", "float", "json"], default=None,
                   help="convert string references (CSV) to this type; a task sets its own")
    p.add_argument("--reference-format", choices=["label", "index"], default="label",
                   help="index: multiple-choice references are option positions (needs --index-base)")
    p.add_argument("--index-base", type=int, choices=[0, 1], default=None,
                   help="with --reference-format index: 0 if the first option is 0 (MedQA label), 1 if 1 (MedMCQA cop)")
    p.add_argument("--context", action="append", default=[], metavar="KEY=VALUE", help="context for every item")


def build_parser() -> argparse.ArgumentParser:
    from medmetrics._version import __version__

    parser = argparse.ArgumentParser(prog="medmetrics", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"medmetrics {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list parsers, metrics, tasks, suites, adapters, compat profiles and plugins")
    p.add_argument("what", nargs="?", default="all", choices=["all", *LIST_KINDS])
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("score", help="parse and score a file of generations, or a whole run (--suite)")
    p.add_argument("predictions", help="JSONL, JSON or CSV file with the generations; with --suite, a file or "
                   "folder holding a run")
    p.add_argument("--suite", help="score every task of this suite found in the run and print the suite table; "
                   "several suites comma-separated (blurb,blue): one table each (JSON: a list); or a suite file "
                   "(.json/.yaml: name, tasks or groups, average). Without --suite or --task, a run (folder or "
                   "harness output) is scored on every task it holds that medmetrics knows")
    p.add_argument("--tasks", metavar="A,B,C", help="score only these tasks of the run (or of the suite)")
    p.add_argument("--profile", help="with --suite: also score as this paper's evaluator does (a compat profile: "
                   "medmetrics list profiles), beside the correct score")
    add_run_arguments(p)
    _file_arguments(p)
    p.add_argument("--task", help="a registered task (names its parser and metrics); on a folder or a harness's "
                   "output, that task of the run (lm-eval log-likelihood samples too: acc, acc_norm, ece)")
    p.add_argument("--parser", help="a registered parser")
    p.add_argument("--parser-option", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--metric", action="append", default=[], metavar="NAME[:KEY=VALUE,...]")
    p.add_argument("--ci", nargs="?", const=0.95, type=float, default=None, metavar="LEVEL",
                   help="add bootstrap confidence intervals (default level 0.95)")
    p.add_argument("--resamples", type=int, default=1000)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--format", choices=["table", *FORMATS], default="table",
                   help="table (= text), markdown, csv (one table: numbers apart, for scripts), json, or latex "
                   "(a booktabs tabular)")
    p.add_argument("--output", help="write the result here instead of stdout")
    p.add_argument("--per-item", metavar="PATH", help="write one JSON line per item: parse, status, reason, "
                   "scores (a run: with its model and task)")
    p.add_argument("--model", metavar="NAME", help="score only this model of an output folder holding several "
                   "(lm-eval <output>/<model>/, OpenCompass predictions/<model>/); by default --suite scores each "
                   "model (one table each; JSON keyed by model)")
    add_jobs_argument(p)
    p.add_argument("--chunk-size", type=int, default=CHUNK_RECORDS, metavar="N",
                   help=f"one task's file is read and scored N records at a time (default {CHUNK_RECORDS:,}), "
                   "keeping only each chunk's statistics: memory is bounded by a chunk, and the result is the "
                   "whole file's; 0 reads the whole file at once")
    p.add_argument("--dask", metavar="ADDRESS|local:N", help="score one task's files on a Dask cluster (a scheduler "
                   "address, or local:N for N worker processes here); PREDICTIONS may be a quoted glob, "
                   "'runs/*.jsonl'. Needs pip install 'medmetrics[dask]' (docs/scale.md)")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("compare", help="paired tests: two runs per task and for a suite's average, or several "
                       "models against a baseline (one column each, Holm-adjusted p-values)")
    p.add_argument("runs", nargs="*", metavar="RUN", help="runs (files or folders, as for score --suite): two "
                   "compare A against B; three or more, or one folder holding several models, give one column per "
                   "model, each tested against the baseline")
    p.add_argument("--suite", help="compare every task of this suite and its average")
    p.add_argument("--task", help="compare one task (several comma-separated)")
    p.add_argument("--baseline", metavar="NAME_OR_PATH", help="the model the others are tested against (a model "
                   "name or a run's path; default: the first); with two runs it gives the several-model table")
    p.add_argument("--demo", action="store_true", help="compare the three models bundled with medmetrics "
                   "(synthetic generations for medqa, pubmedqa, chemprot, biosses)")
    add_run_arguments(p)
    p.add_argument("--method", choices=list(METHODS), default="paired_bootstrap")
    p.add_argument("--resamples", type=int, default=1000)
    p.add_argument("--seed", type=int, default=12345)
    level = p.add_argument("--ci-level", type=float, default=0.95, metavar="LEVEL", help="level of the "
                           "intervals; several models: a Holm-adjusted p below 1 - LEVEL is marked")
    add_renamed_flag(p, "--level", level)
    p.add_argument("--format", choices=["table", *FORMATS], default="table",
                   help="csv and latex give the several-model table (also for two runs)")
    p.add_argument("--output", help="write the result here instead of stdout")
    p.add_argument("--model", action="append", metavar="NAME", help="the model to compare where a run folder holds "
                   "several: once for every run, or once per run (two runs: A's, then B's); with one folder, the "
                   "models of it to compare (default: all)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("audit", help="where parsing fails: status shares, frequent reasons with examples, rules")
    p.add_argument("predictions", metavar="RUN", help="one task's generations (JSONL, JSON or CSV, read as score "
                   "reads them); with --suite, or --task on a folder or harness output, a run")
    p.add_argument("--suite", help="audit every task of this suite found in the run (several comma-separated)")
    p.add_argument("--task", help="a registered task (names its parser)")
    p.add_argument("--parser", help="a registered parser, instead of --task")
    p.add_argument("--parser-option", action="append", default=[], metavar="KEY=VALUE")
    add_run_arguments(p)
    _file_arguments(p)
    p.add_argument("--top", type=int, default=10, metavar="N", help="reasons listed per task in text (0: all)")
    p.add_argument("--format", choices=["text", "table", "json"], default="text", help="text (= table) or json")
    p.add_argument("--output", help="write the result here instead of stdout")
    p.add_argument("--per-item", metavar="PATH", help="write one JSON line per item: task, index, status, value, "
                   "rule, reason, span and the text it covers")
    p.add_argument("--model", metavar="NAME", help="the model to audit where the run folder holds several")
    add_jobs_argument(p)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("demo", help="score the generations bundled with medmetrics and print the table")
    p.add_argument("--format", choices=["table", *FORMATS], default="table")
    p.add_argument("--output", help="write the result here instead of stdout")
    p.set_defaults(func=cmd_demo)

    add_report_command(sub)
    return parser


class Terminated(BaseException):
    """SIGTERM or SIGHUP (``timeout``, Slurm preemption, ``kill``, a closed terminal), raised where
    the run is so that it unwinds like Ctrl-C: temporary output files are removed on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(signum)


@contextmanager
def _terminate_as_exception() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into :class:`Terminated` while a command runs (main thread only: signal
    handlers can be set nowhere else), and put the previous handlers back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, _raise_terminated) for s in signals}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        with _terminate_as_exception():
            _check_outputs(args)
            with default_jobs(getattr(args, "jobs", None)):
                return exit_on_interrupt(func, args)
    except Terminated as exc:
        sys.stderr.write(f"medmetrics: terminated by {signal.Signals(exc.signum).name}\n")
        return 128 + exc.signum
    except MedmetricsError as exc:
        sys.stderr.write(f"medmetrics: error: {exc}\n")
        return 2
    except (ValueError, OSError) as exc:  # conversions of user-given values, unwritable output paths
        sys.stderr.write(f"medmetrics: error: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
