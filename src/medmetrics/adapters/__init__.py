"""Reading a whole run (every task's generations and references) from other harnesses' outputs.

- ``generic``: JSONL, JSON or CSV with fields named by the caller; a folder with one file per
  task (the file name is the task), or one file with a task field.
- ``lm_eval``: lm-evaluation-harness ``<output>/<model>/samples_<task>_<date>.jsonl`` files
  (``--log_samples``): generations, or log-likelihoods of ``multiple_choice`` tasks.
- ``opencompass``: OpenCompass ``[<time>/]predictions/<model>/<dataset>.json`` files.

``load_runs`` returns model name -> task name -> ``TaskRun`` (every model of an output folder,
kept apart); ``load_run`` one model's tasks (``model=``, or the only one). ``task_map`` renames
the harness's task names to medmetrics task names. ``auto`` picks the adapter from what it finds.
"""

from __future__ import annotations

from medmetrics.adapters.base import ADAPTERS, Fields, load_run, load_runs, pick_model

__all__ = ["ADAPTERS", "Fields", "load_run", "load_runs", "pick_model"]
