"""One wording for control characters in typed text, from one function
(`track2.validation.control_characters_message`): the API's schemas said "a control character
(U+0007 BELL) that cannot be shown or printed; …" where the room's pages said "invisible control
characters; remove them and send again", and other pages said the first."""

from __future__ import annotations

import pytest
from django import forms
from pydantic import TypeAdapter, ValidationError

from track2 import validation
from track2.api.fields import Line, Text
from track2.deliberation import plain_text
from track2.site.forms import InputRules

CONTROLS = ["\x00", "\x07", "\x1b", "\x0b", "\x7f", "\x85", "\x9f"]


class _Form(InputRules, forms.Form):
    line = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea)


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_the_api_and_the_pages_say_the_same_words(char):
    message = validation.control_characters_message()
    typed = f"Joint{char} patrols"
    for kind in (Line(200), Text()):
        with pytest.raises(ValidationError) as refused:
            TypeAdapter(kind).validate_python(typed)
        said = refused.value.errors()[0]["msg"].removeprefix("Value error, ")
        assert said == message
    form = _Form({"line": typed, "notes": typed})
    assert not form.is_valid()
    assert message in form.errors["line"] and message in form.errors["notes"]
    assert plain_text.problem(typed, multiline=False) == message


def test_the_rooms_plain_message_is_the_same_words():
    # deliberation.plain_text keeps its own copy of the sentence (its module is not this
    # change's); until it returns validation's, this holds the two together.
    assert plain_text.invisible_message() == validation.control_characters_message()
