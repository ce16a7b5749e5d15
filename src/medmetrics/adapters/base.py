"""What every adapter shares: field paths, task-name mapping, and choosing an adapter."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medmetrics.adapters import ADAPTERS  # the command line reads them there
from medmetrics.errors import InputError
from medmetrics.suites.scoring import TaskRun


@dataclass(frozen=True)
class Fields:
    """Where a record keeps each value; a path may be dotted (``doc.options``) or index (``choices.0``).

    ``context`` maps a context key the parser understands (``options``) to its path in the record.
    ``filter`` and ``response`` choose among lm-eval's filtered and raw responses.
    ``index_base``: where lm-eval's integer ``target`` of a multiple-choice task starts counting
    (0: lm-eval's ``doc_to_choice`` index; None leaves integer targets as they are).
    """

    prediction: str = "generation"
    reference: str = "reference"
    task: str = "task"
    context: Mapping[str, str] = field(default_factory=dict)
    filter: str | None = None
    response: str = "raw"
    index_base: int | None = 0


_MISSING = object()


def context_fields(specs: Sequence[str]) -> dict[str, str]:
    """``--context-field`` values as ``Fields.context``: ``options`` (the field of that name),
    ``options=doc.choices`` (a nested field) or ``medqa:options=doc.choices`` (that task only)."""
    out = {}
    for spec in specs:
        key, _, path = spec.partition("=")
        out[key] = path or key.rpartition(":")[2]
    return out


def lookup(record: Any, path: str) -> Any:
    """The value at a dotted ``path`` in nested dicts and lists, or ``_MISSING``."""
    value = record
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def require(record: Mapping[str, Any], path: str, where: str) -> Any:
    value = lookup(record, path)
    if value is _MISSING:
        keys = ", ".join(sorted(record)) or "(none)"
        raise InputError(f"{where} has no field {path!r}; its fields are: {keys}")
    return value


def task_name(raw: str, task_map: Mapping[str, str]) -> str:
    """A harness task name as a medmetrics name: mapped if given, else lowercase snake_case."""
    if raw in task_map:
        return task_map[raw]
    return re.sub(r"[^a-z0-9]+", "_", raw.lower()).strip("_")


def build_runs(
    rows: Sequence[tuple[str, str, Any, Mapping[str, Any], str]], source: str
) -> dict[str, TaskRun]:
    """Group (task, generation, reference, context, place) rows into one ``TaskRun`` per task;
    ``place`` is where the item was read (``PATH:LINE: record N``), named by errors about it."""
    grouped: dict[str, tuple[list[str], list[Any], list[Mapping[str, Any]], list[str]]] = {}
    for task, generation, reference, context, place in rows:
        generations, references, contexts, places = grouped.setdefault(task, ([], [], [], []))
        generations.append(generation)
        references.append(reference)
        contexts.append(context)
        places.append(place)
    return {task: TaskRun(task, g, r, c, source, places=p) for task, (g, r, c, p) in grouped.items()}


def merge_runs(parts: Sequence[dict[str, TaskRun]]) -> dict[str, TaskRun]:
    """One run from several files; the same task in two files is a caller mistake."""
    out: dict[str, TaskRun] = {}
    for part in parts:
        for name, run in part.items():
            if name in out:
                raise InputError(f"task {name!r} appears in both {out[name].source} and {run.source}; "
                                 "keep one file per task or rename with --task-map")
            out[name] = run
    return out


#: an adapter: (path, fields, task map, run) -> model -> task -> inputs
Reader = Callable[[Path, Fields, Mapping[str, str], "str | None"], dict[str, dict[str, TaskRun]]]


def _readers() -> dict[str, Reader]:
    from medmetrics.adapters import generic, lm_eval, opencompass

    return {"generic": generic.read, "lm_eval": lm_eval.read, "opencompass": opencompass.read}


def detect(path: Path) -> str:
    """``lm_eval`` when samples (or results) files are there, ``opencompass`` for index-keyed JSON
    (under a ``predictions`` folder if there is one), else generic."""
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    if any(f.name.startswith("samples_") and f.suffix == ".jsonl" for f in files):
        return "lm_eval"
    jsons = [f for f in files if f.suffix == ".json" and f.is_file()]
    if any(f.name.startswith("results_") for f in jsons) and not any(_index_keyed(f) for f in jsons):
        return "lm_eval"  # results without samples: the lm_eval adapter says how to log them
    predictions = [f for f in jsons if "predictions" in f.relative_to(path).parts[:-1]] if path.is_dir() else []
    if predictions and all(_index_keyed(f) for f in predictions):
        return "opencompass"
    if jsons and all(_index_keyed(f) for f in jsons):
        return "opencompass"
    return "generic"


def _index_keyed(path: Path) -> bool:
    """OpenCompass files open with ``{"<index>": {...``; read just the start to tell."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(64)
    return re.match(r'\s*\{\s*"\d+"\s*:\s*\{', head) is not None


def model_name(root: Path, folder: Path) -> str:
    """The name of the model whose outputs are in ``folder``: its path below ``root``, or the
    root's own name when the outputs are in the root itself."""
    if folder == root:
        return root.resolve().name or str(root)
    return folder.relative_to(root).as_posix()


def load_runs(
    path: str | Path,
    *,
    adapter: str = "auto",
    fields: Fields | None = None,
    task_map: Mapping[str, str] | None = None,
    run: str | None = None,
) -> dict[str, dict[str, TaskRun]]:
    """Every model's run at ``path``: model name -> task name -> ``TaskRun``.

    An lm-eval output folder holds one folder per model (``<output>/<model>/samples_<task>_<date>.jsonl``),
    an OpenCompass ``predictions/`` folder one per model; each model is kept apart, never pooled.
    ``run`` picks a run by its date (lm-eval: the ``<date>`` of the file names; OpenCompass: the
    time-stamped folder); by default each task's latest run. A path in which the adapter
    recognizes nothing is an ``InputError``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if adapter not in ADAPTERS:
        raise InputError(f"unknown adapter {adapter!r}; use one of {ADAPTERS}")
    chosen = detect(path) if adapter == "auto" else adapter
    if run is not None and chosen == "generic":
        raise InputError("--run picks an lm-eval or OpenCompass run by its date; a generic run has none")
    models = _readers()[chosen](path, fields or Fields(), dict(task_map or {}), run)
    models = {name: runs for name, runs in models.items() if runs}
    if not models:
        raise InputError(f"{path}: the {chosen} adapter found no records")
    return models


def pick_model(models: Mapping[str, dict[str, TaskRun]], model: str | None, path: str | Path) -> dict[str, TaskRun]:
    """The run of ``model``, or of the only model; several models and no choice is an ``InputError``
    listing them."""
    if model is not None:
        if model not in models:
            raise InputError(f"{path} has no model {model!r}; it has: {', '.join(sorted(models))}")
        return models[model]
    if len(models) == 1:
        return next(iter(models.values()))
    raise InputError(f"{path} holds the runs of {len(models)} models ({', '.join(sorted(models))}); "
                     "pick one with --model NAME (model=NAME in Python)")


def load_run(
    path: str | Path,
    *,
    adapter: str = "auto",
    fields: Fields | None = None,
    task_map: Mapping[str, str] | None = None,
    model: str | None = None,
    run: str | None = None,
) -> dict[str, TaskRun]:
    """Every task of one model's run at ``path`` (a file or a folder): task name -> ``TaskRun``.

    Where the path holds several models (``load_runs``), ``model`` names the one; without it,
    several models are an ``InputError`` that lists them.
    """
    models = load_runs(path, adapter=adapter, fields=fields, task_map=task_map, run=run)
    return pick_model(models, model, path)
