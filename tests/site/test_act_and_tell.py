"""The pages' one way of running a button's action (`site.forms.act_and_tell`): the success
message after the action, or every problem of a refusal — not only the first."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from track2.errors import Problems
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
