from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from track2.accounts.credential_views import admin_sign_in
from track2.api import urls as api_urls
from track2.meetings.views import calendar_feed
from track2.site.views import not_found

admin.site.site_header = "Track2 administration"
admin.site.site_title = "Track2 administration"

urlpatterns = [
    path("", include("track2.site.urls")),
    path("accounts/", include("track2.accounts.urls")),
    path("dialogues/", include("track2.dialogues.urls")),
    path("dialogues/", include("track2.deliberation.urls")),
    path("dialogues/", include("track2.outcomes.urls")),
    path("dialogues/", include("track2.facilitation.urls")),
    path("", include("track2.people.urls")),
    path("", include("track2.audit.urls")),
    path("", include("track2.backchannel.urls")),
    path("", include("track2.operations.urls")),
    path("", include("track2.impact.urls")),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
    # The admin signs in through the site's own sign-in (two-factor and limits included).
    path("admin/login/", admin_sign_in),
    path("admin/password_change/", RedirectView.as_view(pattern_name="accounts:password_change")),
    # The admin's "view on site" shortcut would tell an administrator whether a dialogue, meeting or
    # person id exists (a redirect or a 404): it answers 404 for everything.
    re_path(r"^admin/r/", not_found),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls.urls()),
]

handler400 = "track2.site.limits.bad_request"
handler404 = "track2.site.views.not_found"
handler500 = "track2.site.views.server_error"
