import gc
import os
import warnings

from django.core.asgi import get_asgi_application
from django.urls import get_resolver

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

# The long-lived heap (Django, the URLs and every module they import, numpy and scipy through the
# room's views) is loaded now and moved out of the garbage collector's sight. Otherwise each full
# collection walked its ~200,000 objects while holding the interpreter: 100–150 ms in which no
# vote was answered, the room at work's slowest votes (docs/benchmarks.md, stop 22).
get_resolver().url_patterns  # noqa: B018  (imports every view module)
gc.collect()
gc.freeze()
# What is left in sight is mostly the rooms' maps, which are rebuilt as votes come: each build
# counts towards the next full collection (60–70 ms over ~60,000 objects, every ~11 s while a
# room of 2,000 voted). A full collection now waits for 100 younger ones instead of 10; cycles
# still die in the young collections, which stay as they were.
threshold0, threshold1, _threshold2 = gc.get_threshold()
gc.set_threshold(threshold0, threshold1, 100)
