from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from commonshare.api.main import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("commonshare.web.urls")),
    # Receipts and evidence are part of the open books; served by the app itself
    # so the embedded install needs no separate web server.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
