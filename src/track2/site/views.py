from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from track2 import access
from track2.access.institutions import institutions_for
from track2.site.health import DatabaseUnreachable, check_database


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = access.dialogues_for(request.user)
    return render(
        request,
        "site/home.html",
        {
            "memberships": memberships,
            "institutions": list(institutions_for(request.user)),
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    try:
        check_database()
    except DatabaseUnreachable:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int, heading: str, explanation: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": heading + ". " + explanation}, status=status)
    return render(
        request, "site/error.html", {"heading": heading, "explanation": explanation}, status=status
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        _("Not found"),
        _(
            "There is nothing here, or you do not have access to it. Check the address, or ask the convener."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        _("Something went wrong"),
        _("The error has been logged and nothing you submitted was half-saved. Please try again."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        _("This form has expired"),
        _(
            "For your security the form could not be accepted (its security token was missing or old). "
            "Go back, reload the page and submit it again."
        ),
    )


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Nothing here is for search engines (a dialogue's existence can be confidential)."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain; charset=utf-8")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and tools that ask for /favicon.ico get the site's icon, not a 404 in the log."""
    return redirect(static("track2/favicon.svg"), permanent=True)
