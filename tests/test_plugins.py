"""The plugin platform: built-ins, entry points, failures isolated, strict mode, selection."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import pytest

import medmetrics
from medmetrics import cli
from medmetrics.errors import DuplicateNameError, PluginError, PluginWarning, UnknownNameError
from medmetrics.plugins import load_catalog

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


def test_builtins_are_plugins_registered_like_third_parties() -> None:
    catalog = load_catalog(entry_points=False)
    assert {"choice", "choices", "label", "integer"} <= set(catalog.parsers.names())
    assert {"accuracy", "f1", "pearson", "spearman"} <= set(catalog.metrics.names())
    assert all(p.builtin and p.status == "loaded" for p in catalog.plugins)
    assert catalog.metrics.get("acc").name == "accuracy"  # aliases resolve


def test_unknown_name_is_a_keyerror_that_lists_and_suggests() -> None:
    with pytest.raises(UnknownNameError) as info:
        medmetrics.get_metric("acuracy")
    assert isinstance(info.value, KeyError)
    message = str(info.value)
    assert "Did you mean 'accuracy'" in message and "pearson" in message


def test_third_party_plugin_is_loaded_and_named_in_signatures(fake_distribution) -> None:
    fake_distribution("medmetrics-agree", "agree", "mm_agree", GOOD, version="2.3")
    catalog = load_catalog(strict=True)
    assert "agreement" in catalog.metrics
    info = {p.name: p for p in catalog.plugins}["agree"]
    assert (info.distribution, info.version, info.status) == ("medmetrics-agree", "2.3", "loaded")
    metric = medmetrics.get_metric("agreement", catalog=catalog)
    assert metric.compute(["a", "b"], ["a", "a"]).value == 0.5
    assert "medmetrics-agree==2.3" in metric.signature


def test_plugin_that_fails_to_import_warns_and_the_rest_work(fake_distribution) -> None:
    fake_distribution("medmetrics-broken", "broken", "mm_broken", "raise RuntimeError('boom at import')\n")
    fake_distribution("medmetrics-agree", "agree", "mm_agree", GOOD)
    with pytest.warns(PluginWarning, match=r"'broken' \(distribution medmetrics-broken 1.0\).*boom at import"):
        catalog = load_catalog()
    assert "agreement" in catalog.metrics
    assert {p.name: p.status for p in catalog.plugins}["broken"] == "failed"


def test_strict_switch_by_argument_and_environment(fake_distribution, monkeypatch) -> None:
    fake_distribution("medmetrics-broken", "broken", "mm_broken", "raise RuntimeError('boom')\n")
    with pytest.raises(PluginError, match="broken") as info:
        load_catalog(strict=True)
    assert isinstance(info.value.__cause__, RuntimeError)
    monkeypatch.setenv("MEDMETRICS_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError):
        load_catalog()


def test_hook_that_raises_is_isolated_and_rolled_back(fake_distribution) -> None:
    source = GOOD + """
    @medmetrics.hookimpl
    def register_tasks(register):
        raise ValueError("bad task table")
"""
    fake_distribution("medmetrics-half", "half", "mm_half", source)
    with pytest.warns(PluginWarning, match="register_tasks failed: ValueError: bad task table"):
        catalog = load_catalog()
    assert "agreement" not in catalog.metrics  # all or nothing: its metric is dropped too
    assert "accuracy" in catalog.metrics


def test_duplicate_name_is_an_error_naming_both_plugins(fake_distribution) -> None:
    clash = """
    import medmetrics
    from medmetrics.metrics.classification import Accuracy

    class Mine(Accuracy):
        name = "f1"

    @medmetrics.hookimpl
    def register_metrics(register):
        register(Mine)
"""
    fake_distribution("medmetrics-clash", "clash", "mm_clash", clash)
    with pytest.raises(PluginError) as info:
        load_catalog(strict=True)
    assert isinstance(info.value.__cause__, DuplicateNameError)
    assert "medmetrics.default_plugins.metrics" in str(info.value) and "'clash'" in str(info.value)
    with pytest.warns(PluginWarning):
        catalog = load_catalog()
    assert catalog.metrics.get("f1").plugin == "medmetrics.default_plugins.metrics"


def test_misspelled_hook_fails_loudly(fake_distribution) -> None:
    typo = """
    import medmetrics

    @medmetrics.hookimpl
    def register_metric(register):
        pass
