"""The JSON API: one router per app, mounted on one NinjaAPI.

Reads of the open books, tasks, contributions, reviews and public profiles
need no credentials. Writes need a bearer token (``Authorization: Bearer
cs_…``, made with POST /api/tokens or POST /api/auth/token) or the browser
session together with its CSRF token.

Every refusal is JSON ``{"detail": …, "field": …}`` with the status of the
service error (401, 403, 404, 409, 422); a request that does not match the
schema is a 422 that also lists every problem in ``errors``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from commonshare.api.activity import router as activity_router
from commonshare.api.journal import router as journal_router
from commonshare.api.tokens import router as tokens_router
from commonshare.books.api import router as books_router
from commonshare.community.api import router as community_router
from commonshare.decisions.api import router as decisions_router
from commonshare.discussion.api import router as discussion_router
from commonshare.errors import CommonshareError, InvalidInput
from commonshare.governance.api import norms_router
from commonshare.governance.api import router as governance_router
from commonshare.notifications.api import router as notifications_router
from commonshare.search.api import router as search_router
from commonshare.work.api import router as work_router
from commonshare.work.recognition_api import router as thanks_router
from commonshare.work.steward_api import router as steward_router


class NotJson(Exception):
    """A JSON route was sent a body of another type (text/plain, a form...)."""


class JsonOnlyParser(Parser):
    """JSON bodies must say so: ``Content-Type: application/json`` (or ``…+json``)."""

    def parse_body(self, request: HttpRequest) -> Any:
        kind = (request.content_type or "").lower()
        if kind != "application/json" and not kind.endswith("+json"):
            raise NotJson(kind or "none")
        return super().parse_body(request)


_ERROR_OUT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


class CommonshareAPI(NinjaAPI):
    """Declares the answers every body can get, so no operation can forget them."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                content = operation.get("requestBody", {}).get("content", {})
                responses = operation["responses"]
                # Too big a body, or too many query fields (Django's limits), on any
                # operation that reads one or the other.
                query = any(p.get("in") == "query" for p in operation.get("parameters", []))
                if content or query:
                    responses.setdefault(
                        "413", {"description": "Payload Too Large", "content": _ERROR_OUT}
                    )
                if "application/json" in content:
                    responses.setdefault(
                        "415", {"description": "Unsupported Media Type", "content": _ERROR_OUT}
                    )
        return schema


api = CommonshareAPI(
    title="Commonshare API",
    version="1",
    urls_namespace="api",
    description=__doc__ or "",
    parser=JsonOnlyParser(),
    # Swagger UI's assets come from our static files ("ninja" is an installed app); its
    # validator badge would fetch an image from validator.swagger.io, so it is off.
    docs=Swagger(settings={"validatorUrl": None}),
)

# Where a request parameter came from; not part of the field name we report.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def _field_of(location: Any) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        # Body and form schemas sit under the handler's parameter name ("payload").
        if source in {"body", "form"} and len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(CommonshareError)
def _service_refusal(request: HttpRequest, exc: CommonshareError) -> HttpResponse:
    body: dict[str, Any] = exc.as_dict()
    if isinstance(exc, InvalidInput):
        # Every problem found at once; ``detail`` and ``field`` are the first.
        body["errors"] = [{"field": field, "message": message} for field, message in exc.problems]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(ValidationError)
def _schema_refusal(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_of(error.get("loc", ())), "message": str(error.get("msg", "invalid"))}
        for error in exc.errors
    ]
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or first["message"]
    return api.create_response(
        request, {"detail": detail, "field": first["field"], "errors": errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"detail": "Send a bearer token or sign in to do this.", "field": None}
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, NotJson):
        detail = (
            f"Send the body as JSON with Content-Type: application/json "
            f"(this request said {exc.__cause__})."
        )
        return api.create_response(request, {"detail": detail, "field": "body"}, status=415)
    if exc.status_code == 400:
        # Ninja's "cannot parse the body": bad input like any other, so 422.
        invalid: dict[str, Any] = {"detail": exc.message, "field": "body", "errors": []}
        return api.create_response(request, invalid, status=422)
    refused: dict[str, Any] = {"detail": exc.message, "field": None}
    return api.create_response(request, refused, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit:,} bytes"
    body = {"detail": f"The request is too large: at most {size} besides files.", "field": "body"}
    return api.create_response(request, body, status=413)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _too_many(request: HttpRequest, exc: Exception) -> HttpResponse:
    fields, files = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, settings.DATA_UPLOAD_MAX_NUMBER_FILES
    detail = f"The request has too many fields or files: at most {fields} fields and {files} files."
    return api.create_response(request, {"detail": detail, "field": "body"}, status=413)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found.", "field": None}, status=404)


api.add_router("/", tokens_router)
api.add_router("/members", community_router)
api.add_router("/", thanks_router)
api.add_router("/", work_router)
api.add_router("/", books_router)
api.add_router("/", journal_router)
api.add_router("/", activity_router)
api.add_router("/policy", governance_router)
api.add_router("/norms", norms_router)
api.add_router("/steward", steward_router)
api.add_router("/decisions", decisions_router)
api.add_router("/discussion", discussion_router)
api.add_router("/search", search_router)
api.add_router("/notifications", notifications_router)
