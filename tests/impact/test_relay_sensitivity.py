"""Who reads who was briefed, as the dialogue's conveners chose (issue 14, Relays): the page and
the endpoint by every role and outsider, a liaison refused a wider reading with the same words on
the page and the API, the official's name kept from those the choice excludes in every output,
a stricter choice reaching the relays already recorded, bad input and the audit trail."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.helpers import sign_in
from tests.impact.conftest import past
from tests.outcomes.test_api import ROLES, call
from track2.audit.models import AuditEntry
from track2.disclosure.status import STATUS_LINE
from track2.errors import ActionRefused
from track2.impact import actions, report
from track2.impact.models import Disclosure, Relay

RECORDERS = {"convener", "liaison"}
OFFICIAL = "Undersecretary Ilvane Corsaro-canary"
WIDER_REFUSED = "A liaison cannot open a relay wider"


def page_url(world) -> str:
    return f"/dialogues/{world.dialogue.pk}/impact/relay-sensitivity/"


def api_path(world) -> str:
    return f"/dialogues/{world.dialogue.pk}/impact/relay-sensitivity"


def chosen(world) -> str:
    found = Disclosure.objects.filter(dialogue=world.dialogue).first()
    return found.relay_sensitivity if found else "liaisons"


def choose(world, value: str):
    return actions.do_set_relay_sensitivity(
        world["convener"], world.dialogue.pk, relay_sensitivity=value
    )


def relay(world, recommendation, role="liaison", **given):
    return actions.do_relay(
        world[role], world.dialogue.pk, recommendation.pk,
        **{"briefed": OFFICIAL, "channel": "meeting", "relayed_on": past(2), **given},
    )  # fmt: skip


# Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_page_by_role(client, world, role):
    sign_in(client, world[role])
    page = client.get(page_url(world))
    if role in RECORDERS:
        assert page.status_code == 200
        text = page.content.decode()
        assert STATUS_LINE in text and 'data-relay-sensitivity="liaisons"' in text
        assert ('name="relay_sensitivity"' in text) == (role == "convener")
    else:
        assert page.status_code == 404, (role, page.status_code)
    posted = client.post(page_url(world), {"relay_sensitivity": "members"})
    if role == "convener":
        assert posted.status_code == 302 and chosen(world) == "members"
    else:
        assert posted.status_code == 404, (role, posted.status_code)
        assert chosen(world) == "liaisons"


@pytest.mark.parametrize("role", ROLES)
def test_endpoint_by_role(client, world, role):
    got = call(client, world[role], "get", api_path(world))
    put = call(client, world[role], "put", api_path(world), {"relay_sensitivity": "members"})
    if role in RECORDERS:
        assert got.status_code == 200
        assert got.json() == {"relay_sensitivity": "liaisons", "label": "conveners and liaisons "
                              "only", "relays": {"liaisons": 0, "members": 0},
                              "status_line": STATUS_LINE}  # fmt: skip
    else:
        assert got.status_code == 404 and got.json() == {"detail": "Not found."}
    if role == "convener":
        assert put.status_code == 200, put.content
        assert put.json()["relay_sensitivity"] == "members" and put.json()["narrowed"] == 0
        assert chosen(world) == "members"
    else:
        assert put.status_code == 404, (role, put.status_code)  # liaisons too: not theirs
        assert put.json() == {"detail": "Not found."}
        assert chosen(world) == "liaisons"


def test_anonymous_callers_are_refused(client, world):
    assert call(client, None, "get", api_path(world)).status_code == 401
    assert (
        call(client, None, "put", api_path(world), {"relay_sensitivity": "members"}).status_code
        == 401
    )
    assert client.get(page_url(world)).status_code == 302  # to sign in
    assert client.post(page_url(world), {"relay_sensitivity": "members"}).status_code == 302
    assert chosen(world) == "liaisons"


def test_the_overview_links_the_page_for_those_who_record_relays(client, world):
    overview = f"/dialogues/{world.dialogue.pk}/impact/"
    for role, linked in (("convener", True), ("liaison", True), ("participant", False)):
        sign_in(client, world[role])
        assert (page_url(world) in client.get(overview).content.decode()) == linked, role


# What a liaison may choose -----------------------------------------------------------------


def test_a_relay_takes_the_conveners_choice(world, recommendation):
    assert relay(world, recommendation).sensitivity == "liaisons"  # the default choice
    choose(world, "members")
    assert relay(world, recommendation).sensitivity == "members"
    assert relay(world, recommendation, sensitivity="").sensitivity == "members"


def test_a_liaison_may_choose_a_stricter_reading_never_a_wider_one(world, recommendation):
    with pytest.raises(ActionRefused, match=WIDER_REFUSED) as refused:
        relay(world, recommendation, sensitivity="members")
    assert refused.value.field == "sensitivity"
    assert not Relay.objects.exists()
    choose(world, "members")
    assert relay(world, recommendation, sensitivity="liaisons").sensitivity == "liaisons"
    assert relay(world, recommendation, sensitivity="members").sensitivity == "members"


def test_a_choice_made_stricter_while_a_relay_is_checked_holds_for_it(
    world, recommendation, monkeypatch
):
    """do_relay locks the conveners' choice and checks again when it moved after the check."""
    choose(world, "members")
    check = actions.check_relay

    def check_then_narrow(*args, **kwargs):
        checked = check(*args, **kwargs)
        Disclosure.objects.filter(dialogue=world.dialogue).update(relay_sensitivity="liaisons")
        return checked

    monkeypatch.setattr(actions, "check_relay", check_then_narrow)
    with pytest.raises(ActionRefused, match=WIDER_REFUSED):
        relay(world, recommendation, sensitivity="members")
    assert not Relay.objects.exists()
    assert relay(world, recommendation).sensitivity == "liaisons"


