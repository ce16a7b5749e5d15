"""Loading plugins: built-ins by import path, third parties by entry point, one at a time.

Nothing is loaded at ``import medmetrics``; the default catalog is built on first use. A broken
third-party plugin becomes a ``PluginWarning`` naming it and its distribution, and the rest keep
working; ``strict=True`` (or ``MEDMETRICS_STRICT_PLUGINS=1``) turns that into a ``PluginError``.

A third-party plugin's import and each of its hook calls run in a daemon worker thread, waited
for at most ``MEDMETRICS_PLUGIN_TIMEOUT`` seconds (default 10): a plugin that hangs is a broken
plugin, not a hung command. ``SystemExit`` from a plugin is a broken plugin too; a
``KeyboardInterrupt`` propagates (``exit_on_interrupt`` turns it into one line and exit code 130).
"""

from __future__ import annotations

import contextvars
import functools
import importlib
import math
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any, Literal

import pluggy

from medmetrics import hookspecs
from medmetrics.errors import InputError, PluginError, PluginWarning
from medmetrics.registry import Entry, Registry, collecting_register

if TYPE_CHECKING:
    from medmetrics.catalog.suite import Suite
    from medmetrics.catalog.task import Task
    from medmetrics.metrics.base import Metric
    from medmetrics.parsing.base import Parser

ENTRY_POINT_GROUP = "medmetrics"
BUILTIN_PLUGINS = (
    "medmetrics.default_plugins.parsers",
    "medmetrics.default_plugins.metrics",
    "medmetrics.default_plugins.tasks",
    "medmetrics.default_plugins.suites",
    "medmetrics.default_plugins.adapters",
    "medmetrics.default_plugins.compat",
)
ENV_STRICT = "MEDMETRICS_STRICT_PLUGINS"
ENV_ONLY = "MEDMETRICS_PLUGINS"
ENV_BLOCK = "MEDMETRICS_BLOCK_PLUGINS"
ENV_TIMEOUT = "MEDMETRICS_PLUGIN_TIMEOUT"
#: Seconds a third-party plugin's import, or one of its hook calls, may take.
DEFAULT_TIMEOUT = 10.0
#: The exit code of a command ended by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED_EXIT = 130

#: hook name -> (registry kind) ; the order is the order hooks are called in
_REGISTER_HOOKS = (("register_parsers", "parser"), ("register_metrics", "metric"), ("register_tasks", "task"),
                   ("register_suites", "suite"), ("register_adapters", "adapter"),
                   ("register_compat_profiles", "profile"))

PluginStatus = Literal["loaded", "failed", "blocked", "not selected"]


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """One plugin as ``medmetrics list plugins`` shows it."""

    name: str
    distribution: str
    version: str
    builtin: bool
    status: PluginStatus
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "distribution": self.distribution, "version": self.version,
                "builtin": self.builtin, "status": self.status, "error": self.error}


