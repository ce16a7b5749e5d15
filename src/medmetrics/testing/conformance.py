"""Conformance checks: the contract every parser and metric keeps, as callable assertions.

Each check raises ``AssertionError`` with a message that names the parser or metric and the
input that broke the contract, so a plugin's test can be one line::

    def test_my_metric_conforms():
        check_metric(get_metric("my_metric"), predictions, references)
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from medmetrics.metrics.base import Metric
from medmetrics.parsing.base import Parser
from medmetrics.results import ANSWERED, STATUSES, MetricResult, Parsed

#: Strings that have broken answer extractors in the peers, plus degenerate shapes.
ADVERSARIAL_GENERATIONS: tuple[str, ...] = (
    "", " ", "\n\n", "Answer:", "Answer: none of the above", "Answer: Let's think step by step.",
    "A 45-year-old man presents with fever.", "The answer is (B). Eliminated: (A), (C), (D).",
    "<think>", "<think>unfinished reasoning", "</think>", "<think></think>", "**", "\\boxed{}",
    "((((((((((((((((((((", "]]]]]]]]", "Answer: " * 2000, "(A" * 3000, "a" * 20000,
    "答案是", "\x00\x01\x02", "\ud7ff\ue000", "µg β-blocker IL-6 1.5 mg", "N/A", "None.", "-1", "1e309",
    "4/0", "0/0", "Score: ", "nan", "inf", "The answer is not A", "yes no maybe", "🙂" * 50,
)


def assert_json_native(value: Any, where: str = "result") -> None:
    """Only dict/list/str/int/float/bool/None, all the way down, and a lossless JSON round trip."""
    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                assert isinstance(key, str), f"{path}: key {key!r} is {type(key).__name__}, not str"
                walk(child, f"{path}.{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{path}[{i}]")
        else:
            assert node is None or type(node) in (str, int, float, bool), \
                f"{path} is {type(node).__module__}.{type(node).__name__}, not a JSON-native value"
            assert not (isinstance(node, float) and not math.isfinite(node)), f"{path} is {node}: use None"

    walk(value, where)
    assert json.loads(json.dumps(value)) == value, f"{where} does not survive a JSON round trip"


def check_parsed(parsed: Parsed, parser: Parser, generation: str) -> None:
    """One parse keeps the ``Parsed`` contract."""
    label = f"parser {parser.name!r} on {generation[:80]!r}"
    assert isinstance(parsed, Parsed), f"{label} returned {type(parsed).__name__}, not Parsed"
    assert parsed.rule != "internal-error", f"{label} hit a bug: {parsed.reason}"
    assert parsed.status in STATUSES, f"{label}: unknown status {parsed.status!r}"
    assert (parsed.value is not None) == (parsed.status in ANSWERED), f"{label}: value/status mismatch"
    assert parsed.status == "ok" or parsed.reason, f"{label}: status {parsed.status!r} without a reason"
    if parsed.span is not None:
        start, end = parsed.span
        assert 0 <= start <= end <= len(generation), f"{label}: span {parsed.span} outside the generation"
    assert_json_native(parsed.to_dict(), f"{label} -> to_dict()")


def check_parser(parser: Parser, generations: Sequence[str] = ADVERSARIAL_GENERATIONS,
                 context: Mapping[str, Any] | None = None) -> None:
    """Parse every generation (default: the adversarial set) and check each result."""
    for generation in generations:
        check_parsed(parser.parse(generation, **dict(context or {})), parser, generation)
    assert parser.signature == type(parser)(**parser.options).signature, "signature is not stable"


def check_parser_never_raises(parser: Parser, context: Mapping[str, Any] | None = None,
                              max_examples: int = 300) -> None:
    """Hypothesis search for any string that makes the parser raise or break the contract."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.text() | st.text(alphabet=" \n()[]*:.ABCDEabcde0123456789<>/thinkAnswer", max_size=400))
    def search(generation: str) -> None:
        check_parsed(parser.parse(generation, **dict(context or {})), parser, generation)

    search()


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _same_result(a: MetricResult, b: MetricResult) -> bool:
    same_ci = (a.ci is None) == (b.ci is None) and (
        a.ci is None or (_same(a.ci.low, b.ci.low) and _same(a.ci.high, b.ci.high)))  # type: ignore[union-attr]
    return _same(a.value, b.value) and same_ci and a.n == b.n and a.n_failed == b.n_failed


def check_metric(metric: Metric, predictions: Sequence[Any], references: Sequence[Any], *,
                 resamples: int = 200, seed: int = 7, permutation_invariant: bool = True) -> MetricResult:
    """Check a metric on one data set; returns the whole-data result.

    Merged shards must equal the whole exactly (value and interval), shuffled items must give
    the same result, the interval must contain the value, the point value alone must equal the
    value computed with the interval, results must be JSON-native, and the signature must be
    stable. A metric that declares ``whole_number_stats`` must make only whole-number statistics.
    """
    label = f"metric {metric.name!r}"
    whole = metric.compute(predictions, references, ci=True, resamples=resamples, seed=seed)
    assert_json_native(whole.to_dict(), f"{label} result")
    point = metric.compute(predictions, references)
    assert point.components.keys() == whole.components.keys() and all(
        _same(point.components[k], whole.components[k]) for k in whole.components), \
        f"{label}: the point value {point.components} differs from {whole.components}, computed with the interval"
    if metric.whole_number_stats:
        rows = metric.stats(predictions, references).rows
        assert np.array_equal(rows, np.round(rows)), f"{label} declares whole_number_stats but makes fractions"
    if len(references) >= 3:
        cut1, cut2 = len(references) // 3, 2 * len(references) // 3
        shards = [metric.stats(predictions[a:b], references[a:b]) for a, b in
                  ((0, cut1), (cut1, cut2), (cut2, len(references)))]
        merged = metric.result(shards[0].merge(*shards[1:]), ci=True, resamples=resamples, seed=seed)
        assert _same_result(merged, whole), f"{label}: merged shards give {merged} but the whole gives {whole}"
    if permutation_invariant:
        order = list(range(len(references)))
        random.Random(seed).shuffle(order)
        shuffled = metric.compute([predictions[i] for i in order], [references[i] for i in order], ci=True,
                                  resamples=resamples, seed=seed)
        assert _same_result(shuffled, whole), f"{label}: shuffling the items changed {whole} into {shuffled}"
    if whole.ci is not None and not math.isnan(whole.value) and not math.isnan(whole.ci.low):
        assert whole.ci.low - 1e-12 <= whole.value <= whole.ci.high + 1e-12, \
            f"{label}: value {whole.value} outside its interval [{whole.ci.low}, {whole.ci.high}]"
    assert metric.signature == type(metric)(**metric.options).signature, f"{label}: signature is not stable"
    return whole
