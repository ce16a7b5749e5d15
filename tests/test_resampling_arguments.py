"""Seeds and resample counts are checked where every random stream starts (issue 17: a negative or
float seed was a numpy traceback, ``True`` and ``None`` were taken silently)."""

from __future__ import annotations

import pytest

import medmetrics
from medmetrics.errors import InputError


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True, None])
def test_bad_seeds_are_one_input_error(seed: object) -> None:
    metric = medmetrics.get_metric("accuracy")
    with pytest.raises(InputError, match=r"seed must be a non-negative integer, got "):
        metric.compute(["a", "b"], ["a", "a"], ci=True, resamples=10, seed=seed)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"seed must be a non-negative integer"):
        medmetrics.compare("accuracy", ["a", "b"], ["b", "b"], ["a", "b"], seed=seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("resamples", [0, -5, 2.5, False])
def test_bad_resample_counts_are_one_input_error(resamples: object) -> None:
    with pytest.raises(InputError, match=r"resamples must be a positive integer"):
        medmetrics.get_metric("accuracy").compute(["a"], ["a"], ci=True, resamples=resamples)  # type: ignore[arg-type]


def test_large_seeds_are_fine_and_reproducible() -> None:
    metric = medmetrics.get_metric("accuracy")
    first = metric.compute(["a", "b", "a"], ["a", "a", "a"], ci=True, resamples=50, seed=2**70)
    again = metric.compute(["a", "b", "a"], ["a", "a", "a"], ci=True, resamples=50, seed=2**70)
    assert first.ci == again.ci
