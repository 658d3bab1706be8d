"""Text inside a CSS string, such as the status line and a copy's watermark in the `content:` of
a PDF page's margin boxes (`@page { @top-center { content: "{{ value|css_string }}" } }`).

Django's `escapejs` is for JavaScript: CSS does not know `\\u002D`, reads it as an escaped "u"
and printed "Nonu002Dbinding" in every margin. CSS has one escape, a backslash and one to six hex
digits, ended by one optional space (CSS Syntax Level 3, § 4.3.7 "Consume an escaped code
point"); always writing six digits and the space makes the end unambiguous whatever follows.
"""

from __future__ import annotations

import string
import unicodedata

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Plainly safe in a CSS string and in the HTML <style> element around it. Left out, hence
# escaped: quotes, the backslash, `<` and `>` (no `</style>`), `&`, braces, `@`, `*`, `;`.
_PLAIN_ASCII = frozenset(string.ascii_letters + string.digits + " .,:!?()-_/+=#%")
# Beyond ASCII, letters, marks, numbers, punctuation, symbols and the space separators are kept
# as they are (the page is UTF-8: "·", "—", "é", Arabic, CJK). Control and format characters
# (bidirectional overrides among them), line and paragraph separators, surrogates, private-use
# and unassigned code points are escaped.
_PLAIN_CATEGORIES = frozenset("L M N P S".split())


def _is_plain(ch: str) -> bool:
    if ch.isascii():
        return ch in _PLAIN_ASCII
    category = unicodedata.category(ch)
    return category[0] in _PLAIN_CATEGORIES or category == "Zs"


@register.filter(is_safe=True)
def css_string(value) -> SafeString:
    """`value` as the inside of a double- or single-quoted CSS string: CSS hex escapes
    (`\\00002D `) for every character not plainly safe. The result holds no quote, `<`, `>` or
    `&`, so it is also safe where HTML would be escaped."""
    text = str(value)
    escaped = "".join(ch if _is_plain(ch) else f"\\{ord(ch):06X} " for ch in text)
    return mark_safe(escaped)  # noqa: S308  (every character outside the plain set is escaped)
