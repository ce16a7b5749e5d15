"""Generic JSONL / JSON / CSV runs: fields named by the caller.

A folder holds one file per task, named after the task (``pubmedqa.jsonl``); a single file holds
every task, with the task in ``fields.task``. A folder holding no task files but sub-folders that
do is one model per sub-folder (``runs/model-a/pubmedqa.jsonl``, ``runs/model-b/...``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medmetrics.errors import InputError
from medmetrics.inputs.adapters.base import Fields, build_runs, merge_runs, model_name, require, task_name
from medmetrics.inputs.files import FORMATS, json_value, read_records, record_place
from medmetrics.inputs.run import TaskRun


def read(path: Path, fields: Fields, task_map: Mapping[str, str],
         run: str | None = None) -> dict[str, dict[str, TaskRun]]:
    if not path.is_dir():
        return {path.stem: _read_file(path, fields, None, task_map)}
    files = _task_files(path)
    if files:
        return {model_name(path, path): _read_folder(files, fields, task_map)}
    models = {model_name(path, folder): _read_folder(found, fields, task_map)
              for folder in sorted(f for f in path.iterdir() if f.is_dir()) if (found := _task_files(folder))}
    if not models:
        raise InputError(f"{path}: no .jsonl, .json or .csv files (one per task) in this folder or its "
                         "sub-folders (one per model)")
    return models


def _task_files(folder: Path) -> list[Path]:
    return sorted(f for f in folder.iterdir() if f.is_file() and f.suffix.lstrip(".").lower() in FORMATS)


def _read_folder(files: list[Path], fields: Fields, task_map: Mapping[str, str]) -> dict[str, TaskRun]:
    return merge_runs([_read_file(f, fields, task_name(f.stem, task_map)) for f in files])


def _read_file(path: Path, fields: Fields, task: str | None,
               task_map: Mapping[str, str] | None = None) -> dict[str, TaskRun]:
    rows = []
    records = read_records(path)
    for i, record in enumerate(records):
        where = record_place(records, path, i)
        if task is None:
            own = task_name(str(require(record, fields.task, where + " (no task: name it with --task-field, "
                                        "or use a folder with one file per task)")), task_map or {})
        else:
            own = task
        generation = require(record, fields.prediction, where)
        if not isinstance(generation, str):
            raise InputError(f"{where}: the prediction field {fields.prediction!r} holds "
                             f"{type(generation).__name__}, not a string")
        rows.append((own, generation, require(record, fields.reference, where), context(record, fields, where, own),
                     where))
    return build_runs(rows, str(path))


def context(record: Mapping[str, Any], fields: Fields, where: str, task: str | None = None) -> dict[str, Any]:
    """The per-item context of ``task``'s record: the keys ``fields.context`` names (key -> path in
    the record, dotted for nested fields; ``task:key`` applies to that task only and wins over a
    plain ``key``) or, where none applies, the record's own ``context`` object. Text that is JSON
    (a CSV cell holding a list of options) is decoded."""
    paths: dict[str, str] = {}
    for key, path in sorted(fields.context.items(), key=lambda kv: ":" in kv[0]):  # task-scoped keys last
        scope, scoped, name = key.rpartition(":")
        if not scoped or scope == task:
            paths[name] = path
    if not paths:
        own = record.get("context")
        own = json_value(own) if isinstance(own, str) else own
        return dict(own) if isinstance(own, Mapping) else {}
    values = {key: require(record, path, where) for key, path in paths.items()}
    return {key: json_value(v) if isinstance(v, str) else v for key, v in values.items()}
