"""`track2 impact`: the same actions, access rules and disclosure as the pages and API — every
role and outsider, bad input answered in one line per problem with nothing written, no canary
in what it prints."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.impact.conftest import past
from tests.impact.test_actions import answer
from tests.outcomes.test_api import MEMBERS, ROLES
from track2.audit.models import AuditEntry
from track2.disclosure.status import STATUS_LINE
from track2.impact import actions
from track2.impact.models import Reaction, Recommendation, Relay, Survey

READERS = MEMBERS - {"observer"}
RECORDERS = {"convener", "liaison"}
RUNNERS = {"convener", "facilitator"}
CANARY = "Zebulon-Quartermain-canary"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("impact", *args, stdout=out)
    return out.getvalue()


def by(world, role):
    return ["--by", world[role].email]


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, recommendation, survey, role):
    d, r, s = str(world.dialogue.pk), str(recommendation.pk), str(survey.pk)
    cases = [
        (["recommendations", d], READERS),
        (["timeline", d, r], READERS),
        (["evaluation", d], READERS),
        (["relay", d, r, "--briefed", "A deputy minister", "--channel", "meeting",
          "--relayed-on", past(2).isoformat()], RECORDERS),
        (["react", d, r, "--status", "received", "--reacted-on", past(1).isoformat()], RECORDERS),
        (["comments", d, s], RUNNERS),
        (["recommend", d, "--title", "Joint survey", "--text", "Survey the reef together.",
          "--target-kind", "un", "--target-institution", "UNEP"], READERS - {"participant", "rapporteur"}),
    ]  # fmt: skip
    for args, allowed in cases:
        if role in allowed:
            assert run(*args, *by(world, role)).startswith(STATUS_LINE), (role, args[0])
        else:
            with pytest.raises(CommandError) as refused:
                run(*args, *by(world, role))
            assert (
                "has no" in str(refused.value)
                or "record" in str(refused.value)
                or ("write" in str(refused.value))
            ), (role, args[0], str(refused.value))
    if role not in RECORDERS:
        assert not Relay.objects.exists() and not Reaction.objects.exists()


def test_a_liaison_relays_and_records_an_adoption_with_evidence(world, recommendation):
    d, r = str(world.dialogue.pk), str(recommendation.pk)
    run("relay", d, r, "--briefed", "Deputy Minister Aurel Vance", "--channel", "non_paper",
        "--relayed-on", past(5).isoformat(), *by(world, "liaison"))  # fmt: skip
    relay = Relay.objects.get()
    out = run("react", d, r, "--status", "adopted", "--reacted-on", past(1).isoformat(),
              "--evidence-text", "A hotline between the two coast guards.",
              "--evidence-url", "https://example.org/communique", "--relay", str(relay.pk),
              *by(world, "liaison"))  # fmt: skip
    assert "adopted" in out
    assert Reaction.objects.get().relay == relay
    timeline = run("timeline", d, r, *by(world, "participant"))
    assert "an official (not disclosed to you)" in timeline and "Aurel Vance" not in timeline
    assert "https://example.org/communique" in timeline
    funnel = run("recommendations", d, *by(world, "convener"))
    assert "adopted 1" in funnel
    assert AuditEntry.objects.filter(action__in=["relay", "react"]).count() == 2


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--reacted-on", "2100-01-01"], "--reacted-on: 2100-01-01 is in the future"),
        (["--reacted-on", "yesterday"], "--reacted-on: Write the date as YYYY-MM-DD"),
        (["--evidence-url", "not a link"], "--evidence-url: That is not a web address"),
        (["--evidence-text", "bell\x07"], "--evidence-text:"),
        (["--evidence-text", "bad \udcff"], "--evidence-text:"),
        (["--relay", str(10**40)], "--relay: No such relay"),
        (["--status", "loved"], "--status: Choose one of"),
    ],
)
def test_bad_reactions_say_what_to_change_and_write_nothing(world, recommendation, extra, says):
    base = {"--status": "received", "--reacted-on": past(1).isoformat()}
    for option, value in zip(extra[::2], extra[1::2], strict=True):
        base[option] = value
    args = [a for pair in base.items() for a in pair]
    with pytest.raises(CommandError) as refused:
        run("react", str(world.dialogue.pk), str(recommendation.pk), *args, *by(world, "liaison"))
    assert says in str(refused.value) and "Nothing was written." in str(refused.value)
    assert not Reaction.objects.exists()


def test_every_problem_at_once(world, recommendation):
    with pytest.raises(CommandError) as refused:
        run("relay", str(world.dialogue.pk), str(recommendation.pk), "--briefed", "x" * 201,
            "--channel", "pigeon", "--relayed-on", "2100-01-01", *by(world, "liaison"))  # fmt: skip
    message = str(refused.value)
    assert "--briefed:" in message and "--channel:" in message and "--relayed-on:" in message
    assert "\n" not in message


@pytest.mark.parametrize("bad", ["x", "-1", "0", str(10**40), "1e3", "\udcff", "7\x00"])
def test_unknown_numbers_are_not_found(world, recommendation, bad):
    with pytest.raises(CommandError, match="check them"):
        run("timeline", str(world.dialogue.pk), bad, *by(world, "convener"))
    with pytest.raises(CommandError, match="check them"):
        run("evaluation", bad, *by(world, "convener"))
    with pytest.raises(CommandError, match="check them"):
        run("react", str(world.dialogue.pk), bad, "--status", "received", "--reacted-on",
            past(1).isoformat(), *by(world, "liaison"))  # fmt: skip


def test_unknown_account_and_bad_round(world):
    with pytest.raises(CommandError, match="No active account"):
        run("recommendations", str(world.dialogue.pk), "--by", "nobody@example.org")
    for bad in ("two", str(10**30), "0", "\udcff"):
        with pytest.raises(CommandError, match="--round: The round is a whole number"):
            run("open-survey", str(world.dialogue.pk), "--round", bad, "--phase", "before",
                *by(world, "facilitator"))  # fmt: skip
    assert not Survey.objects.exists()


def test_surveys_open_close_and_comments_through_the_disclosure_layer(world):
    d = str(world.dialogue.pk)
    out = run("open-survey", d, "--round", "1", "--phase", "before", *by(world, "facilitator"))
    survey = Survey.objects.get()
    assert f"Survey #{survey.pk}" in out
    for i, name in enumerate(("ostrava0", "ostrava1", "norvik0")):
        answer(world, world[name], survey, free_text=f"remark {i}")
    assert "shown once the survey is closed" in run("comments", d, str(survey.pk),
                                                    *by(world, "convener"))  # fmt: skip
    run("close-survey", d, str(survey.pk), *by(world, "facilitator"))
    out = run("comments", d, str(survey.pk), *by(world, "convener"))
    assert "- remark 0\n- remark 1\n- remark 2" in out
    with pytest.raises(CommandError, match="already closed"):
        run("close-survey", d, str(survey.pk), *by(world, "facilitator"))


def test_recommend_with_an_unknown_carrier_is_refused(world):
    with pytest.raises(CommandError, match="--owner"):
        run("recommend", str(world.dialogue.pk), "--title", "T", "--text", "Do it.",
            "--target-kind", "un", "--target-institution", "UN", "--owner", "nobody@example.org",
            *by(world, "convener"))  # fmt: skip
    assert not Recommendation.objects.exists()


def test_evaluation_in_every_format_carries_the_status_line_and_no_canary(world, tmp_path):
    d = world.dialogue.pk
    before = actions.do_open_survey(world["facilitator"], d, round_number=1, phase="before")
    after = actions.do_open_survey(world["facilitator"], d, round_number=1, phase="after")
    for i, name in enumerate(("ostrava0", "ostrava1", "ostrava2", "norvik0", "norvik1", "norvik2")):
        answer(world, world[name], before, warmth=20 + i, free_text=CANARY)
        answer(world, world[name], after, warmth=60 + 2 * i, free_text=CANARY)
    text = run("evaluation", str(d), *by(world, "participant"))
    assert "warmth toward the other side(s)" in text and "change" in text and "Funnel:" in text
    data = json.loads(run("evaluation", str(d), "--format", "json", *by(world, "convener")))
    assert data["status_line"] == STATUS_LINE and data["comparisons"]
    outputs = {"text": text, "json": json.dumps(data, ensure_ascii=False)}
    for fmt in ("csv", "html"):
        outputs[fmt] = run("evaluation", str(d), "--format", fmt, *by(world, "convener"))
    with pytest.raises(CommandError, match="--output"):
        run("evaluation", str(d), "--format", "pdf", *by(world, "convener"))
    target = tmp_path / "e.pdf"
    assert "Wrote" in run("evaluation", str(d), "--format", "pdf", "--output", str(target),
                          *by(world, "convener"))  # fmt: skip
    assert target.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="Cannot write"):
        run("evaluation", str(d), "--format", "csv", "--output", str(tmp_path / "no" / "x.csv"),
            *by(world, "convener"))  # fmt: skip
    pseudonyms = list(before.responses.values_list("pseudonym", flat=True))
    for fmt, body in outputs.items():
        assert STATUS_LINE in " ".join(body.split()), fmt
        for canary in [CANARY, *pseudonyms, *(world[n].email for n in ("ostrava0", "norvik2"))]:
            assert canary not in body, (fmt, canary)
