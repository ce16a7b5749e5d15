"""Adapters (harness output formats) and compat profiles from third-party plugins (issue #15,
item 5): registered through ``register_adapters`` / ``register_compat_profiles`` exactly as the
built-ins are, used by ``load_runs``, ``--adapter`` (named or detected) and ``--profile``, listed
with their provenance; a wrong shape or a built-in's name fails the plugin."""

from __future__ import annotations

import json
import re
import types
import warnings
from pathlib import Path

import pytest

from cli_helpers import run_cli
from medmetrics import cli, plugins
from medmetrics.errors import DuplicateNameError, InputError, PluginError, PluginWarning
from medmetrics.inputs.adapters import load_runs
from medmetrics.inputs.adapters.base import detect, detection_order
from medmetrics.metrics.compat import get_profile
from medmetrics.plugins import load_catalog

#: a tiny harness format: JSONL records {"task", "out", "gold"}, one model per file
OUTGOLD = """
    import json
    from pathlib import Path

    import medmetrics
    from medmetrics.inputs.adapters import Adapter
    from medmetrics.inputs.adapters.base import build_runs, task_name


    class OutGold(Adapter):
        '''Out/gold JSONL: {"task", "out", "gold"} per line, one model per file.'''

        name = "outgold"

        @staticmethod
        def detect(path):
            if not (path.is_file() and path.suffix == ".jsonl"):
                return False
            with path.open(encoding="utf-8") as handle:
                first = json.loads(handle.readline() or "{}")
            return isinstance(first, dict) and {"out", "gold"} <= set(first)

        @staticmethod
        def read(path, fields, task_map, run):
            rows = []
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    record = json.loads(line)
                    rows.append((task_name(record["task"], task_map), record["out"], record["gold"], {},
                                 f"{path}:{number}"))
            return {path.stem: build_runs(rows, str(path))}


    @medmetrics.hookimpl
    def register_adapters(register):
        register(OutGold)
"""

#: a paper's evaluator: PubMedQA scored as "does the generation start with the gold label"
PAPER = """
    import medmetrics
    from medmetrics.metrics.compat import Method, Profile
    from medmetrics.metrics.compat.base import ItemMean


    class StartsWith(ItemMean):
        '''The paper's accuracy: the generation starts with the gold label.'''

        name = "paper_startswith"
        profile = "paper2024"

        def item_score(self, prediction, reference):
            return float(str(prediction).strip().lower().startswith(str(reference).lower()))


    PAPER = Profile(
        name="paper2024",
        description="Paper 2024's evaluate.py: prefix match, case-insensitive",
        methods={"pubmedqa": Method(StartsWith, bugs=("prefix",))},
        bugs={"prefix": "an answer counts when the generation starts with the label"},
    )


    @medmetrics.hookimpl
    def register_compat_profiles(register):
        register(PAPER)
"""

RECORDS = [
    {"task": "pubmedqa", "out": "yes", "gold": "yes"},
    {"task": "pubmedqa", "out": "No.", "gold": "no"},
    {"task": "pubmedqa", "out": "The answer is maybe", "gold": "yes"},
    {"task": "pubmedqa", "out": "maybe", "gold": "maybe"},
]


@pytest.fixture(autouse=True)
def _fresh_default_catalog():
    plugins.reset_default_catalog()  # the CLI's catalog must see this test's fake distributions
    yield
    plugins.reset_default_catalog()


@pytest.fixture
def outgold_run(tmp_path: Path) -> Path:
    path = tmp_path / "runs" / "my-model.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


# --- adapters ----------------------------------------------------------------------------------


def test_builtin_adapters_are_registered_in_detection_order() -> None:
    catalog = load_catalog(entry_points=False, strict=True)
    assert detection_order(catalog) == ["lm_eval", "opencompass", "generic"]
    assert all(e.plugin == "medmetrics.default_plugins.adapters" for e in catalog.adapters)


