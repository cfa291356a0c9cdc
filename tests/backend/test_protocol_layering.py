"""`backend/protocol/` is protocol logic as plain Python: it reaches storage only through the
hooks of `storage.py`, and the web layer not at all. So none of its modules imports Flask,
SQLAlchemy or the models, directly or through the project modules it imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "werkzeug", "sqlalchemy", "backend")  # backend.protocol itself excepted
PROTOCOL = sorted(path.stem for path in (ROOT / "backend" / "protocol").glob("*.py"))


def imports(module: str) -> set[str]:
    """The modules `module` imports when it is loaded (what only type checkers read is left out)."""
    path = ROOT.joinpath(*module.split("."))
    source = path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"
    tree = ast.parse(source.read_text(), str(source))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                found.update(alias.name for alias in inner.names)
            elif isinstance(inner, ast.ImportFrom) and inner.module and not inner.level:
                found.add(inner.module)
                found.update(f"{inner.module}.{alias.name}" for alias in inner.names)
    return found


def reachable(module: str) -> set[str]:
    """Every module imported from `module`, following this project's own modules."""
    seen: set[str] = set()
    pending = [module]
    while pending:
        for name in imports(pending.pop()):
            if name in seen:
                continue
            seen.add(name)
            own = name.startswith(("backend.protocol.", "shared."))
            if own and ROOT.joinpath(*name.split(".")).with_suffix(".py").exists():
                pending.append(name)
    return seen


@pytest.mark.parametrize("name", PROTOCOL)
def test_protocol_modules_need_no_web_framework_and_no_database(name):
    leaks = sorted(
        imported for imported in reachable(f"backend.protocol.{name}")
        if imported.split(".")[0] in FORBIDDEN and not imported.startswith("backend.protocol")
    )
    assert not leaks, f"backend/protocol/{name}.py reaches {leaks}"
