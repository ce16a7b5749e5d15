"""Hostile and broken plugins (issue 17, item 4), each installed as a real fake distribution.

What the loader and a run guarantee (docs/hooks.md, "What the loader guarantees"): a parser that
raises is reported once per run and recorded in the results; ``sys.exit`` in a plugin is a broken
plugin; a ``KeyboardInterrupt`` propagates and ends the command in one line with exit code 130; a
hook that hangs is a broken plugin after ``MEDMETRICS_PLUGIN_TIMEOUT`` seconds; an entry-point name
provided by two distributions loads neither; a metric raising in ``item_stats`` is one
``MetricError`` naming the metric, its distribution and the item.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import warnings

import pytest

import medmetrics
from medmetrics import cli, plugins
from medmetrics.errors import (
    InputError,
    MedmetricsError,
    MetricError,
    ParserErrorWarning,
    PluginError,
    PluginWarning,
)
from medmetrics.plugins import exit_on_interrupt, load_catalog

GOOD = """
    import medmetrics
    from medmetrics.metrics.classification import Accuracy

    class Agreement(Accuracy):
        '''Accuracy under another name, from a third-party plugin.'''
        name = "agreement"

    @medmetrics.hookimpl
    def register_metrics(register):
        register(Agreement)
"""


def _join_plugin_threads(timeout: float = 5.0) -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("medmetrics-plugin"):
            thread.join(timeout)


# --- (1) a parser that raises on every item ------------------------------------------------------

ALWAYS_FAIL = """
    import medmetrics
    from medmetrics import Parser

    class AlwaysFail(Parser):
        '''Raises on every generation.'''
        name = "always_fail"

        def read(self, text, settings):
            raise RuntimeError(f"cannot read {text!r}")

    @medmetrics.hookimpl
    def register_parsers(register):
        register(AlwaysFail)
"""


def test_parser_raising_on_every_item_is_reported_once_and_recorded(fake_distribution) -> None:
    fake_distribution("medmetrics-fail", "fail", "mm_fail", ALWAYS_FAIL, version="1.2")
    catalog = load_catalog(strict=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = medmetrics.evaluate("always_fail", ["a", "b", "c"], ["a", "b", "c"],
                                     metrics=["accuracy", "f1"], catalog=catalog)
    hits = [w for w in caught if issubclass(w.category, ParserErrorWarning)]
    assert len(hits) == 1, [str(w.message) for w in caught]  # one per run, not one per item or metric
    message = str(hits[0].message)
    for part in ("'always_fail'", "distribution medmetrics-fail==1.2", "raised on 3 of 3 generations",
                 "item 0: RuntimeError: cannot read 'a'"):
        assert part in message, message
    assert issubclass(ParserErrorWarning, PluginWarning)
    assert report["accuracy"].value == 0.0 and report["accuracy"].n_failed == 3
    for result in report.values():  # every result records it, JSON-native
        assert message in result.notes
    assert json.loads(json.dumps(report.to_dict()))["results"]["accuracy"]["notes"] == [message]

    with pytest.raises(PluginError, match=r"always_fail.*raised on 3 of 3"):
        medmetrics.evaluate("always_fail", ["a", "b", "c"], ["a", "b", "c"], metrics=["accuracy"],
                            catalog=load_catalog(strict=True))


def test_clean_run_has_no_parser_error_note() -> None:
    catalog = load_catalog(entry_points=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parser = medmetrics.get_parser("label", labels=["yes", "no"], catalog=catalog)
        report = medmetrics.evaluate(parser, ["yes", "no"], ["yes", "yes"], metrics=["accuracy"], catalog=catalog)
    assert not any("internal-error" in note for note in report["accuracy"].notes)


# --- (2) sys.exit in a plugin --------------------------------------------------------------------

def test_sys_exit_at_import_or_in_a_hook_is_a_broken_plugin(fake_distribution, capsys) -> None:
    fake_distribution("medmetrics-quitter", "quitter", "mm_quitter", "import sys\nsys.exit(3)\n")
    fake_distribution("medmetrics-agree", "agree", "mm_agree", GOOD)
    with pytest.warns(PluginWarning, match=r"'quitter' \(distribution medmetrics-quitter 1.0\).*sys.exit\(3\)"):
        catalog = load_catalog()
    assert "agreement" in catalog.metrics  # the others keep working
    assert {p.name: p.status for p in catalog.plugins}["quitter"] == "failed"
    with pytest.raises(PluginError, match="quitter") as info:
        load_catalog(strict=True)
    assert isinstance(info.value.__cause__, SystemExit)

    plugins.reset_default_catalog()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        assert cli.main(["list", "plugins", "--json"]) == 0  # `list` still runs
    entries = {p["name"]: p for p in json.loads(capsys.readouterr().out)["plugins"]}
    assert entries["quitter"]["status"] == "failed" and "sys.exit(3)" in entries["quitter"]["error"]


def test_sys_exit_in_a_hook_rolls_back_the_plugin(fake_distribution) -> None:
    fake_distribution("medmetrics-halfexit", "halfexit", "mm_halfexit", GOOD + """
    import sys

    @medmetrics.hookimpl
    def register_tasks(register):
        sys.exit("no tasks today")
