"""``medmetrics report RUN [RUN ...] (--suite S | --task T | --demo) -o report.html``.

Wired into the ``medmetrics`` command by ``add_report_command(subparsers)`` (it sets
``func=cmd_report``). Each RUN is one model's outputs (or, for lm-eval and OpenCompass output
folders, several models'): a folder with one file per task, one file with a task column, one
task's file with ``--task``, or a harness's output read by the adapters.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medmetrics.aggregate.parallel import add_jobs_argument
from medmetrics.errors import InputError, MedmetricsError
from medmetrics.inputs.arguments import add_run_arguments

if TYPE_CHECKING:  # the readers and scoring are imported by the command, not by --help
    from medmetrics.inputs.run import TaskRun

DEMO_TASKS = ("medqa", "pubmedqa", "mednli", "chemprot", "hoc", "biosses", "bc5_disease")
_FORMATS = (".jsonl", ".json", ".csv")


def add_report_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``report`` to the ``medmetrics`` command's subparsers."""
    p = subparsers.add_parser(
        "report", help="write one self-contained HTML report (plots, parse failures, per-item drill-down)",
        description="Score one or more runs and write one HTML file that opens from disk: values with CIs per task "
                    "and model, parse statuses and reasons, confusion matrices, per-label tables, per-item "
                    "scores, and every generation with the span that was read.")
    p.add_argument("runs", nargs="*", metavar="RUN", help="a model's outputs: a folder (one file per task), a file "
                   "with a task column, one task's file (with --task), or an lm-eval/OpenCompass output folder")
    p.add_argument("--suite", help="score the suite's tasks (and its average) on each run")
    p.add_argument("--task", action="append", default=[], metavar="T",
                   help="score this task (repeatable, or comma-separated); default: every task in the runs")
    p.add_argument("--demo", action="store_true", help="the bundled demo generations (medmetrics demo)")
    p.add_argument("-o", "--output", required=True, help="the HTML file to write")
    p.add_argument("--name", action="append", default=[], metavar="NAME",
                   help="the model name of each RUN, in order (default: the folder or file name)")
    p.add_argument("--model", action="append", default=[], metavar="NAME",
                   help="keep only this model of a multi-model output folder (repeatable)")
    p.add_argument("--title", help="the page title")
    p.add_argument("--ci", type=float, default=0.95, metavar="LEVEL", help="CI level (0 for none; default 0.95)")
    p.add_argument("--resamples", type=int, default=1000)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--per-item", metavar="FILE", help="also write per-item parses and metric scores as JSONL")
    add_run_arguments(p)
    add_jobs_argument(p)
    p.set_defaults(func=cmd_report)
    return p


# ------------------------------------------------------------------------------------------
# reading runs
# ------------------------------------------------------------------------------------------
def _task_map(args: argparse.Namespace) -> dict[str, str]:
    out = {}
    for item in args.task_map:
        theirs, sep, ours = item.partition("=")
        if not sep or not theirs or not ours:
            raise MedmetricsError(f"--task-map {item!r} must look like THEIRS=OURS")
        out[theirs.strip()] = ours.strip()
    return out




def _read_file(path: Path, args: argparse.Namespace, default_task: str | None) -> dict[str, TaskRun]:
    """A generic file: records grouped by their task field, or all of ``default_task``."""
    from medmetrics.inputs.adapters.base import _MISSING, Fields, context_fields, lookup, require, task_name
    from medmetrics.inputs.adapters.generic import context
    from medmetrics.inputs.files import read_records
    from medmetrics.inputs.run import TaskRun

    task_map = _task_map(args)
    fields = Fields(context=context_fields(args.context_field))
    grouped: dict[str, tuple[list[str], list[Any], list[dict[str, Any]]]] = {}
    for number, record in enumerate(read_records(path), start=1):
        where = f"{path}: record {number}"
        raw = lookup(record, args.task_field)
        if raw is not _MISSING and raw is not None:
            task = task_name(str(raw), task_map)
        elif default_task is not None:
            task = default_task
        else:
            raise InputError(f"{where} has no field {args.task_field!r}: name the task with --task, or use a "
                             "folder with one file per task")
        generation = require(record, args.prediction_field, where)
        if not isinstance(generation, str):
            raise InputError(f"{where}: the prediction field {args.prediction_field!r} holds "
                             f"{type(generation).__name__}, not a string")
        g, r, c = grouped.setdefault(task, ([], [], []))
        g.append(generation)
        r.append(require(record, args.reference_field, where))
        c.append(context(record, fields, where, task))
    return {task: TaskRun(task, g, r, c, str(path)) for task, (g, r, c) in grouped.items()}


