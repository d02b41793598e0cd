"""The package layering of docs/architecture.md, checked on the source: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIMULATOR_LAUNCHER = ROOT / "dashboard" / "commands" / "simulate.py"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("data_adapters", {"dashboard", "simulator"}), ("simulator", {"dashboard", "data_adapters"})],
)
def test_lower_layers_do_not_import_upper_ones(package: str, forbidden: set[str]) -> None:
    offenders = {str(p.relative_to(ROOT)): _imports(p) & forbidden for p in _modules(package)}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_simulate_command_starts_the_simulator() -> None:
    importers = [
        str(p.relative_to(ROOT))
        for p in _modules("dashboard")
        if "simulator" in _imports(p) and p != SIMULATOR_LAUNCHER
    ]
    assert importers == []


@pytest.mark.parametrize("package", ["dashboard", "data_adapters", "simulator", "tests", "bench"])
def test_every_module_says_what_it_is_for(package: str) -> None:
    missing = [
        str(p.relative_to(ROOT))
        for p in _modules(package)
        if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert missing == []
