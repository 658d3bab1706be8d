"""People added to a meeting are told by e-mail, with the calendar file, unless the convener
unticks the box; a mail server that refuses loses nothing and is reported."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from track2.meetings.models import MeetingParticipant

from .test_api import api  # noqa: F401 - the API client fixture

REFUSING = "tests.people.failing_mail.RefusingBackend"


def add_on_page(client, world, *persons, **extra):
    url = reverse("dialogues:participants_add", args=[world.dialogue.pk, world.meeting.pk])
    return client.post(
        url, {"persons": [p.pk for p in persons], "status": "invited", **extra}, follow=True
    )


def test_the_box_is_ticked_by_default(world, signed_in):
    page = (
        signed_in(world.users["convener"])
        .get(reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk]))
        .content.decode()
    )
    assert 'name="notify"' in page and 'id="id_notify"' in page
    assert re.search(r'<input[^>]*name="notify"[^>]*checked', page)


def test_each_person_gets_an_email_with_the_calendar_file(world, signed_in):
    world.dialogue.title = "Fish & <Ships>"
    world.dialogue.save()
    response = add_on_page(
        signed_in(world.users["convener"]),
        world,
        world.persons["arin"],
        world.persons["cyra"],
        notify="on",
    )
    assert "2 added to the meeting; 2 told by e-mail" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == [
        world.persons["arin"].email,
        world.persons["cyra"].email,
    ]
    message = mail.outbox[0]
    assert message.subject == "Invitation to “Round 2” (Fish & <Ships>)"
    assert f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/" in message.body
    assert "&amp;" not in message.body and "&lt;" not in message.body
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content and "Round 2" in content
    # the meeting is at a private home: its address stays out of the e-mail and the calendar file
    assert "7 Secret Lane" not in message.body and "7 Secret Lane" not in content
    assert "address is confidential" in message.body


def test_unticking_sends_nothing(world, signed_in):
    response = add_on_page(signed_in(world.users["convener"]), world, world.persons["arin"])
    assert "nobody was e-mailed" in response.content.decode()
    assert mail.outbox == []
    assert world.meeting.participants.count() == 1


def test_a_refusing_mail_server_keeps_the_addition_and_says_who_was_not_reached(
    world, signed_in, settings
):
    settings.EMAIL_BACKEND = REFUSING
    response = add_on_page(
        signed_in(world.users["convener"]), world, world.persons["arin"], notify="on"
    )
    page = response.content.decode()
    assert "1 added to the meeting; 0 told by e-mail" in page
    assert "The e-mail to Arin Solvei could not be sent (SMTPRecipientsRefused)" in page
    assert "tell them another way" in page
    assert MeetingParticipant.objects.filter(
        meeting=world.meeting, person=world.persons["arin"]
    ).exists()


def test_the_api_notifies_by_default_and_reports_failures(world, api, settings):  # noqa: F811
    url = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/participants"
    told = api("post", url, json={"person_ids": [world.persons["arin"].pk]})
    assert told.status_code == 201 and told.json()[0]["notified"] is True and len(mail.outbox) == 1
    quiet = api("post", url, json={"person_ids": [world.persons["bo"].pk], "notify": False})
    assert quiet.json()[0]["notified"] is None and len(mail.outbox) == 1
    settings.EMAIL_BACKEND = REFUSING
    failed = api("post", url, json={"person_ids": [world.persons["cyra"].pk], "notify": True})
    assert failed.status_code == 201
    assert (
        failed.json()[0]["notified"] is False
        and "could not be sent" in failed.json()[0]["notice_problem"]
    )
    assert world.meeting.participants.count() == 3
    bad = api("post", url, json={"person_ids": [world.persons["dane"].pk], "notify": "perhaps"})
    assert bad.status_code in (400, 422) and world.meeting.participants.count() == 3