@dataclass
class Catalog:
    """Everything the loaded plugins registered (parsers, metrics, tasks, suites, adapters, compat
    profiles), and what happened to each plugin."""

    manager: pluggy.PluginManager
    parsers: Registry = field(default_factory=lambda: Registry("parser"))
    metrics: Registry = field(default_factory=lambda: Registry("metric"))
    tasks: Registry = field(default_factory=lambda: Registry("task"))
    suites: Registry = field(default_factory=lambda: Registry("suite"))
    adapters: Registry = field(default_factory=lambda: Registry("adapter"))
    profiles: Registry = field(default_factory=lambda: Registry("profile"))
    plugins: list[PluginInfo] = field(default_factory=list)
    #: Whether broken plugins are errors (``load_catalog(strict=...)``); runs use it too: a
    #: third-party parser that raises on a generation stops the run in strict mode.
    strict: bool = False

    def registry(self, kind: str) -> Registry:
        return {"parser": self.parsers, "metric": self.metrics, "task": self.tasks, "suite": self.suites,
                "adapter": self.adapters, "profile": self.profiles}[kind]

    def distribution_of(self, plugin: str) -> tuple[str, str]:
        """The distribution and version of the *loaded* plugin ``plugin``: the one whose
        registrations are in the catalog (a failed one of the same name registered nothing)."""
        for info in self.plugins:
            if info.name == plugin and info.status == "loaded":
                return info.distribution, info.version
        return plugin, "unknown"

    def provenance(self, plugin: str) -> str | None:
        """``distribution==version`` of a third-party plugin's registrations; ``None`` for a built-in."""
        dist, version = self.distribution_of(plugin)
        return None if dist == "medmetrics" else f"{dist}=={version}"


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _env_names(name: str) -> frozenset[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def plugin_timeout(value: float | None = None) -> float | None:
    """Seconds a third-party plugin's import or hook call may take (``None``: no limit).

    ``value`` defaults to ``MEDMETRICS_PLUGIN_TIMEOUT`` (unset: 10). ``0`` or ``inf`` means no
    limit, and plugins then run in the calling thread; a negative or non-numeric value is an
    ``InputError``.
    """
    where = "timeout"
    if value is None:
        raw = os.environ.get(ENV_TIMEOUT, "").strip()
        if not raw:
            return DEFAULT_TIMEOUT
        where = ENV_TIMEOUT
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"{ENV_TIMEOUT} must be a number of seconds (0 for no limit), not {raw!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value < 0:
        raise InputError(f"{where} must be a number of seconds >= 0 (0 for no limit), not {value!r}")
    return None if value == 0 or math.isinf(value) else float(value)


class _TimedOut(Exception):
    """A plugin's import or hook call did not finish in time (it is left running; see ``_call``)."""


def _call(func: Callable[[], Any], timeout: float | None, what: str) -> Any:
    """``func()`` in a daemon worker thread, waited for at most ``timeout`` seconds.

    Whatever ``func`` raises, ``SystemExit`` and ``KeyboardInterrupt`` included, is raised here
    in the calling thread. On timeout, ``_TimedOut`` is raised and the thread is abandoned: a
    thread cannot be killed, so it runs on until the plugin code returns (its result is then
    dropped) or the process exits (a daemon thread does not keep the process alive). A real
    Ctrl-C reaches the calling thread, which is waiting interruptibly, and propagates at once.
    """
    if timeout is None:
        return func()
    box: dict[str, Any] = {}
    done = threading.Event()
    context = contextvars.copy_context()

    def work() -> None:
        try:
            box["value"] = context.run(func)
        except BaseException as exc:  # handed over to the calling thread, KeyboardInterrupt too
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name=f"medmetrics-plugin {what}", daemon=True).start()
    if not done.wait(timeout):
        raise _TimedOut(f"{what} did not finish within {timeout:g} s ({ENV_TIMEOUT}); it is left running in a "
                        "background thread and whatever it registers is ignored")
    if "error" in box:
        error = box.pop("error")
        try:
            raise error
        finally:
            del error
    return box.pop("value")


def exit_on_interrupt(func: Callable[..., int], *args: Any, **kwargs: Any) -> int:
    """``func(*args, **kwargs)``; a ``KeyboardInterrupt`` (Ctrl-C, or a plugin raising one) ends
    in one line on stderr, ``medmetrics: interrupted``, and the exit code 130 instead of a
    traceback. The interrupt is not swallowed inside: it unwinds everything up to here."""
    try:
        return func(*args, **kwargs)
    except KeyboardInterrupt:
        sys.stderr.write("medmetrics: interrupted\n")
        return INTERRUPTED_EXIT


def _version() -> str:
    from medmetrics._version import __version__

    return __version__


