"""The one direction of imports (ARCHITECTURE.md), checked on every module."""

from __future__ import annotations

import ast
import re
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


# `# type: ignore[code]` followed by `# why` on the same line; a bare or code-less ignore is not.
IGNORE_WITH_REASON = re.compile(r"# type: ignore\[[\w, -]+\]  # \S")


@pytest.mark.parametrize("folder", ["bot", "db", "handlers", "knowledge", "services"])
def test_every_type_ignore_says_why(folder: str) -> None:
    """mypy strict covers the code; where it is silenced, the line says why (issue 10)."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "type: ignore" in line and not IGNORE_WITH_REASON.search(line)
    ]
    assert offenders == []