def test_a_plugin_adapter_is_used_by_name_and_detected(fake_distribution, outgold_run: Path) -> None:
    fake_distribution("medmetrics-outgold", "outgold", "mm_outgold", OUTGOLD, version="0.2")
    catalog = load_catalog(strict=True)
    assert detection_order(catalog)[-2:] == ["outgold", "generic"]  # after the built-ins, before the catch-all
    named = load_runs(outgold_run, adapter="outgold", catalog=catalog)
    assert list(named) == ["my-model"]
    run = named["my-model"]["pubmedqa"]
    assert list(run.generations) == [r["out"] for r in RECORDS] and list(run.references)[1] == "no"
    assert detect(outgold_run, catalog) == "outgold"
    assert load_runs(outgold_run, catalog=catalog) == named
    other = outgold_run.with_name("plain.jsonl")  # the generic format is still read as before
    other.write_text(json.dumps({"task": "pubmedqa", "generation": "yes", "reference": "yes"}) + "\n",
                     encoding="utf-8")
    assert detect(other, catalog) == "generic"


def test_score_with_the_plugin_adapter_named_and_detected(fake_distribution, outgold_run: Path, capsys) -> None:
    fake_distribution("medmetrics-outgold", "outgold", "mm_outgold", OUTGOLD)
    for extra in (["--adapter", "outgold"], []):
        code, out, err = run_cli(capsys, "score", str(outgold_run), "--task", "pubmedqa", "--format", "json", *extra)
        assert code == 0, err
        accuracy = json.loads(out)["pubmedqa"]["results"]["accuracy"]
        assert accuracy["n"] == 4 and accuracy["value"] == 0.75  # "The answer is maybe" against yes: wrong
    code, out, err = run_cli(capsys, "score", str(outgold_run), "--format", "json")  # every task, auto-detected
    assert code == 0, err
    assert json.loads(out)["tasks"][0]["task"] == "pubmedqa"


def test_an_unknown_adapter_is_one_error_listing_them(fake_distribution, outgold_run: Path, capsys) -> None:
    fake_distribution("medmetrics-outgold", "outgold", "mm_outgold", OUTGOLD)
    code, out, err = run_cli(capsys, "score", str(outgold_run), "--adapter", "outgld")
    assert code == 2 and not out
    assert err.count("\n") == 1 and "unknown adapter 'outgld'" in err and "Did you mean 'outgold'" in err
    assert "lm_eval" in err and "auto" in err
    with pytest.raises(InputError, match="unknown adapter 'helm'"):
        load_runs(outgold_run, adapter="helm")


def test_adapters_in_help_need_no_plugins(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["score", "--help"])
    assert "(medmetrics list adapters)" in " ".join(capsys.readouterr().out.split())
    assert plugins._default is None  # --help loaded no plugin


def test_a_plugin_detect_that_raises_warns_and_is_skipped(fake_distribution, outgold_run: Path) -> None:
    broken = OUTGOLD.replace("if not (path.is_file()",
                             "raise OSError('cannot look')\n            if not (path.is_file()")
    fake_distribution("medmetrics-outgold", "outgold", "mm_outgold", broken, version="0.9")
    catalog = load_catalog()
    with pytest.warns(PluginWarning, match=r"adapter 'outgold' \(distribution medmetrics-outgold==0.9\) raised"):
        assert detect(outgold_run, catalog) == "generic"
    with pytest.raises(PluginError, match="cannot look"):
        detect(outgold_run, load_catalog(strict=True))


def test_a_plugin_read_that_raises_is_a_plugin_error(fake_distribution, outgold_run: Path) -> None:
    broken = OUTGOLD.replace("rows = []", "raise KeyError('out')")
    fake_distribution("medmetrics-outgold", "outgold", "mm_outgold", broken, version="0.9")
    with pytest.raises(PluginError, match=r"adapter 'outgold' \(distribution medmetrics-outgold==0.9\) raised "
                                          r"while reading .*KeyError"):
        load_runs(outgold_run, adapter="outgold", catalog=load_catalog(strict=True))


# --- compat profiles ---------------------------------------------------------------------------


