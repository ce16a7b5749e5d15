"""``medmetrics report``: one self-contained HTML file, checked as text and opened in real headless
Chromium (Debian's ``chromium``; the browser tests skip without it, except under CI, where they fail).

The page's script has a test hook: with ``?test=1`` in the URL it writes what it shows (matching
and shown items, the detail cards with the highlighted span, the plots' marks, script errors and
how long it took to be ready) as JSON into ``<pre id="mm-test">``, read back with ``--dump-dom``.
Filters and the selected item come from the query string too (``task``, ``model``, ``status``,
``correct``, ``page``, ``item=task:index[:model]``).

tests/test_report_browser.py drives the same page through Selenium and Debian's chromedriver
instead: real clicks on the filters and rows, CDP network events, a decoded screenshot.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from medmetrics.aggregate.suites import score_suite, score_task
from medmetrics.inputs.run import TaskRun
from medmetrics.plugins import default_catalog
from medmetrics.report import item_scores, report_to_html, reports_to_html, suite_to_html
from medmetrics.report.cli import add_report_command, demo_runs, score_runs
from medmetrics.report.data import MARKS, confusion, entity_marks
from medmetrics.report.html import entries_html

pytestmark = pytest.mark.slow  # each test starts Chromium (CI runs it)

DEMO = Path(__file__).resolve().parents[1] / "src" / "medmetrics" / "data" / "demo"


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
def run_cli(*argv: str) -> int:
    """The ``report`` command as the ``medmetrics`` command wires it (two lines in cli.py)."""
    parser = argparse.ArgumentParser(prog="medmetrics")
    sub = parser.add_subparsers(dest="command", required=True)
    add_report_command(sub)
    args = parser.parse_args(["report", *argv])
    return int(args.func(args))


@pytest.fixture(scope="module")
def demo_scored() -> tuple[list[Any], list[Any], list[str]]:
    return score_runs({"demo": demo_runs()}, resamples=200)


@pytest.fixture(scope="module")
def demo_html(demo_scored: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    entries, rows, notes = demo_scored
    path = tmp_path_factory.mktemp("report") / "demo.html"
    entries_html(entries, rows, title="medmetrics report: demo", notes=notes, path=path)
    return path


def assert_self_contained(html: str) -> None:
    assert "http://" not in html and "https://" not in html, "no URL of any kind in the page"
    for attribute in re.findall(r"""\b(?:src|href|action|srcset)\s*=\s*["']?([^"'\s>]*)""", html):
        assert attribute.startswith("#"), f"only in-page links, not {attribute!r}"
    assert "@import" not in html and "url(" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html and "connect-src 'none'" in html


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it and runs these tests")
    return found


def browser(path: Path, tmp_path: Path, query: str = "", *, screenshot: Path | None = None,
            size: str = "1400,1800") -> dict[str, Any] | None:
    """Open ``file://path?test=1&query`` in headless Chromium: the test hook's JSON (or, with
    ``screenshot``, write the PNG and return None)."""
    profile = tmp_path / f"profile-{time.monotonic_ns()}"
    profile.mkdir()
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
               "--enable-logging=stderr", "--v=0"]  # console messages (and blocked fetches) on stderr
    url = f"{path.resolve().as_uri()}?test=1" + (f"&{query}" if query else "")
    if screenshot is not None:
        command += [f"--window-size={size}", "--hide-scrollbars", f"--screenshot={screenshot}", url]
    else:
        command += ["--dump-dom", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if screenshot is not None:
        assert screenshot.exists(), done.stderr[-2000:]
        return None
    found = re.search(r'<pre id="mm-test">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, f"the page's script did not run: {done.stdout[-1000:]} {done.stderr[-2000:]}"
    text = found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    state: dict[str, Any] = json.loads(text)
    state["console"] = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return state


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and raw (filtered) scanlines of a PNG, decoded with zlib alone."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    return width, height, zlib.decompress(idat)


# ------------------------------------------------------------------------------------------
# the page as text
# ------------------------------------------------------------------------------------------
def test_demo_report_is_one_self_contained_file(demo_html: Path) -> None:
    html = demo_html.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert len(html.encode()) < 200_000
    for task in ("medqa", "pubmedqa", "mednli", "chemprot", "hoc", "biosses", "bc5_disease"):
        assert task in html
    plots = re.findall(r'data-plot="(\w+)"', html)
    assert plots.count("forest") == 1 and plots.count("statuses") == 1
    assert plots.count("confusion") == 4  # medqa, pubmedqa, mednli, chemprot
    assert plots.count("histogram") == 1  # biosses: per-item absolute error
    assert "(no answer)" in html  # the confusion matrices' no-answer row
    assert "the answer is &#x27;none&#x27;, which is not an option" in html  # medqa's reason, from the audit
    assert "accuracy@1|medmetrics==" in html  # signatures
    assert 'data-encoding="json"' in html  # small: plain JSON


def test_report_to_html_and_reports_to_html(tmp_path: Path) -> None:
    import medmetrics

    generations = ["Yes.", "No, the trial found no effect.", "I cannot tell from the abstract."]
    report = medmetrics.evaluate("pubmedqa", generations, ["yes", "no", "maybe"], ci=True, resamples=100)
    html = report_to_html(report, generations, ["yes", "no", "maybe"], path=tmp_path / "one.html")
    assert (tmp_path / "one.html").read_text(encoding="utf-8") == html
    assert_self_contained(html)
    assert "no label from the label set found" in html
    data = json.loads(re.search(r'id="mm-data" data-encoding="json">(.*?)</script>', html, re.DOTALL).group(1))
    group = data["groups"][0]
    assert group["st"] == "004"  # ok, ok, failed
    assert group["c"] == "110"
    assert [data["strings"][i] for i in group["g"]] == generations
    assert group["sp"][:2] == list(report.parsed[0].span)
    # without the inputs: parsed values and statuses only
    bare = report_to_html(report)
    assert "pubmedqa" in bare and "(no answer)" not in bare
    several = reports_to_html({"a": {"pubmedqa": report}, "b": {"pubmedqa": report}})
    assert "2 models" in several


def test_item_scores_are_each_metric_on_each_item(demo_scored: Any) -> None:
    entries, _, _ = demo_scored
    by_task = {e.task: e for e in entries}
    medqa = by_task["medqa"]
    scores = item_scores(medqa.report, medqa.references, medqa.context)
    assert set(scores) == {"accuracy"}
    assert sum(scores["accuracy"]) == pytest.approx(medqa.report["accuracy"].value * 10)
    assert scores["accuracy"][5] == 0.0  # the failed parse scores 0
    bc5 = by_task["bc5_disease"]
    f1 = item_scores(bc5.report, bc5.references, bc5.context)["f1"]
    assert f1[0] == 1.0 and f1[6] == pytest.approx(0.8) and f1[9] == 0.0
    biosses = by_task["biosses"]
    per_item = item_scores(biosses.report, biosses.references)
    assert "pearson" not in per_item  # undefined on one item
    assert per_item["abs_error"][0] == pytest.approx(0.2)


def test_item_scores_of_a_report_without_a_task() -> None:
    import medmetrics

    parser = medmetrics.get_parser("label", labels=["yes", "no"])
    report = medmetrics.evaluate(parser, ["yes", "no", "hmm"], ["yes", "yes", "no"], metrics=["accuracy"])
    assert item_scores(report, ["yes", "yes", "no"]) == {}  # no task: the metrics are not known ...
    given = {"accuracy": medmetrics.get_metric("accuracy")}
    assert item_scores(report, ["yes", "yes", "no"], metrics=given) == {"accuracy": [1.0, 0.0, 0.0]}  # ... give them


def test_per_item_scores_from_the_command_line(tmp_path: Path) -> None:
    out, items = tmp_path / "r.html", tmp_path / "items.jsonl"
    assert run_cli("--demo", "-o", str(out), "--per-item", str(items), "--resamples", "100") == 0
    lines = [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 70
    first = lines[0]
    assert first["task"] == "medqa" and first["span_text"] == "A" and first["scores"] == {"accuracy": 1.0}
    assert {line["status"] for line in lines} == {"ok", "partial", "ambiguous", "empty", "failed"}
    assert_self_contained(out.read_text(encoding="utf-8"))


def test_command_line_runs_tasks_suites_and_mistakes(tmp_path: Path) -> None:
    run_b = tmp_path / "model_b"
    shutil.copytree(DEMO, run_b)
    text = (run_b / "pubmedqa.jsonl").read_text(encoding="utf-8").replace('"generation": "yes"', '"generation": "no"')
    (run_b / "pubmedqa.jsonl").write_text(text, encoding="utf-8")
    two = tmp_path / "two.html"
    assert run_cli(str(DEMO), str(run_b), "--name", "A", "--name", "B", "--task", "pubmedqa,medqa", "-o", str(two),
                   "--resamples", "100") == 0
    html = two.read_text(encoding="utf-8")
    assert "2 models (A, B)" in html and "not reported (not asked for)" in html
    one = tmp_path / "one.html"  # one task's file, named with --task
    assert run_cli(str(DEMO / "medqa.jsonl"), "--task", "medqa", "-o", str(one), "--ci", "0") == 0
    assert "choice@4" in one.read_text(encoding="utf-8")
    suite = tmp_path / "suite.html"
    assert run_cli(str(DEMO), "--suite", "blurb", "-o", str(suite), "--resamples", "100") == 0
    suite_html = suite.read_text(encoding="utf-8")
    assert "blurb average" in suite_html and "not in the run" in suite_html
    from medmetrics.errors import MedmetricsError

    with pytest.raises(MedmetricsError, match="at least one RUN"):
        run_cli("-o", str(tmp_path / "x.html"))
    with pytest.raises(MedmetricsError, match="not both"):
        run_cli(str(DEMO), "--suite", "blurb", "--task", "medqa", "-o", str(tmp_path / "x.html"))
    assert not (tmp_path / "x.html").exists()


def test_command_line_on_harness_outputs(tmp_path: Path) -> None:
    runs = Path(__file__).resolve().parent / "data" / "runs"
    mc = tmp_path / "mc.html"  # lm-eval multiple_choice samples: answers and calibration from log-likelihoods
    assert run_cli(str(runs / "lm_eval_mc"), "--task-map", "medqa_4options=medqa", "--task", "medqa", "-o", str(mc),
                   "--resamples", "100") == 0
    html = mc.read_text(encoding="utf-8")
    assert 'data-plot="calibration"' in html and "loglikelihood-argmax" in html
    both = tmp_path / "ab.html"
    assert run_cli(str(runs / "run_a"), str(runs / "run_b"), "--suite", "blurb", "-o", str(both),
                   "--resamples", "100") == 0
    text = both.read_text(encoding="utf-8")
    assert "2 models (run_a, run_b)" in text and text.count("blurb average") >= 2
    oc = tmp_path / "oc.html"
    assert run_cli(str(runs / "opencompass"), "--suite", "blurb", "--task-map", "PubMedQA=pubmedqa", "-o", str(oc),
                   "--resamples", "100") == 0
    assert_self_contained(oc.read_text(encoding="utf-8"))


def test_suite_to_html_several_models() -> None:
    catalog = default_catalog()
    suite = catalog.suites.get("blurb").obj
    runs = demo_runs()
    result_a = score_suite(suite, runs, catalog=catalog, resamples=100)
    result_b = score_suite(suite, {k: v for k, v in runs.items() if k != "hoc"}, catalog=catalog, resamples=100)
    html = suite_to_html({"A": result_a, "B": result_b}, {"A": runs, "B": runs})
    assert_self_contained(html)
    assert html.count("blurb average") >= 2
    assert "not in the run" in html


def test_entity_marks_colour_each_error_kind() -> None:
    source = "Aspirin caused gastric ulcer and renal failure in patients with diabetes."
    gold = [{"type": "Disease", "text": "gastric ulcer"}, {"type": "Disease", "text": "renal failure"},
            {"type": "Disease", "text": "diabetes"}]
    predicted = [{"type": "Disease", "text": "gastric ulcer", "start": 15, "end": 28},   # match
                 {"type": "Disease", "text": "failure", "start": 39, "end": 46},          # boundary
                 {"type": "Chemical", "text": "diabetes", "start": 64, "end": 72},        # wrong type
                 {"type": "Disease", "text": "patients", "start": 50, "end": 58},         # spurious
                 {"type": "Disease", "text": "headache"}]                                 # not in the source
    marks, ungrounded = entity_marks(source, gold, predicted)
    kinds = {(source[marks[i]:marks[i + 1]], MARKS[marks[i + 2]]) for i in range(0, len(marks), 3)}
    assert ("gastric ulcer", "match") in kinds and ("failure", "boundary") in kinds
    assert ("diabetes", "type") in kinds and ("patients", "spurious") in kinds
    assert ("renal failure", "gold") in kinds and ungrounded == ["Disease: headache"]
    marks, _ = entity_marks(source, gold, [])
    assert sum(1 for i in range(2, len(marks), 3) if MARKS[marks[i]] == "missed") == 3


def test_confusion_has_a_no_answer_row() -> None:
    from medmetrics.results import Parsed

    parsed = [Parsed("yes", "ok"), Parsed(None, "failed", "no label"), Parsed("no", "ok")]
    gold, rows, counts = confusion(parsed, ["yes", "no", "no"])
    assert gold == ["no", "yes"] and rows == ["no", "yes", "(no answer)"]
    assert counts == [[1, 0], [0, 1], [1, 0]]


def test_calibration_from_loglikelihoods(tmp_path: Path) -> None:
    from medmetrics.inputs.run import LoglikelihoodItems, NoGenerations

    rng = random.Random(3)
    n = 200
    lls = tuple(tuple(rng.uniform(-5, 0) for _ in range(3)) for _ in range(n))
    items = LoglikelihoodItems(lls, (("yes", "no", "maybe"),) * n, tuple(rng.randrange(3) for _ in range(n)))
    run = TaskRun("pubmedqa", NoGenerations(n, "x"), list(items.gold), None, "x", loglikelihood=items)
    catalog = default_catalog()
    score = score_task(catalog.tasks.get("pubmedqa").obj, "", run, catalog=catalog, ci=False, resamples=10, seed=1)
    html = reports_to_html({"pubmedqa": score.report}, {"pubmedqa": run}, path=tmp_path / "ll.html")
    assert 'data-plot="calibration"' in html
    assert "log-likelihood" in html  # the item view lists each choice's log-likelihood
    no_ll = reports_to_html({"pubmedqa": score.report})
    assert 'data-plot="calibration"' not in no_ll  # skipped without the data


def synthetic_run(n: int) -> TaskRun:
    rng = random.Random(0)
    labels = ["yes", "no", "maybe"]
    templates = ["{l}", "The answer is {l}.", "Based on the abstract of trial {i}, {l}.", "**Answer:** {l}",
                 "I cannot tell from the abstract.", "Yes or no? The data are mixed; item {i} reports {l}.",
                 "<think>the cohort of study {i} shows a reduction</think>{l}", ""]
    generations, references = [], []
    for i in range(n):
        reference = rng.choice(labels)
        answer = reference if rng.random() < 0.7 else rng.choice(labels)
        generations.append(rng.choice(templates).format(l=answer, i=i))
        references.append(reference)
    return TaskRun("pubmedqa", generations, references, None, "synthetic")


@pytest.fixture(scope="module")
def big_html(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, Any]:
    from medmetrics.report.html import _entry

    run = synthetic_run(100_000)
    catalog = default_catalog()
    score = score_task(catalog.tasks.get("pubmedqa").obj, "", run, catalog=catalog, ci=True, resamples=200, seed=1)
    path = tmp_path_factory.mktemp("big") / "big.html"
    start = time.perf_counter()
    entries_html([_entry("synthetic", "pubmedqa", score.report, run, score.headline)], path=path)
    return path, time.perf_counter() - start, score


def test_100k_items_report_is_small_and_quick(big_html: tuple[Path, float, Any]) -> None:
    path, seconds, _ = big_html
    html = path.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert 'data-encoding="gzip-base64"' in html
    assert path.stat().st_size < 3_000_000, path.stat().st_size  # measured: 0.74 MB
    assert seconds < 10, seconds  # measured: 1.6 s (parsing and scoring the 100k items not included)


# ------------------------------------------------------------------------------------------
# in the browser
# ------------------------------------------------------------------------------------------
def test_browser_demo_loads_plots_and_filters(demo_html: Path, demo_scored: Any, tmp_path: Path) -> None:
    entries, _, _ = demo_scored
    state = browser(demo_html, tmp_path)
    assert state is not None and state["errors"] == []
    assert state["console"] == []  # no console message: no error, no fetch the page's policy blocked
    assert state["matching"] == 70 and len(state["shown"]) == 50  # paged: 50 a page
    plots = state["plots"]
    assert {p["plot"] for p in plots} == {"forest", "statuses", "confusion", "histogram"}
    assert all(p["marks"] > 0 for p in plots), plots
    # filtering by status changes the visible items, to exactly the failed ones
    failed = browser(demo_html, tmp_path, "status=failed")
    expected = sorted((e.task, i) for e in entries for i, p in enumerate(e.report.parsed) if p.status == "failed")
    assert sorted((r["task"], r["index"]) for r in failed["shown"]) == expected
    assert failed["matching"] == len(expected) < 70 and failed["errors"] == []
    wrong = browser(demo_html, tmp_path, "task=medqa&correct=0")
    assert {r["index"] for r in wrong["shown"]} == {5, 6, 8}


def test_browser_highlights_the_span_the_parser_read(demo_html: Path, demo_scored: Any, tmp_path: Path) -> None:
    entries, _, _ = demo_scored
    by_task = {e.task: e for e in entries}
    for task, index in (("medqa", 0), ("medqa", 3), ("pubmedqa", 7), ("mednli", 1), ("hoc", 1)):
        parsed = by_task[task].report.parsed[index]
        start, end = parsed.span
        state = browser(demo_html, tmp_path, f"item={task}:{index}")
        (card,) = state["detail"]
        assert card["index"] == index
        assert card["span_text"] == by_task[task].generations[index][start:end]
    entity = browser(demo_html, tmp_path, "item=bc5_disease:6")
    assert entity["detail"][0]["source_marks"] >= 2  # gold and predicted mentions marked in the source


def test_browser_span_offsets_past_astral_characters(tmp_path: Path) -> None:
    """Python counts code points, the page's script UTF-16 units: the span is converted."""
    import medmetrics

    generations = ["🧬🧪 After reading the abstract 😀, the answer is: yes", "𝔸 (a symbol) then: no"]
    report = medmetrics.evaluate("pubmedqa", generations, ["yes", "no"])
    path = tmp_path / "astral.html"
    report_to_html(report, generations, ["yes", "no"], path=path)
    for index, expected in ((0, "yes"), (1, "no")):
        start, end = report.parsed[index].span
        assert generations[index][start:end].lower().startswith(expected[:2])
        state = browser(path, tmp_path, f"item=pubmedqa:{index}")
        assert state["detail"][0]["span_text"] == generations[index][start:end]


def test_browser_two_models_side_by_side(tmp_path: Path) -> None:
    run_b = {k: v for k, v in demo_runs().items() if k == "pubmedqa"}
    changed = ["no" if g == "yes" else g for g in run_b["pubmedqa"].generations]
    run_b["pubmedqa"] = TaskRun("pubmedqa", changed, run_b["pubmedqa"].references, None, "b")
    entries, rows, notes = score_runs({"A": {"pubmedqa": demo_runs()["pubmedqa"]}, "B": run_b}, resamples=100)
    path = tmp_path / "two.html"
    entries_html(entries, rows, notes=notes, path=path)
    state = browser(path, tmp_path, "item=pubmedqa:0")
    assert [c["model"] for c in state["detail"]] == ["A", "B"]
    assert [c["span_text"] for c in state["detail"]] == ["yes", "no"]
    assert state["console"] == [] and state["errors"] == []
    only_b = browser(path, tmp_path, "model=B&correct=0")
    assert {r["model"] for r in only_b["shown"]} == {"B"} and only_b["errors"] == []


def test_browser_100k_items_open_quickly(big_html: tuple[Path, float, Any], tmp_path: Path) -> None:
    path, _, score = big_html
    state = browser(path, tmp_path, "status=failed&page=3")
    assert state["errors"] == []
    assert state["matching"] == score.report.statuses["failed"]
    assert len(state["shown"]) == 50 and all(r["status"] == "failed" for r in state["shown"])
    assert state["ready_ms"] < 3000, state["ready_ms"]  # measured: about 0.5 s
    assert state["console"] == []


def test_browser_console_check_sees_a_remote_fetch(demo_html: Path, tmp_path: Path) -> None:
    """The check above is not vacuous: a remote image slipped into the page is blocked by its
    Content-Security-Policy, and the blocked fetch shows on the console."""
    bad = tmp_path / "bad.html"
    bad.write_text(demo_html.read_text(encoding="utf-8").replace(
        "</body>", '<img src="https://example.org/pixel.png"></body>'), encoding="utf-8")
    state = browser(bad, tmp_path)
    assert any("example.org" in line and "Content Security Policy" in line for line in state["console"])


def test_large_item_data_goes_beside_the_page(demo_scored: Any, tmp_path: Path) -> None:
    """Beyond ``embed_limit`` the item data is written to ``<name>_files/items.js``, which the page
    loads from disk; without it the page says so (the summary still shows)."""
    entries, rows, notes = demo_scored
    page = tmp_path / "split.html"
    html = entries_html(entries, rows, notes=notes, path=page, embed_limit=1000)
    side = tmp_path / "split_files" / "items.js"
    assert side.exists() and 'src="split_files/items.js"' in html
    assert "http://" not in html and "https://" not in html
    state = browser(page, tmp_path, "status=failed")
    assert state["errors"] == [] and state["console"] == [] and state["matching"] == 5
    side.unlink()
    missing = browser(page, tmp_path)
    assert any("split_files/items.js was not found" in e for e in missing["errors"])
    assert {p["plot"] for p in missing["plots"]} >= {"forest", "statuses"}


def test_browser_screenshot_is_not_blank(demo_html: Path, tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    browser(demo_html, tmp_path, screenshot=shot, size="1200,900")
    width, height, raw = png_pixels(shot)
    assert (width, height) == (1200, 900)
    assert len(set(raw[:: max(1, len(raw) // 20000)])) > 20  # many distinct byte values: drawn, not blank
    assert not math.isclose(len(raw), raw.count(raw[1]), rel_tol=0.05)


def test_suite_result_to_html_writes_the_page(tmp_path: Path) -> None:
    """``SuiteResult.to_html`` (the Python side of ``report --suite``) writes one self-contained page."""
    from medmetrics.aggregate.suites import score_suite
    from medmetrics.inputs.adapters import load_run
    from medmetrics.plugins import default_catalog

    catalog = default_catalog()
    runs = load_run(str(Path(__file__).parent / "data" / "runs" / "run_a"))
    result = score_suite(catalog.suites.get("blurb").obj, runs, catalog=catalog, resamples=50)
    page = tmp_path / "suite.html"
    html = result.to_html(runs, path=str(page))
    assert page.read_text(encoding="utf-8") == html
    assert "<svg" in html and "http://" not in html and "https://" not in html
