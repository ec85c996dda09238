"""A demo account (cheap PBKDF2 hash) signs in on the web and is stored again with Argon2."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django.urls import reverse

from commonshare import settings as site_settings
from commonshare.community import services
from commonshare.demo import DEMO_PASSWORD


def test_demo_account_logs_in_and_its_hash_is_upgraded(db: Any) -> None:
    with override_settings(PASSWORD_HASHERS=["commonshare.demo.DemoPasswordHasher"]):
        demo = services.join(
            email="amara@demo.example", display_name="Amara", password=DEMO_PASSWORD
        )
    assert demo.password.startswith("pbkdf2_sha256$1000$")
    # The site's own hashers (the tests' fixtures swap in a cheap Argon2).
    site_hashers = list(site_settings.PASSWORD_HASHERS)
    assert site_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=site_hashers):
        response = Client().post(
            reverse("web:login"), {"username": "amara@demo.example", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302
        demo.refresh_from_db()
        assert identify_hasher(demo.password).algorithm == "argon2"
        # A real account never gets the demo's hasher.
        real = services.join(email="new@example.org", display_name="New", password=DEMO_PASSWORD)
        assert identify_hasher(real.password).algorithm == "argon2"
