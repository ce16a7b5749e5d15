"""The documentation in ``docs/`` is checked against the code, so it cannot silently go stale.

- ``docs/hooks.md`` has a ``## <hook>(<args>)`` section for every hook in ``hookspecs.py``, and
  no such section for a hook that does not exist.
- ``docs/builtins.md`` has a ``### `name` `` section, under ``## Parsers``, ``## Metrics`` or
  ``## Tasks``, for every built-in, which mentions each of its aliases and option keys; for a
  built-in with declared options (``options_class``, ``context_class``), its option table lists
  exactly the declared names, each with its declared default.
- ``docs/tutorial-plugin.md`` quotes the example plugin: a fenced block whose info string holds
  ``file=<path from the repository root>`` must occur in that file verbatim; a line ``# ...``
  inside it is an elision, and the pieces around it must occur in order.
- ``docs/testing.md`` documents every fixture and every public check of the test kit.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pluggy
import pytest

from medmetrics import hookspecs, pytest_plugin
from medmetrics.options import declared
from medmetrics.plugins import Catalog, load_catalog
from medmetrics.testing import conformance

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PLUGIN_FILES = ROOT / "plugins" / "medmetrics-example"

_FENCE = re.compile(r"^(?P<fence>```+|~~~+)(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
_ELISION = re.compile(r"^[ \t]*# \.\.\.[ \t]*$", re.MULTILINE)
_HOOK_HEADING = re.compile(r"^## (\w+\(.*\))[ \t]*$", re.MULTILINE)


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _without_code(markdown: str) -> str:
    """The Markdown outside fenced blocks, so a ``#`` comment in code is not read as a heading."""
    return _FENCE.sub("", markdown)


def _sections(markdown: str, level: int) -> dict[str, str]:
    """Heading text -> the text up to the next heading of the same or a higher level."""
    marks = "#" * level
    parts = re.split(rf"^({marks} [^\n]*)$", markdown, flags=re.MULTILINE)
    sections: dict[str, str] = {}
    for heading, body in zip(parts[1::2], parts[2::2]):
        sections[heading[level + 1:].strip()] = re.split(rf"^#{{1,{level}}} ", body, flags=re.MULTILINE)[0]
    return sections


# --- hooks.md --------------------------------------------------------------------------------


def _hook_signatures() -> dict[str, str]:
    """Hook name -> ``name(arg, ...)`` for every hook specification, found the way pluggy does."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    signatures = {}
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if manager.parse_hookspec_opts(hookspecs, name) is not None:
            signatures[name] = f"{name}({', '.join(inspect.signature(function).parameters)})"
    return signatures


def test_there_are_hooks_to_document() -> None:
    assert {"register_parsers", "register_metrics", "register_tasks"} <= set(_hook_signatures())


@pytest.mark.parametrize("hook", sorted(_hook_signatures()))
def test_every_hook_has_a_section_titled_with_its_signature(hook: str) -> None:
    signature = _hook_signatures()[hook]
    headings = _HOOK_HEADING.findall(_without_code(_read("hooks.md")))
    assert signature in headings, f"docs/hooks.md has no section '## {signature}'; hook sections: {headings}"


def test_hook_sections_name_only_existing_hooks() -> None:
    stale = set(_HOOK_HEADING.findall(_without_code(_read("hooks.md")))) - set(_hook_signatures().values())
    assert not stale, f"docs/hooks.md documents hooks that hookspecs.py does not define: {sorted(stale)}"


@pytest.mark.parametrize("variable", ["MEDMETRICS_STRICT_PLUGINS", "MEDMETRICS_PLUGINS", "MEDMETRICS_BLOCK_PLUGINS"])
def test_hooks_page_documents_the_loading_switches(variable: str) -> None:
    from medmetrics import plugins

    assert variable in {plugins.ENV_STRICT, plugins.ENV_ONLY, plugins.ENV_BLOCK}
    assert f"`{variable}" in _read("hooks.md")


# --- builtins.md -----------------------------------------------------------------------------

_KINDS = {"parser": "Parsers", "metric": "Metrics", "task": "Tasks", "suite": "Suites"}


@pytest.fixture(scope="module")
def builtin_catalog() -> Catalog:
    return load_catalog(entry_points=False, strict=True)


def _kind_sections(kind: str) -> dict[str, str]:
    """``name`` -> section text, from the ``### `name` `` headings under ``## Parsers`` (or ...)."""
    kind_section = _sections(_without_code(_read("builtins.md")), 2).get(_KINDS[kind])
    assert kind_section is not None, f"docs/builtins.md has no '## {_KINDS[kind]}' section"
    return {heading.strip("`"): body for heading, body in _sections(kind_section, 3).items()}


