"""The pages' one way of running a button's action (`site.forms.act_and_tell`): the success
message after the action, or every problem of a refusal — not only the first."""

from __future__ import annotations

import ast
import html
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

import track2
from tests.deliberation.conftest import _own_keys as _own_keys  # noqa: F401  (autouse fixture)
from tests.deliberation.conftest import build_room
from tests.helpers import sign_in
from tests.impact.conftest import survey as survey  # noqa: F401  (fixture)
from tests.outcomes.conftest import statement_doc as statement_doc  # noqa: F401  (fixture)
from tests.outcomes.conftest import world as world  # noqa: F401  (fixture)
from track2.deliberation import actions as deliberation_actions
from track2.deliberation.models import Statement, Vote
from track2.errors import Problems
from track2.facilitation.models import CaucusNote, ItemInterval, RecordNote
from track2.impact import actions as impact_actions
from track2.meetings.models import Meeting
from track2.site.forms import NOT_DONE, act_and_tell


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_done_action_returns_its_result_and_says_so_after_it_ran():
    request, state = _request(), {"count": 0}

    def act():
        state["count"] = 3
        return "result"

    done = act_and_tell(request, act, lambda result: f"{result}: {state['count']} changed")
    assert done == "result"
    assert _said(request) == [("success", "result: 3 changed")]


def test_a_refusal_shows_every_problem_and_returns_not_done():
    request = _request()

    def refuse():
        problems = Problems()
        problems.add("The meeting was held; archive it instead.", "meeting")
        problems.add("Its attendance is recorded.")
        problems.raise_any()

    assert act_and_tell(request, refuse, "never said") is NOT_DONE
    assert _said(request) == [
        ("error", "The meeting was held; archive it instead."),
        ("error", "Its attendance is recorded."),
    ]


def test_without_a_message_nothing_is_said_on_success():
    request = _request()
    assert act_and_tell(request, lambda: None) is None
    assert _said(request) == []


def test_other_errors_are_not_swallowed():
    request = _request()
    with pytest.raises(ZeroDivisionError):
        act_and_tell(request, lambda: 1 / 0)
    assert _said(request) == []


# --- the pages' buttons ----------------------------------------------------------------------
# Each app's button, refused for several reasons at once where its action can find several:
# every reason is shown after the redirect, and nothing changed.


