"""One plain message for invisible characters in a text, for the room's and the impact app's
forms and actions.

Django's CharField adds its own "Null characters are not allowed." beside track2.validation's
message, so a text pasted with a NUL and a BEL got two messages run together (audit, finding 8).
What a writer needs is one sentence: there are characters they cannot see; remove them. The rules
and the words are track2.validation's (`control_characters_message`, the one wording of every
surface); this module makes them one message.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from track2 import validation
from track2.site.forms import InputRules

# Django's own message for a NUL in a CharField, and the code of track2.site.forms' text rules.
_REPLACED = frozenset({"null_characters_not_allowed", "inadmissible_text"})


def invisible_message() -> str:
    return validation.control_characters_message()  # one wording on every surface


# One regular-expression scan each (in C), not a Python loop over every character.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE_ON_ONE_LINE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def has_invisible(value: str, *, multiline: bool) -> bool:
    """Control characters (C0 and C1, NUL and DEL included; tab and line breaks only in
    one-line text, where track2.validation says so in its own plain words) or, in one-line
    text, direction controls: all characters a writer cannot see on the page."""
    return (_INVISIBLE if multiline else _INVISIBLE_ON_ONE_LINE).search(value) is not None


def problem(value: str, *, multiline: bool) -> str | None:
    """Why `value` is not admissible text, in plain words, or None when it is."""
    if has_invisible(value, multiline=multiline):
        return invisible_message()
    return validation.text_problem(value, multiline=multiline)


class PlainTextForm(InputRules, forms.Form):
    """A form whose every field follows track2.validation (InputRules) and where a text field
    with invisible characters carries one plain message instead of Django's and
    track2.validation's, while its other problems (too long, required) stay beside it."""

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            multiline = isinstance(field.widget, forms.Textarea)
            if not isinstance(raw, str) or not has_invisible(raw, multiline=multiline):
                continue
            errors = self.errors.get(name)  # full_clean has run: this reads, never cleans again
            kept = [e for e in (errors.as_data() if errors else []) if e.code not in _REPLACED]
            plain = ValidationError(invisible_message(), code="invisible_characters")
            self.errors[name] = self.error_class([plain, *kept], renderer=self.renderer)
            self.cleaned_data.pop(name, None)
