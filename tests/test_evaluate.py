"""evaluate(): tasks, parsers with metrics, per-item context, reports, caller mistakes."""

from __future__ import annotations

import json

import pytest

import medmetrics
from medmetrics.errors import InputError

OPTIONS = ["rash", "fever", "cough"]


def test_evaluate_task_by_name_reports_parse_failures() -> None:
    report = medmetrics.evaluate("pubmedqa", ["Yes.", "No, it does not.", "I cannot tell."], ["yes", "no", "maybe"])
    assert report.task == "pubmedqa"
    assert report["accuracy"].value == pytest.approx(2 / 3)
    assert report["accuracy"].n_failed == 1
    assert report.statuses["failed"] == 1
    assert report["accuracy"].components["accuracy_answered"] == 1.0
    assert "parser:label@" in report["accuracy"].signature


def test_evaluate_parser_with_metric_options_and_per_item_context() -> None:
    parser = medmetrics.get_parser("choice")
    report = medmetrics.evaluate(
        parser,
        ["The answer is (B) fever.", "Answer: none of the above", "C"],
        ["B", "A", "C"],
        metrics={"accuracy": {}, "f1": {"average": "macro", "labels": ["A", "B", "C"]}},
        context=[{"options": OPTIONS}] * 3,
        ci=True,
        resamples=200,
    )
    assert [p.value for p in report.parsed] == ["B", None, "C"]
    assert report["accuracy"].value == pytest.approx(2 / 3)
    assert report["accuracy"].ci is not None and report["accuracy"].ci.resamples == 200
    data = json.loads(json.dumps(report.to_dict(items=True)))
    assert data["results"]["f1"]["per_label"]["A"]["support"] == 1
    assert data["items"][1]["status"] == "failed"


def test_evaluate_caller_mistakes_name_what_and_where() -> None:
    with pytest.raises(InputError, match="3 items but references has 2"):
        medmetrics.evaluate("pubmedqa", ["yes", "no", "maybe"], ["yes", "no"])
    with pytest.raises(InputError, match="prediction 1 is NoneType"):
        medmetrics.evaluate("pubmedqa", ["yes", None], ["yes", "no"])
    with pytest.raises(InputError, match=r"reference 1 has label\(s\) \['perhaps'\]"):
        medmetrics.evaluate("pubmedqa", ["yes", "no"], ["yes", "perhaps"])
    with pytest.raises(InputError, match="no items"):
        medmetrics.evaluate("pubmedqa", [], [])
    with pytest.raises(InputError, match="needs metrics"):
        medmetrics.evaluate("choice", ["A"], ["A"])
    with pytest.raises(InputError, match="has no metric"):
        medmetrics.evaluate("pubmedqa", ["yes"], ["yes"], metrics=["bleu"])


def test_biosses_task_scores_pearson_against_continuous_gold() -> None:
    from scipy.stats import pearsonr

    gens = ["4", "Score: 2", "similarity 1", "0", "3"]
    gold = [3.8, 2.2, 0.8, 0.4, 2.6]
    report = medmetrics.evaluate("biosses", gens, gold)
    assert [p.value for p in report.parsed] == [4, 2, 1, 0, 3]
    assert report["pearson"].value == pytest.approx(pearsonr([4, 2, 1, 0, 3], gold).statistic, rel=1e-12)


def test_chemprot_task_excludes_the_negative_class() -> None:
    gens = ["CPR:4", "false", "CPR:3", "CPR:9"]
    gold = ["CPR:4", "false", "CPR:9", "false"]
    result = medmetrics.evaluate("chemprot", gens, gold)["f1"]
    # positives predicted: CPR:4 (right), CPR:3 (wrong), CPR:9 (wrong); positives in gold: CPR:4, CPR:9
    assert result.components["precision"] == pytest.approx(1 / 3)
    assert result.components["recall"] == pytest.approx(1 / 2)
    assert "false" not in result.per_label
