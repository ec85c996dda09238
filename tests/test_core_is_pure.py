"""The core never imports the framework, the database, the clock or any app of ours."""

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


def _imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    package = ".".join(path.relative_to(CORE.parent.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # ``from commonshare import books`` imports the module commonshare.books
            names += (
                [f"{base}.{alias.name}" for alias in node.names]
                if base == "commonshare"
                else [base]
            )
    return names


def _is_outside_core(module: str) -> bool:
    return module.split(".", maxsplit=1)[0] == "commonshare" and not (
        module == "commonshare.core" or module.startswith("commonshare.core.")
    )


def test_core_imports_no_app_module() -> None:
    """Not books, work, community, audit, web, api, the CLI, nor anything else of ours."""
    offenders = [
        f"{path.relative_to(CORE)}: {module}"
        for path in _core_files()
        for module in _imported_modules(path)
        if _is_outside_core(module)
    ]
    assert offenders == []


def test_the_app_import_check_sees_every_form_of_import() -> None:
    sample = CORE / "valuation" / "types.py"
    assert "commonshare.core.valuation.rounding" in _imported_modules(sample)
    assert _is_outside_core("commonshare.books.services")
    assert _is_outside_core("commonshare")
    assert not _is_outside_core("commonshare.core.money")


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
