"""A page's form controls as a browser shows them, for tests of forms sent back after a refusal:
each control's value (a text area's text, an input's value, a select's chosen option) and
attributes, and the text of any element by id (to read the errors a control's
`aria-describedby` points at)."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


@dataclass
class Control:
    tag: str
    attrs: dict[str, str | None]
    value: str = ""

    @property
    def described_by(self) -> list[str]:
        return (self.attrs.get("aria-describedby") or "").split()

    @property
    def is_invalid(self) -> bool:
        return self.attrs.get("aria-invalid") == "true"


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: dict[str, Control] = {}
        self.texts: dict[str, str] = {}
        self.opened: list[tuple[str, str | None]] = []
        self.select: Control | None = None

    def handle_starttag(self, tag, attrs):
        attrs_ = dict(attrs)
        element_id = attrs_.get("id")
        if tag in {"input", "textarea", "select"} and element_id:
            control = Control(tag, attrs_, attrs_.get("value") or "")
            self.controls[element_id] = control
            if tag == "select":
                self.select = control
        if tag == "option" and self.select is not None and "selected" in attrs_:
            self.select.value = attrs_.get("value") or ""
        if element_id:
            self.texts[element_id] = ""
        if tag not in _VOID:
            self.opened.append((tag, element_id))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        for at in range(len(self.opened) - 1, -1, -1):
            if self.opened[at][0] == tag:
                del self.opened[at:]
                break

    def handle_data(self, data):
        for _tag, element_id in self.opened:
            if element_id:
                self.texts[element_id] += data
        tag, element_id = self.opened[-1] if self.opened else ("", None)
        if tag == "textarea" and element_id in self.controls:
            control = self.controls[element_id]
            # A browser drops the one line break that follows <textarea>.
            control.value += data[1:] if not control.value and data.startswith("\n") else data


def page_of(response) -> Page:
    page = Page()
    page.feed(response.content.decode())
    page.close()
    return page


def errors_at(page: Page, control_id: str) -> str:
    """The text of what the control's aria-describedby points at (its errors), asserting that
    the control is marked invalid and that each element it names is on the page."""
    control = page.controls[control_id]
    assert control.is_invalid, control.attrs
    assert control.described_by and all(i in page.texts for i in control.described_by)
    return " ".join(page.texts[i] for i in control.described_by)
