"""No import circles between the feature packages: built from the source (every import statement at any
level, inside functions and `if TYPE_CHECKING:` too), so a circle fails here before it bites at run time."""
from __future__ import annotations

import ast
from pathlib import Path

import linecomm

PACKAGES = ("members", "themes", "moderation", "pushes", "outbox", "webhooks", "chat", "richmenu", "liff", "surveys",
            "reviews", "ideas", "qa", "actions", "uploads", "points", "referrals",
            "ambassadors", "kpis")


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        # `from linecomm import members` names a package too
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return []


def package_edges(root: Path = Path(linecomm.__file__).parent) -> dict[tuple[str, str], set[str]]:
    """(importing package, imported package) → the modules that import it, for the packages above."""
    edges: dict[tuple[str, str], set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if len(parts) < 2 or parts[0] not in PACKAGES:
            continue
        source = parts[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            for module in _imported_modules(node):
                names = module.split(".")
                if names[0] == "linecomm" and len(names) > 1 and names[1] in PACKAGES and names[1] != source:
                    edges.setdefault((source, names[1]), set()).add(str(path.relative_to(root.parent)))
    return edges


def find_cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    """A cycle in the graph as [a, b, ..., a], or None."""
    graph: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        graph.setdefault(a, []).append(b)
    state: dict[str, str] = {}  # "open" while on the path, "done" after

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [node, nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*path, node])):
                return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [])):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle() -> None:
    assert find_cycle({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == ["a", "b", "c", "a"]
    assert find_cycle({("a", "b"), ("b", "c"), ("a", "c")}) is None


def test_no_import_circle_among_the_feature_packages() -> None:
    edges = package_edges()
    cycle = find_cycle(set(edges))
    if cycle is not None:
        steps = [
            f"  {a} → {b}: {', '.join(sorted(edges[(a, b)]))}" for a, b in zip(cycle, cycle[1:], strict=False)
        ]
        raise AssertionError("import circle " + " → ".join(cycle) + "\n" + "\n".join(steps))
