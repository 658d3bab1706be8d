"""Meeting pages, under a dialogue's address (included by `track2.dialogues.urls`, so their
names stay in the "dialogues" namespace: dialogues:meeting, dialogues:agenda_add, …)."""

from django.urls import path

from track2.meetings import views as m


def meeting_patterns(dialogue_prefix: str) -> list:
    D = dialogue_prefix  # noqa: N806 (the same short names as the dialogue routes)
    M = D + "meetings/<int:meeting_id>/"
    return [
        path("calendar/", m.calendar_settings, name="calendar"),
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
        path(
            M + "participants/<int:participant_id>/",
            m.participant_status,
            name="participant_status",
        ),
        path(M + "participants/attended/", m.participants_attended, name="participants_attended"),
        path(M + "my-answer/", m.my_answer, name="my_answer"),
    ]