"""
    fake_distribution("medmetrics-typo", "typo", "mm_typo", typo)
    with pytest.raises(PluginError, match="register_metric"):
        load_catalog(strict=True)


def test_block_and_only_switches(fake_distribution, monkeypatch) -> None:
    fake_distribution("medmetrics-agree", "agree", "mm_agree", GOOD)
    status = {p.name: p.status for p in load_catalog(block=["agree"]).plugins}
    assert status["agree"] == "blocked"
    assert {p.name: p.status for p in load_catalog(only=[]).plugins}["agree"] == "not selected"
    monkeypatch.setenv("MEDMETRICS_BLOCK_PLUGINS", "agree, other")
    assert "agreement" not in load_catalog().metrics
    monkeypatch.delenv("MEDMETRICS_BLOCK_PLUGINS")
    monkeypatch.setenv("MEDMETRICS_PLUGINS", "agree")
    assert "agreement" in load_catalog().metrics


def test_cli_list_shows_failed_plugins_and_why(fake_distribution, capsys) -> None:
    fake_distribution("medmetrics-broken", "broken", "mm_broken", "raise ImportError('needs libfoo')\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        assert cli.main(["list", "plugins", "--json"]) == 0
    entries = {p["name"]: p for p in json.loads(capsys.readouterr().out)["plugins"]}
    assert entries["broken"]["status"] == "failed" and "needs libfoo" in entries["broken"]["error"]


def test_import_is_light_and_loads_no_plugin() -> None:
    code = (
        "import sys, medmetrics, medmetrics.plugins as p\n"
        "heavy = {'torch', 'transformers', 'sklearn', 'pandas'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
        "assert p._default is None\n"
        "assert 'medmetrics.default_plugins.parsers' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_registering_an_instance_instead_of_a_class_is_a_clear_error(fake_distribution) -> None:
    instance = """
    import medmetrics
    from medmetrics.parsing.choice import ChoiceParser

    class MyChoice(ChoiceParser):
        name = "my_choice"

    @medmetrics.hookimpl
    def register_parsers(register):
        register(MyChoice())
"""
    fake_distribution("medmetrics-instance", "instance", "mm_instance", instance)
    with pytest.raises(PluginError, match=r"registered an instance of MyChoice as a parser; register the class"):
        load_catalog(strict=True)


def test_built_in_parsers_and_metrics_are_imported_on_first_use_only() -> None:
    """The built-ins are registered by reference: building the catalog and fetching ``f1`` imports
    neither the parsers (their patterns) nor the other metrics (ROUGE's stemmer, BLEU's tokenizers)."""
    code = (
        "import sys, medmetrics\n"
        "from medmetrics.plugins import load_catalog\n"
        "catalog = load_catalog(entry_points=False)\n"
        "metric = medmetrics.get_metric('f1', catalog=catalog)\n"
        "assert metric.compute(['a', 'b'], ['a', 'a']).value == 0.5\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('medmetrics.parsing.choice', 'medmetrics.parsing.bio',"
        " 'medmetrics.metrics.generation', 'medmetrics.metrics.entities', 'medmetrics.metrics.compat.', 'scipy')))\n"
        "assert not loaded, loaded\n"
        "assert medmetrics.get_parser('choice', catalog=catalog).parse('Answer: B').value == 'B'\n"
        "assert 'medmetrics.parsing.choice' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


LAZY = """
    import medmetrics

    @medmetrics.hookimpl
    def register_metrics(register):
        register("{module}:{attribute}", name="agreement", aliases=("agree",))
"""


def test_a_third_party_may_register_by_reference(fake_distribution) -> None:
    fake_distribution("medmetrics-agree-impl", "agree_impl", "mm_agree_impl", GOOD)
    fake_distribution("medmetrics-lazy", "lazy", "mm_lazy", LAZY.format(module="mm_agree_impl", attribute="Agreement"))
    catalog = load_catalog(strict=True, only={"lazy"})
    entry = catalog.metrics.get("agree")
    assert entry.name == "agreement" and entry.plugin == "lazy"
    assert medmetrics.get_metric("agree", catalog=catalog).compute(["a", "b"], ["a", "a"]).value == 0.5


@pytest.mark.parametrize(("attribute", "error", "message"), [
    ("Missing", PluginError, r"metric 'agreement' of plugin 'lazy' is registered as 'mm_agree_impl:Missing', "
                             r"which cannot be imported: AttributeError"),
    ("INSTANCE", medmetrics.InputError, r"registered an instance of Agreement as a metric; register the class"),
])
def test_a_bad_reference_is_a_clear_error_when_first_used(fake_distribution, attribute: str, error: type,
                                                          message: str) -> None:
    fake_distribution("medmetrics-agree-impl", "agree_impl", "mm_agree_impl", GOOD + "\n    INSTANCE = Agreement()\n")
    fake_distribution("medmetrics-lazy", "lazy", "mm_lazy", LAZY.format(module="mm_agree_impl", attribute=attribute))
    catalog = load_catalog(strict=True, only={"lazy"})
    with pytest.raises(error, match=message):
        medmetrics.get_metric("agreement", catalog=catalog)


def test_a_reference_without_a_name_is_refused_at_registration(fake_distribution) -> None:
    source = """
    import medmetrics

    @medmetrics.hookimpl
    def register_parsers(register):
        register("mm_nowhere:Parser")
"""
    fake_distribution("medmetrics-noname", "noname", "mm_noname", source)
    with pytest.raises(PluginError, match=r"registered the parser 'mm_nowhere:Parser' by reference without a name"):
        load_catalog(strict=True, only={"noname"})
