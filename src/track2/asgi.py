import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "track2.settings")
# WhiteNoise answers static files with a file response whose iterator is synchronous; under ASGI
# Django reads it in a worker thread and warns on every static file (evansd/whitenoise#531). For
# our small static files that is harmless, and the warning would bury real ones in the server log.
warnings.filterwarnings(
    "ignore",
    message="StreamingHttpResponse must consume synchronous iterators",
    category=Warning,
    module="django.core.handlers.asgi",
)
django_application = get_asgi_application()


from track2.api.lane import VoteLane  # noqa: E402  (after Django is set up)

# A room's votes with a personal token take a lean path; everything else is Django's.
application = VoteLane(django_application)
