"""What may reach a log line: no request path, because paths carry one-time secrets.

An invitation, a password reset and a private calendar feed all put their secret in the URL, and
a list of who fetched which page when would itself be an attendance record (docs/security.md).
Django's request logger names the path of every error; this filter puts the route pattern in
its place ("invitations/<str:secret>/"), which says where the error was without the secret.
"""

from __future__ import annotations

import logging

NO_ROUTE = "(no matching route)"


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route else NO_ROUTE


class RouteNotPath(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is None:
            return True
        secrets_in_url = {request.path, request.path_info, request.get_full_path()}
        if isinstance(record.args, tuple):
            record.args = tuple(
                route_of(request) if arg in secrets_in_url else arg for arg in record.args
            )
        # Handlers that format the request object (Django's AdminEmailHandler) would print the
        # path and query string again; no handler here needs it.
        record.request = None
        return True
