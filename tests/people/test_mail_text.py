"""E-mails are plain text: names and titles with & < > ' " arrive as typed, not HTML-escaped."""

import pytest
from django.core import mail

from track2.people import actions

pytestmark = pytest.mark.django_db

AWKWARD = "Fish & Ships <Talks> 'North' \"South\""


def test_invitation_subject_and_body_are_not_html_escaped(add_person, convener, dialogue):
    dialogue.title = AWKWARD
    dialogue.save()
    dialogue.institution.name = "Peace & Quiet <Institute>"
    dialogue.institution.save()
    candidacy = actions.do_vet(
        convener, add_person(full_name='Zoë O\'Neil & "Co" <x>'), vouched_by="V"
    )
    actions.do_invite(convener, candidacy, base_url="https://x.example")
    message = mail.outbox[-1]
    assert message.subject == f"Invitation to the dialogue “{AWKWARD}”"
    assert 'Dear Zoë O\'Neil & "Co" <x>,' in message.body
    assert "Peace & Quiet <Institute> invites you" in message.body
    for escaped in ("&amp;", "&lt;", "&gt;", "&#x27;", "&quot;", "&#39;"):
        assert escaped not in message.subject and escaped not in message.body