def load_catalog(
    *,
    strict: bool | None = None,
    only: Iterable[str] | None = None,
    block: Iterable[str] | None = None,
    entry_points: bool = True,
    extra_plugins: Iterable[tuple[str, object]] = (),
    timeout: float | None = None,
) -> Catalog:
    """Build a fresh catalog: built-ins, then third-party plugins one at a time.

    ``strict``: a broken plugin raises ``PluginError`` instead of warning (default: the
    ``MEDMETRICS_STRICT_PLUGINS`` environment variable). ``only``: load just these third-party
    plugins (default: ``MEDMETRICS_PLUGINS``, comma separated; unset means all). ``block``: never
    load these (default: ``MEDMETRICS_BLOCK_PLUGINS``). ``entry_points=False`` loads built-ins
    only. ``extra_plugins`` are ``(name, plugin_object)`` pairs registered like third parties
    (the pytest fixtures use it for temporary plugins). ``timeout``: seconds a third-party
    plugin's import or one hook call may take before the plugin counts as broken (default:
    ``MEDMETRICS_PLUGIN_TIMEOUT``, else 10; 0 for no limit).
    """
    strict = _env_flag(ENV_STRICT) if strict is None else strict
    only_set = _env_names(ENV_ONLY) if only is None else frozenset(only)
    block_set = (_env_names(ENV_BLOCK) or frozenset()) if block is None else frozenset(block)
    limit = plugin_timeout(timeout)

    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    catalog = Catalog(manager=manager, strict=strict)

    for path in BUILTIN_PLUGINS:
        module = importlib.import_module(path)
        manager.register(module, name=path)
        catalog.plugins.append(PluginInfo(path, "medmetrics", _version(), True, "loaded"))

    # entry-point name -> every (distribution, version, loader) that provides it
    candidates: dict[str, list[tuple[str, str, Callable[[], object]]]] = {}
    if entry_points:
        seen: set[tuple[str, str, str, str]] = set()
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            owner = ep.dist
            dist, version = (owner.name, owner.version) if owner else ("unknown", "unknown")
            if (ep.name, dist, version, ep.value) in seen:  # one distribution found twice on the path
                continue
            seen.add((ep.name, dist, version, ep.value))
            candidates.setdefault(ep.name, []).append((dist, version, ep.load))
    for name, obj in extra_plugins:
        candidates.setdefault(name, []).append((name, "local", _constant(obj)))

    registered: list[str] = list(BUILTIN_PLUGINS)
    for name, providers in candidates.items():
        if name in block_set or (only_set is not None and name not in only_set):
            status: PluginStatus = "blocked" if name in block_set else "not selected"
            catalog.plugins.extend(PluginInfo(name, d, v, False, status) for d, v, _ in providers)
            continue
        if len(providers) > 1:
            _clash(catalog, strict, name, [(d, v) for d, v, _ in providers])
            continue
        dist, version, load = providers[0]
        catalog.plugins.append(PluginInfo(name, dist, version, False, "loaded"))
        try:
            plugin = _call(load, limit, f"import of plugin {name!r}")
            manager.register(plugin, name=name)
            try:
                manager.check_pending()  # a misspelled hook name fails here, loudly
            except Exception:
                manager.unregister(name=name)
                raise
        except (Exception, SystemExit) as exc:  # SystemExit: a plugin calling sys.exit is broken, not the end
            _fail(catalog, strict, name, f"could not be loaded: {_describe(exc)}", exc)
            continue
        registered.append(name)

    for hook_name, kind in _REGISTER_HOOKS:
        impls = {impl.plugin_name: impl for impl in getattr(manager.hook, hook_name).get_hookimpls()}
        for plugin_name in list(registered):  # our load order: built-ins first, then third parties by name
            impl = impls.get(plugin_name)
            if impl is None:
                continue
            builtin = plugin_name in BUILTIN_PLUGINS
            sink: list[Entry] = []
            register = collecting_register(kind, impl.plugin_name, sink)
            arguments = {arg: register for arg in impl.argnames}
            try:
                if builtin:
                    impl.function(**arguments)
                else:
                    _call(functools.partial(impl.function, **arguments), limit,
                          f"hook {hook_name} of plugin {plugin_name!r}")
                batch = list(sink)  # what a hook left running registers later is never looked at
                registry, staged = catalog.registry(kind), Registry(kind)
                for entry in batch:  # check the whole batch before committing any of it
                    registry.check(entry)
                    staged.add(entry)
                for entry in batch:
                    registry.add(entry)
            except (Exception, SystemExit) as exc:
                if builtin:
                    raise
                _fail(catalog, strict, plugin_name, f"hook {hook_name} failed: {_describe(exc)}", exc)
                _forget(catalog, plugin_name)
                registered.remove(plugin_name)
    return catalog


