"""The peer half of the ``choice`` benchmark; runs inside ``benchmarks/.venv-peers``.

Usage: ``python peer_choice.py IN.json OUT.json``. IN holds the generations, their option texts
and the number of timing repeats; OUT gets, per peer, how it was loaded, its version, the best
wall time over the repeats and its raw outputs. Only the standard library and the peers are
imported here, so this file runs in the peers' venv while medmetrics runs in the main one.

Each peer is loaded in this order, and OUT says which way worked:

1. the installed package, imported normally;
2. the single postprocessing module file, read from the installed distribution's files
   without importing the package (for a package whose ``__init__`` fails to import), with
   stubs for the one or two package-internal names it imports;
3. the same module file read from a wheel or sdist in ``benchmarks/.cache`` (``pip download
   NAME --no-deps -d benchmarks/.cache``), extracted into a temporary directory for this run.

Nothing from a peer is copied into the repository: the code is loaded from the peer's own
distribution at run time.

A request with a ``jobs`` list (``bench_realworld.py`` sends one) runs those jobs instead; each
names one peer callable of ``CALLABLES`` and its texts, and the jobs' timings are interleaved:
every repeat runs each job once, in turn, and each job keeps its fastest run. Requests without
``jobs`` run the ``choice`` peers as above, unchanged.
"""

from __future__ import annotations

import gc
import importlib
import importlib.metadata
import importlib.util
import json
import os
import sys
import tarfile
import tempfile
import time
import types
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent / ".cache"
#: Set to 1 to skip step 1 (or 1 and 2 with value 2), to exercise the fallbacks.
FORCE_FALLBACK = int(os.environ.get("MEDMETRICS_BENCH_FORCE_FALLBACK", "0") or 0)


# --- loading a peer ---------------------------------------------------------------------------
def _identity_register(*args: Any, **kwargs: Any) -> Callable[[Any], Any]:
    """Stands in for a registry decorator factory: ``@register("name")`` leaves the object as is."""
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda obj: obj


def _stub_modules(stubs: dict[str, dict[str, Any]]) -> dict[str, types.ModuleType | None]:
    """Install stub modules for the package-internal imports; returns what was there before."""
    saved: dict[str, types.ModuleType | None] = {}
    for name, attrs in stubs.items():
        parts = name.split(".")
        for i in range(1, len(parts)):
            parent = ".".join(parts[:i])
            if parent not in sys.modules:
                saved.setdefault(parent, None)
                package = types.ModuleType(parent)
                package.__path__ = []  # type: ignore[attr-defined]
                sys.modules[parent] = package
        saved.setdefault(name, sys.modules.get(name))
        leaf = types.ModuleType(name)
        leaf.__dict__.update(attrs)
        sys.modules[name] = leaf
    return saved


def _restore(saved: dict[str, types.ModuleType | None]) -> None:
    for name, module in saved.items():
        if module is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = module


def _exec_file(path: Path, module_name: str, stubs: dict[str, dict[str, Any]]) -> types.ModuleType:
    saved = _stub_modules(stubs)
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        _restore(saved)


def _file_from_archive(dist: str, member: str, tmp: Path) -> tuple[Path, str] | None:
    """Extract ``member`` (a path inside the package) from a wheel or sdist in the cache."""
    prefix = dist.replace("-", "_").lower()
    for archive in sorted(CACHE.glob("*")) if CACHE.is_dir() else []:
        name = archive.name.lower().replace("-", "_")
        if not name.startswith(prefix):
            continue
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as zf:
                if member in zf.namelist():
                    zf.extract(member, tmp)
                    return tmp / member, archive.name
        elif archive.name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(archive) as tf:
                for info in tf.getmembers():
                    if info.name.endswith("/" + member) and info.name.count("/") == member.count("/") + 1:
                        tf.extract(info, tmp, filter="data")
                        return tmp / info.name, archive.name
    return None


