"""House rules of the package: small modules, no import cycles, a step that reads as the ODD
schedule, explicit registries, no module shadowed by a function, a fast start. (Return types of
public names are checked by ruff's ANN rules in .ci/run.)"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

SRC = ROOT / "src" / "innosim"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, package: str, modules: dict[str, Path]) -> set[str]:
    """Every innosim module a module imports, at any level (functions included), except
    under ``if TYPE_CHECKING:``, which never runs."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking(node):
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in modules:
                    found.add(sub)
                elif base in modules:
                    found.add(_lazy_target(base, alias.name, modules) or base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _lazy_target(package: str, name: str, modules: dict[str, Path]) -> str | None:
    """The module a lazily exported name of ``package`` comes from (``_EXPORTS`` tables)."""
    path = modules[package]
    if path.name != "__init__.py":
        return None
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            table = {
                ast.literal_eval(k): ast.literal_eval(v)
                for k, v in zip(node.keys, node.values)
                if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
            }
            if name in table:
                return table[name]
    return None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = _imports(ast.parse(path.read_text(encoding="utf-8")), package, modules) - {name}
    return graph


def test_no_module_over_400_lines_without_a_reason():
    long = []
    for name, path in _modules().items():
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and "over 400 lines" not in doc:
            long.append(f"{name}: {lines} lines")
    assert not long, long


def test_no_import_cycle_even_through_function_level_imports():
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert graph["innosim.model.model"] >= {"innosim.model.rd", "innosim.model.calls"}  # the checker sees imports


def test_package_inits_import_nothing_heavy():
    """``innosim/__init__`` exports lazily and imports no other innosim module; a subpackage's
    ``__init__`` imports at most its own modules (``sensitivity.methods`` builds its registry)."""
    graph = _graph()
    assert graph["innosim"] <= {"innosim._lazy"}, graph["innosim"]
    for name, path in _modules().items():
        if path.name == "__init__.py" and name != "innosim":
            outside = {m for m in graph[name] if m != "innosim._lazy" and not m.startswith(name + ".")}
            assert not outside, (name, outside)


def test_step_reads_as_the_odd_schedule():
    """``InnovationModel.step`` calls one process per line, in the order of the ODD schedule (docs/model.md)."""
    from innosim.model.model import InnovationModel

    tree = ast.parse(inspect.getsource(InnovationModel.step).strip().replace("\n    ", "\n"))
    calls = sorted(
        (node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)),
        key=lambda node: (node.lineno, node.col_offset),
    )
    names = [ast.unparse(c.func) for c in calls]
    schedule = [
        "calls.open_calls",
        "talent.talent_market",
        "rd.decide_rd",
        "knowledge.produce_knowledge",
        "production.produce",
        "certification.certify",
        "finance.finance",
        "demography.demography",
        "carriers.evolve_carriers_and_institutions",
        "self.record_indicators",
        "self.compact",
    ]
    assert names == schedule
    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    positions = [doc.index(f"`{n.split('.')[-1]}`") for n in schedule[:-1]]
    assert positions == sorted(positions)


def test_no_module_is_shadowed_by_a_function_of_the_package():
    import innosim

    for name in innosim.__all__:
        if (SRC / f"{name}.py").exists() or (SRC / name / "__init__.py").exists():
            pytest.fail(f"innosim.{name} is both a module and an exported name")
        assert getattr(innosim, name) is not None


def test_experiment_kinds_are_registered_explicitly():
    from innosim.design.config import Optimisation
    from innosim.experiments.kinds import KINDS
    from innosim.experiments.sweep import Sweep
    from innosim.sensitivity.config import Sensitivity

    assert KINDS == {"sweep": Sweep, "sensitivity": Sensitivity, "optimise": Optimisation}
    source = (SRC / "experiments" / "kinds.py").read_text(encoding="utf-8")
    assert "KINDS: dict[str, type[Experiment]] = {" in source
    for path in SRC.rglob("*.py"):
        if path.name != "kinds.py":
            assert "KINDS[" not in path.read_text(encoding="utf-8"), path


def test_cli_languages_agree_with_the_labels():
    from innosim import cli, labels

    assert cli.LANGS == labels.LANGS


def test_import_and_help_load_no_heavy_library():
    """``import innosim`` and ``innosim --help`` leave Mesa, pandas, SciPy and matplotlib unimported."""
    code = (
        "import sys, innosim, innosim.cli; from innosim.cli import app; "
        "print(sorted(m for m in ('mesa', 'pandas', 'scipy', 'matplotlib', 'numpy', 'pyarrow') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]", r.stdout
