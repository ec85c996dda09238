"""/api/docs shows Swagger UI from the site's own static files: it works offline, no CDN."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_api_docs_load_every_asset_from_the_site_itself() -> None:
    client = Client()
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets), assets
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        served = client.get(asset)
        served.close()  # a static file is streamed
        assert served.status_code == 200, asset
    assert "cdn" not in page.lower()


def test_api_docs_ask_no_third_party_validator() -> None:
    page = Client().get("/api/docs").content.decode()
    settings = re.search(r'id="swagger-settings">(.*?)</script>', page, re.S)
    assert settings
    config = json.loads(settings.group(1))
    assert config["validatorUrl"] is None
    assert config["url"] == "/api/openapi.json"
