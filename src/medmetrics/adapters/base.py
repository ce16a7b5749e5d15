"""What every adapter shares: field paths, task-name mapping, and choosing an adapter."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    rows: Sequence[tuple[str, str, Any, Mapping[str, Any]]], source: str
) -> dict[str, TaskRun]:
    """Group (task, generation, reference, context) rows into one ``TaskRun`` per task."""
    grouped: dict[str, tuple[list[str], list[Any], list[Mapping[str, Any]]]] = {}
    for task, generation, reference, context in rows:
        generations, references, contexts = grouped.setdefault(task, ([], [], []))
        generations.append(generation)
        references.append(reference)
        contexts.append(context)
    return {task: TaskRun(task, g, r, c, source) for task, (g, r, c) in grouped.items()}


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


Reader = Callable[[Path, Fields, Mapping[str, str]], dict[str, TaskRun]]


def _readers() -> dict[str, Reader]:
    from medmetrics.adapters import generic, lm_eval, opencompass

    return {"generic": generic.read, "lm_eval": lm_eval.read, "opencompass": opencompass.read}


ADAPTERS = ("auto", "generic", "lm_eval", "opencompass")


def detect(path: Path) -> str:
    """``lm_eval`` when samples files are there, ``opencompass`` for index-keyed JSON, else generic."""
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    if any(f.name.startswith("samples_") and f.suffix == ".jsonl" for f in files):
        return "lm_eval"
    jsons = [f for f in files if f.suffix == ".json"]
    if jsons and all(_index_keyed(f) for f in jsons):
        return "opencompass"
    return "generic"


def _index_keyed(path: Path) -> bool:
    """OpenCompass files open with ``{"<index>": {...``; read just the start to tell."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(64)
    return re.match(r'\s*\{\s*"\d+"\s*:\s*\{', head) is not None


def load_run(
    path: str | Path,
    *,
    adapter: str = "auto",
    fields: Fields | None = None,
    task_map: Mapping[str, str] | None = None,
) -> dict[str, TaskRun]:
    """Every task of the run at ``path`` (a file or a folder): task name -> ``TaskRun``."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if adapter not in ADAPTERS:
        raise InputError(f"unknown adapter {adapter!r}; use one of {ADAPTERS}")
    chosen = detect(path) if adapter == "auto" else adapter
    runs = _readers()[chosen](path, fields or Fields(), dict(task_map or {}))
    if not runs:
        raise InputError(f"{path}: the {chosen} adapter found no records")
    return runs
