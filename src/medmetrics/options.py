"""Options of parsers and metrics: declared once, validated once, rendered into signatures.

A parser or metric declares its options as a frozen dataclass, each field made by ``option``:
its default, a line of help, and what values it takes::

    @dataclass(frozen=True)
    class F1Options(Options):
        average: Literal["micro", "macro", "weighted"] = option("micro", "which average is the value")
        labels: tuple[str, ...] | None = option(None, "the declared label set", check=non_empty)

and names it as the class attribute ``Options``. The base class (``Metric``, ``Parser``) then
checks every given value once, against the field's type and its ``check``, before
``configure`` sees the options: an unknown name, a value of the wrong type or one the check
refuses is one ``InputError`` saying which option, what it takes and what was given. An old name
kept for a release (``renamed``) is accepted with a ``DeprecationWarning``.

Types understood: ``bool``, ``int``, ``float`` (an int is accepted and stored as a float; NaN
and infinities are refused unless the check allows them), ``str``, ``Literal[...]`` (the allowed
values), ``tuple[X, ...]`` (a list, tuple or set; a set is put in a fixed order so signatures
are stable; a lone string is refused), ``Mapping``, ``Any``, and ``X | None``. A ``check`` takes
the value and returns it normalized, or raises ``ValueError`` with what the option takes.

Classes that declare a plain ``defaults`` mapping instead (third-party code written before
typed options) keep working: their options are checked by name only, as before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
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
    for options in filter(None, declarations):
        given = _renamed(owner, options, given)
    values = check_options(owner, given, defaults)
    for options in filter(None, declarations):
        hints = typing.get_type_hints(options)
        for f in dataclasses.fields(options):
            if f.name in given:
                values[f.name] = _checked(owner, f.name, given[f.name], hints[f.name], f.metadata.get("check"))
    return values


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
                      DeprecationWarning, stacklevel=4)
        out[new] = out.pop(name)
    return out


def _checked(owner: str, name: str, value: Any, hint: Any, check: Check | None) -> Any:
    try:
        value = _typed(value, hint)
        return value if check is None or value is None else check(value)
    except ValueError as exc:
        raise InputError(f"{owner}: {name} must be {exc}, not {value!r}") from None


def _typed(value: Any, hint: Any) -> Any:
    """``value`` as type ``hint`` takes it, or ``ValueError`` saying what the type takes."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return value
    if origin is Union or (origin is not None and type(None) in args):  # X | None
        if value is None and type(None) in args:
            return None
        rest = [a for a in args if a is not type(None)]
        errors = []
        for arg in rest:
            try:
                return _typed(value, arg)
            except ValueError as exc:
                errors.append(str(exc))
        raise ValueError(" or ".join(dict.fromkeys([*errors, "None"] if type(None) in args else errors)))
    if origin is Literal:
        if value in args and not (isinstance(value, bool) and not any(isinstance(a, bool) for a in args)):
            return value
        raise ValueError(f"one of {', '.join(repr(a) for a in args)}")
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise ValueError("True or False")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ValueError("an integer")
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ValueError("a number")
    if hint is str:
        if isinstance(value, str):
            return value
        raise ValueError("a string")
    if origin is tuple:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise ValueError("a list" + (f" of {_kind(args[0])}" if args else ""))
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        if args and args[-1] is Ellipsis:
            return tuple(_typed(item, args[0]) for item in items)
        return tuple(items)
    if origin in (Mapping, dict) or hint in (Mapping, dict):
        if isinstance(value, Mapping):
            return value
        raise ValueError("a mapping")
    return value


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


# --- signatures ------------------------------------------------------------------------------


def render_value(value: Any) -> str:
    """A short, stable text for a signature; long values become a count and a content hash."""
    if isinstance(value, Mapping):
        text = ",".join(f"{k}={render_value(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        text = ",".join(render_value(v) for v in items)
    else:
        text = str(value)
    if len(text) > 40:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        count = len(value) if isinstance(value, (Mapping, list, tuple, set, frozenset)) else len(text)
        return f"{count}#{digest}"
    return text


def render_signature(name: str, version: str, options: Mapping[str, Any]) -> str:
    """``name@version(key=value,...)`` with ``None`` options left out."""
    shown = ",".join(f"{k}={render_value(v)}" for k, v in sorted(options.items()) if v is not None)
    return f"{name}@{version}" + (f"({shown})" if shown else "")
