"""Options of parsers and metrics: declared once, validated once, rendered into signatures.

A parser or metric declares its options as a frozen dataclass, each field made by ``option``:
its default, a line of help, and what values it takes::

    @dataclass(frozen=True)
    class F1Options(Options):
        average: Literal["micro", "macro", "weighted"] = option("micro", "which average is the value")
        labels: tuple[str, ...] | None = option(None, "the declared label set", check=non_empty)

and names it as the class attribute ``options_class`` (a parser's per-item context keys go in
``context_class``). The base class (``Metric``, ``Parser``) then checks every given value once,
against the field's type and its ``check``, before ``configure`` sees the options: an unknown
name, a value of the wrong type or one the check refuses is one ``InputError`` saying which
option, what it takes and what was given. A parser checks the keys of an item's context the same
way, on each item. An old name kept for a release (``renamed``) is accepted with a
``DeprecationWarning``; ``signature_names`` keeps a renamed option's old name in signatures, so
a rename never changes one.

Types understood: ``bool``, ``int``, ``float`` (an int is accepted and stored as a float; NaN
and infinities pass unless the check refuses them: ``check=finite``), ``int | float`` (a number,
kept as given: an int stays an int), ``str``, ``str | os.PathLike`` (a path, stored as a str),
``Literal[...]`` (the allowed values), ``tuple[X, ...]`` (a list, tuple, other sequence or set;
a set is put in a fixed order so signatures are stable; a lone string is refused), ``Mapping``,
``Any``, and ``X | None``. A ``check`` takes the value and returns it normalized, or raises ``ValueError``
with what the option takes.

Classes that declare a plain ``defaults`` mapping instead (third-party code written before
typed options) keep working: their options are checked by name only, as before.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import typing
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Union, get_args, get_origin

from medmetrics.errors import InputError

Check = Callable[[Any], Any]


def option(default: Any, help: str, *, check: Check | None = None) -> Any:
    """A declared option: a dataclass field whose metadata holds its help text and check."""
    return dataclasses.field(default=default, metadata={"help": help, "check": check})


@dataclass(frozen=True)
class Options:
    """Base of every declared option set; subclasses are frozen dataclasses of ``option`` fields."""

    #: old option name -> its name now, accepted for one release with a ``DeprecationWarning``
    renamed: ClassVar[Mapping[str, str]] = {}
    #: option name -> the name signatures write for it (a renamed option keeps its old name
    #: there, so the rename changes no signature and no recorded result's key)
    signature_names: ClassVar[Mapping[str, str]] = {}


@dataclass(frozen=True)
class Declared:
    """One option as declared: what ``docs/builtins.md`` tables and ``medmetrics list`` show."""

    name: str
    default: Any
    help: str
    kind: str  # the type, as read in the declaration: "bool", "'micro' | 'macro'", "tuple[str, ...] | None"


def declared(options: type[Options]) -> dict[str, Declared]:
    """Name -> ``Declared`` for every field of an option dataclass, in declaration order."""
    hints = typing.get_type_hints(options)
    return {f.name: Declared(f.name, f.default, f.metadata.get("help", ""), _kind(hints[f.name]))
            for f in dataclasses.fields(options)}


def defaults_of(options: type[Options]) -> dict[str, Any]:
    """Name -> default, as the legacy ``defaults`` mapping has it."""
    return {f.name: f.default for f in dataclasses.fields(options)}


def validate(owner: str, declarations: Sequence[type[Options] | None], given: Mapping[str, Any],
             defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The options of ``owner`` (e.g. ``metric 'f1'``): ``given`` checked and normalized, the
    defaults filled in. Without declarations (a class with a plain ``defaults`` mapping) names
    only are checked."""
    old_names = {new: old for options in declarations if options is not None
                 for old, new in options.renamed.items() if old in given}
    given = renamed_options(owner, declarations, given)
    values = check_options(owner, given, defaults)
    values.update(typed_values(owner, declarations, given, old_names))
    return values


