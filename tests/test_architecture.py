"""The shape of the code, checked: the layers import only downwards, no module reaches for another's
private names, and no modules import each other in a circle (read from the source, nothing run)."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("scanpipe", "models", "stations")


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def modules() -> dict[str, ast.Module]:
    found = {}
    for package in (*PACKAGES, "bench", "tests"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "output" not in path.parts:
                found[_name(path)] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return found


def _ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def _target(module: str, name: str) -> str:
    """What `from module import name` loads: the submodule when there is one."""
    return f"{module}.{name}" if f"{module}.{name}" in modules() else module


def _top_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """The statements run when the module is imported (not those under `if TYPE_CHECKING:`)."""
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.If | ast.Try | ast.With):
            yield from (n for n in ast.walk(node) if isinstance(n, ast.stmt))
        else:
            yield node


def imports(tree: ast.Module, *, load_time: bool) -> Iterator[tuple[ast.stmt, str, str | None]]:
    """(statement, module, name imported from it or None) for each of our modules imported."""
    nodes = _top_level(tree) if load_time else (n for n in ast.walk(tree) if isinstance(n, ast.stmt))
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _ours(alias.name):
                    yield node, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and _ours(node.module):
            for alias in node.names:
                yield node, node.module, alias.name


def _where(module: str, node: ast.stmt) -> str:
    return f"{module}:{node.lineno}"


def test_no_module_imports_another_ones_private_names():
    reached = []
    for module, tree in modules().items():
        aliases: dict[str, str] = {}  # local name -> our module it stands for
        for node, source, name in imports(tree, load_time=False):
            if name is None:
                for alias in node.names if isinstance(node, ast.Import) else ():
                    if alias.asname and _ours(alias.name):
                        aliases[alias.asname] = alias.name
                continue
            if name.startswith("_") and not name.startswith("__"):
                reached.append(f"{_where(module, node)} imports {source}.{name}")
            target = _target(source, name)
            if target != source:
                aliases[name] = target
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                reached.append(f"{module}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert not reached, "private names reached across modules:\n" + "\n".join(reached)


@pytest.mark.parametrize("layer, never", [
    ("scanpipe", ("models", "stations")),
    ("models", ("stations",)),
    ("scanpipe.domain", ("scanpipe.reading", "scanpipe.paper", "scanpipe.simulate")),
    ("scanpipe.reading", ("scanpipe.simulate",)),
    ("scanpipe.paper", ("scanpipe.simulate",)),
    ("models.audit.verify", ("models.store", "scanpipe.reading")),
    ("models.audit.export_check", ("models.store", "scanpipe.reading")),
    ("models.events", ("models.store", "models.audit")),
])
def test_layers_import_only_downwards(layer, never):
    wrong = [f"{_where(module, node)} imports {source}"
             for module, tree in modules().items() if module == layer or module.startswith(layer + ".")
             for node, source, name in imports(tree, load_time=False)
             if any(_target(source, name or "") == n or _target(source, name or "").startswith(n + ".")
                    for n in never)]
    assert not wrong, "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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


@pytest.mark.parametrize("load_time", [True, False], ids=["at-import", "in-functions-too"])
def test_no_modules_import_each_other_in_a_circle(load_time):
    graph: dict[str, set[str]] = {}
    for module, tree in modules().items():
        if _ours(module):
            found = (_target(source, name or "") for _, source, name in imports(tree, load_time=load_time))
            graph[module] = {target for target in found if target != module}
    assert not _cycles(graph)


def test_the_checks_see_what_they_are_meant_to():
    # The walk must find the project and its imports, or the tests above would pass on nothing.
    found = modules()
    assert {"scanpipe.reading.pipeline", "models.store", "stations.cli", "models.audit.verify"} <= set(found)
    edges = {_target(s, n or "") for _, s, n in imports(found["scanpipe.reading.pipeline"], load_time=True)}
    assert "scanpipe.reading.ocr" in edges and "scanpipe.domain.routing" in edges
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


_AMBIENT = ("os.environ", "os.getenv", "datetime.now", "datetime.utcnow", "date.today", "time.time")


def test_the_core_reads_no_environment_and_no_clock():
    # What scanpipe decides depends on the page and the campaign only: settings and dates are given.
    found = [f"{module}:{node.lineno} reads {ast.unparse(node)}"
             for module, tree in modules().items()
             if module.startswith(("scanpipe.domain", "scanpipe.reading", "scanpipe.paper"))
             for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and ast.unparse(node) in _AMBIENT]
    assert not found, "\n".join(found)
