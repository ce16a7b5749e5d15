"""lm-evaluation-harness ``samples_<task>_<date>.jsonl`` files, as ``--log_samples`` writes them.

Each line is one document: ``doc`` (the dataset row), ``target`` (``doc_to_target``), ``resps``
(per request, the model's raw responses) and ``filtered_resps`` (per request, after the task's
filter), plus ``filter`` (its name). A task with several filters writes every document once per
filter. We read the raw generation by default (``response="raw"``: medmetrics parses it) or the
filtered one (``response="filtered"``), of one filter (``Fields.filter``; default: the first one
in the file). A loglikelihood task (multiple choice scored by log-probabilities) has no
generation to parse, and says so. Context paths are looked up in the whole record, so
``doc.options`` names a field of the document.

A ``generate_until`` task with ``doc_to_choice`` logs its ``target`` as the gold's index into the
choices (0-based). For a medmetrics multiple-choice task (parser ``choice`` or ``choices``), an
integer target is read as that index and becomes the option's letter (``Fields.index_base``:
0 by default; None keeps the integer, which scoring then rejects); a string target is left as
it is and normalized when scored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medmetrics.adapters.base import Fields, build_runs, merge_runs, task_name
from medmetrics.adapters.generic import context
from medmetrics.errors import InputError
from medmetrics.io import read_records
from medmetrics.suites.scoring import TaskRun

#: samples_<task>_<date>.jsonl, the date being datetime.isoformat() with ':' replaced by '-'
_SAMPLES = re.compile(r"samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[0-9.\-]+)\.jsonl\Z")


def read(path: Path, fields: Fields, task_map: Mapping[str, str]) -> dict[str, TaskRun]:
    files = sorted(path.rglob("samples_*.jsonl")) if path.is_dir() else [path]
    latest: dict[str, tuple[str, Path]] = {}
    for file in files:
        match = _SAMPLES.match(file.name)
        if match is None:
            raise InputError(f"{file}: not an lm-eval samples file name (samples_<task>_<date>.jsonl)")
        task = match["task"]
        if task in latest and latest[task][1].parent == file.parent:
            raise InputError(f"{file}: task {task!r} has several samples files in {file.parent}; "
                             "keep the run you mean to score")
        latest[task] = (match["date"], file)
    return merge_runs([_read_file(file, task_name(task, task_map), fields) for task, (_, file) in latest.items()])


def _read_file(path: Path, task: str, fields: Fields) -> dict[str, TaskRun]:
    records = read_records(path, "jsonl")
    chosen = fields.filter or (records[0].get("filter") if records else None)
    filters = sorted({str(r.get("filter")) for r in records})
    if fields.filter is not None and fields.filter not in filters:
        raise InputError(f"{path}: no filter {fields.filter!r}; the file has {filters}")
    rows = []
    parser = _choice_parser(task) if fields.index_base is not None else None
    for number, record in enumerate(records, start=1):
        if record.get("filter") != chosen:
            continue
        where = f"{path}: line {number}"
        generation = _generation(record, fields.response, where)
        item_context = context(record, fields, where)
        target = _target(record, where)
        if parser is not None and isinstance(target, int) and not isinstance(target, bool):
            from medmetrics.evaluation import normalize_reference

            target = normalize_reference(parser, target, item_context, where=f"{where}: target",
                                         reference_format="index", index_base=fields.index_base)
        rows.append((task, generation, target, item_context))
    return build_runs(rows, str(path))


def _choice_parser(task: str) -> Any:
    """The parser of medmetrics task ``task`` when it reads option letters (``choice``/``choices``),
    else None: only there is an integer target an option's index."""
    from medmetrics.api import get_parser
    from medmetrics.evaluation import reference_kind
    from medmetrics.plugins import default_catalog

    catalog = default_catalog()
    if task not in catalog.tasks:
        return None
    spec = catalog.tasks.get(task).obj
    if spec.parser not in catalog.parsers:
        return None
    parser = get_parser(spec.parser, catalog=catalog, **dict(spec.parser_options))
    return parser if reference_kind(parser) in ("choice", "choices") else None


def _generation(record: Mapping[str, Any], response: str, where: str) -> str:
    if response == "filtered":
        value = record.get("filtered_resps")
        value = value[0] if isinstance(value, list) and value else value
    elif response == "raw":  # per request, the list of its responses: [[text]] for one generation
        resps = record.get("resps")
        value = resps[0][0] if isinstance(resps, list) and resps and isinstance(resps[0], list) and resps[0] else resps
    else:
        raise InputError(f"unknown lm-eval response {response!r}; use 'raw' or 'filtered'")
    if not isinstance(value, str):
        raise InputError(f"{where}: the {response} response is {value!r:.80}, not generated text; "
                         "a loglikelihood (multiple-choice) task has no generation to parse")
    return value


def _target(record: Mapping[str, Any], where: str) -> Any:
    if "target" not in record:
        raise InputError(f"{where}: no 'target' field; is this an lm-eval samples file?")
    return record["target"]
