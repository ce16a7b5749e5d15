"""Reports of shards merge (issue #13, item 8): the statistics of every result travel with it (in
memory, and in JSON with ``to_dict(stats=True)``), so shards scored apart, in other processes or
on other machines, merge into exactly the report of the whole run, intervals included."""

from __future__ import annotations

import itertools
import json
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import medmetrics
from medmetrics.errors import InputError
from medmetrics.results import Report

TASKS = ("medqa", "pubmedqa", "chemprot", "biosses", "bc5_disease", "hoc")


def _items(task: str) -> tuple[list[str], list[object], list[dict[str, object]]]:
    text = (resources.files("medmetrics") / "data" / "demo" / f"{task}.jsonl").read_text(encoding="utf-8")
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [i["generation"] for i in items], [i["reference"] for i in items], [i.get("context", {}) for i in items]


def _score(task: str, lo: int, hi: int) -> Report:
    g, r, c = _items(task)
    return medmetrics.evaluate(task, g[lo:hi], r[lo:hi], context=c[lo:hi], ci=True, resamples=200, seed=3)


def _through_json(report: Report) -> Report:
    return Report.from_dict(json.loads(json.dumps(report.to_dict(stats=True))))


@settings(max_examples=12, deadline=None)
@given(task=st.sampled_from(TASKS), cuts=st.lists(st.floats(0.05, 0.95), min_size=1, max_size=3, unique=True),
       via_json=st.booleans())
def test_shards_merge_into_the_whole_runs_report(task: str, cuts: list[float], via_json: bool) -> None:
    n = len(_items(task)[0])
    bounds = sorted({0, n, *(max(1, min(n - 1, round(c * n))) for c in cuts)})
    shards = [_score(task, lo, hi) for lo, hi in itertools.pairwise(bounds)]
    if via_json:
        shards = [_through_json(s) for s in shards]
    merged = shards[0].merge(*shards[1:])
    whole = _score(task, 0, n)
    expected = whole.to_dict()
    got = merged.to_dict()
    if via_json:  # items are not written with the statistics; the counts are
        assert got.pop("n") == expected.pop("n") and got.pop("statuses") == expected.pop("statuses")
    assert got == expected


def test_merging_what_is_not_a_shard_or_has_no_statistics_is_an_error() -> None:
    medqa, pubmedqa = _score("medqa", 0, 5), _score("pubmedqa", 0, 5)
    with pytest.raises(InputError, match="is not a shard of report 1"):
        medqa.merge(pubmedqa)
    saved = Report.from_dict(json.loads(json.dumps(_score("medqa", 5, 10).to_dict())))
    with pytest.raises(InputError, match="has no statistics to merge"):
        medqa.merge(saved)


def test_statistics_are_not_written_unless_asked() -> None:
    report = _score("medqa", 0, 10)
    assert "stats" not in json.dumps(report.to_dict())
    written = report.to_dict(stats=True)["results"]["accuracy"]["stats"]
    assert written["metric"] == report["accuracy"].signature.split("|parser:")[0]
    assert len(written["rows"]) == 10 and len(written["columns"]) == len(written["rows"][0])
