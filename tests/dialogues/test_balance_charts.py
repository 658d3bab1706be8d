"""The balance dashboard draws its main figures as accessible SVG charts on the server."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from django.urls import reverse

from track2.dialogues.balance import build_balance
from track2.dialogues.balance_charts import balance_charts, ink_on
from track2.meetings import actions as meeting_actions

SVG = "{http://www.w3.org/2000/svg}"


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def svgs_of(html: str) -> list[ElementTree.Element]:
    # our own page, rendered in this test: not untrusted input
    return [ElementTree.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", html, re.S)]  # noqa: S314


def test_sector_chart_matches_hand_counted_members(world):
    charts = balance_charts(build_balance(world.dialogue))
    bars = {bar.label: bar for bar in charts["sector"].bars}
    caldera = bars[world.caldera.name]  # Arin (academia) and Bo (business)
    assert [(s.label, s.value) for s in caldera.segments] == [("academia", 1), ("business", 1)]
    assert caldera.caption == "2 members"
    # widths are proportional: the largest delegation fills the bar
    ostrava = bars[world.ostrava.name]
    assert (
        abs(sum(s.width for s in ostrava.segments) - sum(s.width for s in caldera.segments)) < 1e-6
    )
    facilitation = bars[world.facilitation.name]
    assert sum(s.width for s in facilitation.segments) * 2 == sum(s.width for s in caldera.segments)
    assert (
        f"{world.caldera.name}: 2 members (academia 1, business 1)." in charts["sector"].description
    )


def test_attendance_chart_counts_each_held_round(world):
    meeting_actions.do_add_participants(
        world.users["convener"], world.past_meeting, [world.persons["arin"]]
    )
    seat = world.past_meeting.participants.get()
    meeting_actions.do_set_participant_status(world.users["convener"], seat, "attended")
    chart = balance_charts(build_balance(world.dialogue))["attendance"]
    (bar,) = chart.bars
    assert bar.label == "Round 1" and bar.caption == "1 of 5 attended"
    assert [(s.label, s.value) for s in bar.segments] == [("attended", 1), ("did not attend", 4)]


def test_text_on_every_colour_is_readable():
    for fill in (
        "#0072B2",
        "#E69F00",
        "#009E73",
        "#CC79A7",
        "#56B4E9",
        "#D55E00",
        "#F0E442",
        "#000000",
        "#999999",
        "#E5E7EB",
    ):
        assert contrast(fill, ink_on(fill)) >= 4.5, fill


def test_the_page_has_accessible_svg_charts_and_keeps_the_tables(world, signed_in):
    meeting_actions.do_add_participants(
        world.users["convener"], world.past_meeting, [world.persons["arin"]]
    )
    html = (
        signed_in(world.users["convener"])
        .get(reverse("dialogues:balance", args=[world.dialogue.pk]))
        .content.decode()
    )
    charts = svgs_of(html)
    assert len(charts) == 3
    for svg in charts:
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert svg.findall(f".//{SVG}text"), "text labels, not colour alone"
        assert "style" not in ElementTree.tostring(
            svg, encoding="unicode"
        )  # the CSP forbids style attributes
    assert "<script" not in html.split("<main", 1)[1]
    assert html.count("<table") == 3  # the tables stay, as the alternative
