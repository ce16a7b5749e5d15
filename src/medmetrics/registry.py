"""Name tables for parsers, metrics, tasks, suites, adapters and compat profiles: one name means
one thing, everywhere."""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from medmetrics.errors import DuplicateNameError, InputError, PluginError, UnknownNameError

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
#: ``"package.module:Attribute"``: a registered thing imported on first use, not at registration
_REFERENCE = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*\Z")


class RegisterFn(Protocol):
    """The ``register`` callable that every ``register_*`` hook receives: the thing itself, or
    ``"package.module:Attribute"`` with ``name=`` to import it only when it is first used."""

    def __call__(self, obj: Any, *, name: str | None = None, aliases: tuple[str, ...] = ()) -> None: ...


@dataclass(frozen=True)
class Entry:
    """A registered thing: its name, what builds it, and the plugin that registered it.

    ``target`` is the thing itself, or a ``"package.module:Attribute"`` reference that ``obj``
    imports on first use (and checks as registration would have): a catalog of many parsers and
    metrics then costs nothing until one of them is asked for.
    """

    name: str
    target: Any
    plugin: str
    aliases: tuple[str, ...] = ()
    kind: str = ""

    @functools.cached_property
    def obj(self) -> Any:
        if not (isinstance(self.target, str) and _REFERENCE.match(self.target)):
            return self.target
        module, _, attribute = self.target.partition(":")
        try:
            found: Any = importlib.import_module(module)
            for part in attribute.split("."):
                found = getattr(found, part)
        except Exception as exc:
            raise PluginError(f"{self.kind or 'entry'} {self.name!r} of plugin {self.plugin!r} is registered as "
                              f"{self.target!r}, which cannot be imported: {type(exc).__name__}: {exc}") from exc
        check_registered(self.kind, found, self.plugin)
        return found

    @property
    def summary(self) -> str:
        """First line of the docstring (or a task's description): what ``medmetrics list`` shows."""
        text = getattr(self.obj, "description", None) or getattr(self.obj, "__doc__", None) or ""
        return text.strip().splitlines()[0] if text.strip() else ""


class Registry:
    """Names and aliases of one kind of thing (``parser``, ``metric``, ``task``, ``suite``,
    ``adapter`` or ``profile``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        self._lookup: dict[str, str] = {}  # name or alias -> name

    def check(self, entry: Entry) -> None:
        """Raise the error ``add`` would raise, without adding anything."""
        for key in (entry.name, *entry.aliases):
            if not isinstance(key, str) or not _NAME.match(key):
                raise InputError(
                    f"{self.kind} name {key!r} from plugin {entry.plugin!r} is not lowercase snake_case"
                )
            if key in self._lookup:
                other = self._entries[self._lookup[key]]
                raise DuplicateNameError(
                    f"{self.kind} name {key!r} is registered by plugin {other.plugin!r} and again by "
                    f"plugin {entry.plugin!r}; a name must mean one thing"
                )
        if len({entry.name, *entry.aliases}) != 1 + len(entry.aliases):
            raise DuplicateNameError(
                f"{self.kind} {entry.name!r} from plugin {entry.plugin!r} repeats a name in its aliases"
            )

    def add(self, entry: Entry) -> None:
        self.check(entry)
        self._entries[entry.name] = entry
        for key in (entry.name, *entry.aliases):
            self._lookup[key] = entry.name

    def remove_plugin(self, plugin: str) -> None:
        """Forget everything ``plugin`` registered (used when a plugin fails half-way)."""
        for entry in [e for e in self._entries.values() if e.plugin == plugin]:
            del self._entries[entry.name]
            for key in (entry.name, *entry.aliases):
                del self._lookup[key]

    def get(self, name: str) -> Entry:
        try:
            return self._entries[self._lookup[name]]
        except (KeyError, TypeError):
            raise UnknownNameError(self.kind, str(name), self._lookup) from None

    def __contains__(self, name: object) -> bool:
        return name in self._lookup

    def __iter__(self) -> Iterator[Entry]:
        return iter(sorted(self._entries.values(), key=lambda e: e.name))

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def in_order(self) -> list[Entry]:
        """The entries in the order they were registered: built-ins first, then third-party
        plugins in load order (the order ``--adapter auto`` tries adapters in)."""
        return list(self._entries.values())


def collecting_register(kind: str, plugin: str, sink: list[Entry]) -> Callable[..., None]:
    """A ``register`` function for one plugin's hook call; entries are committed afterwards."""

    def register(obj: Any, *, name: str | None = None, aliases: tuple[str, ...] = ()) -> None:
        if isinstance(obj, str) and _REFERENCE.match(obj):
            if name is None:
                raise InputError(f"plugin {plugin!r} registered the {kind} {obj!r} by reference without a name; "
                                 f"give it one: register({obj!r}, name=...)")
        else:
            check_registered(kind, obj, plugin)
        resolved = name if name is not None else getattr(obj, "name", None)
        if not resolved:
            raise InputError(f"{kind} {obj!r} registered by plugin {plugin!r} has no name")
        if kind == "adapter" and "auto" in (resolved, *aliases):
            raise InputError(f"plugin {plugin!r} registered an adapter named 'auto'; 'auto' means: detect the "
                             "adapter (--adapter auto), so no adapter may take it")
        sink.append(Entry(name=resolved, target=obj, plugin=plugin, aliases=tuple(aliases), kind=kind))

    return register


def check_registered(kind: str, obj: Any, plugin: str) -> None:
    """``InputError`` unless ``obj`` can be registered as a ``kind`` (at registration, or when a
    reference registered by name is first imported)."""
    if kind in ("parser", "metric") and not isinstance(obj, type):
        raise InputError(
            f"plugin {plugin!r} registered an instance of {type(obj).__name__} as a {kind}; register the "
            f"class itself (register({type(obj).__name__})): its options are given when it is fetched, "
            f"as in get_{kind}(name, **options)")
    if kind == "adapter":
        _check_adapter(obj, plugin)
    if kind == "profile":
        _check_profile(obj, plugin)


def _check_adapter(obj: Any, plugin: str) -> None:
    """An adapter is registered as a class whose ``detect`` and ``read`` are callable on the class."""
    if not isinstance(obj, type):
        raise InputError(
            f"plugin {plugin!r} registered an instance of {type(obj).__name__} as an adapter; register the "
            f"class itself (register({type(obj).__name__})): medmetrics calls {type(obj).__name__}.detect(path) "
            "and .read(path, fields, task_map, run) on the class")
    missing = [attr for attr in ("detect", "read") if not callable(getattr(obj, attr, None))]
    if missing:
        raise InputError(f"adapter class {obj.__name__} registered by plugin {plugin!r} has no callable "
                         f"{' or '.join(missing)}; subclass medmetrics.inputs.adapters.Adapter")


def _check_profile(obj: Any, plugin: str) -> None:
    """A compat profile is registered as a ``medmetrics.metrics.compat.Profile`` object."""
    from medmetrics.metrics.compat import Profile

    if not isinstance(obj, Profile):
        what = f"the class {obj.__name__}" if isinstance(obj, type) else f"a {type(obj).__name__}"
        raise InputError(f"plugin {plugin!r} registered {what} as a compat profile; register a "
                         "medmetrics.metrics.compat.Profile object: register(Profile(name=..., description=..., "
                         "methods={task: Method(...)}))")