def test_conveners_still_choose_for_each_relay(world, recommendation):
    assert relay(world, recommendation, "convener", sensitivity="members").sensitivity == "members"
    choose(world, "members")
    assert (
        relay(world, recommendation, "convener", sensitivity="liaisons").sensitivity == "liaisons"
    )


def test_the_page_and_the_api_refuse_a_wider_reading_with_the_same_words(
    client, world, recommendation
):
    """Every problem at once, in the same words, through either door; nothing written."""
    base = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}"
    given = {"briefed": OFFICIAL, "channel": "meeting", "sensitivity": "members",
             "relayed_on": past(31).isoformat()}  # before the recommendation was made  # fmt: skip
    sign_in(client, world["liaison"])
    page = client.post(base + "/relays/", given)
    assert page.status_code == 400
    form = page.context["relay_form"]
    page_words = sorted(str(m) for messages in form.errors.values() for m in messages)
    api = call(client, world["liaison"], "post", base + "/relays", given)
    assert api.status_code == 400
    api_words = sorted(e["message"] for e in api.json()["errors"])
    assert page_words == api_words and len(api_words) == 2
    assert any(WIDER_REFUSED in w for w in api_words)
    assert any("before the recommendation was made" in w for w in api_words)
    assert WIDER_REFUSED in page.content.decode()
    assert {e["field"] for e in api.json()["errors"]} == {"sensitivity", "relayed_on"}
    assert not Relay.objects.exists()
    # The CLI says it too, naming the option.
    with pytest.raises(CommandError, match=f"--sensitivity: .*{WIDER_REFUSED}"):
        call_command("impact", "relay", str(world.dialogue.pk), str(recommendation.pk),
                     "--briefed", OFFICIAL, "--channel", "meeting", "--sensitivity", "members",
                     "--relayed-on", past(2).isoformat(), "--by", world["liaison"].email,
                     stdout=io.StringIO())  # fmt: skip
    assert not Relay.objects.exists()


def test_the_relay_form_says_what_the_conveners_chose(client, world, recommendation):
    url = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}/"
    sign_in(client, world["liaison"])
    text = client.get(url).content.decode()
    assert "The conveners chose who reads who was briefed: conveners and liaisons only." in text
    assert "never a wider one" in text
    client.post(url + "relays/", {"briefed": OFFICIAL, "channel": "meeting", "sensitivity": "",
                                  "relayed_on": past(2).isoformat()})  # fmt: skip
    assert Relay.objects.get().sensitivity == "liaisons"


# Who reads the official --------------------------------------------------------------------


def outputs(client, world, recommendation, role) -> dict[str, str]:
    d = world.dialogue.pk
    sign_in(client, world[role])
    detail = f"/dialogues/{d}/impact/recommendations/{recommendation.pk}"
    out = io.StringIO()
    call_command("impact", "timeline", str(d), str(recommendation.pk), "--by", world[role].email,
                 stdout=out)  # fmt: skip
    return {
        "page": client.get(detail + "/").content.decode(),
        "api": call(client, world[role], "get", detail).content.decode(),
        "list": call(
            client, world[role], "get", f"/dialogues/{d}/impact/recommendations"
        ).content.decode(),
        "cli": out.getvalue(),
    }


