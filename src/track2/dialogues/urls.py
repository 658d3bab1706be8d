from django.urls import path

from track2.dialogues import meeting_views as m
from track2.dialogues import views as v

app_name = "dialogues"
D = "<int:dialogue_id>/"
M = D + "meetings/<int:meeting_id>/"
urlpatterns = [
    path("new/", v.create, name="create"),
    path("calendar/", m.calendar_settings, name="calendar"),
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
    path(D + "venues/", m.venues, name="venues"),
    path(D + "venues/<int:venue_id>/edit/", m.venue_edit, name="venue_edit"),
    path(D + "venues/<int:venue_id>/delete/", m.venue_delete, name="venue_delete"),
    path(D + "meetings/", m.meetings, name="meetings"),
    path(D + "meetings/new/", m.meeting_create, name="meeting_create"),
    path(M, m.meeting, name="meeting"),
    path(M + "edit/", m.meeting_edit, name="meeting_edit"),
    path(M + "delete/", m.meeting_delete, name="meeting_delete"),
    path(M + "archive/", m.meeting_archive, name="meeting_archive"),
    path(M + "calendar.ics", m.meeting_ics, name="meeting_ics"),
    path(M + "agenda/", m.agenda_add, name="agenda_add"),
    path(M + "agenda/<int:item_id>/edit/", m.agenda_edit, name="agenda_edit"),
    path(M + "agenda/<int:item_id>/delete/", m.agenda_delete, name="agenda_delete"),
    path(M + "agenda/<int:item_id>/move/", m.agenda_move, name="agenda_move"),
    path(M + "participants/", m.participants_add, name="participants_add"),
    path(M + "participants/<int:participant_id>/", m.participant_status, name="participant_status"),
    path(M + "participants/attended/", m.participants_attended, name="participants_attended"),
    path(M + "my-answer/", m.my_answer, name="my_answer"),
]
