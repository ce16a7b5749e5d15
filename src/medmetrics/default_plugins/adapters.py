"""Registers the built-in adapters (harness output formats), in the order ``auto`` tries them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from medmetrics.adapters.base import Adapter, Fields, looks_like_lm_eval, looks_like_opencompass
from medmetrics.hookspecs import hookimpl
from medmetrics.suites.scoring import TaskRun


class LmEvalAdapter(Adapter):
    """lm-evaluation-harness <output>/<model>/samples_<task>_<date>.jsonl (--log_samples)."""

    name = "lm_eval"
    detect = staticmethod(looks_like_lm_eval)

    @staticmethod
    def read(path: Path, fields: Fields, task_map: Mapping[str, str],
             run: str | None) -> dict[str, dict[str, TaskRun]]:
        from medmetrics.adapters import lm_eval

        return lm_eval.read(path, fields, task_map, run)


class OpenCompassAdapter(Adapter):
    """OpenCompass [<time>/]predictions/<model>/<dataset>.json files."""

    name = "opencompass"
    detect = staticmethod(looks_like_opencompass)

    @staticmethod
    def read(path: Path, fields: Fields, task_map: Mapping[str, str],
             run: str | None) -> dict[str, dict[str, TaskRun]]:
        from medmetrics.adapters import opencompass

        return opencompass.read(path, fields, task_map, run)


class GenericAdapter(Adapter):
    """JSONL, JSON or CSV with caller-named fields: one file per task, or one with a task field."""

    name = "generic"
    fallback = True

    @staticmethod
    def detect(path: Path) -> bool:
        return True

    @staticmethod
    def read(path: Path, fields: Fields, task_map: Mapping[str, str],
             run: str | None) -> dict[str, dict[str, TaskRun]]:
        from medmetrics.adapters import generic

        return generic.read(path, fields, task_map, run)


@hookimpl
def register_adapters(register):  # type: ignore[no-untyped-def]
    register(LmEvalAdapter)
    register(OpenCompassAdapter)
    register(GenericAdapter)
