"""House rules that import-linter cannot check: module size and private names (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_MODULES = sorted(p for p in (ROOT / "app").rglob("*.py") if "static" not in p.parts)
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by concept"


def _private_imports(path: Path) -> list[str]:
    """``from app.x import _y`` and ``x._y`` where ``x`` is an imported app module."""
    tree = ast.parse(path.read_text())
    found: list[str] = []
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"from {node.module} import {alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name.startswith("app"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    sources = APP_MODULES + sorted((ROOT / "tests").rglob("*.py"))
    offenders = {str(p.relative_to(ROOT)): names for p in sources if (names := _private_imports(p))}
    assert offenders == {}


def test_the_check_finds_a_private_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from app.services.platform import audit\nfrom app.x import _y\naudit._chain()\n")
    assert _private_imports(sample) == ["from app.x import _y", "audit._chain"]


def test_module_names_follow_the_tree() -> None:
    assert _module_name(ROOT / "app" / "services" / "disputes" / "__init__.py") == "app.services.disputes"