def load_peer(
    dist: str, module: str, attr: str, stubs: dict[str, dict[str, Any]], tmp: Path
) -> tuple[Any, str, str]:
    """(object, how it was loaded, version) of ``module.attr`` from distribution ``dist``."""
    member = module.replace(".", "/") + ".py"
    errors = []
    if FORCE_FALLBACK < 1:
        try:
            obj = getattr(importlib.import_module(module), attr)
            return obj, "installed package, imported", importlib.metadata.version(dist)
        except Exception as exc:
            errors.append(f"import {module}: {type(exc).__name__}: {exc}")
    if FORCE_FALLBACK < 2:
        try:
            distribution = importlib.metadata.distribution(dist)
            path = Path(str(distribution.locate_file(member)))
            if path.is_file():
                obj = getattr(_exec_file(path, f"_peer_{dist}", stubs), attr)
                return obj, f"module file {member} of the installed distribution", distribution.version
            errors.append(f"{member} not in the installed {dist}")
        except Exception as exc:
            errors.append(f"installed {dist} file: {type(exc).__name__}: {exc}")
    found = _file_from_archive(dist, member, tmp)
    if found is not None:
        path, archive = found
        obj = getattr(_exec_file(path, f"_peer_{dist}_archive", stubs), attr)
        version = archive.split("-")[1] if archive.count("-") >= 1 else "?"
        return obj, f"module file {member} from benchmarks/.cache/{archive}", version
    errors.append(f"no {dist} archive in {CACHE}")
    raise ImportError("; ".join(errors))


class _FilterBase:
    """Stub of ``lm_eval.api.filter.Filter`` (only used by fallback steps 2 and 3)."""

    def __init__(self, **kwargs: Any) -> None:
        pass


_OPENCOMPASS_STUBS: dict[str, dict[str, Any]] = {
    "opencompass.registry": {"TEXT_POSTPROCESSORS": types.SimpleNamespace(register_module=_identity_register)}}
_LM_EVAL_STUBS: dict[str, dict[str, Any]] = {
    "lm_eval.api.filter": {"Filter": _FilterBase},
    "lm_eval.api.registry": {"register_filter": _identity_register}}

PEERS = {
    "opencompass": ("opencompass", "opencompass.utils.text_postprocessors", "first_option_postprocess",
                    _OPENCOMPASS_STUBS),
    "lm_eval": ("lm_eval", "lm_eval.filters.extraction", "MultiChoiceRegexFilter", _LM_EVAL_STUBS),
}

#: Every peer callable a ``jobs`` request may name, as ``load_peer`` arguments.
CALLABLES = {
    "opencompass.first_option_postprocess": PEERS["opencompass"],
    "opencompass.first_number_postprocess": ("opencompass", "opencompass.utils.text_postprocessors",
                                             "first_number_postprocess", _OPENCOMPASS_STUBS),
    "lm_eval.MultiChoiceRegexFilter": PEERS["lm_eval"],
    "lm_eval.RegexFilter": ("lm_eval", "lm_eval.filters.extraction", "RegexFilter", _LM_EVAL_STUBS),
}


# --- timing -----------------------------------------------------------------------------------
def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_opencompass(fn: Any, texts: list[str], letters: str, repeat: int) -> dict[str, Any]:
    seconds, out = best_of(lambda: [fn(t, options=letters) for t in texts], repeat)
    return {"seconds": seconds, "outputs": out}


#: The "flexible-extract" pipeline of lm-eval's MMLU flan-CoT (and GPQA CoT) task configs.
LM_EVAL_CHOICE_FILTER: dict[str, Any] = {"regex_pattern": r"(\([A-Z]\))", "group_select": -1, "ignore_case": True,
                                         "ignore_punctuation": True}


def run_lm_eval(cls: Any, texts: list[str], choices: list[list[str]], repeat: int) -> dict[str, Any]:
    filt = cls(**LM_EVAL_CHOICE_FILTER)
    resps = [[t] for t in texts]  # one response per document, as apply() receives them
    docs = [{"choices": c} for c in choices]
    seconds, out = best_of(lambda: filt.apply(resps, docs), repeat)
    # apply() rebuilds a punctuation table over every code point on each call: time that part alone.
    one_doc = best_of(lambda: filt.apply([[""]], [{"choices": ["x"]}]), repeat)[0]
    return {"seconds": seconds, "per_call_overhead_seconds": one_doc, "outputs": [r[0] for r in out]}


