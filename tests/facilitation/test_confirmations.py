"""Every button on the floor, the caucus and the record that deletes, removes or closes something
for good asks first, as the project's other destructive buttons do (`data-confirm`, read by
site/static/track2/track2.js: "Close the room for good?"). Audit, findings 2 and 3: the floor's
"Close the floor", the caucus's "Delete" and "Close the poll", the record's "Remove" acted at
once. (The browser's dialog itself: tests/e2e/test_facilitation.py.)"""

from __future__ import annotations

from html.parser import HTMLParser

from tests.facilitation.test_caucus import c_page
from tests.facilitation.test_caucus import caucus_world as caucus_world  # noqa: F401  (fixture)
from tests.facilitation.test_record import r_page
from tests.helpers import sign_in

# The last part of a form's action → a destructive act.
FOR_GOOD = {"close", "delete-note", "delete-statement", "close-poll", "remove"}


class Buttons(HTMLParser):
    """(the form's last path part, the button's attributes) for every button in a form."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs_ = dict(attrs)
        if tag == "form":
            self.action = (attrs_.get("action") or "").rstrip("/").rsplit("/", 1)[-1]
        elif tag == "button":
            self.found.append((self.action, attrs_))


def destructive_buttons(response) -> dict[str, list[dict]]:
    parser = Buttons()
    parser.feed(response.content.decode())
    found: dict[str, list[dict]] = {}
    for action, attrs in parser.found:
        if action in FOR_GOOD:
            found.setdefault(action, []).append(attrs)
    return found


def _all_ask(found: dict[str, list[dict]]) -> None:
    for action, buttons in found.items():
        for attrs in buttons:
            assert "?" in (attrs.get("data-confirm") or ""), (action, attrs)


def test_the_caucus_asks_before_deleting_or_closing(caucus_world, client):
    world = caucus_world
    sign_in(client, world.participants[0])
    client.post(c_page(world, tail="note/"), {"text": "Person 05 said so."})  # held
    client.post(c_page(world, tail="statement/"), {"text": "Person 05 is right."})  # held
    client.post(c_page(world, tail="poll/"), {"question": "Go on?", "options": "yes\nno"})
    found = destructive_buttons(client.get(c_page(world)))
    assert sorted(found) == ["close-poll", "delete-note", "delete-statement"]
    _all_ask(found)
    assert "cannot be opened again" in found["close-poll"][0]["data-confirm"]


def test_the_record_asks_before_removing_a_note(world, client):
    sign_in(client, world.users["rapporteur"])
    client.post(r_page(world, "note/"), {"text": "A first note.", "item_id": ""})
    client.post(r_page(world, "note/"), {"text": "Person 03 insisted.", "item_id": ""})
    found = destructive_buttons(client.get(r_page(world)))
    assert sorted(found) == ["remove"] and len(found["remove"]) == 2
    _all_ask(found)


def test_the_console_asks_before_closing_the_floor(world, client):
    sign_in(client, world.users["facilitator"])
    found = destructive_buttons(
        client.get(f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/")
    )
    assert sorted(found) == ["close"]
    _all_ask(found)
