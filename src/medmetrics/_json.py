"""Conversion to JSON-native values: results never carry numpy scalars or tuples."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any


def json_native(value: Any) -> Any:
    """Return ``value`` made of dict/list/str/int/float/bool/None only.

    numpy scalars become Python numbers, tuples and arrays become lists, and dataclass-like
    objects with ``to_dict`` are expanded. NaN and infinities become ``None``: JSON has no NaN,
    and NaN != NaN would break every round-trip comparison.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    np = sys.modules.get("numpy")  # no numpy value can exist before numpy is imported: never import it here
    if np is not None:
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value) if math.isfinite(value) else None
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