def test_a_plugin_profile_scores_a_suite_with_provenance(fake_distribution, tmp_path: Path, capsys) -> None:
    fake_distribution("medmetrics-paper", "paper", "mm_paper", PAPER, version="0.3")
    run = tmp_path / "run"
    run.mkdir()
    (run / "pubmedqa.jsonl").write_text("".join(json.dumps({"generation": r["out"], "reference": r["gold"]}) + "\n"
                                                for r in RECORDS), encoding="utf-8")
    code, out, err = run_cli(capsys, "score", "--suite", "blurb", str(run), "--profile", "paper2024",
                             "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["profile"] == "paper2024" and result["signature"].endswith("|compat:paper2024")
    task = next(t for t in result["tasks"] if t["task"] == "pubmedqa")
    assert task["compat"]["value"] == 0.75  # "No." starts with "no"; "The answer is maybe" does not start with yes
    assert task["compat"]["signature"].startswith("compat:paper2024|paper_startswith@")
    assert task["compat"]["signature"].endswith("|medmetrics-paper==0.3")
    profile = get_profile("paper2024", catalog=load_catalog(strict=True))
    assert profile.provenance == "medmetrics-paper==0.3" and profile.tasks == ["pubmedqa"]
    assert get_profile("medinst").provenance is None  # built-ins carry medmetrics==version as before


def test_an_unknown_profile_is_one_error_with_a_suggestion(tmp_path: Path, capsys) -> None:
    code, out, err = run_cli(capsys, "score", "--suite", "blurb", str(tmp_path), "--profile", "medinstt")
    assert code == 2 and not out
    assert "unknown compat profile 'medinstt'" in err and "Did you mean 'medinst'" in err


# --- wrong shapes and clashes ------------------------------------------------------------------


@pytest.mark.parametrize(("source", "message"), [
    (OUTGOLD.replace("register(OutGold)", "register(OutGold())"),
     r"plugin 'bad' registered an instance of OutGold as an adapter; register the class itself"),
    (OUTGOLD.replace("register(OutGold)", "register(type('NoRead', (), {'name': 'noread', 'detect': len}))"),
     r"adapter class NoRead registered by plugin 'bad' has no callable read"),
    (PAPER.replace("register(PAPER)", "register(Profile)"),
     r"plugin 'bad' registered the class Profile as a compat profile; register a "
     r"medmetrics.metrics.compat.Profile object"),
    (PAPER.replace("register(PAPER)", "register({'name': 'paper2024'})"),
     r"plugin 'bad' registered a dict as a compat profile"),
    (OUTGOLD.replace("register(OutGold)", "register(OutGold, name='auto')"),
     r"plugin 'bad' registered an adapter named 'auto'"),
])
def test_a_wrong_shape_is_a_clear_error_naming_the_plugin(fake_distribution, source: str, message: str) -> None:
    fake_distribution("medmetrics-bad", "bad", "mm_bad", source)
    with pytest.raises(PluginError, match=message) as info:
        load_catalog(strict=True)
    assert isinstance(info.value.__cause__, InputError)
    with pytest.warns(PluginWarning, match="'bad'"):
        catalog = load_catalog()
    assert {p.name: p.status for p in catalog.plugins}["bad"] == "failed"


@pytest.mark.parametrize(("source", "kind", "name", "builtin"), [
    (OUTGOLD.replace('name = "outgold"', 'name = "lm_eval"'), "adapter", "lm_eval",
     "medmetrics.default_plugins.adapters"),
    (PAPER.replace('name="paper2024"', 'name="medinst"'), "profile", "medinst", "medmetrics.default_plugins.compat"),
])
def test_a_builtin_name_is_a_duplicate_name_error(fake_distribution, source: str, kind: str, name: str,
                                                  builtin: str) -> None:
    fake_distribution("medmetrics-clash", "clash", "mm_clash", source)
    with pytest.raises(PluginError) as info:
        load_catalog(strict=True)
    assert isinstance(info.value.__cause__, DuplicateNameError)
    assert f"{kind} name {name!r} is registered by plugin {builtin!r} and again by plugin 'clash'" in str(info.value)
    with pytest.warns(PluginWarning):
        catalog = load_catalog()
    assert catalog.registry(kind).get(name).plugin == builtin  # the built-in keeps its name


# --- listing -----------------------------------------------------------------------------------


def test_list_adapters_and_profiles_with_provenance(fake_distribution, capsys) -> None:
    fake_distribution("medmetrics-outgold", "outgold", "mm_outgold", OUTGOLD, version="0.2")
    fake_distribution("medmetrics-paper", "paper", "mm_paper", PAPER, version="0.3")
    with warnings.catch_warnings():
        warnings.simplefilter("error", PluginWarning)
        code, out, _ = run_cli(capsys, "list", "adapters", "--json")
    assert code == 0
    adapters = json.loads(out)["adapters"]
    assert [a["name"] for a in adapters] == ["lm_eval", "opencompass", "outgold", "generic"]  # as auto tries them
    mine = adapters[2]
    assert (mine["plugin"], mine["provenance"]) == ("outgold", "medmetrics-outgold==0.2")
    assert mine["summary"].startswith("Out/gold JSONL")
    assert adapters[0]["provenance"].startswith("medmetrics==")
    code, out, _ = run_cli(capsys, "list", "profiles", "--json")
    profiles = {p["name"]: p for p in json.loads(out)["profiles"]}
    assert {"biomistral_nlu", "medinst", "meds_bench", "paper2024"} == set(profiles)
    assert profiles["paper2024"]["provenance"] == "medmetrics-paper==0.3"
    assert profiles["paper2024"]["summary"] == "Paper 2024's evaluate.py: prefix match, case-insensitive"
    code, out, _ = run_cli(capsys, "list", "profiles")
    assert "paper2024" in out and "[medmetrics-paper==0.3]" in out and "medinst " in out
    code, out, _ = run_cli(capsys, "list", "--json")
    assert {"adapters", "profiles"} <= set(json.loads(out))


# --- the examples of docs/hooks.md run as written ----------------------------------------------


def _hooks_example(hook: str) -> types.ModuleType:
    """The ``python`` block of the hook's section of docs/hooks.md, as a plugin module."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "hooks.md").read_text(encoding="utf-8")
    section = page.split(f"## {hook}(register)", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"^```python\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
    module = types.ModuleType(f"hooks_md_{hook}")
    exec(compile(code, f"docs/hooks.md ({hook})", "exec"), module.__dict__)
    return module


def test_the_hooks_page_examples_work(outgold_run: Path, tmp_path: Path) -> None:
    from medmetrics.aggregate.suites import score_suite

    catalog = load_catalog(entry_points=False, strict=True, extra_plugins=[
        ("outgold", _hooks_example("register_adapters")), ("paper", _hooks_example("register_compat_profiles"))])
    assert detect(outgold_run, catalog) == "outgold"
    runs = load_runs(outgold_run, catalog=catalog)["my-model"]
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("not json\n", encoding="utf-8")
    assert detect(garbage, catalog) == "generic"  # detect never raises on other formats
    profile = get_profile("paper2024", catalog=catalog)
    suite = catalog.suites.get("blurb").obj
    result = score_suite(suite, runs, catalog=catalog, ci=False, compat=profile.scorer, profile=profile.name)
    task = next(t for t in result.tasks if t.task == "pubmedqa")
    assert task.compat is not None and task.compat.value == 0.75
    assert task.compat.signature.startswith("compat:paper2024|paper2024_startswith@1")
    assert task.compat.signature.endswith("|paper==local")  # extra_plugins: distribution = plugin name


def test_the_report_reads_a_plugin_adapters_run(fake_distribution, outgold_run: Path, tmp_path: Path, capsys) -> None:
    fake_distribution("medmetrics-outgold", "outgold", "mm_outgold", OUTGOLD)
    page = tmp_path / "report.html"
    code, _, err = run_cli(capsys, "report", str(outgold_run), "--adapter", "outgold", "--task", "pubmedqa",
                           "-o", str(page), "--ci", "0")
    assert code == 0, err
    assert "pubmedqa" in page.read_text(encoding="utf-8")
