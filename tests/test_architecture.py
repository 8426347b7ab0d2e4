"""The package's shape: data flows one way (ingest → embedding → store → pipeline, then
store → search → answer → assistant/gaps → cli/web), modules and functions stay small,
benchmarks stay out of the product."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "plw_assistant"
BENCH = PACKAGE.parent / "plw_bench"
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
    "pipeline": 4,
    "search": 5,
    "answer": 6,
    "planning": 7,  # a question's trip to its passages, which the assistant answers from
    "assistant": 7,
    "lessons": 7,
    "gaps": 7,
    "evaluation": 8,
    "cli": 8,
    "web": 8,
}
# What an area never imports, whatever the layers allow: the question side (search and
# everything that answers) reads only what the pipeline wrote, never notes or the pipeline
# itself; the domain's types do not depend on how settings are read.
QUESTION_SIDE = ("search", "answer", "planning", "assistant", "lessons", "gaps")
NEVER = {
    **{area: {"ingest", "pipeline"} for area in QUESTION_SIDE},
    "domain": {"config"},
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
    for area, line in _product_imports(path):
        assert LAYERS[area] <= mine, f"{path.relative_to(PACKAGE)}:{line} imports {area}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_what_an_area_never_imports(path: Path) -> None:
    never = NEVER.get(_area(path), set())
    for area, line in _product_imports(path):
        assert area not in never, f"{path.relative_to(PACKAGE)}:{line} imports {area}"


def test_top_level_areas_import_each_other_in_one_direction_only() -> None:
    graph: dict[str, set[str]] = {}
    for path in _modules():
        mine = _area(path)
        graph.setdefault(mine, set()).update(a for a, _ in _product_imports(path) if a != mine)
    for start in graph:  # a depth-first walk from each area must never come back to it
        seen, todo = set(), list(graph[start])
        while todo:
            area = todo.pop()
            assert area != start, f"{start} imports itself through {sorted(seen)}"
            if area not in seen:
                seen.add(area)
                todo += graph.get(area, ())


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_product_never_imports_its_benchmarks(path: Path) -> None:
    assert not [line for name, line in _imports(path) if name.startswith("plw_bench")], path


@pytest.mark.parametrize("path", sorted(BENCH.rglob("*.py")), ids=lambda p: p.name)
def test_benchmarks_use_the_product_not_its_command_line(path: Path) -> None:
    """`plw bench` is found through an entry point (see pyproject.toml), so the two command
    lines never import each other."""
    cli = [line for name, line in _imports(path) if name == "plw_assistant.cli"]
    assert not cli, f"{path.name}:{cli} imports plw_assistant.cli"


@pytest.mark.parametrize("path", [*_modules(), *sorted(BENCH.rglob("*.py"))], ids=lambda p: p.name)
def test_no_private_name_of_another_package_is_imported(path: Path) -> None:
    """Only public APIs of libraries (bm25s's stop words are ``bm25s.stopwords``, its scores
    ``BM25.get_scores`` and ``retrieve``): a private one may change in any release."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] in ("plw_assistant", "plw_bench", "__future__"):
                continue
            private = [p for p in parts if p.startswith("_") and not p.endswith("__")]
            assert not private, f"{path.name}:{node.lineno} imports {name}"


def _product_imports(path: Path) -> list[tuple[str, int]]:
    """(top-level area of plw_assistant, line) of every import of the product's own code."""
    found = []
    for name, line in _imports(path):
        top, _, area = name.partition(".")
        if top == "plw_assistant" and area and area != "__version__":
            found.append((area, line))
    return found


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