""")
    with pytest.warns(PluginWarning, match="hook register_tasks failed: SystemExit"):
        catalog = load_catalog()
    assert "agreement" not in catalog.metrics  # its metric from the earlier hook is removed too


# --- (3) KeyboardInterrupt in a hook -------------------------------------------------------------

INTERRUPTER = """
    import medmetrics

    @medmetrics.hookimpl
    def register_metrics(register):
        raise KeyboardInterrupt
"""


def test_keyboard_interrupt_in_a_hook_propagates_and_ends_in_one_line(fake_distribution, capsys) -> None:
    fake_distribution("medmetrics-ctrlc", "ctrlc", "mm_ctrlc", INTERRUPTER)
    with pytest.raises(KeyboardInterrupt):  # not swallowed, not turned into a warning
        load_catalog()
    assert plugins._default is None  # no half-built default catalog is kept

    plugins.reset_default_catalog()
    assert exit_on_interrupt(cli.main, ["list", "plugins"]) == 130
    captured = capsys.readouterr()
    assert captured.err == "medmetrics: interrupted\n" and captured.out == ""


SIGNALLER = """
    import signal
    import threading
    import time
    import medmetrics

    release = threading.Event()

    @medmetrics.hookimpl
    def register_metrics(register):
        # the user presses Ctrl-C while this hook runs in its worker thread
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        release.wait(60)
"""


def test_real_ctrl_c_while_a_hook_runs_is_not_held_up_by_it(fake_distribution) -> None:
    fake_distribution("medmetrics-busy", "busy", "mm_busy", SIGNALLER)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            load_catalog(timeout=30)
        assert time.monotonic() - started < 10  # at once, not after the hook or the timeout
    finally:
        sys.modules["mm_busy"].release.set()
        _join_plugin_threads()


# --- (4) a hook or an import that hangs ----------------------------------------------------------

HANGING_HOOK = """
    import threading
    import medmetrics
    from medmetrics.metrics.classification import Accuracy

    release = threading.Event()

    class Late(Accuracy):
        name = "late_metric"

    @medmetrics.hookimpl
    def register_metrics(register):
        release.wait(60)
        register(Late)
