"""The house keeps one direction: each floor of the package imports only the floors below it,
counting imports made inside functions, with one named exception; no module imports a private
name of another; no module or function outgrows the size the layout is built for.

The floors are those of ``docs/architecture.md``. The same rule is also declared as an
import-linter layers contract in ``pyproject.toml`` (run here too, when import-linter is
installed, as it is with the ``test`` extra).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import akhlak_levels

#: The source tree of a checkout: the rules are about the code as written. (In CI the tests import
#: the installed wheel, which also carries the bundled questionnaires as package data.)
ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "akhlak_levels"

#: Floors from the ground up. A module belongs to the first floor whose prefix it matches.
FLOORS: list[tuple[str, ...]] = [
    ("errors", "levels", "flags", "_tables", "_validation", "_version", "_export", "_workbook", "privacy", "_intervals"),
    ("_schema",),
    ("_votes", "_scales", "_xlsform_instrument"),
    ("_fhir_instrument",),
    ("questionnaire",),
    ("responses", "votes", "_votes_read", "_votes_fast", "_votes_cells", "_votes_long", "_fields", "_readers", "_durations", "_coding", "interop"),
    ("model",),
    ("quality",),
    ("assessment", "scorer"),
    ("decisions", "culture"),
    ("growth",),
    ("store",),
    ("plots",),
    ("reports",),
    ("server",),
    ("cli", "__main__", "dask"),
]

#: The one upward import allowed: a questionnaire's default model is its theory prior, built on
#: first use (a lazy import inside the ``default_model`` property).
ALLOWED_UPWARD = {("akhlak_levels.questionnaire", "akhlak_levels.model", "default_model")}

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _floor(module: str) -> int:
    if module == "akhlak_levels":  # the root re-exports every floor: it is the top
        return len(FLOORS)
    rest = module.split(".", 1)[1] if "." in module else ""
    head = rest.split(".", 1)[0]
    for i, names in enumerate(FLOORS):
        if head in names:
            return i
    raise AssertionError(f"{module} is on no floor: add it to FLOORS here and to docs/architecture.md")


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """Every import of the package made by one module: (target module, names, enclosing function)."""

    def __init__(self, module: str, is_package: bool, known: set[str]):
        self.module = module
        self.package = module if is_package else module.rsplit(".", 1)[0]
        self.known = known
        self.found: list[tuple[str, tuple[str, ...], str | None]] = []
        self.function: list[str] = []

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node):  # annotations only: never executed
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.function.append(node.name)
        self.generic_visit(node)
        self.function.pop()

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "akhlak_levels" or alias.name.startswith("akhlak_levels."):
                self._add(alias.name, ())

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if not (target == "akhlak_levels" or target.startswith("akhlak_levels.")):
            return
        names = tuple(a.name for a in node.names)
        if node.module is None:  # from . import x: x is a submodule, or a name of the package
            for n in names:
                if f"{target}.{n}" in self.known:
                    self._add(f"{target}.{n}", ())
                else:
                    self._add(target, (n,))
        else:
            self._add(target, names)

    def _add(self, target: str, names: tuple[str, ...]) -> None:
        self.found.append((target, names, self.function[-1] if self.function else None))


def _imports() -> list[tuple[str, str, tuple[str, ...], str | None]]:
    modules = _modules()
    out = []
    for name, path in modules.items():
        v = _Imports(name, path.name == "__init__.py", set(modules))
        v.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        out.extend((name, target, names, fn) for target, names, fn in v.found)
    return out


def _internal_edges() -> list[tuple[str, str, tuple[str, ...], str | None]]:
    return [e for e in _imports() if e[0] != "akhlak_levels"]  # the root re-exports every floor


def test_every_module_is_on_a_floor():
    for name in _modules():
        if name != "akhlak_levels":
            _floor(name)


def test_no_floor_imports_a_floor_above_it():
    upward = []
    for src, target, _, fn in _internal_edges():
        if target == "akhlak_levels":
            upward.append(f"{src} imports the package root (import from the floor instead)")
        elif _floor(target) > _floor(src) and (src, target, fn) not in ALLOWED_UPWARD:
            upward.append(f"{src} -> {target}" + (f" (inside {fn})" if fn else ""))
    assert upward == []


def test_the_one_allowed_upward_import_is_lazy_and_still_needed():
    found = {(s, t, fn) for s, t, _, fn in _internal_edges() if _floor(t) > _floor(s)}
    assert found == ALLOWED_UPWARD  # inside default_model, nowhere else; stale exceptions fail too


def test_the_import_graph_has_no_cycle():
    """Tarjan's strongly connected components over module -> module edges (a package's
    ``__init__`` is its own node), with the one allowed lazy edge left out."""
    graph: dict[str, set[str]] = {m: set() for m in _modules()}
    for src, target, names, fn in _imports():
        if (src, target, fn) in ALLOWED_UPWARD or src == "akhlak_levels":
            continue
        # `from pkg import mod` names a submodule: the edge goes to it
        resolved = [f"{target}.{n}" for n in names if f"{target}.{n}" in graph] or [target]
        for t in resolved:
            if t in graph and t != src:
                graph[src].add(t)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def strongconnect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    # a subpackage's __init__ importing its own modules, which import siblings, is not a cycle
    # unless a module imports its own package's __init__ back: that is what is reported
    assert cycles == []


def test_no_module_imports_a_private_name_of_another():
    """``from x import _name`` only where ``_name`` is a private submodule of the importer's own
    package (``from . import _supervised``); never a private function or constant."""
    modules = _modules()
    private = []
    for src, target, names, _ in _internal_edges():
        src_package = src if modules[src].name == "__init__.py" else src.rsplit(".", 1)[0]
        for n in names:
            if not n.startswith("_") or (n.startswith("__") and n.endswith("__")):
                continue
            if f"{target}.{n}" in modules and target == src_package:
                continue
            private.append(f"{src}: from {target} import {n}")
    assert private == []


def test_private_modules_are_imported_only_inside_their_package():
    crossing = []
    for src, target, _, _ in _internal_edges():
        parts = target.split(".")
        private_at = [i for i, p in enumerate(parts) if p.startswith("_") and not p.startswith("__")]
        if not private_at or len(parts) < 3:
            continue  # a private module of the ground or responses floor sits in the root package
        owner = ".".join(parts[: private_at[0]])
        if not (src == owner or src.startswith(owner + ".")):
            crossing.append(f"{src} -> {target}")
    assert crossing == []


def test_no_module_and_no_function_is_too_long():
    too_long = []
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}.{node.name}: {n} lines")
    assert too_long == []


def test_public_functions_do_not_shadow_modules():
    """``import akhlak_levels.reliability`` must not hand back a function: every public name of
    the root is either not a module path, or is that module."""
    import importlib.util

    for name in akhlak_levels.__all__:
        spec = importlib.util.find_spec(f"akhlak_levels.{name}") if not name.startswith("__") else None
        assert spec is None, f"akhlak_levels.{name} is both a public name and a module"


def test_the_import_linter_contract_holds(capsys):
    """The layers contract of pyproject.toml, by import-linter (a test dependency)."""
    lint = pytest.importorskip("importlinter.cli", reason="import-linter comes with the test extra")
    code = lint.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert code == 0, capsys.readouterr().out