def test_the_official_is_read_only_by_those_the_choice_includes(client, world, recommendation):
    actions.do_set_disclosure(world["convener"], world.dialogue.pk,
                              observers_see_recommendations=True, observers_see_evaluation=True)  # fmt: skip
    relay(world, recommendation)  # the conveners' choice: conveners and liaisons only
    for role in ("participant", "facilitator", "rapporteur", "observer"):
        for name, text in outputs(client, world, recommendation, role).items():
            assert OFFICIAL not in text, (role, name)
            if name != "list":
                assert "an official (not disclosed to you)" in text, (role, name)
    for role in RECORDERS:
        assert OFFICIAL in outputs(client, world, recommendation, role)["api"], role
    choose(world, "members")
    relay(world, recommendation, briefed="Envoy Marisol Achterberg")
    for role in ("participant", "facilitator", "rapporteur"):
        seen = outputs(client, world, recommendation, role)
        assert (
            "Envoy Marisol Achterberg" in seen["page"] and "Envoy Marisol Achterberg" in seen["api"]
        )
        assert OFFICIAL not in seen["page"] + seen["api"] + seen["cli"], role  # stays as chosen
    observer = outputs(client, world, recommendation, "observer")
    assert "Achterberg" not in "".join(observer.values())  # never an observer's to read
    # The evaluation, its report and the CSV name no official, whoever may read them.
    sign_in(client, world["convener"])
    evaluation = client.get(f"/dialogues/{world.dialogue.pk}/impact/evaluation/").content.decode()
    for text in (evaluation, report.render(world.dialogue, "csv").decode(),
                 report.render(world.dialogue, "html").decode()):  # fmt: skip
        assert OFFICIAL not in text and "Achterberg" not in text


def test_a_stricter_choice_reaches_the_relays_already_recorded(client, world, recommendation):
    choose(world, "members")
    first = relay(world, recommendation)
    by_convener = relay(world, recommendation, "convener", briefed="Minister Tovah Lindqvist")
    path = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}"
    assert OFFICIAL in call(client, world["participant"], "get", path).content.decode()
    change = choose(world, "liaisons")
    assert change.narrowed == 2
    assert set(Relay.objects.values_list("sensitivity", flat=True)) == {"liaisons"}
    text = call(client, world["participant"], "get", path).content.decode()
    assert OFFICIAL not in text and "Lindqvist" not in text
    entries = AuditEntry.objects.filter(object_type="relay", action="update")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted([first.pk, by_convener.pk])
    assert all(e.fields == ["sensitivity"] and e.actor == world["convener"] for e in entries)
    # A wider choice later is for new relays only.
    assert choose(world, "members").narrowed == 0
    assert OFFICIAL not in call(client, world["participant"], "get", path).content.decode()
    assert relay(world, recommendation, briefed="Envoy Z").sensitivity == "members"
    assert sorted(Relay.objects.values_list("sensitivity", flat=True)) == [
        "liaisons", "liaisons", "members",
    ]  # fmt: skip


def test_the_api_and_page_report_how_many_relays_followed(client, world, recommendation):
    choose(world, "members")
    relay(world, recommendation)
    sign_in(client, world["convener"])
    page = client.post(page_url(world), {"relay_sensitivity": "liaisons"}, follow=True)
    assert "1 relay(s) recorded before now follow this stricter choice" in page.content.decode()
    assert call(client, world["convener"], "get", api_path(world)).json()["relays"] == {
        "liaisons": 1, "members": 0,
    }  # fmt: skip


# Bad input ---------------------------------------------------------------------------------

BAD = ["everyone", "", "MEMBERS", "liai\x00sons", "members\x07", "\u202emembers", "m" * 5000]


@pytest.mark.parametrize("value", [*BAD, 10**30, -1, 1.5, True, None, ["members"], {"a": 1}])
def test_the_action_refuses_bad_values(world, value):
    with pytest.raises(ActionRefused, match="Choose one of: liaisons, members") as refused:
        choose(world, value)
    assert refused.value.field == "relay_sensitivity"
    assert (
        chosen(world) == "liaisons"
        and not AuditEntry.objects.filter(object_type="disclosure").exists()
    )