def _constant(obj: object) -> Callable[[], object]:
    return lambda: obj


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _TimedOut):
        return str(exc)
    if isinstance(exc, SystemExit):
        return f"SystemExit: it called sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"


def _info(catalog: Catalog, name: str) -> PluginInfo:
    return next(i for i in catalog.plugins if i.name == name and not i.builtin)


def _fail(catalog: Catalog, strict: bool, name: str, what: str, exc: BaseException | None) -> None:
    """Mark third-party plugin ``name`` failed; warn, or raise ``PluginError`` in strict mode."""
    info = _info(catalog, name)
    catalog.plugins[catalog.plugins.index(info)] = PluginInfo(name, info.distribution, info.version, False,
                                                              "failed", what)
    _complain(strict, f"medmetrics plugin {name!r} (distribution {info.distribution} {info.version}) {what}", exc)


def _clash(catalog: Catalog, strict: bool, name: str, providers: list[tuple[str, str]]) -> None:
    """Several distributions provide entry-point name ``name``: none of them is loaded.

    Preferring one (the first on ``sys.path``, the newest, ...) would make a number's provenance
    depend on installation accidents, so each is marked failed and the clash is reported."""
    listed = " and ".join(f"{d} {v}" for d, v in providers)
    what = (f"is provided by {len(providers)} distributions ({listed}); none of them is loaded: an entry-point "
            "name must mean one plugin (uninstall all but one)")
    catalog.plugins.extend(PluginInfo(name, d, v, False, "failed", what) for d, v in providers)
    _complain(strict, f"medmetrics plugin {name!r} {what}", None)


def _complain(strict: bool, message: str, exc: BaseException | None) -> None:
    if strict:
        raise PluginError(message) from exc
    warnings.warn(message + "; it is skipped (set MEDMETRICS_STRICT_PLUGINS=1 to make this an error)",
                  PluginWarning, stacklevel=4)


def _forget(catalog: Catalog, plugin: str) -> None:
    """Drop what a failed plugin registered in earlier hooks, so it is all or nothing."""
    for _, kind in _REGISTER_HOOKS:
        catalog.registry(kind).remove_plugin(plugin)
    if catalog.manager.has_plugin(plugin):
        catalog.manager.unregister(name=plugin)


_default: Catalog | None = None


def default_catalog() -> Catalog:
    """The catalog the module-level API uses, built once on first use."""
    global _default
    if _default is None:
        _default = load_catalog()
    return _default


def reset_default_catalog() -> None:
    """Forget the default catalog, so the next use reloads plugins (after installing one)."""
    global _default
    _default = None


# --- objects by name: what every stage uses to build a registered parser, metric, task or suite ---


def _provenance(catalog: Catalog, plugin: str) -> str | None:
    dist, version = catalog.distribution_of(plugin)
    return None if dist == "medmetrics" else f"{dist}=={version}"


def _build(kind: str, name: str, catalog: Catalog | None, options: dict[str, Any]) -> Any:
    """The ``kind`` registered as ``name`` (or an alias), built with ``options``, its provenance set."""
    catalog = catalog or default_catalog()
    entry = catalog.registry(kind).get(name)
    built = entry.obj(**options)
    built.provenance = _provenance(catalog, entry.plugin)
    return built


def get_parser(name: str, *, catalog: Catalog | None = None, **options: Any) -> Parser:
    """Build the parser registered as ``name`` (or an alias) with ``options``."""
    parser: Parser = _build("parser", name, catalog, options)
    return parser


def get_metric(name: str, *, catalog: Catalog | None = None, **options: Any) -> Metric:
    """Build the metric registered as ``name`` (or an alias) with ``options``."""
    metric: Metric = _build("metric", name, catalog, options)
    return metric


def get_task(name: str, *, catalog: Catalog | None = None) -> Task:
    """The task registered as ``name``."""
    task: Task = (catalog or default_catalog()).tasks.get(name).obj
    return task


def get_suite(name: str, *, catalog: Catalog | None = None) -> Suite:
    """The suite registered as ``name`` (its tasks, groups and averaging rule)."""
    suite: Suite = (catalog or default_catalog()).suites.get(name).obj
    return suite
