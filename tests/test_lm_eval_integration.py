"""A medmetrics parser as an lm-eval filter and medmetrics metrics as its metrics, run by the real
lm-evaluation-harness on a tiny local task whose responses are given (no model).

Needs the ``lm-eval`` extra (``pip install torch==2.13.0 -e '.[lm-eval]'`` on this machine);
skipped without it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from medmetrics import evaluate

lm_eval = pytest.importorskip("lm_eval")
pytestmark = pytest.mark.slow  # starts the real harness: about 6 s

TASK_DIR = Path(__file__).parent / "data" / "lm_eval_task"


def _canned_model():  # type: ignore[no-untyped-def]
    from lm_eval.api.model import LM

    class CannedResponses(LM):
        """Answers each document with its ``response`` field: the harness runs, no model does."""

        def generate_until(self, requests, disable_tqdm: bool = False):  # type: ignore[no-untyped-def]
            return [request.doc["response"] for request in requests]

        def loglikelihood(self, requests, disable_tqdm: bool = False):  # type: ignore[no-untyped-def]
            raise NotImplementedError("a generate_until task only")

        def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):  # type: ignore[no-untyped-def]
            raise NotImplementedError("a generate_until task only")

    return CannedResponses()


@pytest.fixture
def task_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The task folder with the documents' path made absolute, and utils.py importable."""
    target = tmp_path / "tasks"
    shutil.copytree(TASK_DIR, target)
    yaml = target / "pubmedqa_medmetrics.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("tests/data/lm_eval_task/docs.jsonl",
                                                             str(target / "docs.jsonl")), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return target


def test_lm_eval_scores_with_medmetrics_parser_and_metrics(task_dir: Path) -> None:
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    out = simple_evaluate(model=_canned_model(), tasks=["pubmedqa_medmetrics"],
                          task_manager=TaskManager(include_path=str(task_dir)), log_samples=True)
    scores = out["results"]["pubmedqa_medmetrics"]
    docs = [json.loads(line) for line in (task_dir / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = evaluate("pubmedqa", [d["response"] for d in docs], [d["final_decision"] for d in docs])
    assert scores["accuracy,medmetrics"] == pytest.approx(expected["accuracy"].value)
    assert scores["f1_macro,medmetrics"] == pytest.approx(expected["f1_macro"].value)
    samples = out["samples"]["pubmedqa_medmetrics"]
    statuses = [s["filtered_resps"][0]["status"] for s in sorted(samples, key=lambda s: s["doc_id"])]
    assert statuses == [p.status for p in expected.parsed]  # the logged samples say why each parse failed
