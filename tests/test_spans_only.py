"""``spans_only``: answers that carry no type (MedINST's "word [B]" tags and "[entity]" lists)
against a run's typed gold (BigBio's B-Disease, typed mentions) are compared by span alone. Before,
the default scored such runs near 0 (tags) or refused the run (mentions), while the released
evaluator, which reads no types either, scored them (benchmarks/side_by_side/medinst.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import f1_score

from medmetrics import cli, evaluate, get_metric
from medmetrics.errors import InputError

TAGS = st.sampled_from(["O", "B-Disease", "I-Disease", "B-Chemical", "I-Chemical", "B", "I"])


def _untyped(tag: str) -> str:
    return tag.split("-", 1)[0]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 8), min_size=1, max_size=6).flatmap(
    lambda sizes: st.tuples(*[st.tuples(st.lists(TAGS, min_size=n, max_size=n), st.lists(TAGS, min_size=n, max_size=n))
                              for n in sizes])))
def test_seqeval_spans_only_equals_seqeval_on_untyped_tags(pairs) -> None:
    """Tolerance 1e-12: seqeval on the tags with their types removed is the peer."""
    predictions, references = [list(p) for p, _ in pairs], [list(r) for _, r in pairs]
    ours = get_metric("seqeval", spans_only=True).compute(predictions, references).value
    theirs = f1_score([[_untyped(t) for t in r] for r in references], [[_untyped(t) for t in p] for p in predictions])
    assert abs(ours - theirs) <= 1e-12


def test_entity_f1_spans_only_ignores_types_on_both_sides() -> None:
    gold = [[{"type": "Cell", "text": "cell"}, {"type": "Tissue", "text": "blood vessel"}], [("Cell", "nucleus")]]
    answers = [[(None, "cell"), (None, "vessel")], [(None, "nucleus")]]
    spans = get_metric("entity_f1", match="text", spans_only=True).compute(answers, gold)
    untyped_gold = [[(None, "cell"), (None, "blood vessel")], [(None, "nucleus")]]
    assert spans.components == get_metric("entity_f1", match="text").compute(answers, untyped_gold).components
    with pytest.raises(InputError, match="typed"):  # without it, typed gold against untyped answers is refused
        get_metric("entity_f1", match="text").compute(answers, gold)


@pytest.mark.parametrize("metric", ["seqeval", "entity_f1"])
def test_spans_only_with_declared_types_is_a_contradiction(metric: str) -> None:
    with pytest.raises(InputError, match="spans_only"):
        get_metric(metric, spans_only=True, types=["Disease"])


def test_medinst_runs_with_typed_gold_score_through_the_suite(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    run.mkdir()
    tags = {"generation": "Fever [B] and [O] rash [B]", "reference": ["B-Disease", "O", "B-Disease"],
            "context": {"tokens": ["Fever", "and", "rash"]}}
    (run / "medinst_ncbi_disease.jsonl").write_text(json.dumps(tags) + "\n", encoding="utf-8")
    mentions = {"generation": "[cell] [nucleus]",
                "reference": [{"type": "Cell", "text": "cell"}, {"type": "Cellular_component", "text": "nucleus"}]}
    (run / "anem.jsonl").write_text(json.dumps(mentions) + "\n", encoding="utf-8")
    assert cli.main(["score", "--suite", "medinst32", str(run), "--format", "json"]) == 0
    tasks = {t["task"]: t for t in json.loads(capsys.readouterr().out)["tasks"]}
    assert tasks["medinst_ncbi_disease"]["result"]["value"] == 1.0
    assert tasks["anem"]["result"]["value"] == 1.0
    report = evaluate("medinst_ncbi_disease", [tags["generation"]], [tags["reference"]], context=[tags["context"]])
    assert report["f1"].value == 1.0
