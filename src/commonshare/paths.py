"""Where Commonshare keeps its data: one folder that every command shares."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "commonshare"


def data_dir() -> Path:
    """``$COMMONSHARE_DATA_DIR`` when set, else ``~/.local/share/commonshare``."""
    configured = os.environ.get("COMMONSHARE_DATA_DIR")
    return Path(configured).expanduser().resolve() if configured else DEFAULT_DATA_DIR
