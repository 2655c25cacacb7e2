"""The service's SQL call sites, read from its source tree as text (the harness never imports it).

002 §2.1 greps for raw SQL and for loops that query. Here: every line that builds or runs a
statement (``sa.select`` ..., ``conn.execute`` / ``fetch_*``, raw SQL keywords), and every loop
whose body awaits a statement, the shape an N+1 takes in async code. A suspect is only a lead: the
probes' statement counts say whether it costs a statement per row.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

CALL = re.compile(
    r"\b(sa\.(select|insert|update|delete|text|func\.\w+)\(|(conn|db|self\.db|state\.db)\."
    r"(execute|fetch_one|fetch_all|fetch_val|iterate)\(|\b(SELECT|INSERT INTO|UPDATE|DELETE FROM) )"
)
RUNS = {"execute", "fetch_one", "fetch_all", "fetch_val", "iterate"}


def call_sites(root: Path, package: str = "src/mercenary") -> list[str]:
    """``path:line: code`` for every statement built or run under ``root/package``."""
    out = []
    for path in sorted((root / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if CALL.search(line):
                out.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return out


def _awaits_statement(node: ast.AST) -> int | None:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Await) and isinstance(inner.value, ast.Call):
            func = inner.value.func
            if isinstance(func, ast.Attribute) and func.attr in RUNS:
                return inner.lineno
    return None


def loop_suspects(root: Path, package: str = "src/mercenary") -> list[str]:
    """``path:line: code`` of loops (and comprehensions) that await a statement in their body."""
    out = []
    for path in sorted((root / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.For | ast.AsyncFor | ast.While):
                body: list[ast.AST] = list(node.body)
            elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
                body = [node.elt, *(c for g in node.generators for c in g.ifs)]
            elif isinstance(node, ast.DictComp):
                body = [node.key, node.value, *(c for g in node.generators for c in g.ifs)]
            else:
                continue
            hit = next((n for n in map(_awaits_statement, body) if n is not None), None)
            if hit is not None:
                out.append(
                    f"{path.relative_to(root)}:{node.lineno}: {lines[node.lineno - 1].strip()}"
                    f"  (awaits a statement at line {hit})"
                )
    return out
