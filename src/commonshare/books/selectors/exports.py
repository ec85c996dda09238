"""The whole journal as a file: the one function that picks the format, for CLI and API."""

from __future__ import annotations

from commonshare.books import journal
from commonshare.core import exports
from commonshare.errors import InvalidInput


def journal_export(format_name: str) -> tuple[exports.ExportFormat, str]:
    """The export format named ``format_name`` and the whole journal written in it."""
    found = exports.FORMATS.get(format_name)
    if found is None:
        raise InvalidInput(
            f"Give the export format as one of {', '.join(exports.FORMATS)}.", field="format"
        )
    return found, exports.export_text(journal.stream(), found.name)
