"""Docs that cannot fall behind the code (the sqlite-utils and datasette habit).

Each test fails, naming what is missing, when:

- a ``commonshare`` command or subcommand is not in docs/cli.md as
  ``commonshare <path>``, or one of its options is not in that command's section;
- an environment variable the code reads is not in README.md or docs/settings.md;
- an API route (method and path from the OpenAPI schema) is not in docs/api.md;
- a web page (a URL pattern of ``commonshare.web.urls``) is not in docs/guide.md;
- a relative link in README.md or docs/*.md points to a file that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SOURCE = ROOT / "src" / "commonshare"

# Read by a library rather than by a line of ours: dj_database_url reads DATABASE_URL.
READ_BY_LIBRARIES = {"DATABASE_URL"}

ENV_PATTERNS = (
    re.compile(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""),
    re.compile(r"""os\.environ\.setdefault\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""os\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""envvar\s*=\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""\b(COMMONSHARE_[A-Z0-9_]*[A-Z0-9])\b"""),
)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- commands ----------------------------------------------------------------------


def _commands(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, click.Command]]:
    yield " ".join(("commonshare", *path)), command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


def _all_commands() -> list[tuple[str, click.Command]]:
    from commonshare.cli import main

    return list(_commands(main))


def _sections(text: str) -> dict[str, str]:
    """docs/cli.md's reference sections, by the command in their heading."""
    found: dict[str, str] = {}
    parts = re.split(r"^#{2,4} `(commonshare[^`]*)`[ \t]*$", text, flags=re.MULTILINE)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        found[heading.strip()] = body
    return found


def test_every_command_is_in_cli_md() -> None:
    text = _read(DOCS / "cli.md")
    missing = [path for path, _ in _all_commands() if f"`{path}`" not in text]
    assert not missing, f"docs/cli.md does not mention: {', '.join(missing)}"


def test_every_command_has_a_section_with_an_example() -> None:
    sections = _sections(_read(DOCS / "cli.md"))
    missing = [path for path, _ in _all_commands() if path not in sections]
    assert not missing, f"docs/cli.md has no '### `…`' section for: {', '.join(missing)}"
    without_example = [
        path
        for path, _ in _all_commands()
        if not re.search(rf"^(\$ )?(\S+=\S+ )*{re.escape(path)}\b", sections[path], re.MULTILINE)
    ]
    assert not without_example, (
        "these sections of docs/cli.md show no example line starting with the command: "
        + ", ".join(without_example)
    )


def test_every_option_is_in_its_commands_section() -> None:
    sections = _sections(_read(DOCS / "cli.md"))
    missing = []
    for path, command in _all_commands():
        body = sections.get(path, "")
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            for flag in (*param.opts, *param.secondary_opts):
                if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", body):
                    missing.append(f"{path} {flag}")
    assert not missing, "options missing from their section of docs/cli.md: " + ", ".join(missing)


def test_every_argument_is_in_its_commands_section() -> None:
    sections = _sections(_read(DOCS / "cli.md"))
    missing = [
        f"{path} {param.make_metavar(click.Context(command))}"
        for path, command in _all_commands()
        for param in command.params
        if isinstance(param, click.Argument)
        and param.make_metavar(click.Context(command)).rstrip(".") not in sections.get(path, "")
    ]
    assert not missing, "arguments missing from docs/cli.md: " + ", ".join(missing)


# --- settings ----------------------------------------------------------------------


def _environment_variables() -> set[str]:
    names = set(READ_BY_LIBRARIES)
    for source in SOURCE.rglob("*.py"):
        text = _read(source)
        for pattern in ENV_PATTERNS:
            names.update(pattern.findall(text))
    return names


def test_the_scan_finds_the_known_settings() -> None:
    names = _environment_variables()
    assert {"COMMONSHARE_DATA_DIR", "COMMONSHARE_MEMBER", "COMMONSHARE_SECRET_KEY"} <= names


def test_every_environment_variable_is_documented() -> None:
    text = _read(ROOT / "README.md") + _read(DOCS / "settings.md")
    missing = sorted(name for name in _environment_variables() if f"`{name}`" not in text)
    assert not missing, f"not in README.md or docs/settings.md: {', '.join(missing)}"


# --- the API -----------------------------------------------------------------------


def _api_routes() -> list[str]:
    from commonshare.api.main import api

    schema = api.get_openapi_schema()
    return [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_api_route_is_in_api_md() -> None:
    text = _read(DOCS / "api.md")
    routes = _api_routes()
    assert len(routes) > 20, "the schema walk found too few routes"
    missing = [route for route in routes if f"`{route}`" not in text]
    assert not missing, "routes missing from docs/api.md: " + ", ".join(missing)


# --- the web pages -----------------------------------------------------------------


def _page_paths() -> list[str]:
    from django.urls import URLPattern

    from commonshare.web import urls

    def shown(pattern: URLPattern) -> str:
        route = str(pattern.pattern)
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)

    return [shown(p) for p in urls.urlpatterns if isinstance(p, URLPattern)]


def test_every_web_page_is_in_the_guide() -> None:
    text = _read(DOCS / "guide.md")
    pages = _page_paths()
    assert "/books/" in pages
    missing = [page for page in pages if f"`{page}`" not in text]
    assert not missing, "pages missing from docs/guide.md (its 'Pages' list): " + ", ".join(missing)


# --- links -------------------------------------------------------------------------

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
DOC_FILES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_to_files(doc: Path) -> None:
    broken = []
    for target in LINK.findall(_read(doc)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue
        file_part = target.split("#", 1)[0]
        if not (doc.parent / file_part).exists():
            broken.append(target)
    assert not broken, f"{doc.name} links to missing files: {', '.join(broken)}"


def test_the_docs_exist() -> None:
    names = ("guide.md", "cli.md", "api.md", "books.md", "settings.md", "valuation.md")
    for name in (*names, "architecture.md"):
        assert (DOCS / name).is_file(), name