"""


def test_hook_that_hangs_is_a_broken_plugin_after_the_timeout(fake_distribution, monkeypatch) -> None:
    fake_distribution("medmetrics-hang", "hang", "mm_hang", HANGING_HOOK)
    fake_distribution("medmetrics-agree", "agree", "mm_agree", GOOD)
    monkeypatch.setenv("MEDMETRICS_PLUGIN_TIMEOUT", "0.3")
    with pytest.warns(PluginWarning, match=r"'hang' .*hook register_metrics .*did not finish within 0.3 s"):
        catalog = load_catalog()
    assert "agreement" in catalog.metrics and "late_metric" not in catalog.metrics
    assert {p.name: p.status for p in catalog.plugins}["hang"] == "failed"
    sys.modules["mm_hang"].release.set()  # the abandoned thread finishes: what it registers is ignored
    _join_plugin_threads()
    assert "late_metric" not in catalog.metrics
    with pytest.raises(PluginError, match="did not finish"):
        sys.modules["mm_hang"].release.clear()
        load_catalog(strict=True, timeout=0.2)
    sys.modules["mm_hang"].release.set()
    _join_plugin_threads()


def test_import_that_hangs_is_a_broken_plugin(fake_distribution, tmp_path) -> None:
    (tmp_path / "mm_gate.py").write_text("import threading\nrelease = threading.Event()\n", encoding="utf-8")
    fake_distribution("medmetrics-slow", "slow", "mm_slow", "import mm_gate\nmm_gate.release.wait(60)\n")
    try:
        with pytest.warns(PluginWarning, match=r"'slow' .*could not be loaded: import of plugin 'slow' did not "
                                               r"finish within 0.2 s"):
            catalog = load_catalog(timeout=0.2)
        assert {p.name: p.status for p in catalog.plugins}["slow"] == "failed"
    finally:
        import mm_gate

        mm_gate.release.set()
        _join_plugin_threads()
        sys.modules.pop("mm_gate", None)


def test_timeout_setting_is_checked(monkeypatch) -> None:
    assert plugins.plugin_timeout() == 10.0
    monkeypatch.setenv("MEDMETRICS_PLUGIN_TIMEOUT", "0")
    assert plugins.plugin_timeout() is None  # no limit: plugins run in the calling thread
    monkeypatch.setenv("MEDMETRICS_PLUGIN_TIMEOUT", "soon")
    with pytest.raises(InputError, match="MEDMETRICS_PLUGIN_TIMEOUT"):
        load_catalog(entry_points=False)
    with pytest.raises(InputError):
        plugins.plugin_timeout(-1)


# --- (5) two distributions, one entry-point name -------------------------------------------------

def _metric_plugin(metric: str) -> str:
    return f"""
    import medmetrics
    from medmetrics.metrics.classification import Accuracy

    class M(Accuracy):
        name = "{metric}"

    @medmetrics.hookimpl
    def register_metrics(register):
        register(M)
"""


def test_one_entry_point_name_in_two_distributions_loads_neither(fake_distribution) -> None:
    fake_distribution("medmetrics-one", "dup", "mm_one", _metric_plugin("one_metric"), version="1.0")
    fake_distribution("medmetrics-two", "dup", "mm_two", _metric_plugin("two_metric"), version="2.0")
    fake_distribution("medmetrics-agree", "agree", "mm_agree", GOOD, version="3.1")
    with pytest.warns(PluginWarning, match=r"'dup' is provided by 2 distributions \(medmetrics-(one 1.0|two 2.0) "
                                           r"and medmetrics-(one 1.0|two 2.0)\); none of them is loaded"):
        catalog = load_catalog()
    assert "one_metric" not in catalog.metrics and "two_metric" not in catalog.metrics
    dup = [p for p in catalog.plugins if p.name == "dup"]
    assert sorted((p.distribution, p.status) for p in dup) == [("medmetrics-one", "failed"),
                                                                ("medmetrics-two", "failed")]
    # provenance names the distribution that registered the metric
    assert medmetrics.get_metric("agreement", catalog=catalog).signature.endswith("|medmetrics-agree==3.1")
    assert catalog.distribution_of("dup") == ("dup", "unknown")
    with pytest.raises(PluginError, match=r"'dup' is provided by 2 distributions"):
        load_catalog(strict=True)
    # blocking the name is silent: nothing would be loaded anyway
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert {p.status for p in load_catalog(block=["dup"]).plugins if p.name == "dup"} == {"blocked"}


# --- (6) a metric raising in item_stats ----------------------------------------------------------

FRAGILE = """
    import medmetrics
    from medmetrics.metrics.classification import Accuracy

    class Fragile(Accuracy):
        '''Raises on the prediction "boom".'''
        name = "fragile"

        def item_stats(self, predictions, references):
            if "boom" in predictions:
                raise ZeroDivisionError("fragile arithmetic")
            return super().item_stats(predictions, references)
