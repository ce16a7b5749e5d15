"""Reading a whole run (every task's generations and references) from other harnesses' outputs.

- ``generic``: JSONL, JSON or CSV with fields named by the caller; a folder with one file per
  task (the file name is the task), or one file with a task field.
- ``lm_eval``: lm-evaluation-harness ``samples_<task>_<date>.jsonl`` files (``--log_samples``).
- ``opencompass``: OpenCompass ``predictions/<model>/<dataset>.json`` files.

Each adapter returns task name -> ``TaskRun``; ``task_map`` renames the harness's task names to
medmetrics task names. ``load_run`` picks the adapter from what it finds when asked for ``auto``.
"""

from __future__ import annotations

from medmetrics.adapters.base import ADAPTERS, Fields, load_run

__all__ = ["ADAPTERS", "Fields", "load_run"]
