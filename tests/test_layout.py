"""The layout rules of docs/architecture.md, checked on the source: imports, sizes, one copy of the demo data, ruff."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("journeys", "agent", "tools", "ui", "cli", "dialogues", "prompts")
LONGEST_FUNCTION = 120


def modules() -> dict[str, Path]:
    """Every module of the application packages, by dotted name (migration scripts are Alembic's, not ours)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")] = path
    return found


def runtime_imports(path: Path) -> list[str]:
    """The modules a file imports when it runs, anywhere in it (imports only for type checkers left out)."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                names.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names.append(child.module)
                names.extend(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return names


def import_graph() -> nx.DiGraph:
    known = modules()
    graph = nx.DiGraph()
    for name, path in known.items():
        graph.add_node(name)
        for target in runtime_imports(path):
            while target and target not in known:  # `from a.b import c`: c is a name in a.b, or the module a.b.c
                target = target.rpartition(".")[0]
            # A module importing its own package's __init__ is Python loading the package first, not a circle.
            if target and target != name and not name.startswith(target + "."):
                graph.add_edge(name, target)
    return graph


def test_no_module_imports_itself_through_a_circle():
    circles = sorted(sorted(circle) for circle in nx.simple_cycles(import_graph()))
    assert not circles, f"import circles: {circles}"


@pytest.mark.parametrize("layer, forbidden", [
    ("ui", ("journeys", "tools")),       # the UI talks to the agent only
    ("tools", ("agent", "ui", "cli", "dialogues")),
    ("journeys", ("agent", "tools", "ui", "cli", "dialogues")),
    ("agent", ("ui", "cli", "dialogues")),
])
def test_each_layer_imports_only_the_layers_below_it(layer, forbidden):
    graph = import_graph()
    wrong = sorted((source, target) for source, target in graph.edges
                   if source.split(".")[0] == layer and target.split(".")[0] in forbidden)
    assert not wrong, f"{layer} must not import {', '.join(forbidden)}: {wrong}"


def test_no_function_is_longer_than_a_screenful_or_two():
    long = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > LONGEST_FUNCTION:
                    long.append(f"{name}.{node.name} ({lines} lines)")
    assert not long, f"functions over {LONGEST_FUNCTION} lines: {long}"


def test_journeys_keeps_at_most_eight_modules_at_its_top_the_rest_grouped_by_stage():
    top = sorted(path.name for path in (ROOT / "journeys").glob("*.py"))
    assert len(top) <= 8, top


def test_the_scenario_suite_uses_the_demo_histories_not_copies_of_them():
    demo = ROOT / "journeys" / "demo_data"
    histories = ROOT / "tests" / "dialogues" / "scenarios" / "histories"
    for path in histories.glob("*.jsonl"):
        if (demo / path.name).exists():
            assert path.is_symlink() and path.resolve() == (demo / path.name).resolve(), f"{path} copies {demo / path.name}"


def test_the_code_passes_ruff_with_the_projects_configuration():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_stop_words_are_listed_once_and_every_vocabulary_builds_on_them():
    from agent.arguments import ACTION_WORDS, SEARCH_FILLER
    from journeys.state.references import FILLER
    from journeys.words import FUNCTION_WORDS, STOP_WORDS

    for vocabulary in (set(STOP_WORDS), FILLER, ACTION_WORDS, SEARCH_FILLER):
        assert FUNCTION_WORDS <= vocabulary
    borrowed = [name for name, path in modules().items()
                if "ENGLISH_STOP_WORDS" in path.read_text(encoding="utf-8") and name != "journeys.words"]
    assert not borrowed, f"stop words listed outside journeys/words.py: {borrowed}"


def test_the_specs_in_docs_are_the_shared_contracts_word_for_word():
    shared = ROOT.parent / "shared" / "spec"
    if not shared.is_dir():
        pytest.skip(f"the shared contracts are not at {shared} (a clone without ../shared); docs/spec is the copy")
    for contract in sorted(shared.glob("*.md")):
        copy = ROOT / "docs" / "spec" / contract.name
        assert copy.is_file() and copy.read_bytes() == contract.read_bytes(), f"docs/spec/{contract.name} differs"


def test_the_domain_is_a_plain_library_without_langchain_or_a_ui():
    frameworks = ("langchain", "langchain_core", "langgraph", "gradio")
    wrong = sorted((name, target) for name, path in modules().items() if name.startswith("journeys")
                   for target in runtime_imports(path) if target.split(".")[0] in frameworks)
    assert not wrong, f"journeys/ must not import {', '.join(frameworks)}: {wrong}"
