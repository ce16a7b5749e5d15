"""The suite table's compat column names, per task, the evaluator and the keys of its known bugs
that apply there (issue #12, item 4); a crashing evaluator's note is printed."""

from __future__ import annotations

import json

import pytest

from medmetrics.aggregate.suites import score_suite
from medmetrics.catalog.suite import Suite
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.compat import PROFILES, Method, Profile, get_profile
from medmetrics.metrics.compat.meds_bench import FirstCharacter
from medmetrics.plugins import load_catalog
from medmetrics.report.suites import known_bugs, render_suite


@pytest.mark.parametrize("name", PROFILES)
def test_every_task_names_known_bugs_of_its_profile(name: str) -> None:
    profile = get_profile(name)
    used = set()
    for task, method in profile.methods.items():
        assert method.bugs, task
        assert set(method.bugs) <= set(profile.bugs), task
        used |= set(method.bugs)
    assert used == set(profile.bugs)  # no key is described but never applied
    assert all(description.strip() for description in profile.bugs.values())


def test_an_unknown_bug_key_is_refused() -> None:
    with pytest.raises(ValueError, match="no-such-bug"):
        Profile("p", "d", {"medqa": Method(FirstCharacter, bugs=("no-such-bug",))}, bugs={"first-character": "x"})


def _suite_result(runs: dict[str, TaskRun], members: dict[str, tuple[str, ...]]):
    catalog = load_catalog(entry_points=False, strict=True)
    profile = get_profile("meds_bench")
    return score_suite(Suite("s", members), runs, catalog=catalog, ci=False, compat=profile.scorer,
                       profile=profile.name)


def test_the_table_names_the_bugs_per_task_and_prints_crash_notes() -> None:
    runs = {"medqa": TaskRun("medqa", ["Answer: B", "C"], ["B", "C"]),
            "healthfact": TaskRun("healthfact", ["mixture", "N/A"], ["mixture", "false"])}
    result = _suite_result(runs, {"mcqa": ("medqa",), "fact": ("healthfact",)})
    text = render_suite(result, "text")
    header = text.splitlines()[2]
    assert header.split()[-4:] == ["meds_bench", "moved", "evaluator", "bugs"]
    medqa = next(line for line in text.splitlines() if " medqa " in line)
    assert medqa.rstrip().endswith("first-character, pandas-nan")
    assert "note: healthfact (meds_bench): meds_bench evaluator crashes on task 'healthfact'" in text
    assert "Metrics/FactVerification.py raises AttributeError on item 1" in text
    data = json.loads(render_suite(result, "json"))
    by_task = {t["task"]: t for t in data["tasks"]}
    assert by_task["medqa"]["compat_bugs"] == ["first-character", "pandas-nan"]
    assert by_task["healthfact"]["compat"]["value"] is None  # the evaluator prints no number (NaN)
    assert "| evaluator bugs |" in render_suite(result, "markdown")


def test_tasks_outside_the_profile_have_no_key() -> None:
    assert known_bugs("meds_bench", "chemprot") is None
    assert known_bugs(None, "medqa") is None
    assert known_bugs("biomistral_nlu", "jnlpba") == ("assistant-deleted", "lines-by-position", "none-exact",
                                                      "dedup-over-20", "overall-drops")


def _documented_line(profile: Profile, key: str) -> str:
    tasks = sorted(task for task, method in profile.methods.items() if key in method.bugs)
    return f"- `{key}`: {profile.bugs[key]} ({', '.join(tasks)})"


@pytest.mark.parametrize("name", PROFILES)
def test_docs_list_each_bug_key_with_its_text_and_tasks(name: str) -> None:
    """docs/builtins.md ("Compat profiles") lists every key as the profile declares it: its text and
    the tasks it applies to, so the table's key column can be looked up and is never stale."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "builtins.md").read_text(encoding="utf-8")
    profile = get_profile(name)
    stale = [_documented_line(profile, key) for key in profile.bugs if _documented_line(profile, key) not in docs]
    assert not stale, "docs/builtins.md should list:\n" + "\n".join(stale)
