from django.urls import path

from track2.dialogues import venue_views
from track2.dialogues import views as v
from track2.meetings.urls import meeting_patterns

app_name = "dialogues"
D = "<int:dialogue_id>/"
urlpatterns = [
    path("new/", v.create, name="create"),
    path(D, v.detail, name="detail"),
    path(D + "edit/", v.edit, name="edit"),
    path(D + "parties/", v.parties, name="parties"),
    path(D + "parties/<int:party_id>/remove/", v.party_remove, name="party_remove"),
    path(D + "roles/", v.roles, name="roles"),
    path(D + "roles/<int:membership_id>/remove/", v.role_remove, name="role_remove"),
    path(
        D + "roles/invitations/<int:invitation_id>/cancel/",
        v.role_invitation_cancel,
        name="role_invitation_cancel",
    ),
    path("role-invitation/<str:secret>/", v.role_invitation, name="role_invitation"),
    path(D + "delegations/", v.delegations, name="delegations"),
    path(D + "delegations/<int:delegation_id>/", v.delegation, name="delegation"),
    path(
        D + "delegations/<int:delegation_id>/delete/", v.delegation_delete, name="delegation_delete"
    ),
    path(
        D + "delegations/<int:delegation_id>/seats/<int:seat_id>/remove/", v.unseat, name="unseat"
    ),
    path(D + "balance/", v.balance, name="balance"),
    path(D + "venues/", venue_views.venues, name="venues"),
    path(D + "venues/<int:venue_id>/edit/", venue_views.venue_edit, name="venue_edit"),
    path(D + "venues/<int:venue_id>/delete/", venue_views.venue_delete, name="venue_delete"),
    # Meetings are their own app; their pages keep the addresses and names they had here.
    *meeting_patterns(D),
]