def test_there_are_builtins_to_document(builtin_catalog: Catalog) -> None:
    assert len(builtin_catalog.parsers) >= 4 and len(builtin_catalog.metrics) >= 4 and len(builtin_catalog.tasks) >= 8


@pytest.mark.parametrize("kind", list(_KINDS))
def test_every_builtin_is_documented_with_its_aliases_and_options(kind: str, builtin_catalog: Catalog) -> None:
    sections = _kind_sections(kind)
    missing = []
    for entry in builtin_catalog.registry(kind):
        section = sections.get(entry.name)
        if section is None:
            missing.append(f"no '### `{entry.name}`' section under '## {_KINDS[kind]}'")
            continue
        missing += [f"{entry.name}: alias `{alias}` not mentioned" for alias in entry.aliases
                    if f"`{alias}`" not in section]
        missing += [f"{entry.name}: option `{key}` not mentioned" for key in getattr(entry.obj, "defaults", {})
                    if f"`{key}`" not in section]
    assert not missing, "docs/builtins.md is out of date:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("kind", list(_KINDS))
def test_builtin_sections_name_only_registered_things(kind: str, builtin_catalog: Catalog) -> None:
    stale = set(_kind_sections(kind)) - set(builtin_catalog.registry(kind).names())
    assert not stale, f"docs/builtins.md documents {kind}s that are not registered: {sorted(stale)}"


_TABLE_ROW = re.compile(r"^\|[ \t]*`(?P<name>[^`|]+)`[ \t]*\|(?P<default>[^|]*)\|", re.MULTILINE)
_TABLE_HEAD = re.compile(r"^\|[ \t]*option( / context key)?[ \t]*\|[ \t]*default[ \t]*\|[^\n]*\n\|[-| ]+\|\n",
                         re.MULTILINE)


def _option_rows(section: str) -> dict[str, tuple[str, str]] | None:
    """Option name -> (the default column's first code span, the whole row), from the section's
    option table (``| option | default | meaning |``), or None when it has none."""
    head = _TABLE_HEAD.search(section)
    if head is None:
        return None
    rows = re.match(r"(?:\|[^\n]*\n?)*", section[head.end():])
    table = rows.group(0) if rows else ""
    return {row["name"]: ((re.findall(r"`([^`]*)`", row["default"]) or [row["default"].strip()])[0],
                          table[row.start():table.find("\n", row.start())])
            for row in _TABLE_ROW.finditer(table)}


def _as_documented(value: object) -> str:
    """A default as the tables write it: a string in double quotes, anything else as Python does."""
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _declared_builtins() -> list[tuple[str, str, type]]:
    catalog = load_catalog(entry_points=False, strict=True)
    return [(kind, entry.name, entry.obj) for kind in ("parser", "metric") for entry in catalog.registry(kind)
            if getattr(entry.obj, "options_class", None) or getattr(entry.obj, "context_class", None)]


def test_most_builtins_declare_their_options() -> None:
    catalog = load_catalog(entry_points=False, strict=True)
    undeclared = [entry.name for kind in ("parser", "metric") for entry in catalog.registry(kind)
                  if entry.obj.defaults and not (getattr(entry.obj, "options_class", None)
                                                 or getattr(entry.obj, "context_class", None))]
    assert not undeclared, f"built-ins with a plain defaults mapping (declare an options_class): {undeclared}"