def renamed_options(owner: str, declarations: Sequence[type[Options] | None],
                    given: Mapping[str, Any]) -> Mapping[str, Any]:
    """``given`` with old option names (``renamed``) replaced by the new ones, each with a
    ``DeprecationWarning``; an old name given with its new one is an ``InputError``."""
    for options in declarations:
        if options is not None and options.renamed:
            given = _renamed(owner, options, given)
    return given


def typed_values(owner: str, declarations: Sequence[type[Options] | None], given: Mapping[str, Any],
                 old_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The declared names among ``given``, each checked against its type and ``check`` and
    normalized (a set becomes a sorted tuple, an int a float where a float is declared). An
    error names an option given under its old name (``old_names``: new -> old) by both."""
    out: dict[str, Any] = {}
    for options in declarations:
        if options is None:
            continue
        fields = _fields(options)
        for name, value in given.items():
            field = fields.get(name)
            if field is not None:
                shown = f"{name} (given as {old_names[name]!r})" if old_names and name in old_names else name
                out[name] = _checked(owner, shown, value, *field)
    return out


_FIELDS: dict[type[Options], dict[str, tuple[Check, Check | None]]] = {}


def _fields(options: type[Options]) -> dict[str, tuple[Check, Check | None]]:
    """Name -> (the type's converter, the check) of each declared option; built once per class
    (``get_type_hints`` evaluates the annotations, too slow to repeat on every item of a
    parser's context)."""
    fields = _FIELDS.get(options)
    if fields is None:
        hints = typing.get_type_hints(options)
        fields = _FIELDS[options] = {f.name: (_converter(hints[f.name]), f.metadata.get("check"))
                                     for f in dataclasses.fields(options)}
    return fields


def signature_options(declarations: Sequence[type[Options] | None], options: Mapping[str, Any]) -> Mapping[str, Any]:
    """``options`` under the names signatures write (``signature_names``: a renamed option's old name)."""
    names = {new: old for declaration in declarations if declaration is not None
             for new, old in declaration.signature_names.items()}
    return {names.get(key, key): value for key, value in options.items()} if names else options


def check_options(owner: str, given: Mapping[str, Any], declared: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``declared`` defaults updated with ``given``; an unknown name is an ``InputError``."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InputError(
            f"{owner} has no option {', '.join(repr(u) for u in unknown)}; "
            f"its options are: {', '.join(sorted(declared)) or '(none)'}"
        )
    return {**declared, **given}


def _renamed(owner: str, options: type[Options], given: Mapping[str, Any]) -> Mapping[str, Any]:
    old = [name for name in given if name in options.renamed]
    if not old:
        return given
    out = dict(given)
    for name in old:
        new = options.renamed[name]
        if new in given:
            raise InputError(f"{owner}: {name!r} is the old name of {new!r}; give one of them, not both")
        warnings.warn(f"{owner}: option {name!r} is now called {new!r}; the old name goes in a later release",
                      DeprecationWarning, stacklevel=5)
        out[new] = out.pop(name)
    return out


def _checked(owner: str, name: str, given: Any, convert: Check, check: Check | None) -> Any:
    try:
        value = convert(given)
        return value if check is None or value is None else check(value)
    except ValueError as exc:
        raise InputError(f"{owner}: {name} must be {exc}, not {given!r:.80}") from None


@functools.cache
def _converter(hint: Any) -> Callable[[Any], Any]:
    """The function that returns a value as type ``hint`` takes it (normalized: an int as a
    float where a float is declared, a set as a sorted tuple), or raises ``ValueError`` saying
    what the type takes; built once per type, since a parser checks its context on every item."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return _same
    if origin is Union or (origin is not None and type(None) in args):  # X | None
        return _union(args)
    if origin is Literal:
        return _literal(args)
    simple = _SIMPLE.get(hint)
    if simple is not None:
        return simple
    if hint is os.PathLike or origin is os.PathLike:
        return _path
    if origin is tuple:
        return _sequence(args)
    if origin in (Mapping, dict) or hint in (Mapping, dict):
        return _mapping
    return _same


def _same(value: Any) -> Any:
    return value


def _union(args: tuple[Any, ...]) -> Callable[[Any], Any]:
    optional = type(None) in args
    rest = [_converter(a) for a in args if a is not type(None)]

    def convert(value: Any) -> Any:
        if value is None and optional:
            return None
        errors = []
        for one in rest:
            try:
                return one(value)
            except ValueError as exc:
                errors.append(str(exc))
        if "a number" in errors and "an integer" in errors:  # int | float: a number, kept as given
            errors.remove("an integer")
        raise ValueError(" or ".join(dict.fromkeys([*errors, "None"] if optional else errors)))
    return convert


def _literal(args: tuple[Any, ...]) -> Callable[[Any], Any]:
    takes_bool = any(isinstance(a, bool) for a in args)
    allowed = f"one of {', '.join(repr(a) for a in args)}"

    def convert(value: Any) -> Any:
        if value in args and (takes_bool or not isinstance(value, bool)):
            return value
        raise ValueError(allowed)
    return convert


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("True or False")


def _int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("an integer")


def _float(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise ValueError("a number")


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("a string")


_SIMPLE: dict[Any, Callable[[Any], Any]] = {bool: _bool, int: _int, float: _float, str: _str}


def _path(value: Any) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise ValueError("a path")


def _mapping(value: Any) -> Any:
    if isinstance(value, Mapping):
        return value
    raise ValueError("a mapping")


def _sequence(args: tuple[Any, ...]) -> Callable[[Any], Any]:
    """``tuple[X, ...]``: a list, tuple, other sequence or set (put in order), as a tuple of X."""
    each = args[0] if args and args[-1] is Ellipsis else None
    what = "a list" + (f" of {_kind(each)}" if each is not None else "")
    item = None if each is None or each is Any else _converter(each)

    def convert(value: Any) -> tuple[Any, ...]:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (Sequence, set, frozenset)):
            raise ValueError(what)
        items = tuple(sorted(value, key=str) if isinstance(value, (set, frozenset)) else value)
        if item is None:
            return items
        if item is _str:  # the common case, a list of strings: one scan, no copy
            if all(isinstance(x, str) for x in items):
                return items
            raise ValueError(what)
        try:
            return tuple(map(item, items))
        except ValueError:
            raise ValueError(what) from None
    return convert


def _kind(hint: Any) -> str:
    """The declared type in a short readable form."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return "any"
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin is Union or (origin is not None and type(None) in args):
        return " | ".join(_kind(a) for a in args)
    if hint is type(None):
        return "None"
    if origin is tuple:
        return f"tuple[{_kind(args[0])}, ...]" if args and args[-1] is Ellipsis else "tuple"
    if origin is not None:
        return getattr(origin, "__name__", str(origin))
    return getattr(hint, "__name__", str(hint))


# --- checks shared by several declarations -------------------------------------------------


def zero_division(value: Any) -> float:
    """The value of 0/0: 0, 1 or NaN (stored as a float)."""
    if not (value in (0, 1) or math.isnan(value)):
        raise ValueError("0, 1 or nan")
    return float(value)


def finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("a finite number")
    return value


def at_least(low: int) -> Check:
    """A check that an integer is ``low`` or more."""
    def check(value: int) -> int:
        if value < low:
            raise ValueError(f"an integer >= {low}")
        return value
    return check


def non_empty(value: tuple[Any, ...]) -> tuple[Any, ...]:
    """A non-empty list, its repeats dropped (the first place kept)."""
    if not value:
        raise ValueError("a non-empty list")
    return tuple(dict.fromkeys(value))


def non_blank(value: tuple[str, ...]) -> tuple[str, ...]:
    """A list of strings with something besides white space in each (repeats and order kept)."""
    if not all(item.strip() for item in value):
        raise ValueError("a list of non-blank strings")
    return value
