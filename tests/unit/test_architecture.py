"""The one direction of imports (ARCHITECTURE.md), checked on every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "handlers": {"bot", "sqlalchemy", "db.models", "alembic"},
    "services": {"telegram", "handlers", "bot"},
    "db": {"telegram", "services", "handlers", "bot", "knowledge"},
    "knowledge": {"telegram", "db", "services", "handlers", "bot", "sqlalchemy"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_imports_run_one_way(folder: str) -> None:
    offenders = []
    for path in (ROOT / folder).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for module in _imports(path):
            for banned in FORBIDDEN[folder]:
                if module == banned or module.startswith(banned + "."):
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []
