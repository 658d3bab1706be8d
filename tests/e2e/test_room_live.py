"""The dialogue room in real browsers against `track2 serve`: a facilitator and three participants
of two sides, each in their own browser context, run an agenda item — submit, moderate, vote with
the keyboard, change a vote — while the facilitator's map updates without a reload, and recovers
after the server drops its connection (a restart). On SQLite (one worker) and on PostgreSQL (two
workers: the map's stream and the votes may go through different processes)."""

from __future__ import annotations

import re
from contextlib import nullcontext

import pytest
from playwright.sync_api import expect

from tests.helpers import sign_in_page
from tests.live.servers import postgres_database, seed, serve, served_env
from tests.site.test_serve import free_port

pytestmark = pytest.mark.browser


def votes_cell(page, text: str):
    row = page.locator("#live-map table tbody tr", has_text=text)
    return row.locator("td").nth(1)


def counts_cell(page, text: str):
    return page.locator("#live-map table tbody tr", has_text=text).locator("td").nth(2)


@pytest.mark.long
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_facilitator_watches_the_map_move_while_three_participants_vote(
    database, new_page, tmp_path
):
    on_postgres = database == "postgresql"
    with postgres_database() if on_postgres else nullcontext(None) as url:
        env = served_env(tmp_path / "home", url)
        room = seed(env, "tests.live.seed_room")
        port = free_port()
        room_path = f"/dialogues/{room['dialogue']}/meetings/{room['meeting']}/room/"
        with serve(env, workers=2 if on_postgres else 1, port=port) as base:
            facilitator = new_page()
            sign_in_page(facilitator, base, "facilitator@example.org")
            facilitator.goto(base + room_path + "map/")
            expect(facilitator.locator("[data-live-status]")).to_have_text(
                "The map updates by itself as votes arrive."
            )
            facilitator.evaluate("window.__sameDocument = true")

            # Two participants of the north side and one of the south.
            north_a, north_b, south = (new_page() for _ in range(3))
            for page, email in (
                (north_a, "p0@example.org"),
                (north_b, "p1@example.org"),
                (south, "p2@example.org"),
            ):
                sign_in_page(page, base, email)

            statement = "A joint hotline would prevent incidents at sea."
            north_a.goto(base + room_path + "statements/new/")
            north_a.get_by_label("Your statement").fill(statement)
            north_a.get_by_role("button", name="Send").click()
            expect(north_a.get_by_text("Statement").first).to_be_visible()

            # The facilitator moderates in a second tab; the map tab stays open.
            queue = facilitator.context.new_page()
            queue.goto(base + room_path + "moderation/")
            queue.locator("article.statement", has_text=statement).get_by_role(
                "button", name="Record decision"
            ).click()
            expect(facilitator.locator("#live-map")).to_contain_text(statement)
            expect(votes_cell(facilitator, statement)).to_have_text("too few votes yet")

            # Keyboard voting, one statement at a time: A agrees, D disagrees.
            for page, key in ((north_a, "a"), (north_b, "a"), (south, "d")):
                page.goto(base + room_path)
                expect(page.locator(".current-statement blockquote")).to_have_text(statement)
                page.keyboard.press(key)
                expect(page.get_by_text("You have answered every statement")).to_be_visible()
            expect(votes_cell(facilitator, statement)).to_have_text("3")
            expect(counts_cell(facilitator, statement)).to_have_text("2 / 1 / 0")

            # The south participant changes their vote from the list.
            south.goto(base + room_path + "?view=list")
            south.locator("article.statement", has_text=statement).get_by_role(
                "button", name="Agree", exact=True
            ).click()
            expect(south.get_by_text("Your vote: agree")).to_be_visible()
            expect(counts_cell(facilitator, statement)).to_have_text("3 / 0 / 0")
            assert facilitator.evaluate("window.__sameDocument") is True  # never reloaded

        # The server goes away (every connection drops) and comes back on the same port.
        expect(facilitator.locator("[data-live-status]")).to_have_text(
            re.compile("reconnecting|could not be refreshed")
        )
        with serve(env, workers=2 if on_postgres else 1, port=port) as base:
            expect(facilitator.locator("[data-live-status]")).to_have_text(
                "The map updates by itself as votes arrive.", timeout=30_000
            )
            north_b.goto(base + room_path + "?view=list")
            north_b.locator("article.statement", has_text=statement).get_by_role(
                "button", name="Disagree", exact=True
            ).click()
            expect(counts_cell(facilitator, statement)).to_have_text("2 / 1 / 0")
            assert facilitator.evaluate("window.__sameDocument") is True
