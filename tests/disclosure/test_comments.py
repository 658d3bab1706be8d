"""The free-text rule (`disclosure.comments`): nothing while open, at least k or none, comments
naming people withheld and counted, ordered by their words, never by arrival."""

from __future__ import annotations

import pytest

from track2.disclosure.comments import OPEN, TOO_FEW, shown_comments


def nobody(_text):
    return []


def names_smith(text):
    return ["smith"] if "smith" in text.casefold() else []


def test_nothing_is_shown_while_the_survey_is_open():
    found = shown_comments(["a", "b", "c", "d"], 3, is_closed=False, names=nobody)
    assert found.shown == () and found.reason == OPEN and found.written == 4
    assert "closed" in found.reason_text


@pytest.mark.parametrize(("texts", "shown"), [
    (["one", "two"], ()),
    (["one", "two", "  ", ""], ()),
    (["one", "two", "three"], ("one", "three", "two")),
])  # fmt: skip
def test_at_least_k_comments_or_none(texts, shown):
    found = shown_comments(texts, 3, is_closed=True, names=nobody)
    assert found.shown == shown
    assert found.reason == (None if shown else TOO_FEW)


def test_comments_naming_people_are_withheld_and_can_leave_too_few():
    texts = ["Mr Smith was rude", "good talks", "more time", "better coffee"]
    found = shown_comments(texts, 3, is_closed=True, names=names_smith)
    assert found.shown == ("better coffee", "good talks", "more time")
    assert found.withheld_naming == 1 and found.written == 4
    found = shown_comments(texts[:3], 3, is_closed=True, names=names_smith)
    assert found.shown == () and found.withheld_naming == 1 and found.reason == TOO_FEW


def test_order_is_by_words_whatever_the_arrival():
    texts = ["Zeal", "émigré", "apple", "Banana\nsplit"]
    first = shown_comments(texts, 3, is_closed=True, names=nobody).shown
    second = shown_comments(list(reversed(texts)), 3, is_closed=True, names=nobody).shown
    assert first == second == ("apple", "Banana\nsplit", "émigré", "Zeal")
