"""The ``commonshare`` command (``commonshare.cli:main``, also ``python -m commonshare``)."""

from commonshare.cli.main import main

__all__ = ["main"]
