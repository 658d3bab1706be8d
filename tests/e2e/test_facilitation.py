"""The floor in real browsers against `track2 serve`: a facilitator and participants of two sides
run an agenda item with the speaking queue (raise, order, give the floor, end the turn) while the
console updates without a reload; a caucus break everyone sees; the rapporteur drafts the record,
the facilitator approves and exports it, and the PDF carries the status line."""

from __future__ import annotations

import io
import re
import time

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.helpers import sign_in_page
from tests.live.servers import ROOT, seed, serve, served_env
from tests.template_db import migrated_site

pytestmark = pytest.mark.browser
STATUS = "Unofficial. Non-binding. Participants took part in a personal capacity."


def checked_while_served(axe, *pages) -> None:
    """axe-core's checks of pages left before their run ended, made before `serve` stops: the
    fixture's own at teardown would load them from a server no longer there."""
    for page in pages:
        axe.finish(page)


@pytest.mark.long
def test_a_meeting_run_from_the_console(new_page, axe, tmp_path):
    env = served_env(migrated_site(tmp_path / "home"), None)  # migrated once per run
    env["PYTHONPATH"] = f"{ROOT}/src:{ROOT}"  # this checkout's code, not an installed copy
    world = seed(env, "tests.facilitation.seed_floor")
    floor_path = f"/dialogues/{world['dialogue']}/meetings/{world['meeting']}/floor/"
    with serve(env, workers=1) as base:
        console = new_page()
        sign_in_page(console, base, "facilitator@example.org")
        console.goto(base + floor_path)
        expect(console.locator("[data-live-status=live-floor]")).to_have_text(
            "The floor updates by itself."
        )
        console.get_by_role("button", name="Start").click()
        expect(console.locator("#live-floor")).to_contain_text("In progress: 1. Fisheries")
        # The item's clock counts on between updates (m:ss), from the server's figure.
        expect(console.locator("[data-clock-running=true]").first).to_have_text(
            re.compile(r"0:0[2-9]"), timeout=10_000
        )
        expect(console.locator("[data-live-status=live-floor]")).to_have_text(
            "The floor updates by itself."
        )
        console.evaluate("window.__sameDocument = true")  # gone if the page reloads
        # The room's statements and map, embedded, in their own live region.
        room = console.locator("#live-room")
        expect(room).to_contain_text("A coast-guard hotline would help.")
        expect(room).to_contain_text("0 people have cast 0 votes")

        north, south = new_page(), new_page()
        sign_in_page(north, base, "p0@example.org")
        sign_in_page(south, base, "p2@example.org")
        north.goto(base + floor_path.replace("/floor/", "/room/"))
        north.get_by_role("button", name="Agree").first.click()
        expect(room).to_contain_text("1 people have cast 1 votes")
        assert console.evaluate("window.__sameDocument") is True
        north.goto(base + floor_path)
        north.get_by_role("button", name="Raise my hand").click()
        expect(north.locator("[data-live-status]")).to_have_text("The floor updates by itself.")
        south.goto(base + floor_path)
        expect(south.locator("[data-live-status]")).to_have_text("The floor updates by itself.")
        south.get_by_label("a direct response").check()
        south.get_by_role("button", name="Raise my hand").click()
        # The console shows both hands without a reload.
        queue = console.locator("#live-floor ol li")
        expect(queue).to_have_count(2)
        assert console.evaluate("window.__sameDocument") is True
        expect(queue.nth(1)).to_contain_text("direct response")
        queue.nth(1).get_by_role("button", name="Move to the front").click()
        expect(console.locator("#live-floor ol li").first).to_contain_text("South")
        console.locator("#live-floor ol li").first.get_by_role(
            "button", name="Give the floor"
        ).click()
        expect(console.locator("#live-floor")).to_contain_text("Has the floor:")
        console.get_by_role("button", name="End the turn").click()
        expect(console.locator("#live-floor")).not_to_contain_text("Has the floor:")
        expect(console.locator("#live-floor")).to_contain_text("Speaking balance")

        console.get_by_label("Caucus break (minutes; 0 ends it)").fill("10")
        console.get_by_role("button", name="Call the break").click()
        expect(north.locator("#live-floor")).to_contain_text("Caucus break")
        north.get_by_role("link", name="Your delegation's caucus").click()
        north.get_by_label("A note for your delegation").fill("We can live with a hotline.")
        north.get_by_role("button", name="Add the note").click()
        expect(north.locator("#live-caucus")).to_contain_text("We can live with a hotline.")
        north.get_by_label("A statement for your delegation to vote on", exact=False).fill(
            "A hotline before quotas."
        )
        north.get_by_role("button", name="Add the statement").click()
        expect(north.locator("#live-caucus")).to_contain_text("A hotline before quotas.")
        north.locator("#live-caucus").get_by_role("button", name="Agree", exact=True).click()
        expect(north.locator("#live-caucus")).to_contain_text("Agree 1 · disagree 0 · pass 0")
        # A note naming someone is held, with a box to revise it inside the live region. A
        # refused revision comes back as typed, marked at its box; the live update that another
        # member's vote brings must not put the stored words back over it (live.js).
        north.get_by_label("A note for your delegation").fill("Person 03 said quotas can wait.")
        north.get_by_role("button", name="Add the note").click()
        box = north.locator("#live-caucus").get_by_label("Revise without the name")
        words = "Someone said quotas can wait, if the hotline comes first. " * 90  # over 5,000
        box.fill(words)
        north.locator("#live-caucus").get_by_role("button", name="Revise").click()
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_value(words)
        assert north.url.endswith("/note/"), north.url  # the refused send's answer, not a redirect
        expect(north.locator("[data-live-status=live-caucus]")).to_have_text(
            "The caucus updates by itself."
        )
        caucus_url = re.sub(r"note/$", "", north.url)
        other = new_page()
        sign_in_page(other, base, "p1@example.org")
        other.goto(caucus_url)
        other.locator("#live-caucus").get_by_role("button", name="Agree", exact=True).click()
        expect(north.locator("#live-caucus")).to_contain_text("Agree 2 · disagree 0 · pass 0")
        expect(box).to_have_value(words)
        # and the box stays marked, its message beside it: the update's copy is the stored note
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(north.locator("#live-caucus .errorlist")).to_contain_text("At most")
        expect(north.locator("[data-live-status=live-caucus]")).to_have_text(
            "The caucus updates by itself."
        )
        # The caret and the selection survive an update too: words selected to be typed over
        # are typed over, not pushed after the new ones (a swap left the caret at the start).
        box.select_text()
        other.locator("#live-caucus").get_by_role("button", name="Disagree", exact=True).click()
        expect(north.locator("#live-caucus")).to_contain_text("Agree 1 · disagree 1 · pass 0")
        north.keyboard.type("Someone said quotas can wait.")
        expect(box).to_have_value("Someone said quotas can wait.")

        rapporteur = new_page()
        sign_in_page(rapporteur, base, "rapporteur@example.org")
        rapporteur.goto(base + floor_path + "record/")
        rapporteur.get_by_label("Agenda item").select_option(label="1. Fisheries")
        rapporteur.get_by_label("Note", exact=True).fill("Broad support for a coast-guard hotline.")
        rapporteur.get_by_role("button", name="Add to the draft").click()
        expect(rapporteur.get_by_text("Draft (version 1)")).to_be_visible()

        console.goto(base + floor_path + "record/")
        console.get_by_role("button", name="Approve this draft for sharing").click()
        expect(console.get_by_text("Approved record (version 1)")).to_be_visible()
        with console.expect_download() as download:
            console.get_by_role("link", name="Download (PDF)").click()
        pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
        pages = [" ".join(p.extract_text().split()) for p in pdf.pages]
        assert all(STATUS in page for page in pages)
        assert "Broad support for a coast-guard hotline." in " ".join(pages)
        checked_while_served(axe, console, north, south, other, rapporteur)


