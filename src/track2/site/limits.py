"""Request bodies that cannot be taken: too large (checked before anything reads them), or that
Django's parser refuses (a malformed multipart form, too many fields or files).

Django itself refuses an oversized form or JSON body only when a view reads it, and a body it
cannot parse with a bare "Bad Request (400)" page; here each gets a message that says what was
wrong and what to do: JSON for the API and for the pages' JSON endpoints (passkeys), the site's
error page for people.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

# What Django's parser raises for a body it will not read; each becomes a 400 with a message.
UNREADABLE_BODY = (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def too_large_message() -> str:
    return _(
        "The request is too large: at most %(body)s of form or JSON data, and %(upload)s for an "
        "uploaded file. Send less at a time (a roster can be split into several files)."
    ) % {
        "body": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        "upload": _megabytes(settings.TRACK2_MAX_UPLOAD_BYTES),
    }


def limit_for(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return settings.TRACK2_MAX_UPLOAD_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def unreadable_body_message(error: Exception) -> tuple[str, str | None]:
    """What to tell the sender of a body Django's parser refused, and the field it concerns."""
    if isinstance(error, TooManyFieldsSent):
        return _("The form has too many fields (more than %(n)d). Send less at a time.") % {
            "n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }, None
    if isinstance(error, TooManyFilesSent):
        return _("Too many files at once (more than %(n)d). Send one file at a time.") % {
            "n": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }, "file"
    # Django names no field, and says only "Invalid boundary" or "Request max total header size
    # exceeded" (each part's headers, the file name among them, may take 1,024 bytes).
    return _(
        "The upload could not be read: the form is not a well-formed multipart form, or the file's "
        "name is too long (over about 900 characters). Give the file a shorter name and send it "
        "again."
    ), "file"


def wants_json(request: HttpRequest) -> bool:
    """The API, and the pages' endpoints that are sent JSON (passkeys.js), read JSON answers."""
    return request.path.startswith("/api/") or request.content_type == "application/json"


def refusal(
    request: HttpRequest, status: int, heading: str, message: str, field: str | None = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        # the shape of every API refusal (docs/api.md)
        problem = {"field": field, "message": message}
        return JsonResponse({"detail": message, "field": field, "errors": [problem]}, status=status)
    if wants_json(request):
        # the shape of the passkey endpoints' answers (accounts/passkey_views.py)
        return JsonResponse({"errors": [message]}, status=status)
    return render(
        request, "site/error.html", {"heading": heading, "explanation": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's handler400: a body Django could not parse is named; anything else gets
    Django's own answer."""
    if isinstance(exception, UNREADABLE_BODY):
        message, field = unreadable_body_message(exception)
        return refusal(request, 400, _("The form could not be read"), message, field)
    return defaults.bad_request(request, exception or Exception())


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit_for(request):
            # Before the session and NoStoreMiddleware: this answer sets its own caching.
            response = refusal(request, 413, _("Too much at once"), too_large_message())
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
