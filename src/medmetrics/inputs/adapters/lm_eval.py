"""lm-evaluation-harness output folders, as ``--output_path OUT --log_samples`` writes them (0.4.x).

Layout (``lm_eval.loggers.EvaluationTracker``): ``OUT/<model_name_sanitized>/`` holds, per run,
``results_<date>.json`` and one ``samples_<task>_<date>.jsonl`` per task, ``<date>`` being the
run's start ``datetime.now().isoformat()`` with ``:`` replaced by ``-`` (``2026-01-05T10-11-12.123456``),
the same for every file of a run. (With ``--output_path x.json`` the files sit beside ``x.json``,
with no model folder.) So:

- every folder holding samples files is one model, named by its path below the folder given
  (the model folder's name, lm-eval's sanitized model name); models are never pooled;
- a task logged by several runs is read from its latest run (by the date in the file name, read
  as a time); ``run`` (``--run DATE``, a date or its leading part) picks another run: every task of
  that run, and only those;
- a folder with ``results_*.json`` but no samples files is an error saying to log samples.

Each samples line is one document: ``doc``, ``target`` (``doc_to_target``, written as text),
``arguments`` (per request, ``{"arg_0": context, "arg_1": continuation}``), ``resps`` (per request,
the model's raw responses), ``filtered_resps`` (per request, after the filter) and ``filter``,
plus lm-eval's own per-item metrics (``acc``, ``acc_norm``, ...). A task with several filters
writes every document once per filter; one filter is read (``Fields.filter``; default: the first
in the file).

A generating task (``generate_until``): the raw generation is read by default (``response="raw"``:
medmetrics parses it) or the filtered one (``response="filtered"``). An integer target of a
medmetrics multiple-choice task (parser ``choice`` or ``choices``) is ``doc_to_choice``'s index and
becomes the option's letter (``Fields.index_base``: 0 by default; None keeps the integer, which
scoring then rejects); a string target is left as it is and normalized when scored.

A log-likelihood task (``multiple_choice``: one ``[loglikelihood, is_greedy]`` per choice) is read
as ``LoglikelihoodItems`` (``medmetrics.aggregate.loglikelihood``): the log-likelihoods of
``filtered_resps``, the choices from ``arguments`` (each continuation without the task's
``target_delimiter``: from the run's ``results_<date>.json`` config when it is there, else lm-eval's
default ``" "``) and the gold index from ``target`` (an index, or a choice's text as lm-eval reads
it). Context paths are looked up in the whole record, so ``doc.options`` names a field of the
document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from medmetrics.errors import InputError
from medmetrics.inputs.adapters.base import Fields, build_runs, merge_runs, model_name, task_name
from medmetrics.inputs.adapters.generic import context
from medmetrics.inputs.files import read_json, read_records
from medmetrics.inputs.run import LoglikelihoodItems, NoGenerations, TaskRun

#: samples_<task>_<date>.jsonl, the date being datetime.isoformat() with ':' replaced by '-'
_SAMPLES = re.compile(r"samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[0-9.\-]+)\.jsonl\Z")
_RESULTS = re.compile(r"results_(?P<date>\d{4}-\d{2}-\d{2}T[0-9.\-]+)\.json\Z")

#: lm-eval's names of tasks medmetrics defines under another name (``--task-map`` overrides)
LM_EVAL_TASKS = {"medqa_4options": "medqa"}


def run_time(date: str) -> datetime:
    """The time of an lm-eval run from its ``<date>`` (``2026-01-05T10-11-12.123456``)."""
    day, _, clock = date.partition("T")
    try:
        return datetime.fromisoformat(f"{day}T{clock.replace('-', ':')}")
    except ValueError:
        raise InputError(f"{date!r} is not an lm-eval run date (YYYY-MM-DDTHH-MM-SS[.ffffff])") from None


def read(path: Path, fields: Fields, task_map: Mapping[str, str],
         run: str | None = None) -> dict[str, dict[str, TaskRun]]:
    root = path if path.is_dir() else path.parent
    files = sorted(path.rglob("samples_*.jsonl")) if path.is_dir() else [path]
    if not files:
        results = sorted(path.rglob("results_*.json")) if path.is_dir() else []
        if results:
            raise InputError(f"{path}: lm-eval results files ({results[0].name}, ...) but no samples files: run "
                             "lm-eval with --log_samples so that every item can be scored")
        raise InputError(f"{path}: no lm-eval samples files (<model>/samples_<task>_<date>.jsonl) here")
    by_model: dict[Path, dict[str, list[tuple[str, Path]]]] = {}
    for file in files:
        match = _SAMPLES.match(file.name)
        if match is None:
            raise InputError(f"{file}: not an lm-eval samples file name (samples_<task>_<date>.jsonl)")
        by_model.setdefault(file.parent, {}).setdefault(match["task"], []).append((match["date"], file))
    wanted = run.replace(":", "-") if run is not None else None
    models: dict[str, dict[str, TaskRun]] = {}
    for folder, tasks in sorted(by_model.items()):
        picks = {task: _pick(task, dated, wanted) for task, dated in tasks.items()}
        chosen = {task: picked for task, picked in picks.items() if picked is not None}
        if not chosen:
            continue
        names = {**LM_EVAL_TASKS, **task_map}
        parts = []
        for task, (date, file) in sorted(chosen.items()):
            config = _config(folder, date, task)
            parts.append(_read_file(file, task_name(task, names), fields, config))
        models[model_name(root, folder)] = merge_runs(parts)
    if not models and wanted is not None:
        dates = sorted({d for tasks in by_model.values() for dated in tasks.values() for d, _ in dated})
        raise InputError(f"{path}: no lm-eval run of date {run!r}; the runs here are: {', '.join(dates)}")
    return models


def _pick(task: str, dated: list[tuple[str, Path]], wanted: str | None) -> tuple[str, Path] | None:
    """The run of ``task`` to read: the latest, or the one of date ``wanted`` (None if the task
    was not in that run)."""
    if wanted is None:
        return max(dated, key=lambda item: run_time(item[0]))
    matches = [item for item in dated if item[0] == wanted] or [item for item in dated if item[0].startswith(wanted)]
    if len(matches) > 1:
        raise InputError(f"--run {wanted!r} matches several runs of task {task!r}: "
                         f"{', '.join(d for d, _ in matches)}; give more of the date")
    return matches[0] if matches else None


def _config(folder: Path, date: str, task: str) -> Mapping[str, Any]:
    """The task's config in the run's ``results_<date>.json`` (and whether a chat template was
    applied), or {} when that file is not there."""
    path = folder / f"results_{date}.json"
    if not path.is_file():
        return {}
    data = read_json(path)  # a broken results file is an error, not a silently different delimiter

    def member(value: Any, key: str) -> dict[str, Any]:
        found = value.get(key) if isinstance(value, Mapping) else None
        return dict(found) if isinstance(found, Mapping) else {}

    config = member(member(data, "configs"), task)
    config["_chat_template"] = bool(data.get("chat_template")) if isinstance(data, Mapping) else False
    config["_reported"] = member(member(data, "results"), task)  # "acc,none": 0.61, ...
    return config


def _target_delimiter(config: Mapping[str, Any]) -> str:
    """The text lm-eval put before each choice in the continuation (``api/task.py``: the config's
    ``target_delimiter``, default " "; with a chat template, "" unless ``gen_prefix`` is set and
    does not end in white space)."""
    delimiter = config.get("target_delimiter", " ")
    delimiter = " " if delimiter is None else str(delimiter)
    if config.get("_chat_template"):
        prefix = config.get("gen_prefix")
        if not (prefix and not str(prefix)[-1:].isspace()):
            return ""
    return delimiter


def _read_file(path: Path, task: str, fields: Fields, config: Mapping[str, Any]) -> dict[str, TaskRun]:
    records = read_records(path, "jsonl")
    chosen = fields.filter or (records[0].get("filter") if records else None)
    filters = sorted({str(r.get("filter")) for r in records})
    if fields.filter is not None and fields.filter not in filters:
        raise InputError(f"{path}: no filter {fields.filter!r}; the file has {filters}")
    selected = [(line, record) for line, record in zip(records.lines, records) if record.get("filter") == chosen]
    _check_unique_documents(path, selected)
    if selected and _is_loglikelihood(selected[0][1]):
        return {task: _loglikelihood_run(path, task, selected, fields, config)}
    rows = []
    parser = _choice_parser(task) if fields.index_base is not None else None
    for number, record in selected:
        where = f"{path}:{number}"
        generation = _generation(record, fields.response, where)
        item_context = context(record, fields, where, task)
        target = _target(record, where)
        if parser is not None and isinstance(target, int) and not isinstance(target, bool):
            from medmetrics.parsing.references import normalize_reference

            target = normalize_reference(parser, target, item_context, where=f"{where}: target",
                                         reference_format="index", index_base=fields.index_base)
        rows.append((task, generation, target, item_context, where))
    return build_runs(rows, str(path))


def _check_unique_documents(path: Path, selected: list[tuple[int, dict[str, Any]]]) -> None:
    """A document logged twice (one filter, one ``doc_id``) would be counted twice: an error naming both lines."""
    seen: dict[str, int] = {}
    for number, record in selected:
        if "doc_id" not in record:
            continue
        key = json.dumps(record["doc_id"], sort_keys=True, default=str)
        if key in seen:
            raise InputError(f"{path}:{number}: doc_id {record['doc_id']!r} was already read at line "
                             f"{seen[key]}; a document counted twice would weigh twice in every number")
        seen[key] = number


def _choice_parser(task: str) -> Any:
    """The parser of medmetrics task ``task`` when it reads option letters (``choice``/``choices``),
    else None: only there is an integer target an option's index."""
    from medmetrics.parsing.references import reference_kind
    from medmetrics.plugins import default_catalog, get_parser

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
        raise InputError(f"{where}: the {response} response is {value!r:.80}, not generated text")
    return value