def _errors(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def _pending_statement(room):
    """A statement the second participant sent, waiting for the facilitators."""
    statement = deliberation_actions.do_submit(
        deliberation_actions.check_submit(
            room.participants[1], room.dialogue.pk, room.meeting.pk, "A shared hotline."
        )
    )
    assert statement.status == Statement.Status.PENDING
    return statement


def test_a_vote_refused_twice_says_both_and_records_nothing(client, make_user, institution):
    room = build_room(make_user, institution, per_side=1)
    pending = _pending_statement(room)
    sign_in(client, room.participants[0])
    response = client.post(
        reverse("deliberation:vote", args=[room.dialogue.pk, room.meeting.pk, pending.pk]),
        {"vote": "maybe"},
    )
    assert response.status_code == 302
    assert _errors(response) == [
        "Answer “agree”, “disagree” or “pass”.",
        "This statement waits for moderation: vote once it is accepted.",
    ]
    assert not Vote.objects.filter(statement=pending).exists()


def test_a_record_note_refused_three_times_says_each_and_writes_nothing(
    client, make_user, institution
):
    room = build_room(make_user, institution, per_side=1)
    sign_in(client, room.users["facilitator"])
    response = client.post(
        reverse("facilitation:record_act", args=[room.dialogue.pk, room.meeting.pk, "note"]),
        {"text": "  ", "item_id": "999999", "note_id": "999999"},
    )
    # A text entry: the page comes back (400) with every problem on it, not a redirect.
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    for problem in (
        "That is not a note of the record's latest version.",
        "That is not an item of this meeting's agenda.",
        "Write something: it is empty.",
    ):
        assert problem in page, problem
    assert not RecordNote.objects.filter(version__meeting=room.meeting).exists()


def test_a_floor_timer_refused_twice_says_both_and_starts_nothing(client, make_user, institution):
    room = build_room(make_user, institution, per_side=1)
    Meeting.objects.filter(pk=room.meeting.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    sign_in(client, room.users["facilitator"])
    response = client.post(
        reverse("facilitation:act", args=[room.dialogue.pk, room.meeting.pk, "timer"]),
        {"action": "rewind"},
    )
    assert response.status_code == 302
    over, choose = _errors(response)
    assert over.startswith("This meeting is over: running the agenda timer")
    assert choose.startswith("Choose one of: start, ")
    assert not ItemInterval.objects.filter(meeting=room.meeting).exists()


def test_a_caucus_note_refused_twice_says_both_and_writes_nothing(client, make_user, institution):
    room = build_room(make_user, institution, per_side=1)
    sign_in(client, room.participants[0])
    response = client.post(
        reverse(
            "facilitation:caucus_act",
            args=[room.dialogue.pk, room.meeting.pk, room.north.pk, "note"],
        ),
        {"text": "", "note_id": "999999"},
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    for problem in (
        "That is not a held note of yours: only those are revised.",
        "Write something: it is empty.",
    ):
        assert problem in page, problem
    assert not CaucusNote.objects.exists()


def test_a_participant_already_listed_is_refused_and_nobody_is_added(
    client, make_user, institution
):
    room = build_room(make_user, institution, per_side=1)
    listed = room.persons[room.participants[0].pk]
    before = room.meeting.participants.count()
    sign_in(client, room.users["convener"])
    response = client.post(
        reverse("dialogues:participants_add", args=[room.dialogue.pk, room.meeting.pk]),
        {"persons": [listed.pk], "status": "invited"},
    )
    assert response.status_code == 302
    assert _errors(response) == [f"{listed.full_name} is already on this meeting's list."]
    assert room.meeting.participants.count() == before


def test_a_diff_of_two_missing_versions_names_both(client, world, statement_doc):
    sign_in(client, world["facilitator"])
    response = client.get(
        reverse("outcomes:diff", args=[world.dialogue.pk, statement_doc.pk]) + "?a=7&b=9"
    )
    assert response.status_code == 302
    assert _errors(response) == [
        "There is no version 7 of this document.",
        "There is no version 9 of this document.",
    ]


def test_closing_a_closed_survey_is_refused_and_changes_nothing(client, world, survey):
    impact_actions.do_close_survey(world["facilitator"], world.dialogue.pk, survey.pk)
    sign_in(client, world["facilitator"])
    response = client.post(reverse("impact:close_survey", args=[world.dialogue.pk, survey.pk]))
    assert response.status_code == 302
    assert _errors(response) == ["This survey is already closed."]
    survey.refresh_from_db()
    assert not survey.is_open


# --- one refusal path ------------------------------------------------------------------------

# The views that keep their own `except ActionRefused`, each for a reason act_and_tell cannot
# serve: (file under src/track2, top-level function) → why.
OWN_REFUSAL_HANDLING = {
    # A page the caller may see but not use: the room's refusal page, 403/409.
    ("deliberation/views.py", "submit_statement"): "renders the refusal page (403/409)",
    ("deliberation/views.py", "mine"): "renders the refusal page (403/409)",
    # Inside `submit`: restates places (sections[0]…) for the one text box, then re-raises.
    ("outcomes/views.py", "_create"): "rewords the refusal for the form and re-raises",
    ("outcomes/views.py", "_edit"): "rewords the refusal for the form and re-raises",
    # Answering an invitation re-renders its page with the error (no redirect).
    ("dialogues/views.py", "role_invitation"): "re-renders the invitation page with the error",
    ("people/views.py", "invitation"): "re-renders the invitation page with the error, 400",
    # People pages re-render the person's page or form with status 400 and the errors in place.
    ("people/views.py", "person_edit"): "puts each problem on its part of a three-part form",
    ("people/views.py", "candidacy_invite"): "re-renders the person's page, 400",
    # The caucus's and the record's text entries come back with what was typed, 400.
    ("facilitation/views.py", "_typed"): "re-renders the caucus or record with the text, 400",
    ("people/views.py", "person_delete"): "re-renders the person's page, 400",
    ("people/views.py", "roster_import"): "re-renders the preview or marks the file field, 400",
    # A new authenticator app: the password is checked even when the form refused the code (and
    # the reverse), so that both problems show at once; off, it sends the reader to the account.
    ("accounts/views.py", "authenticator_replace"): "checks the code and the password together",
    # The aide-mémoire copy's recipient is typed: a refusal of it shows the document again with
    # the name kept and marked, 400; any other refusal (a format in the address) redirects.
    ("outcomes/views.py", "export"): "re-renders the document with the recipient kept, 400",
}


def _own_refusal_handlers() -> set[tuple[str, str]]:
    """(file, top-level function) of every `except` naming ActionRefused in a views module."""
    root = Path(track2.__file__).parent
    found = set()
    for path in sorted(root.rglob("*views*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for top in tree.body:
            for node in ast.walk(top):
                if (
                    isinstance(node, ast.ExceptHandler)
                    and node.type is not None
                    and "ActionRefused" in ast.unparse(node.type)
                ):
                    name = getattr(top, "name", "<module>")
                    found.add((path.relative_to(root).as_posix(), name))
    return found


def test_buttons_refuse_through_act_and_tell_only():
    found = _own_refusal_handlers()
    assert found - OWN_REFUSAL_HANDLING.keys() == set(), (
        "a view handles ActionRefused itself: use site.forms.act_and_tell (a button) or "
        "submit (a form), or add it to OWN_REFUSAL_HANDLING with the reason"
    )
    # An entry whose view no longer handles refusals itself is dropped from the list.
    assert OWN_REFUSAL_HANDLING.keys() - found == set()
