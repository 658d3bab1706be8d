"""API authentication: a personal token (Authorization: Bearer t2_…) or the browser session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from track2.accounts import actions
from track2.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request an API view is handed: every route sits behind api_auth, and django-ninja sets
    request.auth to what the authenticator returned, a signed-in User (never None in a view)."""

    auth: User


class MalformedToken(AuthenticationError):
    pass


class PersonalToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:
            user = actions.user_for_token(token)
        except actions.TokenMalformed as err:
            raise MalformedToken(message=str(err)) from None
        if user is not None:
            request.user = user
        return user


class BrowserSession(APIKeyCookie):
    """The signed-in browser session; CSRF is checked for unsafe methods.

    Only a signed-in session is asked for its CSRF token: a caller with no session is simply
    not authenticated (401 with what to send), not "forbidden" by a CSRF check (403)."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api_auth = [PersonalToken(), BrowserSession(csrf=True)]
