import zoneinfo

from django.utils import timezone


class UserTimeZoneMiddleware:
    """Show times in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page and API answer that Django produces.

    A signed-in page or API answer left in a browser's or proxy's cache can be read later by
    the next person at a shared computer. Static files never reach this middleware
    (WhiteNoise answers them earlier, with its long-lived caching of hashed names). Answers to
    anonymous requests that chose their own caching keep it; everything signed in is no-store.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # the API's token check sets request.user too
        signed_in = user is not None and user.is_authenticated
        if signed_in or "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
