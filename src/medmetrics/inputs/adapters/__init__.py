"""Reading a whole run (every task's generations and references) from other harnesses' outputs.

- ``generic``: JSONL, JSON or CSV with fields named by the caller; a folder with one file per
  task (the file name is the task), or one file with a task field.
- ``lm_eval``: lm-evaluation-harness ``<output>/<model>/samples_<task>_<date>.jsonl`` files
  (``--log_samples``): generations, or log-likelihoods of ``multiple_choice`` tasks.
- ``opencompass``: OpenCompass ``[<time>/]predictions/<model>/<dataset>.json`` files.

``load_runs`` returns model name -> task name -> ``TaskRun`` (every model of an output folder,
kept apart); ``load_run`` one model's tasks (``model=``, or the only one). ``task_map`` renames
the harness's task names to medmetrics task names. ``auto`` picks the adapter from what it finds.

These three are built-in plugins (``medmetrics.default_plugins.adapters``); a third-party plugin
adds a format by registering an ``Adapter`` subclass through the ``register_adapters`` hook, and
``load_runs(adapter=...)``, ``--adapter`` and ``auto`` then use it like a built-in.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: the built-in ways to read a run (``--adapter``); here, so a command line can name them without
#: loading the readers (and numpy). Plugins register more: ``medmetrics list adapters``
ADAPTERS = ("auto", "generic", "lm_eval", "opencompass")

__all__ = ["ADAPTERS", "Adapter", "Fields", "detect", "load_run", "load_runs", "pick_model"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'medmetrics.inputs.adapters' has no attribute {name!r}")
    return getattr(importlib.import_module("medmetrics.inputs.adapters.base"), name)


if TYPE_CHECKING:
    from medmetrics.inputs.adapters.base import Adapter, Fields, detect, load_run, load_runs, pick_model
