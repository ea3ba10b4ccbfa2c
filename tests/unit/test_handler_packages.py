"""The map of handlers/ (issue 10): the kit knows no journey, documents know no Telegram, and a
journey reaches another journey only through that package's `__init__` exports.

`KNOWN_CROSSINGS` are the crossings that exist today, each to be removed as its journey moves onto
the kit; the test fails on a new crossing and on a listed one that has gone (so the list shrinks).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = ROOT / "handlers"
JOURNEYS = {
    "activities",
    "cases",
    "delivery",
    "people",
    "requests",
    "volunteers",
    "questions",
    "work",
    "management",
}
KNOWN_CROSSINGS = {
    "management/admin.py -> handlers.people.start",
    "questions/ask.py -> handlers.requests.inbox",
}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of import nodes under `if TYPE_CHECKING:` (a type's name, not a dependency)."""
    guarded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            guarded.update(id(inner) for inner in ast.walk(node))
    return guarded


def _imports(path: Path, *, typing_too: bool = True) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if typing_too else _type_checking_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "handlers" or node.module in {f"handlers.{j}" for j in JOURNEYS}:
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


def _package(path: Path) -> str:
    return path.relative_to(HANDLERS).parts[0]


def test_every_package_is_on_the_map() -> None:
    packages = {p.name for p in HANDLERS.iterdir() if (p / "__init__.py").exists()}
    assert packages == JOURNEYS | {"kit", "documents"}


def test_the_kit_imports_no_journey() -> None:
    offenders = [
        f"{path.relative_to(HANDLERS)} imports {module}"
        for path in (HANDLERS / "kit").rglob("*.py")
        # BotData names the outbox's type for mypy only (`if TYPE_CHECKING:`): allowed.
        for module in _imports(path, typing_too=False)
        if module.startswith("handlers.") and not module.startswith("handlers.kit")
    ]
    assert offenders == []


def test_documents_import_no_telegram_and_no_journey() -> None:
    offenders = [
        f"{path.relative_to(HANDLERS)} imports {module}"
        for path in (HANDLERS / "documents").rglob("*.py")
        for module in _imports(path)
        if module == "telegram"
        or module.startswith("telegram.")
        or (
            module.startswith("handlers.")
            and not module.startswith(("handlers.kit.i18n", "handlers.documents"))
        )
    ]
    assert offenders == []


def crossings() -> set[str]:
    """`<file> -> <module>` for every import of another journey's inner module."""
    found = set()
    for package in JOURNEYS:
        for path in (HANDLERS / package).rglob("*.py"):
            for module in _imports(path):
                parts = module.split(".")
                if len(parts) < 3 or parts[0] != "handlers" or parts[1] not in JOURNEYS:
                    continue
                if parts[1] == package:
                    continue
                # `from handlers.requests import x` is fine when x is exported by __init__
                init = HANDLERS / parts[1] / "__init__.py"
                if len(parts) == 3 and not (HANDLERS / parts[1] / f"{parts[2]}.py").exists():
                    if parts[2] in init.read_text(encoding="utf-8"):
                        continue
                found.add(f"{path.relative_to(HANDLERS)} -> {'.'.join(parts[:3])}")
    return found


def test_journeys_meet_only_through_package_exports() -> None:
    assert crossings() - KNOWN_CROSSINGS == set(), "a new crossing: import the package's export"


def test_the_list_of_known_crossings_only_shrinks() -> None:
    assert KNOWN_CROSSINGS - crossings() == set(), "gone: remove it from KNOWN_CROSSINGS"