def test_what_is_for_good_asks_first(new_page, axe, tmp_path):
    """Closing the floor, closing a caucus poll, removing a record note (audit, findings 2–3) ask
    in the browser's dialog first: dismissed, nothing happens; accepted, it is done and said. The
    rapporteur ticks a statement to cite and revises a held note on the page (findings 4, 7)."""
    env = served_env(migrated_site(tmp_path / "home"), None)
    env["PYTHONPATH"] = f"{ROOT}/src:{ROOT}"
    world = seed(env, "tests.facilitation.seed_floor")
    floor_path = f"/dialogues/{world['dialogue']}/meetings/{world['meeting']}/floor/"
    asked: list[str] = []

    def click_and_answer(page, target, accept: bool) -> None:
        """Click, and answer the dialog it opens; return once the answer is given. A listener
        still waiting for its dialog when the next was added (a loaded machine) got the same
        dialog as the next one: the first dismissed it, the second failed to accept it, and the
        next click's dialog, with no listener left, was dismissed by Playwright."""
        seen = len(asked)

        def on_dialog(dialog) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", on_dialog)
        target.click()
        deadline = time.monotonic() + 30
        while len(asked) == seen:  # the handler runs while Playwright waits
            assert time.monotonic() < deadline, "no dialog within 30 s"
            page.wait_for_timeout(50)

    with serve(env, workers=1) as base:
        north = new_page()
        sign_in_page(north, base, "p0@example.org")
        north.goto(base + floor_path)
        north.get_by_role("link", name="Your delegation's caucus").click()
        north.get_by_label("A poll: the question").fill("Accept the hotline?")
        north.get_by_label("Options, one a line (2 to 6)").fill("Yes\nNo")
        north.get_by_role("button", name="Ask").click()
        close_poll = north.get_by_role("button", name="Close the poll “Accept the hotline?”")
        # The page's script asks before closing: clicked before it ran (a loaded machine), the
        # poll closed unasked and no dialog was seen.
        expect(close_poll).to_be_visible()
        north.wait_for_load_state()
        click_and_answer(north, close_poll, accept=False)
        expect(close_poll).to_be_visible()
        assert "cannot be opened again" in asked[-1]
        click_and_answer(north, close_poll, accept=True)
        expect(north.locator("#live-caucus")).to_contain_text("Accept the hotline? (closed)")

        rapporteur = new_page()
        sign_in_page(rapporteur, base, "rapporteur@example.org")
        rapporteur.goto(base + floor_path + "record/")
        rapporteur.get_by_label("A coast-guard hotline would help.").check()
        rapporteur.get_by_label("Note", exact=True).fill("Person 03 wants a hotline.")
        rapporteur.get_by_role("button", name="Add to the draft").click()
        expect(rapporteur.get_by_text("held: names someone", exact=False)).to_be_visible()
        rapporteur.get_by_label("Revise without the name").fill("One side wants a hotline.")
        rapporteur.get_by_role("button", name="Revise", exact=True).click()
        draft = rapporteur.locator("#live-record")
        expect(draft).to_contain_text("One side wants a hotline.")
        expect(draft).to_contain_text("A coast-guard hotline would help.")  # the citation kept
        expect(draft).not_to_contain_text("held: names someone")
        remove = rapporteur.get_by_role("button", name="Remove")
        click_and_answer(rapporteur, remove, accept=False)
        expect(draft).to_contain_text("One side wants a hotline.")
        click_and_answer(rapporteur, remove, accept=True)
        expect(draft).to_contain_text("No notes yet.")

        console = new_page()
        sign_in_page(console, base, "facilitator@example.org")
        console.goto(base + floor_path)
        close = console.get_by_role("button", name="Close the floor", exact=False)
        click_and_answer(console, close, accept=False)
        expect(close).to_be_visible()
        expect(console.locator("#live-floor")).not_to_contain_text("This meeting is over")
        click_and_answer(console, close, accept=True)
        expect(console.locator(".messages")).to_contain_text("The floor is closed. Who spoke")
        expect(console.locator("#live-floor")).to_contain_text(
            "This meeting is over: the floor is closed."
        )
        expect(close).to_have_count(0)
        assert [m.split("?")[0] for m in asked] == [
            "Close this poll for good",
            "Close this poll for good",
            "Remove this note from the draft",
            "Remove this note from the draft",
            "Close the floor for good",
            "Close the floor for good",
        ]
        checked_while_served(axe, north, rapporteur, console)
