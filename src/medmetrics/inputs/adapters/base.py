"""What every adapter shares: field paths, task-name mapping, the ``Adapter`` class that the
``register_adapters`` hook registers, and choosing an adapter (``detect``, ``load_runs``)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from medmetrics.errors import InputError, MedmetricsError, PluginError, PluginWarning, UnknownNameError
from medmetrics.inputs.run import TaskRun

if TYPE_CHECKING:
    from medmetrics.plugins import Catalog


@dataclass(frozen=True)
class Fields:
    """Where a record keeps each value; a path may be dotted (``doc.options``) or index (``choices.0``).

    ``context`` maps a context key the parser understands (``options``) to its path in the record.
    ``filter`` and ``response`` choose among lm-eval's filtered and raw responses.
    ``index_base``: where lm-eval's integer ``target`` of a multiple-choice task starts counting
    (0: lm-eval's ``doc_to_choice`` index; None leaves integer targets as they are).
    """

    prediction: str = "generation"
    reference: str = "reference"
    task: str = "task"
    context: Mapping[str, str] = field(default_factory=dict)
    filter: str | None = None
    response: str = "raw"
    index_base: int | None = 0


_MISSING = object()


def context_fields(specs: Sequence[str]) -> dict[str, str]:
    """``--context-field`` values as ``Fields.context``: ``options`` (the field of that name),
    ``options=doc.choices`` (a nested field) or ``medqa:options=doc.choices`` (that task only)."""
    out = {}
    for spec in specs:
        key, _, path = spec.partition("=")
        out[key] = path or key.rpartition(":")[2]
    return out


def fields_from_options(options: Any) -> Fields:
    """``Fields`` from the command line's options (``--prediction-field``, ``--context-field``, the
    lm-eval filter and response), as every command that reads a run names them."""
    return Fields(prediction=options.prediction_field, reference=options.reference_field, task=options.task_field,
                  context=context_fields(options.context_field), filter=options.lm_eval_filter,
                  response=options.lm_eval_response)


def lookup(record: Any, path: str) -> Any:
    """The value at a dotted ``path`` in nested dicts and lists, or ``_MISSING``."""
    value = record
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def require(record: Mapping[str, Any], path: str, where: str) -> Any:
    value = lookup(record, path)
    if value is _MISSING:
        keys = ", ".join(sorted(record)) or "(none)"
        raise InputError(f"{where} has no field {path!r}; its fields are: {keys}")
    return value


def task_name(raw: str, task_map: Mapping[str, str]) -> str:
    """A harness task name as a medmetrics name: mapped if given, else lowercase snake_case."""
    if raw in task_map:
        return task_map[raw]
    return re.sub(r"[^a-z0-9]+", "_", raw.lower()).strip("_")


def build_runs(
    rows: Sequence[tuple[str, str, Any, Mapping[str, Any], str]], source: str
) -> dict[str, TaskRun]:
    """Group (task, generation, reference, context, place) rows into one ``TaskRun`` per task;
    ``place`` is where the item was read (``PATH:LINE: record N``), named by errors about it."""
    grouped: dict[str, tuple[list[str], list[Any], list[Mapping[str, Any]], list[str]]] = {}
    for task, generation, reference, context, place in rows:
        generations, references, contexts, places = grouped.setdefault(task, ([], [], [], []))
        generations.append(generation)
        references.append(reference)
        contexts.append(context)
        places.append(place)
    return {task: TaskRun(task, g, r, c, source, places=p) for task, (g, r, c, p) in grouped.items()}


def merge_runs(parts: Sequence[dict[str, TaskRun]]) -> dict[str, TaskRun]:
    """One run from several files; the same task in two files is a caller mistake."""
    out: dict[str, TaskRun] = {}
    for part in parts:
        for name, run in part.items():
            if name in out:
                raise InputError(f"task {name!r} appears in both {out[name].source} and {run.source}; "
                                 "keep one file per task or rename with --task-map")
            out[name] = run
    return out


#: an adapter's ``read``: (path, fields, task map, run) -> model -> task -> inputs
Reader = Callable[[Path, Fields, Mapping[str, str], "str | None"], dict[str, dict[str, TaskRun]]]


class Adapter:
    """A harness output format, registered as a class through the ``register_adapters`` hook.

    Subclasses set ``name`` (lowercase snake_case) and implement ``detect`` and ``read`` as
    static (or class) methods: medmetrics calls them on the class, never builds an instance.
    The first line of the docstring is what ``medmetrics list adapters`` shows.
    """

    name: ClassVar[str]
    #: ``True`` for a catch-all format (``generic``): ``--adapter auto`` tries it after every other
    fallback: ClassVar[bool] = False

    @staticmethod
    def detect(path: Path) -> bool:
        """Whether the file or folder ``path`` looks like this format; must not raise on others'."""
        return False

    @staticmethod
    def read(path: Path, fields: Fields, task_map: Mapping[str, str],
             run: str | None) -> dict[str, dict[str, TaskRun]]:
        """Every model's run at ``path``: model name -> task name -> ``TaskRun``."""
        raise NotImplementedError


