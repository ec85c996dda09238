"""The JSON API: one router per app, mounted on one NinjaAPI."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Commonshare API", version="1", urls_namespace="api")
