"""A bare Django project: the yardstick of ``bench/bench_web.py``.

One view renders a 50-item template, with the middleware a plain Django project starts
with, no database and no sessions read. Served by the same server, with the same
workers and threads, as the app it is compared with.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET_KEY = "yardstick-not-secret"  # noqa: S105 - a benchmark's throwaway project
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "yardstick.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader"],
                )
            ]
        },
    }
]
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
WSGI_APPLICATION = "yardstick.wsgi.application"
