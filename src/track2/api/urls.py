"""The HTTP API at /api/v1 (OpenAPI at /api/v1/docs). One router module per context."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from track2 import access
from track2.api import dialogues, me, people
from track2.api.auth import MalformedToken, api_auth
from track2.errors import ActionRefused

api = NinjaAPI(
    title="Track2 API",
    version="1",
    description="Every action of the Track2 web pages, for scripts. Authenticate with a personal token.",
    auth=api_auth,
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    if isinstance(exc, MalformedToken):
        message = exc.message
    else:
        message = (
            "Not signed in, or the token is unknown or revoked: send a personal API token as "
            "'Authorization: Bearer t2_…' (create one under Account → API tokens)."
        )
    return api.create_response(request, {"detail": message}, status=401)


@api.exception_handler(access.NotFound)
def not_found(request: HttpRequest, exc: access.NotFound):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(ActionRefused)
def refused(request: HttpRequest, exc: ActionRefused):
    # Every router's refusals look the same: what was wrong and what to do, and the field it concerns.
    # `errors` lists every problem found at once; `detail`/`field` are the first.
    return api.create_response(request, {"detail": exc.message, "field": exc.field,
                                         "errors": [{"field": f, "message": m} for f, m in exc.problems]},
                               status=400)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError):
    return api.create_response(
        request, {"detail": "The request is not valid; see 'errors' for each field.", "errors": exc.errors}, status=422
    )


api.add_router("/", me.router)
api.add_router("/", people.router)
api.add_router("/", dialogues.router)