# --- jobs requests (bench_realworld.py) ------------------------------------------------------
def _job_runner(name: str, obj: Any, job: dict[str, Any]) -> tuple[Callable[[], list[Any]], dict[str, Any]]:
    """A no-argument call that reads all of the job's texts, in order, and facts about the job.

    - ``opencompass.first_option_postprocess``: ``fn(text, options=<the item's letters>)`` per text;
    - ``opencompass.first_number_postprocess``: ``fn(text)`` per text;
    - ``lm_eval.MultiChoiceRegexFilter``: the flexible-extract filter of ``run_lm_eval``, one
      ``apply()`` call on all texts with each item's ``choices``;
    - ``lm_eval.RegexFilter``: one filter per distinct ``patterns[i]`` (an lm-eval task has one
      pattern), built before timing, ``group_select`` from the job; one ``apply()`` per filter.
    """
    texts: list[str] = job["texts"]
    facts: dict[str, Any] = {}
    if name == "opencompass.first_option_postprocess":
        letters = job["letters"]
        return (lambda: [obj(t, options=o) for t, o in zip(texts, letters)]), facts
    if name == "opencompass.first_number_postprocess":
        return (lambda: [obj(t) for t in texts]), facts
    if name == "lm_eval.MultiChoiceRegexFilter":
        filt = obj(**LM_EVAL_CHOICE_FILTER)
        resps = [[t] for t in texts]
        docs = [{"choices": c} for c in job["choices"]]
        facts["per_call_overhead_seconds"] = best_of(lambda: filt.apply([[""]], [{"choices": ["x"]}]), 1)[0]
        return (lambda: [r[0] for r in filt.apply(resps, docs)]), facts
    if name == "lm_eval.RegexFilter":
        groups: dict[str, list[int]] = {}
        for i, pattern in enumerate(job["patterns"]):
            groups.setdefault(pattern, []).append(i)
        filters = [(obj(regex_pattern=pattern, group_select=int(job.get("group_select", 0))), idx,
                    [[texts[i]] for i in idx]) for pattern, idx in groups.items()]
        facts["filters"] = len(filters)

        def run() -> list[Any]:
            out: list[Any] = [None] * len(texts)
            for filt, idx, resps in filters:
                for i, r in zip(idx, filt.apply(resps, [{} for _ in idx])):
                    out[i] = r[0]
            return out

        return run, facts
    raise ValueError(f"unknown peer callable {name!r}; choose from {', '.join(CALLABLES)}")


def run_jobs(request: dict[str, Any]) -> dict[str, Any]:
    """Load each job's peer, then time all jobs interleaved: each repeat runs every job once."""
    repeat = max(1, int(request["repeat"]))
    report: dict[str, Any] = {"python": sys.version.split()[0], "jobs": {}}
    runners: dict[str, Callable[[], list[Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="medmetrics-bench-peers-") as tmp:
        loaded: dict[str, tuple[Any, str, str]] = {}
        for job in request["jobs"]:
            key, name = job["name"], job["peer"]
            try:
                if name not in loaded:
                    dist, module, attr, stubs = CALLABLES[name]
                    loaded[name] = load_peer(dist, module, attr, stubs, Path(tmp))
                obj, how, version = loaded[name]
                runners[key], facts = _job_runner(name, obj, job)
            except Exception as exc:
                report["jobs"][key] = {"available": False, "error": f"{name}: {type(exc).__name__}: {exc}"}
                continue
            report["jobs"][key] = {"available": True, "peer": name, "how": how, "version": version,
                                   "seconds": float("inf"), **facts}
        for _ in range(repeat):
            for key, run in list(runners.items()):
                try:
                    seconds, outputs = best_of(run, 1)
                except Exception as exc:
                    report["jobs"][key] = {"available": False,
                                           "error": f"loaded but failed: {type(exc).__name__}: {exc}"}
                    del runners[key]
                    continue
                entry = report["jobs"][key]
                entry["seconds"] = min(entry["seconds"], seconds)
                entry["outputs"] = outputs
    report["heavy_modules_loaded"] = sorted(m for m in ("torch", "transformers") if m in sys.modules)
    return report


def main() -> int:
    request = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if "jobs" in request:
        Path(sys.argv[2]).write_text(json.dumps(run_jobs(request)), encoding="utf-8")
        return 0
    texts, choices, repeat = request["texts"], request["choices"], int(request["repeat"])
    report: dict[str, Any] = {"python": sys.version.split()[0]}
    with tempfile.TemporaryDirectory(prefix="medmetrics-bench-peers-") as tmp:
        for key, (dist, module, attr, stubs) in PEERS.items():
            try:
                obj, how, version = load_peer(dist, module, attr, stubs, Path(tmp))
            except Exception as exc:
                report[key] = {"available": False, "error": str(exc)}
                continue
            try:
                if key == "opencompass":
                    result = run_opencompass(obj, texts, request["letters"], repeat)
                else:
                    result = run_lm_eval(obj, texts, choices, repeat)
            except Exception as exc:
                report[key] = {"available": False, "error": f"loaded ({how}) but failed: {type(exc).__name__}: {exc}"}
                continue
            report[key] = {"available": True, "how": how, "version": version, **result}
    report["heavy_modules_loaded"] = sorted(m for m in ("torch", "transformers") if m in sys.modules)
    Path(sys.argv[2]).write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
