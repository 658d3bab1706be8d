"""The HTTP API at /api/v1 (OpenAPI at /api/v1/docs). One router module per context."""

import inspect

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connections, transaction
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from track2 import access
from track2.api import (
    audit,
    backchannel,
    dialogues,
    events,
    facilitation,
    impact,
    me,
    meetings,
    operations,
    outcomes,
    people,
    room,
)
from track2.api.auth import MalformedToken, api_auth
from track2.api.refusals import (
    AdmissibleJson,
    InadmissibleBody,
    NotJson,
    declare_refusals,
    field_errors,
)
from track2.errors import ActionRefused
from track2.site.limits import too_large_message, unreadable_body_message
from track2.validation import printable


class ReferencePage(Swagger):
    """The Swagger UI files django-ninja ships, in a page of ours (a language, a main landmark),
    so that /api/v1/docs passes the same accessibility checks as every other page."""

    template = "api/swagger.html"


class Track2API(NinjaAPI):
    """The API whose OpenAPI document declares every refusal (api.refusals), built once per process:
    ninja walks every router and schema on each request for it (about 200 ms here), and the routes
    cannot change while a process runs."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict | None = None
    ):
        prefix = self.get_root_path(path_params or {}) if path_prefix is None else path_prefix
        built = self.__dict__.setdefault("_openapi_by_prefix", {})
        if prefix not in built:
            built[prefix] = declare_refusals(super().get_openapi_schema(path_prefix=prefix))
        return built[prefix]


api = Track2API(
    title="Track2 API",
    version="1",
    description="Every action of the Track2 web pages, for scripts. Authenticate with a personal token.",
    auth=api_auth,
    urls_namespace="api",
    # Tags folded and a filter box: some 150 operations listed open made a page that took
    # seconds to draw (a failed browser test on a loaded CI host) and a reader had to scroll.
    docs=ReferencePage(settings={"docExpansion": "none", "filter": True}),
    parser=AdmissibleJson(),
)


def _refuse(request: HttpRequest, body: dict, status: int):
    # A refused request keeps nothing it may have written before the refusal (ATOMIC_REQUESTS).
    # A read (track2.site.reading) runs outside that transaction and has nothing to undo.
    match = getattr(request, "resolver_match", None)
    reads_only = match is not None and getattr(match.func, "_non_atomic_requests", None)
    if transaction.get_connection().in_atomic_block and not reads_only:
        transaction.set_rollback(True)
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    if isinstance(exc, MalformedToken):
        message = exc.message
    else:
        message = (
            "Not signed in, or the token is unknown or revoked: send a personal API token as "
            "'Authorization: Bearer t2_…' (create one under Account → API tokens)."
        )
    return _refuse(request, {"detail": message}, 401)


@api.exception_handler(access.NotFound)
def not_found(request: HttpRequest, exc: access.NotFound):
    return _refuse(request, {"detail": "Not found."}, 404)


@api.exception_handler(ActionRefused)
def refused(request: HttpRequest, exc: ActionRefused):
    # Every router's refusals look the same: what was wrong and what to do, and the field it concerns.
    # `errors` lists every problem found at once; `detail`/`field` are the first.
    return _refuse(
        request,
        {
            "detail": exc.message,
            "field": exc.field,
            "errors": [{"field": f, "message": m} for f, m in exc.problems],
        },
        exc.status,
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError):
    return _refuse(
        request,
        {
            "detail": _("The request is not valid; see 'errors' for each field."),
            "errors": field_errors(exc.errors),
        },
        422,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, InadmissibleBody):
        return _refuse(
            request,
            {
                "detail": _("The request is not valid; see 'errors' for each field."),
                "errors": cause.errors,
            },
            422,
        )
    if isinstance(cause, RequestDataTooBig):
        return _refuse(request, {"detail": too_large_message()}, 413)
    if exc.status_code == 400 and cause is not None:
        if isinstance(cause, NotJson):
            detail = _(
                "The request body is declared as %(declared)s; the API reads only JSON. Send a "
                "JSON object with 'Content-Type: application/json'."
            ) % {"declared": printable(str(cause))[:100]}
        else:
            detail = _(
                "The request body is not valid JSON (UTF-8). Send a JSON object "
                "with 'Content-Type: application/json'."
            )
        # the shape of every other 400 (docs/api.md): the one problem also under `errors`
        return _refuse(
            request,
            {"detail": detail, "field": None, "errors": [{"field": None, "message": detail}]},
            400,
        )
    if exc.status_code == 403:
        return _refuse(
            request,
            {
                "detail": _(
                    "The browser session's CSRF token is missing or wrong: send it "
                    "as the X-CSRFToken header, or use a personal API token."
                )
            },
            403,
        )
    return _refuse(request, {"detail": str(exc)}, exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig):
    return _refuse(request, {"detail": too_large_message()}, 413)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def unreadable(request: HttpRequest, exc: Exception):
    # A malformed multipart body (no boundary, a part header over 1 KB), too many fields or
    # files: Django's parser names no field and answers a bare HTML 400 unless caught here.
    message, field = unreadable_body_message(exc)
    return _refuse(
        request,
        {"detail": message, "field": field, "errors": [{"field": field, "message": message}]},
        400,
    )


api.add_router("/", me.router)
api.add_router("/", people.router)
api.add_router("/", dialogues.router)
api.add_router("/", meetings.router)
api.add_router("/", audit.router)
api.add_router("/", backchannel.router)
api.add_router("/", room.router)
api.add_router("/", events.router)
api.add_router("/", outcomes.router)
api.add_router("/", operations.router)
api.add_router("/", facilitation.router)
api.add_router("/", impact.router)


def urls():
    """The API's URL patterns. Async views (the event streams) stay outside ATOMIC_REQUESTS:
    Django refuses to wrap a coroutine in a transaction, and a stream that lasts minutes must
    not hold one; what they read goes through the same access loaders in a thread."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if inspect.iscoroutinefunction(pattern.callback) or _reads_only(pattern.callback):
            # What transaction.non_atomic_requests sets, for every database.
            setattr(pattern.callback, "_non_atomic_requests", set(connections))  # noqa: B010
    return patterns, app_name, namespace


def _reads_only(callback) -> bool:
    """Whether every operation on a path is marked `api_reads_only` (track2.site.reading).
    django-ninja's view for a path closes over its PathView (tests/api/test_reading.py fails
    if that ever changes)."""
    if not inspect.isfunction(callback):  # the OpenAPI document's view, a partial
        return False
    path_view = inspect.getclosurevars(callback).nonlocals.get("self")
    operations = getattr(path_view, "operations", None) or []
    return bool(operations) and all(
        getattr(op.view_func, "_reads_only", False) for op in operations
    )
