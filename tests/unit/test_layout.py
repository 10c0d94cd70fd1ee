"""The shape of the code, checked: each feature in one place, no view importing a view, no
private names crossing modules, no import cycle (imports inside functions count too), and
no module too long to read."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("quiz", "accounts")
MAX_LINES = 800


def _modules() -> Iterator[tuple[str, Path]]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


MODULES = dict(_modules())


def _imports(module: str, path: Path) -> Iterator[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import anywhere in the file,
    inside functions and TYPE_CHECKING blocks too."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, [alias.name for alias in node.names], node.lineno


def _targets(imported: str, names: list[str]) -> set[str]:
    """The project modules an import loads: `from quiz import tasks` loads quiz.tasks."""
    found = set()
    if imported in MODULES:
        found.add(imported)
    for name in names:
        if f"{imported}.{name}" in MODULES:
            found.add(f"{imported}.{name}")
    return found - {"quiz", "accounts"}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        for imported, names, _line in _imports(module, path):
            graph[module] |= _targets(imported, names) - {module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_there_is_no_import_cycle_not_even_inside_functions():
    assert _cycles(_graph()) == []


def test_no_module_imports_a_private_name_from_another_module():
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {name} from {imported}"
        for module, path in MODULES.items()
        for imported, names, line in _imports(module, path)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert offending == []


def test_no_view_module_imports_another_view_module():
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for module, path in MODULES.items()
        if module.startswith(("quiz.views.", "accounts.views"))
        for imported, names, line in _imports(module, path)
        if _targets(imported, names) & {m for m in MODULES if m.startswith("quiz.views.")}
        or imported == "quiz.views"
    ]
    assert offending == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_800_lines(module):
    lines = MODULES[module].read_text().count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by what its parts do"


def test_each_feature_has_its_views_and_templates_under_one_name():
    features = {"play", "library", "uploads", "packs", "builder", "teach", "insights"}
    for feature in features:
        assert (ROOT / "quiz" / "views" / f"{feature}.py").is_file(), feature
        assert (ROOT / "templates" / "quiz" / feature).is_dir(), feature
    assert not list((ROOT / "quiz").glob("urls_*.py")), "one quiz/urls.py, a list per feature"
