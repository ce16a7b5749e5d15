"""Loading plugins: built-ins by import path, third parties by entry point, one at a time.

Nothing is loaded at ``import medmetrics``; the default catalog is built on first use. A broken
third-party plugin becomes a ``PluginWarning`` naming it and its distribution, and the rest keep
working; ``strict=True`` (or ``MEDMETRICS_STRICT_PLUGINS=1``) turns that into a ``PluginError``.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Literal

import pluggy

from medmetrics import hookspecs
from medmetrics.errors import PluginError, PluginWarning
from medmetrics.registry import Entry, Registry, collecting_register

ENTRY_POINT_GROUP = "medmetrics"
BUILTIN_PLUGINS = (
    "medmetrics.default_plugins.parsers",
    "medmetrics.default_plugins.metrics",
    "medmetrics.default_plugins.tasks",
    "medmetrics.default_plugins.suites",
)
ENV_STRICT = "MEDMETRICS_STRICT_PLUGINS"
ENV_ONLY = "MEDMETRICS_PLUGINS"
ENV_BLOCK = "MEDMETRICS_BLOCK_PLUGINS"

#: hook name -> (registry kind) ; the order is the order hooks are called in
_REGISTER_HOOKS = (("register_parsers", "parser"), ("register_metrics", "metric"), ("register_tasks", "task"),
                   ("register_suites", "suite"))

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
    """Everything the loaded plugins registered (parsers, metrics, tasks, suites), and what happened to each plugin."""

    manager: pluggy.PluginManager
    parsers: Registry = field(default_factory=lambda: Registry("parser"))
    metrics: Registry = field(default_factory=lambda: Registry("metric"))
    tasks: Registry = field(default_factory=lambda: Registry("task"))
    suites: Registry = field(default_factory=lambda: Registry("suite"))
    plugins: list[PluginInfo] = field(default_factory=list)

    def registry(self, kind: str) -> Registry:
        return {"parser": self.parsers, "metric": self.metrics, "task": self.tasks, "suite": self.suites}[kind]

    def distribution_of(self, plugin: str) -> tuple[str, str]:
        for info in self.plugins:
            if info.name == plugin:
                return info.distribution, info.version
        return plugin, "unknown"


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _env_names(name: str) -> frozenset[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


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
) -> Catalog:
    """Build a fresh catalog: built-ins, then third-party plugins one at a time.

    ``strict``: a broken plugin raises ``PluginError`` instead of warning (default: the
    ``MEDMETRICS_STRICT_PLUGINS`` environment variable). ``only``: load just these third-party
    plugins (default: ``MEDMETRICS_PLUGINS``, comma separated; unset means all). ``block``: never
    load these (default: ``MEDMETRICS_BLOCK_PLUGINS``). ``entry_points=False`` loads built-ins
    only. ``extra_plugins`` are ``(name, plugin_object)`` pairs registered like third parties
    (the pytest fixtures use it for temporary plugins).
    """
    strict = _env_flag(ENV_STRICT) if strict is None else strict
    only_set = _env_names(ENV_ONLY) if only is None else frozenset(only)
    block_set = (_env_names(ENV_BLOCK) or frozenset()) if block is None else frozenset(block)

    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    catalog = Catalog(manager=manager)

    for path in BUILTIN_PLUGINS:
        module = importlib.import_module(path)
        manager.register(module, name=path)
        catalog.plugins.append(PluginInfo(path, "medmetrics", _version(), True, "loaded"))

    candidates: list[tuple[str, str, str, Callable[[], object]]] = []
    if entry_points:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            owner = ep.dist
            candidates.append((ep.name, owner.name if owner else "unknown", owner.version if owner else "unknown",
                               ep.load))
    for name, obj in extra_plugins:
        candidates.append((name, name, "local", _constant(obj)))

    registered: list[str] = list(BUILTIN_PLUGINS)
    for name, dist, version, load in candidates:
        if name in block_set:
            catalog.plugins.append(PluginInfo(name, dist, version, False, "blocked"))
            continue
        if only_set is not None and name not in only_set:
            catalog.plugins.append(PluginInfo(name, dist, version, False, "not selected"))
            continue
        try:
            plugin = load()
            manager.register(plugin, name=name)
            try:
                manager.check_pending()  # a misspelled hook name fails here, loudly
            except Exception:
                manager.unregister(name=name)
                raise
        except Exception as exc:
            _fail(catalog, strict, name, dist, version, f"could not be loaded: {type(exc).__name__}: {exc}", exc)
            continue
        catalog.plugins.append(PluginInfo(name, dist, version, False, "loaded"))
        registered.append(name)

    for hook_name, kind in _REGISTER_HOOKS:
        impls = {impl.plugin_name: impl for impl in getattr(manager.hook, hook_name).get_hookimpls()}
        for plugin_name in list(registered):  # our load order: built-ins first, then third parties by name
            impl = impls.get(plugin_name)
            if impl is None:
                continue
            sink: list[Entry] = []
            try:
                impl.function(**{arg: collecting_register(kind, impl.plugin_name, sink) for arg in impl.argnames})
                registry, staged = catalog.registry(kind), Registry(kind)
                for entry in sink:  # check the whole batch before committing any of it
                    registry.check(entry)
                    staged.add(entry)
                for entry in sink:
                    registry.add(entry)
            except Exception as exc:
                info = next(i for i in catalog.plugins if i.name == impl.plugin_name)
                if info.builtin:
                    raise
                _fail(catalog, strict, info.name, info.distribution, info.version,
                      f"hook {hook_name} failed: {type(exc).__name__}: {exc}", exc)
                _forget(catalog, info.name)
                registered.remove(info.name)
    return catalog


def _constant(obj: object) -> Callable[[], object]:
    return lambda: obj


def _fail(catalog: Catalog, strict: bool, name: str, dist: str, version: str, what: str, exc: Exception) -> None:
    message = f"medmetrics plugin {name!r} (distribution {dist} {version}) {what}"
    catalog.plugins[:] = [i for i in catalog.plugins if i.name != name]
    catalog.plugins.append(PluginInfo(name, dist, version, False, "failed", what))
    if strict:
        raise PluginError(message) from exc
    warnings.warn(message + "; it is skipped (set MEDMETRICS_STRICT_PLUGINS=1 to make this an error)",
                  PluginWarning, stacklevel=3)


def _forget(catalog: Catalog, plugin: str) -> None:
    """Drop what a failed plugin registered in earlier hooks, so it is all or nothing."""
    for registry in (catalog.parsers, catalog.metrics, catalog.tasks, catalog.suites):
        registry.remove_plugin(plugin)
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
