"""Where state that several app processes share lives: the database, or Redis if told."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from commonshare import settings as site_settings


def test_the_cache_is_a_table_of_the_database_by_default() -> None:
    assert settings.CACHES["default"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "commonshare_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }


def test_visitors_pages_stay_in_each_processs_memory_by_default() -> None:
    # never the database: a reader must not wait for a writer (web/pagecache.py)
    assert settings.CACHES["pages"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.django_db
def test_migrate_made_the_cache_table_and_it_holds_values() -> None:
    with connection.cursor() as cursor:
        assert "commonshare_cache" in connection.introspection.table_names(cursor)
    cache.set("commonshare.test.shared", {"seq": 3}, None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM commonshare_cache WHERE cache_key LIKE %s", ["%shared"]
        )
        assert cursor.fetchone()[0] == 1
    assert cache.get("commonshare.test.shared") == {"seq": 3}


def test_a_redis_url_selects_django_s_redis_cache() -> None:
    assert site_settings._caches("redis://cache.internal:6379/0") == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://cache.internal:6379/0",
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://cache.internal:6379/0",
            "KEY_PREFIX": "pages",
        },
    }


def test_any_other_cache_url_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"COMMONSHARE_CACHE_URL: 'memcached://x' is not a redis"):
        site_settings._caches("memcached://x")