def _read_generic(path: Path, args: argparse.Namespace, tasks: list[str]) -> dict[str, dict[str, TaskRun]]:
    from medmetrics.inputs.adapters.base import task_name

    task_map = _task_map(args)
    if path.is_file():
        default = tasks[0] if len(tasks) == 1 else None
        return {path.stem: _read_file(path, args, default)}

    def folder(d: Path) -> dict[str, TaskRun]:
        out: dict[str, TaskRun] = {}
        for f in sorted(x for x in d.iterdir() if x.is_file() and x.suffix in _FORMATS):
            for task, run in _read_file(f, args, task_name(f.stem, task_map)).items():
                if task in out:
                    raise InputError(f"task {task!r} appears in both {out[task].source} and {run.source}")
                out[task] = run
        return out

    own = folder(path)
    if own:
        return {path.resolve().name: own}
    models = {sub.name: runs for sub in sorted(p for p in path.iterdir() if p.is_dir()) if (runs := folder(sub))}
    if not models:
        raise InputError(f"{path}: no .jsonl, .json or .csv files (one per task) in this folder or its sub-folders")
    return models


def load(path: str, args: argparse.Namespace, tasks: list[str]) -> dict[str, dict[str, TaskRun]]:
    """Model -> task -> inputs of one RUN."""
    from medmetrics.inputs.adapters import load_runs
    from medmetrics.inputs.adapters.base import detect, fields_from_options

    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file or folder")
    adapter = args.adapter if args.adapter != "auto" else detect(p)
    if adapter == "generic" and args.run is None:
        return _read_generic(p, args, tasks)
    return load_runs(p, adapter=adapter, fields=fields_from_options(args), run=args.run, task_map=_task_map(args))


def demo_runs() -> dict[str, TaskRun]:
    """The bundled demo generations, task -> inputs (what ``medmetrics demo`` scores)."""
    from medmetrics.inputs.run import TaskRun

    runs = {}
    for name in DEMO_TASKS:
        text = (resources.files("medmetrics") / "data" / "demo" / f"{name}.jsonl").read_text(encoding="utf-8")
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
        runs[name] = TaskRun(name, [i["generation"] for i in items], [i["reference"] for i in items],
                             [i.get("context", {}) for i in items], f"demo/{name}.jsonl")
    return runs


# ------------------------------------------------------------------------------------------
# the command
# ------------------------------------------------------------------------------------------
def _models(args: argparse.Namespace, tasks: list[str]) -> dict[str, dict[str, TaskRun]]:
    if args.demo:
        if args.runs:
            raise MedmetricsError("--demo reports the bundled demo data; drop the RUN arguments (or --demo)")
        return {"demo": demo_runs()}
    if not args.runs:
        raise MedmetricsError("report needs at least one RUN (or --demo)")
    if args.name and len(args.name) != len(args.runs):
        raise MedmetricsError(f"--name is given {len(args.name)} times for {len(args.runs)} runs; name each run once")
    out: dict[str, dict[str, TaskRun]] = {}
    for k, path in enumerate(args.runs):
        found = load(path, args, tasks)
        if args.model:
            found = {m: r for m, r in found.items() if m in args.model}
            if not found:
                continue
        for model, runs in found.items():
            name = args.name[k] if args.name and len(found) == 1 else model
            if args.name and len(found) > 1:
                name = f"{args.name[k]}/{model}"
            base, i = name, 2
            while name in out:  # two runs with the same folder name stay apart
                name, i = f"{base} ({i})", i + 1
            out[name] = runs
    if not out:
        raise MedmetricsError(f"none of the runs holds model {', '.join(args.model)}")
    return out


