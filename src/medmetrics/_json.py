"""Conversion to JSON-native values: results never carry numpy scalars or tuples."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def json_native(value: Any) -> Any:
    """Return ``value`` made of dict/list/str/int/float/bool/None only.

    numpy scalars become Python numbers, tuples and arrays become lists, and dataclass-like
    objects with ``to_dict`` are expanded. NaN stays a float NaN (JSON has no NaN, but
    ``json.dumps`` writes it and every consumer in this field reads it).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return [json_native(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): json_native(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [json_native(v) for v in items]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(f"cannot make {type(value).__name__} JSON-native: {value!r}")


def nan_to_none(value: float) -> float | None:
    """For places where a missing number is clearer than NaN (CSV and table output)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value
