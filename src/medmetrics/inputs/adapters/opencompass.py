"""OpenCompass prediction files: ``outputs/<config>/<time>/predictions/<model>/<dataset>.json``.

Every model folder below ``predictions/`` is one model, named by the folder (given a model folder
itself, by its name); models are never pooled into one task. Where several time-stamped runs
(``20260105_101112/``) hold the same model's dataset, the latest is read; ``run`` (``--run``)
picks one by its folder name (or its leading part). Only files below a ``predictions`` folder
are read when there is one (``results/`` and ``summary/`` are OpenCompass's own scores).

Each file maps the item index (``"0"``, ``"1"``, ...) to ``{"origin_prompt", "prediction",
"gold"}``; a large dataset is split into ``<dataset>_0.json``, ``<dataset>_1.json``, ... . The
inferencer writes ``gold`` only when it is truthy, so a gold of ``0`` or ``""`` is absent: that
item is an error naming it rather than a silent skip. Items are ordered by index, and the split
files are joined in order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medmetrics.errors import InputError
from medmetrics.inputs.adapters.base import Fields, build_runs, model_name, require, task_name
from medmetrics.inputs.adapters.generic import context
from medmetrics.inputs.files import read_json
from medmetrics.inputs.run import TaskRun

_PART = re.compile(r"(?P<dataset>.+)_(?P<part>\d+)\Z")


def read(path: Path, fields: Fields, task_map: Mapping[str, str],
         run: str | None = None) -> dict[str, dict[str, TaskRun]]:
    if not path.is_dir():
        return {path.parent.name: _read_model([path], fields, task_map)}
    files = sorted(path.rglob("*.json"))
    below = [f for f in files if "predictions" in f.relative_to(path).parts[:-1]]
    files = below or files
    if not files:
        raise InputError(f"{path}: no OpenCompass prediction files (predictions/<model>/<dataset>.json) here")
    # model -> dataset file name -> [(run, file)]
    found: dict[str, dict[str, list[tuple[str, Path]]]] = {}
    for file in files:
        parts = file.relative_to(path).parts[:-1]
        if "predictions" in parts:
            at = len(parts) - 1 - parts[::-1].index("predictions")
            model = "/".join(parts[at + 1:]) or "predictions"
            stamp = parts[at - 1] if at > 0 else (path.resolve().name if at == 0 else "")
        else:
            model, stamp = model_name(path, file.parent), ""
        found.setdefault(model, {}).setdefault(file.name, []).append((stamp, file))
    models: dict[str, dict[str, TaskRun]] = {}
    for model, datasets in sorted(found.items()):
        chosen = []
        for name, stamped in sorted(datasets.items()):
            if run is None:
                chosen.append(max(stamped)[1])
                continue
            matches = ([f for stamp, f in stamped if stamp == run]
                       or [f for stamp, f in stamped if stamp.startswith(run)])
            if len(matches) > 1:
                raise InputError(f"--run {run!r} matches several runs of {model}/{name}; give more of the name")
            chosen += matches
        if chosen:
            models[model] = _read_model(chosen, fields, task_map)
    if not models and run is not None:
        stamps = sorted({s for d in found.values() for st in d.values() for s, _ in st if s})
        raise InputError(f"{path}: no OpenCompass run {run!r}; the runs here are: {', '.join(stamps) or '(none)'}")
    return models


def _read_model(files: list[Path], fields: Fields, task_map: Mapping[str, str]) -> dict[str, TaskRun]:
    """One model's datasets; a dataset split into ``<dataset>_0.json``, ``_1``, ... is joined in order."""
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
            rows += [(task, *item) for item in _items(file, fields, task)]
    return build_runs(rows, str(files[0].parent))


def _items(path: Path, fields: Fields, task: str) -> list[tuple[str, Any, dict[str, Any], str]]:
    data = read_json(path)
    if not isinstance(data, dict) or not all(k.isascii() and k.isdigit() and isinstance(v, dict)
                                             for k, v in data.items()):
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
        items.append((prediction, gold, context(record, fields, where, task), where))
    return items