def _target(record: Mapping[str, Any], where: str) -> Any:
    if "target" not in record:
        raise InputError(f"{where}: no 'target' field; is this an lm-eval samples file?")
    return record["target"]


# --- log-likelihood (multiple_choice) samples --------------------------------------------
def _pair(value: Any) -> tuple[float, bool] | None:
    """``[loglikelihood, is_greedy]`` as lm-eval logs it (both written as text), or None."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    ll, greedy = value
    if isinstance(greedy, str) and greedy in ("True", "False"):
        greedy = greedy == "True"
    if not isinstance(greedy, bool) or isinstance(ll, bool):
        return None
    try:
        return float(ll), greedy
    except (TypeError, ValueError):
        return None


def _is_loglikelihood(record: Mapping[str, Any]) -> bool:
    responses = record.get("filtered_resps")
    return isinstance(responses, list) and bool(responses) and all(_pair(r) is not None for r in responses)


def _continuations(record: Mapping[str, Any], where: str) -> list[str]:
    """Each request's continuation: ``arguments`` as lm-eval logs them (``gen_args_<i>`` ->
    ``{"arg_0": context, "arg_1": continuation}``) or as a list of ``[context, continuation]``."""
    arguments = record.get("arguments")
    if isinstance(arguments, Mapping):
        keys = sorted(arguments, key=lambda k: int(re.sub(r"\D", "", str(k)) or 0))
        pairs = [arguments[k] for k in keys]
        out = [p.get("arg_1") if isinstance(p, Mapping) else None for p in pairs]
    elif isinstance(arguments, list):
        out = [p[1] if isinstance(p, (list, tuple)) and len(p) > 1 else None for p in arguments]
    else:
        out = [None]
    texts = [c for c in out if isinstance(c, str)]
    if not out or len(texts) != len(out):
        raise InputError(f"{where}: the 'arguments' do not hold each choice's continuation (arg_1); the choices' "
                         "lengths, which acc_norm divides by, come from them")
    return texts


def _gold(record: Mapping[str, Any], choices: tuple[str, ...], lls: tuple[float, ...], where: str) -> int:
    """The gold choice's index as lm-eval reads ``doc_to_target``: an index, or a choice's text.
    The samples file writes the target as text, so a digit that is also a choice's text is read
    by the ``acc`` lm-eval logged for the item, where that tells them apart."""
    target = _target(record, where)
    if isinstance(target, (bool, list, dict)) or (
            isinstance(target, str) and target.startswith("[")):
        raise InputError(f"{where}: target {target!r:.60} is not one choice; several gold choices "
                         "(multiple_target) are not supported")
    readings = set()
    if isinstance(target, int):
        readings.add(target)
    elif isinstance(target, str):
        if target in choices:
            readings.add(choices.index(target))
        if target.strip().isdigit():
            readings.add(int(target.strip()))
    readings = {r for r in readings if 0 <= r < len(choices)}
    if len(readings) > 1 and "acc" in record:
        argmax = max(range(len(lls)), key=lambda k: (lls[k], -k))
        readings = {r for r in readings if float(argmax == r) == float(record["acc"])} or readings
    if len(readings) != 1:
        what = "no choice" if not readings else f"either choice {sorted(readings)}"
        raise InputError(f"{where}: target {target!r:.60} is {what} of {list(choices)!r:.120} "
                         "(an index from 0, or a choice's text)")
    return readings.pop()


def _loglikelihood_run(path: Path, task: str, selected: list[tuple[int, dict[str, Any]]], fields: Fields,
                       config: Mapping[str, Any]) -> TaskRun:
    delimiter = _target_delimiter(config)
    lls_all, choices_all, gold_all, logged_all, contexts = [], [], [], [], []
    for number, record in selected:
        where = f"{path}:{number}"
        pairs = [_pair(r) for r in record.get("filtered_resps") or []]
        if not pairs or any(p is None for p in pairs):
            raise InputError(f"{where}: filtered_resps is not one [loglikelihood, is_greedy] per choice")
        continuations = _continuations(record, where)
        lls = tuple(p[0] for p in pairs if p is not None)
        if "acc_mutual_info" in (record.get("metrics") or ()) and len(lls) % 2 == 0 \
                and len(continuations) == len(lls):  # the second half are the unconditional requests
            lls, continuations = lls[:len(lls) // 2], continuations[:len(lls) // 2]
        if len(continuations) != len(lls):
            raise InputError(f"{where}: {len(lls)} log-likelihoods but {len(continuations)} continuations")
        if len(set(continuations)) == 1 and len(continuations) > 1:
            raise InputError(f"{where}: every request has the same continuation: the choices are in the prompts "
                             "(lm-eval multiple_input), which is not supported")
        if any(not (ll == ll) for ll in lls):  # NaN
            raise InputError(f"{where}: a log-likelihood is NaN")
        choices = tuple(c[len(delimiter):] if delimiter and c.startswith(delimiter) else c for c in continuations)
        lls_all.append(lls)
        choices_all.append(choices)
        gold_all.append(_gold(record, choices, lls, where))
        logged_all.append({k: float(record[k]) for k in ("acc", "acc_norm")
                           if isinstance(record.get(k), (int, float)) and not isinstance(record.get(k), bool)})
        contexts.append(context(record, fields, where, task))
    chosen = selected[0][1].get("filter") if selected else None
    reported = {metric: float(value) for metric in ("acc", "acc_norm")
                if isinstance(value := config.get("_reported", {}).get(f"{metric},{chosen}"), (int, float))}
    items = LoglikelihoodItems(tuple(lls_all), tuple(choices_all), tuple(gold_all), tuple(logged_all), reported)
    return TaskRun(task, NoGenerations(len(items), f"{path} (task {task!r})"), list(items.gold), contexts, str(path),
                   loglikelihood=items, places=[f"{path}:{number}" for number, _ in selected])