@pytest.mark.parametrize(("kind", "name", "cls"), _declared_builtins(), ids=lambda x: x if isinstance(x, str) else "")
def test_option_tables_match_the_declarations(kind: str, name: str, cls: type) -> None:
    section = _kind_sections(kind)[name]
    rows = _option_rows(section)
    assert rows is not None, f"docs/builtins.md: '### `{name}`' has no '| option | default | meaning |' table"
    context = getattr(cls, "context_class", None)
    options = {key: option for declaration in (cls.options_class, context)
               if declaration is not None for key, option in declared(declaration).items()}
    assert sorted(rows) == sorted(options), (
        f"docs/builtins.md: the option table of `{name}` lists {sorted(rows)}; {cls.__name__} declares "
        f"{sorted(options)}")
    wrong = {key: (rows[key][0], _as_documented(option.default)) for key, option in options.items()
             if rows[key][0] != _as_documented(option.default)}
    assert not wrong, f"docs/builtins.md: `{name}` defaults (documented, declared): {wrong}"
    per_item = [key for key in (declared(context) if context else ()) if "(per item)" not in rows[key][1]]
    assert not per_item, f"docs/builtins.md: `{name}`: context keys not marked '(per item)': {per_item}"
    for old, new in getattr(cls.options_class, "renamed", {}).items():
        assert f"`{old}`" in section, f"docs/builtins.md: `{name}` does not say `{new}` was called `{old}`"


# --- tutorial-plugin.md ----------------------------------------------------------------------


def _quoted_excerpts() -> list[tuple[str, str]]:
    """(path, excerpt) for every fenced block of the tutorial whose info string names a file."""
    excerpts = []
    for block in _FENCE.finditer(_read("tutorial-plugin.md")):
        named = re.search(r"\bfile=(\S+)", block["info"])
        if named:
            excerpts.append((named.group(1), block["body"]))
    return excerpts


def test_the_tutorial_quotes_every_file_of_the_plugin() -> None:
    quoted = {path for path, _ in _quoted_excerpts()}
    package = "plugins/medmetrics-example/src/medmetrics_example"
    expected = {"plugins/medmetrics-example/pyproject.toml", f"{package}/plugin.py", f"{package}/parsers.py",
                f"{package}/metrics.py", f"{package}/tasks.py"}
    assert expected <= quoted, f"the tutorial quotes no excerpt of {sorted(expected - quoted)}"


@pytest.mark.parametrize(("path", "excerpt"), _quoted_excerpts(),
                         ids=[f"{path}:{i}" for i, (path, _) in enumerate(_quoted_excerpts())])
def test_tutorial_excerpt_occurs_in_the_real_file(path: str, excerpt: str) -> None:
    file = ROOT / path
    assert file.is_relative_to(PLUGIN_FILES) and file.is_file(), f"the tutorial quotes {path}, which does not exist"
    text = file.read_text(encoding="utf-8")
    position = 0
    for piece in _ELISION.split(excerpt):
        piece = piece.strip("\n")
        if not piece.strip():
            continue
        found = text.find(piece, position)
        assert found >= 0, (
            f"docs/tutorial-plugin.md quotes code that is no longer in {path} (or not in this order):\n{piece}"
        )
        position = found + len(piece)


# --- testing.md ------------------------------------------------------------------------------


def _fixture_names() -> list[str]:
    return sorted(name for name in vars(pytest_plugin) if name.startswith("medmetrics_"))


def _conformance_checks() -> list[str]:
    return sorted(name for name, value in vars(conformance).items()
                  if inspect.isfunction(value) and value.__module__ == conformance.__name__
                  and not name.startswith("_"))


def test_there_are_fixtures_and_checks_to_document() -> None:
    assert len(_fixture_names()) >= 5 and {"check_parser", "check_metric"} <= set(_conformance_checks())


@pytest.mark.parametrize("name", _fixture_names() + _conformance_checks())
def test_testing_page_documents_every_fixture_and_check(name: str) -> None:
    assert f"`{name}" in _read("testing.md"), f"docs/testing.md does not document `{name}`"
