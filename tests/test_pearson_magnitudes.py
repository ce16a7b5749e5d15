"""Pearson's r does not depend on the scale of the scores; neither may ours (issue 17: squares of
1e200 overflowed and squares of 1e-200 underflowed to NaN or 0 before the values were scaled)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

import medmetrics


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10)), min_size=3, max_size=30),
       st.integers(-300, 300))
def test_equals_scipy_at_any_finite_magnitude(pairs: list[tuple[float, float]], exponent: int) -> None:
    """Tolerance 1e-9 absolute: both sides compute r from centred sums in float64."""
    scale = 10.0 ** exponent
    x = np.array([p for p, _ in pairs]) * scale
    y = np.array([r for _, r in pairs]) * scale
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))) or np.ptp(x) == 0 or np.ptp(y) == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns about near-constant input at tiny scales
        expected = scipy.stats.pearsonr(x, y)[0]
    if not math.isfinite(expected):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow or underflow on our side
        value = medmetrics.get_metric("pearson").compute(list(x), list(y)).value
    assert abs(value - expected) < 1e-9, (value, expected, exponent)