def _files(path: Path) -> list[Path]:
    return sorted(path.rglob("*")) if path.is_dir() else [path]


def looks_like_lm_eval(path: Path) -> bool:
    """lm-eval samples files (``samples_<task>_<date>.jsonl``), or its results files and no
    index-keyed JSON (results without samples: the lm_eval adapter says how to log them)."""
    files = _files(path)
    if any(f.name.startswith("samples_") and f.suffix == ".jsonl" for f in files):
        return True
    jsons = [f for f in files if f.suffix == ".json" and f.is_file()]
    return any(f.name.startswith("results_") for f in jsons) and not any(_index_keyed(f) for f in jsons)


def looks_like_opencompass(path: Path) -> bool:
    """Index-keyed JSON (``{"0": {...}, ...}``): under a ``predictions`` folder if there is one,
    else every JSON file."""
    jsons = [f for f in _files(path) if f.suffix == ".json" and f.is_file()]
    predictions = [f for f in jsons if "predictions" in f.relative_to(path).parts[:-1]] if path.is_dir() else []
    if predictions and all(_index_keyed(f) for f in predictions):
        return True
    return bool(jsons) and all(_index_keyed(f) for f in jsons)


def detection_order(catalog: Catalog | None = None) -> list[str]:
    """The adapters ``auto`` tries, in order: registration order (built-ins ``lm_eval`` and
    ``opencompass`` first, then third-party plugins in load order), catch-alls (``generic``) last."""
    entries = _catalog(catalog).adapters.in_order()
    return ([e.name for e in entries if not getattr(e.obj, "fallback", False)]
            + [e.name for e in entries if getattr(e.obj, "fallback", False)])


def detect(path: Path, catalog: Catalog | None = None) -> str:
    """The name of the first registered adapter (``detection_order``) whose ``detect`` accepts
    ``path``: ``lm_eval`` when samples (or results) files are there, ``opencompass`` for
    index-keyed JSON (under a ``predictions`` folder if there is one), then third-party formats,
    else ``generic``. A third-party ``detect`` that raises is a broken plugin: a ``PluginWarning``
    (``PluginError`` in strict mode), and its format is taken not to match."""
    catalog = _catalog(catalog)
    for name in detection_order(catalog):
        entry = catalog.adapters.get(name)
        provenance = catalog.provenance(entry.plugin)
        if provenance is None:
            if entry.obj.detect(path):
                return name
            continue
        try:
            if entry.obj.detect(path):
                return name
        except Exception as exc:
            message = (f"adapter {name!r} (distribution {provenance}) raised in detect({str(path)!r}): "
                       f"{type(exc).__name__}: {exc}")
            if catalog.strict:
                raise PluginError(message) from exc
            warnings.warn(message + "; its format is taken not to match", PluginWarning, stacklevel=2)
    raise InputError(f"{path}: no adapter recognizes it; name one with --adapter (adapter= in Python): "
                     f"{', '.join(catalog.adapters.names())}")


