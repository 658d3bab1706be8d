"""The evaluation through every output (page, API, CSV, HTML and PDF report): figures under k are
hidden everywhere, a hidden side is not derivable, and no canary identity or free text leaks."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from tests.helpers import sign_in
from tests.impact.test_actions import answer
from tests.outcomes.test_api import call
from track2.disclosure.status import STATUS_LINE
from track2.impact import actions, charts, queries, report

CANARY_TEXT = "Zebulon-Quartermain-canary"
NAMES = ["Ostrava Person 0", "Norvik Person 2", "ostrava0@example.org", "norvik1@example.org"]


@pytest.fixture
def rounds(world):
    d = world.dialogue.pk
    before = actions.do_open_survey(world["facilitator"], d, round_number=1, phase="before")
    after = actions.do_open_survey(world["facilitator"], d, round_number=1, phase="after")
    for i, name in enumerate(("ostrava0", "ostrava1", "ostrava2", "norvik0", "norvik1", "norvik2")):
        answer(world, world[name], before, warmth=20 + i, free_text=CANARY_TEXT)
        answer(world, world[name], after, warmth=60 + 2 * i, free_text=CANARY_TEXT)
    return before, after


def outputs(client, world) -> dict[str, str]:
    d = world.dialogue.pk
    sign_in(client, world["convener"])
    pdf = report.render(world.dialogue, "pdf")
    return {
        "page": client.get(f"/dialogues/{d}/impact/evaluation/").content.decode(),
        "api": call(
            client, world["convener"], "get", f"/dialogues/{d}/impact/evaluation"
        ).content.decode(),
        "csv": report.render(world.dialogue, "csv").decode(),
        "html": report.render(world.dialogue, "html").decode(),
        "pdf": "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages),
    }


def test_change_is_shown_above_k_with_paired_effect(world, rounds):
    data = queries.evaluation(world.dialogue)
    rows = data["comparisons"][0]["measures"][0]["rows"]
    assert [r["group"] for r in rows] == ["all delegations", "Norvik", "Ostrava"]
    assert all(r["shown"] for r in rows)
    overall = rows[0]["change"]
    assert overall["paired"] and overall["n_pairs"] == 6
    assert overall["change"] == pytest.approx(40 + 2.5)  # (20+i → 60+2i): mean of 40 + i
    assert overall["ci_low"] <= overall["change"] <= overall["ci_high"]


def test_every_output_carries_the_status_line_and_no_canary(client, world, rounds):
    for name, text in outputs(client, world).items():
        assert STATUS_LINE in " ".join(text.split()), name
        for canary in [CANARY_TEXT, *NAMES]:
            assert canary not in text, (name, canary)
        for response in rounds[0].responses.all():
            assert response.pseudonym not in text, name


def test_a_side_under_k_is_hidden_everywhere_with_its_complement(client, world, rounds):
    before, after = rounds
    # Norvik answers only twice after: under k = 3. Ostrava must go too, or the overall figures
    # and Ostrava's would give Norvik's away.
    after.responses.filter(delegation__name="Norvik").order_by("pk").first().delete()
    data = queries.evaluation(world.dialogue)
    rows = data["comparisons"][0]["measures"][0]["rows"]
    assert [(r["group"], r["shown"]) for r in rows] == [
        ("all delegations", True), ("Norvik", False), ("Ostrava", False),
    ]  # fmt: skip
    assert rows[1]["change"] is None and rows[2]["change"] is None
    balance = {row["group"]: row["counts"] for row in data["balance"]["rows"]}
    assert balance["Norvik"][1] is None
    for name, text in outputs(client, world).items():
        if name == "pdf":
            continue  # the PDF's text is the HTML report's, checked below
        assert "hidden" in text, name
    csv_rows = report.render(world.dialogue, "csv").decode().splitlines()
    norvik = [r for r in csv_rows if ",Norvik," in r]
    assert norvik and all(queries.HIDDEN in r for r in norvik)
    drawn = charts.change_charts(data["comparisons"][0])
    assert [m["measure"] for m, _svg in drawn] == ["thermometer", "trust", "escalation"]
    for _measure, svg in drawn:
        assert "Norvik" in svg and "hidden" in svg  # named as hidden, not drawn as a group


def test_a_lone_group_under_k_hides_the_overall_figure_too(world):
    survey_a = actions.do_open_survey(world["facilitator"], world.dialogue.pk, round_number=1,
                                      phase="before")  # fmt: skip
    survey_b = actions.do_open_survey(world["facilitator"], world.dialogue.pk, round_number=1,
                                      phase="after")  # fmt: skip
    for survey in (survey_a, survey_b):
        for name in ("ostrava0", "ostrava1"):
            answer(world, world[name], survey)
    data = queries.evaluation(world.dialogue)
    assert not any(r["shown"] for m in data["comparisons"][0]["measures"] for r in m["rows"])
    assert charts.change_chart(data["comparisons"][0]) is None
    assert (
        "40"
        not in report.render(world.dialogue, "csv")
        .decode()
        .split("funnel")[0]
        .split("effect_kind")[1]
    )  # no figure before the funnel rows


def test_charts_are_svg_with_a_table_alternative(client, world, rounds):
    sign_in(client, world["convener"])
    page = client.get(f"/dialogues/{world.dialogue.pk}/impact/evaluation/").content.decode()
    comparisons = queries.evaluation(world.dialogue)["comparisons"]
    # warmth, trust and escalation for each comparison, and the funnel
    assert page.count('src="data:image/svg+xml;base64,') == 3 * len(comparisons) + 1
    for label in ("warmth toward", "trust in the other side", "perceived likelihood of escalation"):
        assert f"{comparisons[0]['label']}: {label}" in page
    trust_svg = charts.change_chart(comparisons[0], 1)
    assert "trust in the other side" in trust_svg and "round 1, after the meeting" in trust_svg
    assert "the table below gives the same figures" in page and "<table data-comparison" in page
    svg = charts.funnel_chart(queries.funnel(world.dialogue))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert svg == charts.funnel_chart(queries.funnel(world.dialogue))  # deterministic


def test_report_is_organised_by_the_dac_criteria(world, rounds):
    html = report.render(world.dialogue, "html").decode()
    positions = [html.index(c) for c in ("Relevance", "Coherence", "Effectiveness", "Efficiency",
                                         "Impact", "Sustainability")]  # fmt: skip
    assert positions == sorted(positions)


def test_a_chart_is_drawn_once_for_the_same_figures_and_again_when_they_change():
    def comparison(after: float) -> dict:
        row = {"group": "Norvik", "shown": True, "change": {"mean_before": 40, "mean_after": after}}
        hidden = {"group": "Ostrava", "shown": False, "change": None}
        measure = {"measure": "thermometer", "label": "warmth", "rows": [row, hidden]}
        return {"label": "before → after", "measures": [measure]}

    charts._change_svg.cache_clear()
    first = charts.change_chart(comparison(55))
    assert charts.change_chart(comparison(55)) == first
    assert charts._change_svg.cache_info().hits == 1
    moved = charts.change_chart(comparison(70))
    assert moved != first and charts._change_svg.cache_info().misses == 2
    assert "Ostrava" in moved and "<svg" in moved


def test_the_csv_keeps_a_delegation_name_that_starts_like_a_formula_as_text(world, rounds):
    """The evaluation's CSV is read by observers and liaisons in spreadsheets: a delegation named
    like a formula stays text; the figures stay numbers."""
    from track2.dialogues.models import Delegation

    Delegation.objects.filter(dialogue=world.dialogue, name="Ostrava").update(
        name="=SUM(1) Ostrava"
    )
    rows = list(csv.reader(io.StringIO(report.render(world.dialogue, "csv").decode())))
    groups = {row[3] for row in rows[2:] if row[0] == "change"}
    assert "'=SUM(1) Ostrava" in groups and not any(g.startswith("=") for g in groups)
    changes = [row[10] for row in rows[2:] if row[0] == "change" and row[10]]
    assert changes and all(float(c) >= 0 for c in changes)  # numbers, no apostrophe
