"""Registers the built-in adapters (harness output formats), in the order ``auto`` tries them."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from medmetrics.hookspecs import hookimpl
from medmetrics.inputs.adapters.base import Adapter, Fields, looks_like_lm_eval, looks_like_opencompass
from medmetrics.inputs.run import TaskRun


def _read_with(module: str) -> Any:
    """``medmetrics.inputs.adapters.<module>.read`` as an adapter's ``read``, imported when a run is read."""
    def read(path: Path, fields: Fields, task_map: Mapping[str, str],
             run: str | None) -> dict[str, dict[str, TaskRun]]:
        reader: Callable[..., dict[str, dict[str, TaskRun]]] = importlib.import_module(
            f"medmetrics.inputs.adapters.{module}").read
        return reader(path, fields, task_map, run)

    return staticmethod(read)


class LmEvalAdapter(Adapter):
    """lm-evaluation-harness <output>/<model>/samples_<task>_<date>.jsonl (--log_samples)."""

    name = "lm_eval"
    detect = staticmethod(looks_like_lm_eval)
    read = _read_with("lm_eval")


class OpenCompassAdapter(Adapter):
    """OpenCompass [<time>/]predictions/<model>/<dataset>.json files."""

    name = "opencompass"
    detect = staticmethod(looks_like_opencompass)
    read = _read_with("opencompass")


class GenericAdapter(Adapter):
    """JSONL, JSON or CSV with caller-named fields: one file per task, or one with a task field."""

    name = "generic"
    fallback = True
    detect = staticmethod(lambda path: True)
    read = _read_with("generic")


@hookimpl
def register_adapters(register):  # type: ignore[no-untyped-def]
    register(LmEvalAdapter)
    register(OpenCompassAdapter)
    register(GenericAdapter)
