"""`validation.text_problem` scans a text with one regular expression; these tests hold it to the
rule written out character by character (the first refused character decides the message), on
every code point of the Basic Multilingual Plane and on texts that mix them."""

from __future__ import annotations

import random

import pytest

from track2 import validation


def refused_by_the_rule(char: str, *, multiline: bool) -> bool:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return True
    if char in "\t\n\r":
        return not multiline
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return not multiline
    return code < 0x20 or 0x7F <= code <= 0x9F


def expected(text: str, *, multiline: bool) -> str | None:
    for char in text:
        if refused_by_the_rule(char, multiline=multiline):
            return validation.text_problem(char, multiline=multiline)
    return None


@pytest.mark.parametrize("multiline", [False, True])
def test_every_code_point_of_the_plane_is_judged_as_the_rule_says(multiline):
    for code in range(0x10000):
        char = chr(code)
        problem = validation.text_problem(f"a{char}b", multiline=multiline)
        assert (problem is not None) == refused_by_the_rule(char, multiline=multiline), hex(code)
    assert validation.text_problem("😀 𝔄 ש", multiline=multiline) is None


@pytest.mark.parametrize("multiline", [False, True])
def test_the_first_refused_character_decides_the_message(multiline):
    pool = ["a", "é", "ש", "\t", "\n", "\x00", "\x07", "\x85", "\u202e", "\u2067", "\ud800", "😀"]
    chooser = random.Random(15)
    for _ in range(2000):
        text = "".join(chooser.choice(pool) for _ in range(chooser.randint(0, 12)))
        assert validation.text_problem(text, multiline=multiline) == expected(
            text, multiline=multiline
        ), ascii(text)


def test_the_messages_say_what_was_found():
    assert "one line" in validation.text_problem("a\tb", multiline=False)
    assert "U+202E" in validation.text_problem("a\u202eb", multiline=False)
    assert "U+D800" in validation.text_problem("a\ud800", multiline=True)
    assert validation.text_problem("a\x1b", multiline=True) == (
        validation.control_characters_message()
    )
    assert validation.text_problem("a\u202eb\tc", multiline=True) is None


@pytest.mark.parametrize("multiline", [False, True])
def test_the_rooms_plain_words_find_every_invisible_character(multiline):
    from track2.deliberation import plain_text

    def invisible(char: str) -> bool:
        code = ord(char)
        if char in "\t\n\r":
            return False
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return True
        return not multiline and (0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069)

    for code in [*range(0x0, 0x3000), *range(0xD7F0, 0xE010), 0xFEFF, 0xFFFD]:
        char = chr(code)
        found = plain_text.has_invisible(f"a{char}b", multiline=multiline)
        assert found == invisible(char), hex(code)