@pytest.mark.parametrize("value", [*BAD, 10**30, -1, True, None, ["members"]])
def test_the_api_refuses_bad_values(client, world, value):
    response = call(client, world["convener"], "put", api_path(world), {"relay_sensitivity": value})
    assert response.status_code in (400, 422), (value, response.status_code)
    body = response.json()
    assert body["detail"] and body["errors"]
    assert "\x00" not in response.content.decode() and "m" * 100 not in response.content.decode()
    assert chosen(world) == "liaisons"


@pytest.mark.parametrize(
    "body",
    [
        b'{"relay_sensitivity": "\\ud800"}',  # a lone surrogate: not Unicode
        b'{"relay_sensitivity": "members"',  # not JSON
        b'{"relay_sensitivity": 1e999999}',
        b'["members"]',
        b"{}",
        b'{"relay_sensitivity": "' + b"m" * 3_000_000 + b'"}',
    ],
)
def test_the_api_refuses_bad_bodies(client, world, body):
    response = call(client, world["convener"], "put", api_path(world), body)
    assert response.status_code in (400, 413, 422), (body[:40], response.status_code)
    assert chosen(world) == "liaisons"


@pytest.mark.parametrize("value", [*BAD, str(10**30), "\ud800".encode("utf-8", "surrogatepass")])
def test_the_page_refuses_bad_values(client, world, value):
    sign_in(client, world["convener"])
    if isinstance(value, bytes):  # invalid UTF-8 in the form's body
        response = client.post(page_url(world), b"relay_sensitivity=" + value,
                               content_type="application/x-www-form-urlencoded")  # fmt: skip
    else:
        response = client.post(page_url(world), {"relay_sensitivity": value})
    assert response.status_code == 400, (value, response.status_code)
    assert response.context["form"].errors["relay_sensitivity"]
    assert chosen(world) == "liaisons"


def test_a_relay_with_an_unknown_sensitivity_is_refused_by_every_door(
    client, world, recommendation
):
    base = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}"
    for value in ("public", "liai\x00sons", 10**30):
        with pytest.raises(ActionRefused, match="Choose one of"):
            relay(world, recommendation, "convener", sensitivity=value)
        api = call(client, world["convener"], "post", base + "/relays",
                   {"briefed": "MFA", "channel": "meeting", "relayed_on": past(2).isoformat(),
                    "sensitivity": value})  # fmt: skip
        assert api.status_code in (400, 422), (value, api.status_code)
    assert not Relay.objects.exists()


# The audit trail and the shell ---------------------------------------------------------------


def test_each_choice_is_recorded_once_by_whichever_door(client, world):
    choose(world, "members")
    call(client, world["convener"], "put", api_path(world), {"relay_sensitivity": "liaisons"})
    sign_in(client, world["convener"])
    client.post(page_url(world), {"relay_sensitivity": "members"})
    client.post(page_url(world), {"relay_sensitivity": "members"})  # unchanged: nothing written
    entries = AuditEntry.objects.filter(object_type="disclosure").order_by("at", "pk")
    assert entries.count() == 3
    for entry in entries:
        assert entry.actor == world["convener"] and entry.actor_name == world["convener"].email
        assert entry.action == "update" and entry.fields == ["relay_sensitivity"]
        assert entry.dialogue_id == world.dialogue.pk
    assert "members" not in json.dumps(list(entries.values("fields")))  # no values in the trail
    changes = client.get(f"/dialogues/{world.dialogue.pk}/changes/").content.decode()
    assert "who reads who was briefed" in changes


def test_the_shell_reads_and_sets_the_choice(world, recommendation):
    d = str(world.dialogue.pk)

    def run(role, *args):
        out = io.StringIO()
        call_command("impact", "relay-sensitivity", d, "--by", world[role].email, *args,
                     stdout=out)  # fmt: skip
        return out.getvalue()

    assert "conveners and liaisons only (liaisons)" in run("liaison")
    assert STATUS_LINE in run("convener", "--set", "members")
    assert chosen(world) == "members"
    with pytest.raises(CommandError, match="has no relay-sensitivity to reach"):
        run("liaison", "--set", "liaisons")
    with pytest.raises(CommandError, match="--set: Choose one of: liaisons, members"):
        run("convener", "--set", "everyone")
    for role in ("participant", "outsider"):
        with pytest.raises(CommandError):
            run(role)
    assert chosen(world) == "members"
