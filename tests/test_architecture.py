"""The folders show the pipeline, and each stage imports only the stages below it
(docs/architecture.md). Every import counts, the ones inside functions too; only imports for type
annotations (under ``TYPE_CHECKING``) are left out, since they never run.

The few imports that go up are listed in ``UPWARD`` with the reason; a new one fails here until
it is moved down or listed with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "medmetrics"

#: lowest first: a module may import its own stage and the stages before it
STAGES = (
    ("foundation", {"errors", "_json", "_version", "options", "signatures", "results", "progress", "_moved"}),
    ("plugin service", {"registry", "hookspecs", "plugins"}),
    ("catalog", {"catalog"}),
    ("parsing", {"parsing"}),
    ("inputs", {"inputs"}),
    ("metrics", {"metrics"}),
    ("aggregate", {"aggregate"}),
    ("report", {"report"}),
    ("entry points", {"api", "cli", "__main__", "__init__", "pytest_plugin", "testing", "default_plugins"}),
)

#: (importing module, imported module) -> why this import goes up
UPWARD = {
    ("medmetrics.results", "medmetrics.metrics.base"):
        "Report.from_dict rebuilds the per-item statistics (Stats) a shard was written with",
    ("medmetrics.results", "medmetrics.report"):
        "Report.to_html and Report.item_scores: conveniences on the result that the report stage renders",
    ("medmetrics.results", "medmetrics.plugins"):
        "Report.merge rebuilds a result's metric by name, as the catalog builds it",
    ("medmetrics.aggregate.suites", "medmetrics.report"):
        "SuiteResult.to_html, as Report.to_html",
    ("medmetrics.registry", "medmetrics.metrics.compat"):
        "registering a compat profile checks that it is a Profile, with a clear error if not",
}


def _stage(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for rank, (_, members) in enumerate(STAGES):
        if top in members:
            return rank
    raise AssertionError(f"{module} is in no stage: add its folder to STAGES (and docs/architecture.md)")


def _name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """(imported medmetrics module, line) for every import that runs (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree)
                   if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING"
                   for node in ast.walk(block)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("medmetrics"):
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("medmetrics")]
    return found


def test_every_module_belongs_to_a_stage() -> None:
    for path in SRC.rglob("*.py"):
        _stage(_name(path))


def test_no_stage_imports_a_later_stage() -> None:
    upward = []
    for path in sorted(SRC.rglob("*.py")):
        module = _name(path)
        for imported, line in _imports(path):
            if imported == "medmetrics" or _stage(imported) <= _stage(module):
                continue
            if any(module == a and (imported == b or imported.startswith(b + ".")) for a, b in UPWARD):
                continue
            upward.append(f"{path.relative_to(SRC.parent)}:{line}: {module} ({STAGES[_stage(module)][0]}) imports "
                          f"{imported} ({STAGES[_stage(imported)][0]})")
    assert not upward, "imports that go up a stage:\n  " + "\n  ".join(upward)


def test_the_listed_exceptions_still_exist() -> None:
    """An exception that no longer happens is removed from the list, so the list stays true."""
    seen = {(_name(path), imported) for path in SRC.rglob("*.py") for imported, _ in _imports(path)}
    stale = [pair for pair in UPWARD if not any(m == pair[0] and (i == pair[1] or i.startswith(pair[1] + "."))
                                                 for m, i in seen)]
    assert not stale, f"no longer imported, drop from UPWARD: {stale}"


def _module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("medmetrics"):
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)  # "from pkg import module"
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name.startswith("medmetrics"))
    return out


def test_no_import_cycles() -> None:
    """No two modules import each other, directly or through others, when they are loaded."""
    modules = {_name(path): path for path in SRC.rglob("*.py")}
    graph = {m: {i for i in _module_level_imports(p) if i in modules and i != m} for m, p in modules.items()}
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(module):], module]))
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
