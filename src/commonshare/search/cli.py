"""``commonshare search …``: look for words, and rebuild the index."""

from __future__ import annotations

import click

from commonshare.clikit import echo_json, with_django

KINDS = ("task", "contribution", "comment", "proposal", "norm", "member")


class SearchGroup(click.Group):
    """``commonshare search WORDS…`` looks; ``commonshare search reindex`` rebuilds."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        found = self.commands["find"]
        return found.name, found, args


@click.group(cls=SearchGroup, invoke_without_command=False)
def search() -> None:
    """Search tasks, contributions, comments, proposals, norms and members.

    Examples: commonshare search budget review · commonshare search reindex
    """


@search.command("find")
@click.argument("words", nargs=-1, required=True)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only this kind.")
@click.option("--limit", default=20, type=click.IntRange(1, 100), help="Results per page.")
@click.option("--cursor", default=None, help="The page after (or before) an earlier page.")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@with_django
def search_find(
    words: tuple[str, ...], kinds: tuple[str, ...], limit: int, cursor: str | None, as_json: bool
) -> None:
    """Find records with every one of WORDS, best first (`search find` may be left out).

    Example: commonshare search find budget --kind task
    """
    from commonshare.core.search import plain
    from commonshare.search import selectors

    found = selectors.search(" ".join(words), list(kinds), cursor, size=limit)
    if as_json:
        echo_json(
            {
                "results": [
                    {
                        "kind": r.kind,
                        "id": r.object_id,
                        "title": r.title,
                        "url": r.path,
                        "snippet": r.snippet,
                    }
                    for r in found
                ],
                "next": found.next_cursor,
                "previous": found.previous_cursor,
            }
        )
        return
    if not found:
        click.echo("Nothing found.")
        return
    for r in found:
        click.echo(f"{r.kind_words}: {r.title}  {r.path}")
        if r.snippet:
            click.echo(f"    {plain(r.snippet)}")
    if found.next_cursor:
        click.echo(f"More: --cursor {found.next_cursor}")


@search.command("reindex")
@with_django
def search_reindex() -> None:
    """Rebuild the search index from the records, with a progress bar.

    Run it after loading data by other means than the services, or whenever results
    seem out of date (an update after a write is lost if the process stops just after
    the commit).

    Example: commonshare search reindex
    """
    from commonshare.search import indexing

    total = indexing.record_count()
    with click.progressbar(length=total, label="Indexing records", file=None) as bar:
        made = indexing.rebuild(progress=bar.update)
    click.echo(f"Indexed {made} records.")
