"""OpenCompass prediction files: ``predictions/<model>/<dataset>.json``.

Each file maps the item index (``"0"``, ``"1"``, ...) to ``{"origin_prompt", "prediction",
"gold"}``; a large dataset is split into ``<dataset>_0.json``, ``<dataset>_1.json``, ... . The
inferencer writes ``gold`` only when it is truthy, so a gold of ``0`` or ``""`` is absent: that
item is an error naming it rather than a silent skip. Items are ordered by index, and the split
files are joined in order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medmetrics.adapters.base import Fields, build_runs, require, task_name
from medmetrics.adapters.generic import context
from medmetrics.errors import InputError
from medmetrics.suites.scoring import TaskRun

_PART = re.compile(r"(?P<dataset>.+)_(?P<part>\d+)\Z")


def read(path: Path, fields: Fields, task_map: Mapping[str, str]) -> dict[str, TaskRun]:
    files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
    stems = {f.stem for f in files}
    parts: dict[str, list[tuple[int, Path]]] = {}
    for file in files:
        split = _PART.match(file.stem)
        if split and f"{split['dataset']}_0" in stems:  # one piece of a split dataset
            parts.setdefault(split["dataset"], []).append((int(split["part"]), file))
        else:
            parts.setdefault(file.stem, []).append((0, file))
    rows = []
    for dataset, pieces in parts.items():
        task = task_name(dataset, task_map)
        for _, file in sorted(pieces):
            rows += [(task, *item) for item in _items(file, fields)]
    return build_runs(rows, str(path))


def _items(path: Path, fields: Fields) -> list[tuple[str, Any, dict[str, Any]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not all(k.isdigit() and isinstance(v, dict) for k, v in data.items()):
        raise InputError(f"{path}: expected OpenCompass predictions: an object of index -> record")
    items = []
    for key in sorted(data, key=int):
        record, where = data[key], f"{path}: item {key}"
        prediction = require(record, "prediction", where)
        if isinstance(prediction, list) and len(prediction) == 1:
            prediction = prediction[0]
        if not isinstance(prediction, str):
            raise InputError(f"{where}: prediction is {type(prediction).__name__}, not generated text")
        gold = require(record, "gold", where + " (OpenCompass leaves out a gold of 0 or '')")
        items.append((prediction, gold, context(record, fields, where)))
    return items
