"""The core never imports the framework, the database or the clock."""

import ast
from pathlib import Path

import commonshare.core

CORE = Path(commonshare.core.__file__).parent
FORBIDDEN_MODULES = {"django", "ninja", "sqlite3", "psycopg", "requests", "socket"}
FORBIDDEN_CALLS = {"open", "now", "today", "utcnow", "time", "input"}


def _core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_core_has_modules() -> None:
    assert len(_core_files()) >= 4


def test_core_imports_nothing_impure() -> None:
    offenders = []
    for path in _core_files():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN_MODULES
            ]
    assert offenders == []


def test_core_reads_no_clock_and_opens_no_file() -> None:
    offenders = []
    for path in _core_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in FORBIDDEN_CALLS:
                    offenders.append(f"{path.name}:{node.lineno} {name}()")
    assert offenders == []