def _catalog(catalog: Catalog | None) -> Catalog:
    from medmetrics.plugins import default_catalog

    return catalog if catalog is not None else default_catalog()


def _index_keyed(path: Path) -> bool:
    """OpenCompass files open with ``{"<index>": {...``; read just the start to tell."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(64)
    return re.match(r'\s*\{\s*"\d+"\s*:\s*\{', head) is not None


def model_name(root: Path, folder: Path) -> str:
    """The name of the model whose outputs are in ``folder``: its path below ``root``, or the
    root's own name when the outputs are in the root itself."""
    if folder == root:
        return root.resolve().name or str(root)
    return folder.relative_to(root).as_posix()


def load_runs(
    path: str | Path,
    *,
    adapter: str = "auto",
    fields: Fields | None = None,
    task_map: Mapping[str, str] | None = None,
    run: str | None = None,
    catalog: Catalog | None = None,
) -> dict[str, dict[str, TaskRun]]:
    """Every model's run at ``path``: model name -> task name -> ``TaskRun``.

    An lm-eval output folder holds one folder per model (``<output>/<model>/samples_<task>_<date>.jsonl``),
    an OpenCompass ``predictions/`` folder one per model; each model is kept apart, never pooled.
    ``run`` picks a run by its date (lm-eval: the ``<date>`` of the file names; OpenCompass: the
    time-stamped folder); by default each task's latest run. A path in which the adapter
    recognizes nothing is an ``InputError``.

    ``adapter`` is ``auto`` (``detect``) or the name of any registered adapter (``medmetrics list
    adapters``; ``catalog``, default: the default catalog); an unknown name is an ``InputError``
    listing them. A third-party adapter whose ``read`` raises anything but a ``MedmetricsError``
    is a ``PluginError`` naming it and its distribution.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    catalog = _catalog(catalog)
    if adapter != "auto" and adapter not in catalog.adapters:
        raise InputError(str(UnknownNameError("adapter", str(adapter), ["auto", *catalog.adapters.names()])))
    chosen = detect(path, catalog) if adapter == "auto" else catalog.adapters.get(adapter).name
    if run is not None and chosen == "generic":
        raise InputError("--run picks an lm-eval or OpenCompass run by its date; a generic run has none")
    entry = catalog.adapters.get(chosen)
    provenance = catalog.provenance(entry.plugin)
    try:
        models = entry.obj.read(path, fields or Fields(), dict(task_map or {}), run)
    except MedmetricsError:
        raise
    except Exception as exc:
        if provenance is None:
            raise
        raise PluginError(f"adapter {chosen!r} (distribution {provenance}) raised while reading {path}: "
                          f"{type(exc).__name__}: {exc}") from exc
    models = {name: runs for name, runs in models.items() if runs}
    if not models:
        raise InputError(f"{path}: the {chosen} adapter found no records")
    return models


def pick_model(models: Mapping[str, dict[str, TaskRun]], model: str | None, path: str | Path) -> dict[str, TaskRun]:
    """The run of ``model``, or of the only model; several models and no choice is an ``InputError``
    listing them."""
    if model is not None:
        if model not in models:
            raise InputError(f"{path} has no model {model!r}; it has: {', '.join(sorted(models))}")
        return models[model]
    if len(models) == 1:
        return next(iter(models.values()))
    raise InputError(f"{path} holds the runs of {len(models)} models ({', '.join(sorted(models))}); "
                     "pick one with --model NAME (model=NAME in Python)")


def load_run(
    path: str | Path,
    *,
    adapter: str = "auto",
    fields: Fields | None = None,
    task_map: Mapping[str, str] | None = None,
    model: str | None = None,
    run: str | None = None,
    catalog: Catalog | None = None,
) -> dict[str, TaskRun]:
    """Every task of one model's run at ``path`` (a file or a folder): task name -> ``TaskRun``.

    Where the path holds several models (``load_runs``), ``model`` names the one; without it,
    several models are an ``InputError`` that lists them.
    """
    models = load_runs(path, adapter=adapter, fields=fields, task_map=task_map, run=run, catalog=catalog)
    return pick_model(models, model, path)