def score_runs(models: Mapping[str, Mapping[str, TaskRun]], *, suite: str | None = None,
               tasks: list[str] | None = None, ci: bool | float = True, resamples: int = 1000,
               seed: int = 12345, average: str | None = None) -> tuple[list[Any], list[Any], list[str]]:
    """Score every model's run: entries (model x task), suite rows and notes for the page."""
    from medmetrics.aggregate.suites import resolve_task, score_suite, score_task
    from medmetrics.plugins import default_catalog
    from medmetrics.report.html import _entry, suite_entries

    catalog = default_catalog()
    entries: list[Any] = []
    rows: list[Any] = []
    notes: list[str] = []
    if suite is not None:
        the_suite = catalog.suites.get(suite).obj.with_average(average)
        for model, run in models.items():
            if not set(the_suite.tasks) & set(run):
                raise InputError(f"model {model}: none of its tasks ({', '.join(sorted(run))}) is a task of suite "
                                 f"{suite}; name them with --task-map THEIRS=OURS")
            result = score_suite(the_suite, dict(run), catalog=catalog, ci=ci, resamples=resamples, seed=seed)
            mine, row = suite_entries(result, run, model)
            entries += mine
            if row is not None:
                rows.append(row)
            notes += [f"{model}: {note}" if len(models) > 1 else note for note in result.notes]
        return entries, rows, notes
    wanted = list(tasks) if tasks else list(dict.fromkeys(t for run in models.values() for t in run))
    for name in wanted:
        task = resolve_task(name, catalog)
        for model, run in models.items():
            if isinstance(task, str):
                entries.append(_entry(model, name, None, None, status="unavailable", reason=task))
                continue
            if name not in run:
                entries.append(_entry(model, name, None, None, status="missing", reason="not in the run"))
                continue
            score = score_task(task, "", run[name], catalog=catalog, ci=ci, resamples=resamples, seed=seed)
            entries.append(_entry(model, name, score.report, run[name], score.headline))
    for model, run in models.items():
        stray = sorted(set(run) - set(wanted))
        if stray:
            notes.append(f"{model}: not reported (not asked for): {', '.join(stray)}")
    return entries, rows, notes


def per_item_lines(entries: list[Any]) -> Any:
    """One JSON-native dict per item of every entry: how it parsed, the span read, its scores."""
    from medmetrics._json import json_native
    from medmetrics.report.data import normalized_references
    from medmetrics.report.scores import item_scores

    for e in entries:
        if e.report is None:
            continue
        refs = list(e.references) if e.references is not None else None
        normalized = normalized_references(e)  # as scored: letters, declared labels, a log-likelihood run's answers
        scores = item_scores(e.report, normalized, e.context, normalized=True) if normalized is not None else {}
        e.scores = scores  # reused by the page
        generations = None
        if e.generations is not None and e.loglikelihood is None:
            generations = e.generations
        for i, p in enumerate(e.report.parsed):
            span_text = None
            if generations is not None and p.span is not None:
                span_text = generations[i][p.span[0]:p.span[1]]
            yield {"model": e.model, "task": e.task, "index": i, **p.to_dict(), "span_text": span_text,
                   "reference": json_native(refs[i]) if refs is not None else None,
                   "scores": {k: (None if math.isnan(v[i]) else v[i]) for k, v in scores.items()}}


def cmd_report(args: argparse.Namespace) -> int:
    from medmetrics.inputs.files import atomic_writer
    from medmetrics.report.html import entries_html

    if args.suite and args.task:
        raise MedmetricsError("report takes --suite S or --task T, not both")
    if not 0 <= args.ci < 1:
        raise MedmetricsError("--ci must be a level between 0 and 1 (0: no intervals)")
    tasks = [t.strip() for spec in args.task for t in spec.split(",") if t.strip()]
    models = _models(args, tasks)
    ci: bool | float = False if args.ci == 0 else args.ci
    entries, rows, notes = score_runs(models, suite=args.suite, tasks=tasks or None, ci=ci,
                                      resamples=args.resamples, seed=args.seed, average=args.suite_average)
    # every item's line is made before any file is written, so a failure leaves neither file
    per_item: list[str] = []
    if args.per_item:
        per_item = [json.dumps(line, ensure_ascii=False) + "\n" for line in per_item_lines(entries)]
    title = args.title or ("medmetrics report: demo" if args.demo else
                           f"medmetrics report: {args.suite or ', '.join(tasks) or ', '.join(models)}")
    entries_html(entries, rows, title=title, notes=notes, path=args.output)
    if args.per_item:
        with atomic_writer(args.per_item) as handle:
            handle.writelines(per_item)
    return 0
