"""Scoring on a Dask cluster (issue 16, items 4-6): ``evaluate_dask`` and ``score --dask`` give the
point values of the single-process ``evaluate`` exactly, for every metric family; the Poisson
bootstrap made on the workers gives the same interval for any partitioning; a worker killed
mid-run changes nothing; a bad record names its file and line and leaves no output.

One real ``LocalCluster`` (two single-threaded worker processes) serves the whole module.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
db = pytest.importorskip("dask.bag")

pytestmark = pytest.mark.slow  # a real LocalCluster: 20 s of two worker processes (CI runs it)

import medmetrics  # noqa: E402
from medmetrics import cli  # noqa: E402
from medmetrics.aggregate.distributed import (  # noqa: E402
    GatheredIntervalWarning,
    evaluate_dask,
    read_bag,
    read_files,
)
from medmetrics.aggregate.poisson import METHOD, poisson_interval, poisson_totals  # noqa: E402
from medmetrics.api import get_metric  # noqa: E402
from medmetrics.catalog.task import Task  # noqa: E402
from medmetrics.errors import InputError  # noqa: E402
from medmetrics.metrics.base import AdditiveMetric  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Any:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as local, distributed.Client(local) as connected:
        yield connected


# --- data: every metric family ---------------------------------------------------------------


def _demo(task: str) -> list[dict[str, Any]]:
    text = (resources.files("medmetrics") / "data" / "demo" / f"{task}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def cycled(task: str, n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` records of a demo task: each item's reference and context, and often another item's
    generation (wrong answers, failed parses), each with an id."""
    demo, rng = _demo(task), random.Random(seed)
    out = []
    for i in range(n):
        own = demo[i % len(demo)]
        generation = own["generation"] if rng.random() < 0.6 else rng.choice(demo)["generation"]
        out.append({"id": f"{task}-{i}", "generation": generation, "reference": own["reference"],
                    "context": own.get("context", {})})
    return out


