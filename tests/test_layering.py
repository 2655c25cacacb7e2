"""Dependencies point one way (docs/architecture.md), read from the source's own imports.

Every ``import`` counts: at the top, inside functions (where a cycle likes to hide) and under
``TYPE_CHECKING``. The rules:

- no import cycle between modules;
- the shared layers (``db/``, ``web/``, ``backends/``, ``security/``, ``observability/``) import no
  domain package;
- a domain never imports another domain's ``queries`` or ``tables`` (it calls that domain's service);
- inside a domain only ``routes`` and ``schemas`` import ``web/`` (services know nothing of HTTP);
- ``mercenary_perf`` never imports ``mercenary`` (it talks to the service over HTTP and the DB URL).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
SHARED = ("db", "web", "backends", "security", "observability")
# A package is a domain when it has routes or a service: its own tables, queries, rules and endpoints.
DOMAINS = frozenset(
    d.name for d in (SRC / "mercenary").iterdir() if (d / "service.py").exists() or (d / "routes.py").exists()
)

# Edges that break a rule on purpose, each with its reason. Keep it short; it may only shrink.
ALLOWED: dict[tuple[str, str], str] = {
    # A profile is visible only while its user is active, and lists show the user's name: one join
    # in the same statement, where going through the users service would add a statement per page.
    ("mercenary.profiles.queries", "mercenary.users.tables"): "join for visibility and name (DB-3)",
    # A project is read with its skill slugs: the link table joined to the taxonomy in one statement
    # (a by-id read was three statements when the names came through the skills service).
    ("mercenary.projects.queries", "mercenary.skills.tables"): "join for skill slugs (DB-3)",
    # Likewise a profile's skills, and read in one statement a skill deleted meanwhile cannot leave
    # a link without its slug (two statements did: a 500 while an admin deleted a skill).
    ("mercenary.profiles.queries", "mercenary.skills.tables"): "join for skill slugs (DB-3)",
    # A CV's proposed skills are read with their slugs in one statement, for the same reasons.
    ("mercenary.cvs.queries", "mercenary.skills.tables"): "join for skill slugs (DB-3)",
}
WEB_FACING = ("routes", "schemas")


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in SRC.rglob("*.py") if "migrations" not in p.parts}


def _resolve(name: str) -> str | None:
    """The project module ``name`` refers to (a module, or the package it lives in)."""
    known = modules()
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> Iterator[str]:
    """Every project module that ``module`` imports, wherever the import statement stands."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import mod`` imports the submodule when there is one.
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                yield target


@cache
def graph() -> dict[str, frozenset[str]]:
    return {m: frozenset(imports_of(m)) for m in modules()}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if parts[0] == "mercenary" and len(parts) > 1 else ""


def violations(g: dict[str, frozenset[str]]) -> list[str]:
    """Every edge of ``g`` that breaks a rule and is not in :data:`ALLOWED`."""
    found = []
    for source, targets in sorted(g.items()):
        for target in sorted(targets):
            if (source, target) in ALLOWED:
                continue
            src_top, dst_top = _top(source), _top(target)
            if source.startswith("mercenary_perf") and target.split(".")[0] == "mercenary":
                found.append(f"{source} -> {target}: the harness talks to the service over HTTP only")
            elif src_top in SHARED and dst_top in DOMAINS:
                found.append(f"{source} -> {target}: {src_top}/ is shared and may not import a domain")
            elif (
                src_top in DOMAINS
                and dst_top in DOMAINS
                and src_top != dst_top
                and target.rpartition(".")[2] in ("queries", "tables")
            ):
                found.append(f"{source} -> {target}: call the {dst_top} service, not its statements")
            elif src_top in DOMAINS and dst_top == "web" and source.rpartition(".")[2] not in WEB_FACING:
                found.append(f"{source} -> {target}: only a domain's routes and schemas know HTTP")
    return found


def cycles(g: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_the_graph_is_read() -> None:
    g = graph()
    assert "mercenary.web.deps" in g
    assert "mercenary.state" in g["mercenary.web.deps"]
    assert {"auth", "users", "projects", "profiles"} <= DOMAINS
    assert not DOMAINS & set(SHARED)


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_dependencies_point_one_way() -> None:
    assert violations(graph()) == []


def test_every_allowed_edge_still_exists() -> None:
    g = graph()
    stale = [edge for edge in ALLOWED if edge[1] not in g.get(edge[0], frozenset())]
    assert stale == [], "drop these from ALLOWED"


@pytest.mark.parametrize(
    ("source", "target", "rule"),
    [
        ("mercenary.web.deps", "mercenary.auth.service", "shared"),
        ("mercenary.db.fulltext", "mercenary.projects.tables", "shared"),
        ("mercenary.auth.service", "mercenary.users.queries", "statements"),
        ("mercenary_perf.cli", "mercenary.settings", "harness"),
        ("mercenary.proposals.service", "mercenary.web.deps", "http"),
    ],
)
def test_a_forbidden_edge_is_caught(source: str, target: str, rule: str) -> None:
    g = {**graph(), source: graph()[source] | {target}}
    found = violations(g)
    assert len(found) == 1
    assert found[0].startswith(f"{source} -> {target}")


def test_a_hidden_cycle_is_caught() -> None:
    # An import inside a function closes the loop as surely as one at the top.
    g = {**graph(), "mercenary.db.query": graph()["mercenary.db.query"] | {"mercenary.db"}}
    assert any({"mercenary.db", "mercenary.db.query"} <= set(c) for c in cycles(g))
