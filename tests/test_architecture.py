"""The package's shape: data flows one way (ingest → embedding → store → search → answer →
assistant/gaps → cli/web), modules and functions stay small, benchmarks stay out of the product."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "plw_assistant"
# Lower layers never import higher ones; a layer may import itself and anything lower.
LAYERS = {
    "__init__": 0,
    "config": 0,
    "errors": 0,
    "text": 0,
    "words": 0,
    "spreadsheet": 0,
    "domain": 0,
    "ingest": 1,
    "embedding": 2,
    "store": 3,
    "appdata": 3,
    "search": 4,
    "answer": 5,
    "assistant": 6,
    "lessons": 6,
    "gaps": 6,
    "evaluation": 7,
    "cli": 7,
    "web": 7,
}
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _area(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, int]]:
    """(top-level area of plw_assistant or another package, line) of every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                parts = base + (node.module.split(".") if node.module else [])
                if len(parts) == 1:  # from . import x / from .. import x
                    parts += [a.name for a in node.names][:1]
            else:
                parts = (node.module or "").split(".")
            found.append((".".join(parts[:2]), node.lineno))
        elif isinstance(node, ast.Import):
            found += [(".".join(a.name.split(".")[:2]), node.lineno) for a in node.names]
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_lower_imports_anything_higher(path: Path) -> None:
    mine = LAYERS[_area(path)]
    for name, line in _imports(path):
        top, _, area = name.partition(".")
        if top == "plw_bench":
            assert path.name == "app.py" and _area(path) == "cli", f"{path}:{line}"
            continue
        if top != "plw_assistant" or not area or area == "__version__":
            continue
        assert LAYERS[area] <= mine, f"{path.relative_to(PACKAGE)}:{line} imports {name}"


def test_the_layer_check_sees_relative_imports() -> None:
    imports = dict(_imports(PACKAGE / "store" / "reader.py"))
    assert "plw_assistant.domain" in imports and "plw_assistant.store" in imports


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, path
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{path}:{node.lineno} {node.name} {length}"
