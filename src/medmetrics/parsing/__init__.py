"""Parsers: raw generation (str) -> ``Parsed``. They never raise on model output."""

from medmetrics.parsing.base import Parser

__all__ = ["Parser"]