"""


def test_metric_raising_in_item_stats_is_one_error_naming_metric_distribution_and_item(
        fake_distribution, tmp_path, capsys) -> None:
    fake_distribution("medmetrics-fragile", "fragile", "mm_fragile", FRAGILE + """
    @medmetrics.hookimpl
    def register_metrics(register):
        register(Fragile)
""", version="0.4")
    catalog = load_catalog(strict=True)
    metric = medmetrics.get_metric("fragile", catalog=catalog)
    predictions = ["a"] * 37 + ["boom"] + ["a"] * 20
    with pytest.raises(MetricError) as info:
        metric.compute(predictions, ["a"] * len(predictions))
    assert isinstance(info.value, MedmetricsError) and isinstance(info.value.__cause__, ZeroDivisionError)
    assert str(info.value) == ("metric 'fragile' (distribution medmetrics-fragile==0.4) raised in item_stats on "
                               "item 37: ZeroDivisionError: fragile arithmetic")
    with pytest.raises(InputError):  # a caller mistake stays the metric's own InputError
        metric.compute(["a"], [None])

    # the CLI: one line and exit code 2, no traceback
    run = tmp_path / "run.jsonl"
    run.write_text("".join(json.dumps({"generation": p, "reference": "a"}) + "\n" for p in ["a", "boom"]),
                   encoding="utf-8")
    plugins.reset_default_catalog()
    assert cli.main(["score", str(run), "--parser", "label", "--parser-option", "labels=[\"a\",\"boom\"]",
                     "--metric", "fragile"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "metric 'fragile' (distribution medmetrics-fragile==0.4)" in err, err


BROKEN_STAGES = """
    import medmetrics
    from medmetrics.metrics.classification import F1

    class Broken(F1):
        '''F1 whose own code breaks in the stage named by the option ``where``.'''
        name = "broken"
        defaults = {**F1.defaults, "where": "score"}

        def _fail(self, stage):
            if self.options["where"] == stage:
                raise KeyError(f"no column for {stage}")

        def from_totals(self, totals, present):
            self._fail("score")
            return super().from_totals(totals, present)

        def per_label_from_totals(self, totals, present):
            self._fail("per_label")
            return super().per_label_from_totals(totals, present)

        def notes(self, table, counts):
            self._fail("notes")
            return super().notes(table, counts)

    @medmetrics.hookimpl
    def register_metrics(register):
        register(Broken)
"""


@pytest.mark.parametrize("stage", ["score", "per_label", "notes"])
def test_metric_raising_after_item_stats_is_one_error_naming_metric_distribution_and_stage(
        stage: str, fake_distribution, tmp_path, capsys) -> None:
    fake_distribution("medmetrics-broken", "broken", "mm_broken", BROKEN_STAGES, version="2.0")
    catalog = load_catalog(strict=True)
    metric = medmetrics.get_metric("broken", catalog=catalog, where=stage)
    with pytest.raises(MetricError) as info:
        metric.compute(["a", "b"], ["a", "a"])
    assert str(info.value) == (f"metric 'broken' (distribution medmetrics-broken==2.0) raised in {stage}: "
                               f"KeyError: 'no column for {stage}'")

    run = tmp_path / "run.jsonl"
    run.write_text("".join(json.dumps({"generation": p, "reference": "a"}) + "\n" for p in ["a", "b"]),
                   encoding="utf-8")
    plugins.reset_default_catalog()
    code = cli.main(["score", str(run), "--parser", "label", "--parser-option", 'labels=["a","b"]',
                     "--metric", f"broken:where={stage}", "--per-item", str(tmp_path / "items.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and f"raised in {stage}" in err, err
    assert not (tmp_path / "items.jsonl").exists()
