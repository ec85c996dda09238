"""Commonshare: a headless venture run by commons-based peer production."""

__version__ = "0.1.0"
