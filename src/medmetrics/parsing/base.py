"""The parser template: options, per-item context, and the never-raise guarantee."""

from __future__ import annotations

from abc import ABC
from collections.abc import Mapping
from typing import Any, ClassVar

from medmetrics.errors import InputError
from medmetrics.options import (
    Options,
    check_options,
    defaults_of,
    renamed_options,
    signature_options,
    typed_values,
    validate,
)
from medmetrics.parsing.engine import unanswered
from medmetrics.parsing.text import prepare
from medmetrics.results import Parsed
from medmetrics.signatures import Signature


class Parser(ABC):
    """Reads one kind of answer from a generation.

    Subclasses declare ``name``, ``version`` (bump it when a rule changes what is read, so
    signatures change too), ``options_class`` and ``context_class``: every option and per-item
    context key with its type and default (``defaults`` is derived from them; a class written
    before typed options may set ``defaults`` itself). Per-task settings are constructor
    options; per-item facts (the option texts of one question, its tokens, its source text) are
    passed to ``parse`` as context, and any option may be overridden for one item that way.
    Subclasses implement ``read_masked`` (the generation with reasoning and markdown masked, see
    ``read``) or, to see the raw text, ``read`` itself.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    #: the declared per-task options and the per-item context keys (frozen dataclasses of
    #: ``medmetrics.options.option`` fields); ``defaults`` is derived from both. Options are
    #: checked by type once, when the parser is built; an item's context (which may also
    #: override an option for that item) by name and by type on each item, then by ``validate``
    #: (rules across keys, and what a type cannot say).
    options_class: ClassVar[type[Options] | None] = None
    context_class: ClassVar[type[Options] | None] = None
    defaults: ClassVar[Mapping[str, Any]] = {}
    #: Keys that must be set, as an option or per-item context, by the time a generation is parsed.
    required: ClassVar[tuple[str, ...]] = ()
    #: How many generations raised inside ``read`` (each became a failed parse with
    #: ``rule="internal-error"``); ``evaluate`` reports the ones of its run loudly, once.
    internal_errors: int = 0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("options_class") is not None or cls.__dict__.get("context_class") is not None:
            cls.defaults = {key: value for declared in (cls.options_class, cls.context_class) if declared
                            for key, value in defaults_of(declared).items()}

    def __init__(self, **options: Any) -> None:
        self.options = validate(f"parser {self.name!r}", (self.options_class, self.context_class), options,
                                self.defaults)
        self.provenance: str | None = None  # "distribution==version" for third-party parsers
        self._validate(self.options, f"options of parser {self.name!r}")
        self._signature: tuple[str | None, str] | None = None

    @property
    def signature(self) -> str:
        """``name@version(options)``, plus the distribution of a third-party parser; cached."""
        if self._signature is None or self._signature[0] != self.provenance:
            self._signature = (self.provenance, self.describe().format())
        return self._signature[1]

    def describe(self) -> Signature:
        """The parts of the signature (a third-party parser's distribution as its origin)."""
        options = signature_options((self.options_class, self.context_class), self.options)
        return Signature(self.name, self.version, options, origin=self.provenance, parser=True)

    def parse(self, generation: str, **context: Any) -> Parsed:
        """Parse one generation. Never raises on any string; a caller mistake is an ``InputError``."""
        if not isinstance(generation, str):
            raise InputError(
                f"parser {self.name!r} needs a str generation, got {type(generation).__name__}: {generation!r:.60}"
            )
        settings = self.options
        if context:
            declarations = (self.options_class, self.context_class)
            where = f"context of parser {self.name!r}"
            given = renamed_options(where, declarations, context)
            settings = check_options(f"parser {self.name!r} (per-item context)", given, self.options)
            settings.update(typed_values(where, declarations, given))
            self._validate(settings, where)
        missing = [key for key in self.required if settings.get(key) is None]
        if missing:
            raise InputError(f"parser {self.name!r} needs {' and '.join(repr(k) for k in missing)}, "
                             "as an option or in the per-item context")
        try:
            result = self.read(generation, settings)
        except Exception as exc:  # a bug in a rule must not take down a whole evaluation run
            self.internal_errors += 1  # counted here (not by scanning every parse) so a clean run pays nothing
            result = Parsed(None, "failed", reason=f"parser error {type(exc).__name__}: {exc}", rule="internal-error")
        # stamp the parser on the frozen result in place: ``dataclasses.replace`` would copy every
        # field, on every item, for one attribute that ``read`` never sets
        object.__setattr__(result, "parser", self.signature)
        return result

    def validate(self, settings: Mapping[str, Any]) -> None:
        """Raise ``InputError`` when options or context are malformed (not model output).

        The message says what is wrong; ``parse`` and the constructor add where (the options,
        or one item's context)."""

    def _validate(self, settings: Mapping[str, Any], where: str) -> None:
        try:
            self.validate(settings)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None

    def read(self, text: str, settings: Mapping[str, Any]) -> Parsed:
        """Return the ``Parsed`` for ``text`` under ``settings`` (options updated by context).

        The template most parsers use: reasoning blocks and markdown are masked in place
        (``text.prepare``, so spans still point into ``text``), a generation with nothing left
        is ``empty`` or ``failed`` with the reason, and the rest goes to ``read_masked``. A
        parser that must see the raw text overrides ``read`` itself.
        """
        masked, why = prepare(self.before_masking(text))
        if why:
            return unanswered(text, why)
        return self.read_masked(text, masked, settings)

    def before_masking(self, text: str) -> str:
        """``text`` as ``read`` masks it; a parser may blank what it never reads (same length)."""
        return text

    def read_masked(self, text: str, masked: str, settings: Mapping[str, Any]) -> Parsed:
        """Read the masked generation (``masked`` has ``text``'s length); see ``read``."""
        raise NotImplementedError(f"parser {self.name!r} implements neither read nor read_masked")

    def __repr__(self) -> str:
        return f"<parser {self.signature}>"
