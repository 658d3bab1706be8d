"""The size limit of a request body, checked before anything reads it.

Django itself refuses an oversized form or JSON body only when a view reads it, and then with
a bare 400; here the whole request is refused up front with 413 and a message that says the
limit: JSON for the API, the site's error page for people.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


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


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit_for(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": too_large_message()}, status=413)
            return render(
                request,
                "site/error.html",
                {"heading": _("Too much at once"), "explanation": too_large_message()},
                status=413,
            )
        return self.get_response(request)