def bio(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``medinst_ncbi_disease`` (seqeval): tagged tokens."""
    rng, out = random.Random(seed), []
    for i in range(n):
        tags = [rng.choice("BIO") for _ in range(rng.randint(1, 7))]
        guess = [t if rng.random() < 0.7 else rng.choice("BIO") for t in tags]
        tokens = [f"w{k}" for k in range(len(tags))]
        out.append({"id": f"bio-{i}", "generation": " ".join(f"{w} [{t}]" for w, t in zip(tokens, guess)),
                    "reference": tags, "context": {"tokens": tokens}})
    return out


WORDS = ("the", "patient", "was", "treated", "with", "aspirin", "fever", "resolved", "after", "two", "days", "no",
         "rash", "IL-6", "café", "患者")


def text(n: int, seed: int = 2) -> list[dict[str, Any]]:
    """``paramed`` (BLEU, ROUGE): sentences and noisy copies."""
    rng, out = random.Random(seed), []
    for i in range(n):
        ref = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
        gen = " ".join(w if rng.random() < 0.7 else rng.choice(WORDS) for w in ref.split())
        out.append({"id": f"text-{i}", "generation": gen, "reference": ref})
    return out


CORRELATION = Task(name="correlations", parser="number", parser_options={"low": 0, "high": 4},
                   metrics={"pearson": ("pearson", {}), "spearman": ("spearman", {})})

#: metric family -> (task, records)
FAMILIES: dict[str, tuple[Any, Any]] = {
    "accuracy": ("medqa", lambda: cycled("medqa", 90)),
    "f1 micro and macro": ("pubmedqa", lambda: cycled("pubmedqa", 90)),
    "f1 multi-label (samples)": ("hoc", lambda: cycled("hoc", 60)),
    "f1 relation labels": ("chemprot", lambda: cycled("chemprot", 60)),
    "entity f1": ("bc5_disease", lambda: cycled("bc5_disease", 60)),
    "seqeval": ("medinst_ncbi_disease", lambda: bio(80)),
    "pearson and spearman": (CORRELATION, lambda: cycled("biosses", 70)),
    "bleu and rouge": ("paramed", lambda: text(70)),
}


def single(task: Any, records: list[dict[str, Any]], **options: Any) -> medmetrics.Report:
    return medmetrics.evaluate(task, [r["generation"] for r in records], [r["reference"] for r in records],
                               context=[r.get("context", {}) for r in records], **options)


def bag(records: list[dict[str, Any]], partitions: int) -> Any:
    return db.from_sequence(records, npartitions=partitions)


# --- point values and intervals --------------------------------------------------------------


@pytest.mark.parametrize("family", list(FAMILIES))
def test_point_values_equal_the_single_process_evaluate(client: Any, family: str) -> None:
    """Every number (values, components, per-label tables, statuses, notes, signatures) equals
    ``evaluate``'s; a metric that is not additive gets ``evaluate``'s interval too, with a note."""
    task, make = FAMILIES[family]
    records = make()
    expected = single(task, records, ci=True, resamples=200, seed=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = evaluate_dask(task, bag(records, 3), client=client, ci=True, resamples=200, seed=5)
    gathered = [str(w.message) for w in caught if issubclass(w.category, GatheredIntervalWarning)]
    for name, result in got.items():
        want = expected[name]
        assert (result.value, dict(result.components), result.per_label, result.n, result.n_failed,
                dict(result.statuses), result.signature) == (want.value, dict(want.components), want.per_label,
                                                             want.n, want.n_failed, dict(want.statuses),
                                                             want.signature), name
        if isinstance(result.scorer, AdditiveMetric):
            assert result.ci.method == METHOD and result.notes == want.notes
        else:  # gathered to the client: evaluate's own (multinomial) bootstrap, and said so
            assert result.ci == want.ci and result.ci.method == "bootstrap-percentile"
            assert any("not additive" in note for note in result.notes)
            assert any(repr(name) in message for message in gathered)
    plain = evaluate_dask(task, bag(records, 2), client=client, items=True)  # no intervals; every parse back
    assert plain.to_dict(items=True) == single(task, records).to_dict(items=True)


@pytest.mark.filterwarnings("ignore::medmetrics.aggregate.distributed.GatheredIntervalWarning")  # BLEU: said elsewhere
@pytest.mark.parametrize("task,make", [("medqa", lambda: cycled("medqa", 120)),
                                       ("pubmedqa", lambda: cycled("pubmedqa", 120)),
                                       ("paramed", lambda: text(90))])
def test_the_poisson_interval_is_the_same_for_1_2_and_7_partitions(client: Any, task: str, make: Any) -> None:
    """Bit-identical: each item's weights are keyed by (seed, id) and sums are exact. ROUGE's
    fractional per-item scores included. Shuffling the items changes nothing either."""
    records = make()
    intervals = {k: {name: (r.ci, tuple(r.replicates)) for name, r in
                     evaluate_dask(task, bag(records, k), client=client, ci=True, resamples=300, seed=11).items()}
                 for k in (1, 2, 7)}
    assert intervals[1] == intervals[2] == intervals[7]
    shuffled = random.Random(0).sample(records, len(records))
    again = evaluate_dask(task, bag(shuffled, 4), client=client, ci=True, resamples=300, seed=11)
    assert {name: (r.ci, tuple(r.replicates)) for name, r in again.items()} == intervals[1]
    other_seed = evaluate_dask(task, bag(records, 2), client=client, ci=True, resamples=300, seed=12)
    assert any(r.ci != intervals[1][name][0] for name, r in other_seed.items())


@pytest.mark.filterwarnings("ignore::medmetrics.aggregate.distributed.GatheredIntervalWarning")
@pytest.mark.parametrize("family", ["accuracy", "entity f1", "pearson and spearman", "bleu and rouge"])
def test_a_partition_scored_in_chunks_on_its_worker_changes_nothing(client: Any, family: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers score a partition ``SCORE_CHUNK`` items at a time (bounded memory); with chunks of
    7 items the report, the Poisson interval and the gathered (multinomial) one are those of
    partitions scored whole, and the point values those of ``evaluate``."""
    from medmetrics.aggregate import distributed as dist

    task, make = FAMILIES[family]
    records = make()
    whole = evaluate_dask(task, bag(records, 2), client=client, ci=True, resamples=200, seed=5, items=True)
    monkeypatch.setattr(dist, "SCORE_CHUNK", 7)
    chunked = evaluate_dask(task, bag(records, 2), client=client, ci=True, resamples=200, seed=5, items=True)
    expected = single(task, records)
    assert chunked.parsed == whole.parsed == expected.parsed
    for name, result in chunked.items():
        assert result.value == whole[name].value == expected[name].value
        assert (result.ci, result.components, result.statuses, result.notes) == \
            (whole[name].ci, whole[name].components, whole[name].statuses, whole[name].notes)
        assert tuple(result.replicates) == tuple(whole[name].replicates)


def test_poisson_and_multinomial_bootstraps_agree_within_monte_carlo_error() -> None:
    """Both estimate the sampling distribution of the statistic: on 2,000 items and B = 4,000
    resamples each, their standard deviations and interval ends agree within Monte Carlo error.

    Tolerances (4 standard errors): the relative SE of a bootstrap SD from B resamples is about
    1/sqrt(2B), so of the ratio of two independent ones sqrt(1/B) = 1.6%: |ratio - 1| < 0.065. The
    SE of a 2.5% (97.5%) percentile is sqrt(0.025 * 0.975 / B) / phi(1.96) = 0.042 SD, 0.06 SD for
    the difference of two: ends within 0.25 SD. The Poisson bootstrap's own difference (its
    resample size varies) is O(1/n) for these ratio statistics, well below both."""
    rng = np.random.default_rng(3)
    n, resamples = 2000, 4000
    references = rng.choice(["yes", "no", "maybe"], size=n, p=[0.5, 0.3, 0.2]).tolist()
    predictions = [r if rng.random() < 0.7 else str(rng.choice(["yes", "no", "maybe"])) for r in references]
    ids = [f"item-{i}" for i in range(n)]
    for name, options in (("accuracy", {}), ("f1", {"average": "macro"})):
        metric = get_metric(name, **options)
        stats = metric.stats(predictions, references)
        multinomial = metric.result(stats, ci=True, resamples=resamples, seed=1)
        interval, undefined, poisson = poisson_interval(metric, stats, poisson_totals(ids, stats, resamples, 1), 0.95)
        sd = multinomial.replicates.std()
        assert undefined == 0
        assert abs(poisson.std() / sd - 1) < 0.065, name
        assert abs(poisson.mean() - multinomial.value) < 4 * sd / np.sqrt(resamples) * 1.5, name
        assert abs(interval.low - multinomial.ci.low) < 0.25 * sd, name
        assert abs(interval.high - multinomial.ci.high) < 0.25 * sd, name


def test_a_dask_dataframe_is_scored_like_a_bag(client: Any) -> None:
    import dask.dataframe as dd
    import pandas as pd

    records = [{k: v for k, v in r.items() if k != "context"} for r in cycled("pubmedqa", 60)]
    frame = dd.from_pandas(pd.DataFrame(records), npartitions=3)
    got = evaluate_dask("pubmedqa", frame, client=client, ci=True, resamples=200)
    from_bag = evaluate_dask("pubmedqa", bag(records, 5), client=client, ci=True, resamples=200)
    assert got.to_dict() == from_bag.to_dict()
    assert got["accuracy"].value == single("pubmedqa", records)["accuracy"].value


def test_records_without_ids_need_an_id_for_the_poisson_bootstrap(client: Any) -> None:
    records = [{k: v for k, v in r.items() if k != "id"} for r in cycled("medqa", 20)]
    assert evaluate_dask("medqa", bag(records, 2), client=client)["accuracy"].value == \
        single("medqa", records)["accuracy"].value  # point values need no id
    with pytest.raises(InputError, match="no 'id' field: the Poisson bootstrap keys"):
        evaluate_dask("medqa", bag(records, 2), client=client, ci=True, resamples=50)
    multinomial = evaluate_dask("medqa", bag(records, 2), client=client, ci=True, resamples=50,
                                bootstrap="multinomial")
    assert multinomial["accuracy"].ci == single("medqa", records, ci=True, resamples=50)["accuracy"].ci


# --- files, faults, the command line ---------------------------------------------------------


def write_runs(folder: Path, records: list[dict[str, Any]], files: int) -> list[Path]:
    """The records in ``files`` JSONL files (no ids: they are keyed by file and line)."""
    paths = []
    size = -(-len(records) // files)
    for k in range(files):
        path = folder / f"part-{k:02d}.jsonl"
        path.write_text("".join(json.dumps({key: v for key, v in r.items() if key != "id"}) + "\n"
                                for r in records[k * size:(k + 1) * size]), encoding="utf-8")
        paths.append(path)
    return paths


def test_a_worker_killed_mid_run_changes_nothing(client: Any, tmp_path: Path) -> None:
    """The worker running a partition is killed (SIGKILL) while the partition sleeps; its nanny
    starts a new one, Dask runs the lost tasks again, and the report is the same."""
    records = cycled("medqa", 60)
    write_runs(tmp_path, records, 3)
    expected = evaluate_dask("medqa", read_bag(str(tmp_path / "*.jsonl")), client=client, ci=True, resamples=200)

    def slow(part: list[Any]) -> list[Any]:
        time.sleep(1.5)
        return part

    slowed = read_bag(str(tmp_path / "*.jsonl")).map_partitions(slow)
    out: dict[str, Any] = {}
    runner = threading.Thread(target=lambda: out.setdefault("report", evaluate_dask(
        "medqa", slowed, client=client, ci=True, resamples=200)))
    runner.start()
    victim = None
    deadline = time.monotonic() + 30
    while victim is None and time.monotonic() < deadline:
        busy = [address for address, keys in client.processing().items() if keys]
        if busy:
            victim = busy[0]
        time.sleep(0.05)
    assert victim is not None, "no worker ever ran a task"
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    runner.join(120)
    assert not runner.is_alive()
    assert out["report"].to_dict() == expected.to_dict()
    assert pid not in client.run(os.getpid).values()  # the killed worker was replaced


@pytest.mark.parametrize("reader", [read_bag, read_files])
def test_a_bad_record_names_its_file_and_line(client: Any, tmp_path: Path, reader: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a file is a bag's partition or read in chunks on its worker (here of 2 records, so
    the bad one is in the file's second chunk)."""
    from medmetrics.aggregate import distributed as dist

    monkeypatch.setattr(dist, "SCORE_CHUNK", 2)
    paths = write_runs(tmp_path, cycled("pubmedqa", 30), 3)
    lines = paths[1].read_text(encoding="utf-8").splitlines()
    lines[3] = json.dumps({"generation": "yes", "reference": "perhaps"})
    paths[1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad_label = f"{paths[1]}:4: record 4: the reference has label(s) ['perhaps']"
    with pytest.raises(InputError, match="^" + re.escape(bad_label)):
        evaluate_dask("pubmedqa", reader(str(tmp_path / "*.jsonl")), client=client)
    lines[3] = '{"generation": "yes", "reference": '
    paths[1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="^" + re.escape(f"{paths[1]}:4: invalid JSON")):
        evaluate_dask("pubmedqa", reader(str(tmp_path / "*.jsonl")), client=client)
    lines[3] = json.dumps({"reference": "yes"})
    paths[1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="^" + re.escape(f"{paths[1]}:4: record 4 has no field 'generation'")):
        evaluate_dask("pubmedqa", reader(str(tmp_path / "*.jsonl")), client=client)


@pytest.mark.filterwarnings("ignore::medmetrics.aggregate.distributed.GatheredIntervalWarning")
@pytest.mark.parametrize("task,make", [("medqa", lambda: cycled("medqa", 90)), ("paramed", lambda: text(70))])
def test_files_read_in_chunks_on_the_workers_give_the_report_of_the_bag(client: Any, tmp_path: Path, task: str,
                                                                        make: Any,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``read_files`` (each file read and scored on its worker a chunk at a time) and
    ``read_bag`` (each file a partition) give the same report: values, Poisson and gathered
    intervals, replicates; with chunks of 4 records too."""
    from medmetrics.aggregate import distributed as dist

    write_runs(tmp_path, make(), 3)
    pattern = str(tmp_path / "*.jsonl")
    bagged = evaluate_dask(task, read_bag(pattern), client=client, ci=True, resamples=200, seed=3, items=True)
    for chunk in (dist.SCORE_CHUNK, 4):
        monkeypatch.setattr(dist, "SCORE_CHUNK", chunk)
        files = evaluate_dask(task, read_files(pattern), client=client, ci=True, resamples=200, seed=3, items=True)
        assert files.to_dict(items=True) == bagged.to_dict(items=True)
        assert all(tuple(r.replicates) == tuple(bagged[name].replicates) for name, r in files.items())


def test_cli_bad_record_is_one_error_and_leaves_no_output(client: Any, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_runs(tmp_path, cycled("medqa", 30), 2)
    with paths[0].open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"generation": 7, "reference": "A", "context": {"options": ["x", "y"]}}) + "\n")
    output = tmp_path / "out" / "scores.json"
    output.parent.mkdir()
    code = cli.main(["score", "--task", "medqa", "--dask", client.scheduler.address, str(tmp_path / "*.jsonl"),
                     "--output", str(output), "--format", "json"])
    err = capsys.readouterr().err
    assert code == 2 and f"medmetrics: error: {paths[0]}:16: record 16: " in err and "not a string" in err
    assert list(output.parent.iterdir()) == []


def test_cli_dask_local_end_to_end(tmp_path: Path) -> None:
    """``medmetrics score --task T --dask local:2 'runs/*.jsonl'``: the real command, its own
    two-worker cluster, the files' numbers as ``evaluate`` gives them on the joined records."""
    records = cycled("pubmedqa", 80) + cycled("pubmedqa", 40, seed=9)
    write_runs(tmp_path, records, 4)
    output = tmp_path / "scores.json"
    command = [sys.executable, "-c", "import sys; from medmetrics.cli import main; sys.exit(main())", "score",
               "--task", "pubmedqa", "--dask", "local:2", str(tmp_path / "part-*.jsonl"), "--ci", "--resamples",
               "200", "--format", "json", "--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    data = json.loads(output.read_text(encoding="utf-8"))["pubmedqa"]["results"]
    expected = single("pubmedqa", records)
    for name in ("accuracy", "f1_macro"):
        assert data[name]["value"] == expected[name].value
        assert data[name]["ci"]["method"] == METHOD


def test_dask_is_imported_only_when_used_and_missing_dask_says_what_to_install() -> None:
    code = ("import sys\nimport medmetrics, medmetrics.aggregate.distributed\nfrom medmetrics.cli import main\n"
            "try:\n    main(['score', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
            "sys.modules['dask'] = None\n"
            "from medmetrics.errors import MissingDependencyError\n"
            "try:\n    medmetrics.aggregate.distributed.evaluate_dask('medqa', [])\n"
            "except MissingDependencyError as exc:\n"
            "    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("pip install 'medmetrics[dask]'")
