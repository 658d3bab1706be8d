"""Deleting a whole dialogue on its page and through /api/v1: one convener asks, a different one
confirms, either withdraws; every other role, an outsider, members and conveners of other
dialogues or institutions and the site administrator get 404, nobody signed in is sent to sign
in; bad input is refused with every problem at once and what was typed kept."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.dialogues.test_access_matrix import ALL_ROLES
from tests.dialogues.test_api import bearer
from track2.audit.models import AuditEntry
from track2.dialogues.models import Dialogue, Membership, Role
from track2.operations.dialogue_contents import KINDS
from track2.operations.models import DialogueDeletion

TITLE = "Varena Sea Dialogue"


@pytest.fixture
def second_convener(world, make_user):
    user = make_user("second.convener@example.org", display_name="Dr Second Convener")
    Membership.objects.create(dialogue=world.dialogue, user=user, role=Role.CONVENER)
    return user


def page(dialogue_id: int) -> str:
    return reverse("operations:deletion", args=[dialogue_id])


def withdraw_page(dialogue_id: int) -> str:
    return reverse("operations:deletion_withdraw", args=[dialogue_id])


def api(dialogue_id, tail: str = "deletion") -> str:
    return f"/api/v1/dialogues/{dialogue_id}/{tail}"


def post_json(client, path: str, body, token: dict):
    return client.post(path, body, content_type="application/json", **token)


def state() -> tuple:
    keys = settings.TRACK2_HOME / "keys"
    return (
        sorted(Dialogue.objects.values_list("pk", flat=True)),
        sorted(DialogueDeletion.objects.values_list("pk", "requested_by", "withdrawn_at")),
        AuditEntry.objects.count(),
        sorted(p.name for p in keys.iterdir()) if keys.exists() else [],
    )


def ask(client, world, user=None):
    answer = post_json(
        client, api(world.dialogue.pk), {"title": TITLE}, bearer(user or world.users["convener"])
    )
    assert answer.status_code == 201, answer.json()
    return answer


@pytest.mark.parametrize("role", ALL_ROLES)
def test_access_matrix_pages_and_api(world, second_convener, signed_in, client, role):
    user, d = world.users[role], world.dialogue.pk
    ask(client, world)  # a request a stranger might try to confirm or withdraw
    browser = signed_in(user)
    token = bearer(user)
    if role == "convener":
        shown = browser.get(page(d))
        assert shown.status_code == 200
        assert b'href="/dialogues/%d/retention/" aria-current="true"' % d in shown.content
        assert client.get(api(d), **token).json()["deletion"] == "requested"
        return
    before = state()
    for dialogue_id in (d, d + 999):
        assert browser.get(page(dialogue_id)).status_code == 404, role
        for step in ("ask", "confirm"):
            posted = browser.post(page(dialogue_id), {"title": TITLE, "step": step})
            assert posted.status_code == 404 and TITLE.encode() not in posted.content, role
        assert browser.post(withdraw_page(dialogue_id)).status_code == 404, role
        calls = [
            client.get(api(dialogue_id), **token),
            post_json(client, api(dialogue_id), {"title": TITLE}, token),
            client.delete(api(dialogue_id), **token),
            post_json(client, api(dialogue_id, "deletion/confirmation"), {"title": TITLE}, token),
        ]
        for answer in calls:
            assert answer.status_code == 404 and answer.json() == {"detail": "Not found."}, role
    assert state() == before


def test_nobody_signed_in_is_sent_to_sign_in(world, second_convener, client):
    d = world.dialogue.pk
    ask(client, world)
    before = state()
    anonymous = Client()
    for response in (
        anonymous.get(page(d)),
        anonymous.post(page(d), {"title": TITLE, "step": "confirm"}),
        anonymous.post(withdraw_page(d)),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for answer in (
        anonymous.get(api(d)),
        anonymous.post(api(d), {"title": TITLE}, content_type="application/json"),
        anonymous.delete(api(d)),
        anonymous.post(
            api(d, "deletion/confirmation"), {"title": TITLE}, content_type="application/json"
        ),
    ):
        assert answer.status_code == 401
    assert state() == before


def test_a_site_administrator_never_deletes_even_holding_a_conveners_role(
    world, second_convener, client
):
    # an account made administrator after it convened keeps its membership row: access ignores it
    admin = world.users["site_admin"]
    Membership.objects.create(dialogue=world.dialogue, user=admin, role=Role.CONVENER)
    d = world.dialogue.pk
    ask(client, world)
    before = state()
    browser = Client()
    browser.force_login(admin)
    assert browser.get(page(d)).status_code == 404
    assert browser.post(page(d), {"title": TITLE, "step": "confirm"}).status_code == 404
    assert browser.post(withdraw_page(d)).status_code == 404
    token = bearer(admin)
    assert client.get(api(d), **token).status_code == 404
    confirmation = post_json(client, api(d, "deletion/confirmation"), {"title": TITLE}, token)
    assert confirmation.status_code == 404
    assert client.delete(api(d), **token).status_code == 404
    assert state() == before
    # nor does it count as a second convener who could confirm
    Membership.objects.filter(user=second_convener).delete()
    assert client.get(api(d), **bearer(world.users["convener"])).json()["conveners"] == 1


def test_the_retention_page_links_to_it_and_the_page_says_what_goes(world, signed_in, client):
    convener = world.users["convener"]
    browser = signed_in(convener)
    retention = browser.get(reverse("operations:retention", args=[world.dialogue.pk]))
    assert page(world.dialogue.pk).encode() in retention.content
    shown = browser.get(page(world.dialogue.pk)).content.decode()
    assert '<th scope="row">Meetings</th><td>2</td>' in shown
    assert "People seated in delegations</th><td>5</td>" in shown
    assert "directory" in shown and "Backups made before the deletion" in shown
    held = client.get(api(world.dialogue.pk), **bearer(convener)).json()["holds"]
    assert set(held) == {code for code, _m, _l in KINDS}
    assert (held["meetings"], held["delegation_seats"], held["statements"]) == (2, 5, 0)


def test_a_single_convener_is_told_to_add_a_second_first(world, signed_in, client):
    convener, d = world.users["convener"], world.dialogue.pk
    browser = signed_in(convener)
    shown = browser.get(page(d)).content.decode()
    assert "This dialogue has one convener" in shown
    assert reverse("dialogues:roles", args=[d]) in shown
    assert 'name="title"' not in shown  # nothing to type: it could not be confirmed
    before = state()
    # every problem at once: one convener, and the wrong title
    posted = browser.post(page(d), {"title": "Varena", "step": "ask"})
    assert posted.status_code == 400
    text = posted.content.decode()
    assert "This dialogue has one convener" in text and "type the dialogue" in text
    assert 'value="Varena"' in text  # what was typed is kept
    answer = post_json(client, api(d), {"title": "Varena"}, bearer(convener))
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == [None, "title"]
    assert "one convener" in answer.json()["detail"]
    assert client.get(api(d), **bearer(convener)).json()["may_be_deleted"] is False
    assert state() == before


def test_ask_then_another_convener_confirms_and_it_is_gone(world, second_convener, client):
    first, second, d = world.users["convener"], second_convener, world.dialogue.pk
    keys = settings.TRACK2_HOME / "keys"
    keys.mkdir(mode=0o700)
    (keys / f"dialogue-{d}.key").write_bytes(b"k" * 32)
    meeting = world.meeting.pk

    nobody = post_json(client, api(d, "deletion/confirmation"), {"title": TITLE}, bearer(second))
    assert nobody.status_code == 400 and "Nobody has asked" in nobody.json()["detail"]

    asked = ask(client, world)
    body = asked.json()
    assert body["deletion"] == "requested" and body["requested_by"] == first.pk
    assert body["conveners_not_told"] == [] and body["holds"]["deletion_requests"] == 1
    # the other convener is told, by the dialogue's number, never its title
    (notice,) = mail.outbox
    assert notice.to == [second_convener.email] and str(d) in notice.subject
    assert TITLE not in notice.subject + notice.body and page(d) in notice.body

    again = post_json(client, api(d), {"title": TITLE}, bearer(second))
    assert again.status_code == 400 and "already asked" in again.json()["detail"]
    same = post_json(client, api(d, "deletion/confirmation"), {"title": TITLE}, bearer(first))
    assert same.status_code == 400
    assert same.json()["detail"].startswith("You asked for this deletion; a second convener")
    wrong = post_json(
        client, api(d, "deletion/confirmation"), {"title": "Varena Sea"}, bearer(second)
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "title"
    assert Dialogue.objects.filter(pk=d).exists() and (keys / f"dialogue-{d}.key").exists()

    done = post_json(
        client, api(d, "deletion/confirmation"), {"title": " Varena  Sea Dialogue "}, bearer(second)
    )
    assert done.status_code == 200, done.json()
    out = done.json()
    assert (out["dialogue_id"], out["deleted"], out["requested_by"], out["confirmed_by"]) == (
        d,
        True,
        first.pk,
        second.pk,
    )
    assert out["removed"]["meetings"] == 2 and out["removed"]["audit_entries"] > 0
    assert not Dialogue.objects.filter(pk=d).exists()
    assert not (keys / f"dialogue-{d}.key").exists()
    assert (keys / f"dialogue-{d}.destroyed").exists()
    assert not AuditEntry.objects.filter(dialogue_id=d).exists()
    (entry,) = AuditEntry.objects.filter(object_type="dialogue", object_id=d)
    assert (entry.dialogue_id, entry.action, entry.actor, entry.parent_type, entry.parent_id) == (
        None,
        "delete",
        second,
        "institution",
        world.dialogue.institution_id,
    )
    assert entry.fields == [f"requested_by={first.pk}", f"requested_by_name={first.email}"]
    assert TITLE not in str(entry.__dict__)

    # afterwards its number is not found, in pages and the API, for everyone
    for user in (first, second):
        assert client.get(api(d), **bearer(user)).status_code == 404
        events = client.get(f"/api/v1/dialogues/{d}/meetings/{meeting}/events", **bearer(user))
        assert events.status_code == 404
        browser = Client()
        browser.force_login(user)
        for path in (page(d), reverse("dialogues:detail", args=[d])):
            assert browser.get(path).status_code == 404


def test_on_the_pages_one_asks_another_confirms(world, second_convener, signed_in):
    first, d = world.users["convener"], world.dialogue.pk
    asked = signed_in(first).post(page(d), {"title": TITLE, "step": "ask"}, follow=True)
    assert "Deletion asked for" in asked.content.decode()
    assert "You asked: a second convener must confirm" in asked.content.decode()
    assert len(mail.outbox) == 1

    browser = signed_in(second_convener)
    shown = browser.get(page(d)).content.decode()
    assert "asked to delete this dialogue" in shown and 'value="confirm"' in shown
    refused = browser.post(page(d), {"title": "Varena Sea Dialog", "step": "confirm"})
    assert refused.status_code == 400 and 'value="Varena Sea Dialog"' in refused.content.decode()
    assert Dialogue.objects.filter(pk=d).exists()
    done = browser.post(page(d), {"title": TITLE, "step": "confirm"}, follow=True)
    assert done.redirect_chain[-1][0] == "/"
    assert f"Dialogue {d} is deleted" in done.content.decode()
    assert TITLE not in done.content.decode()
    assert not Dialogue.objects.filter(pk=d).exists()
    assert browser.get(page(d)).status_code == 404


def test_a_request_made_meanwhile_is_never_taken_as_a_confirmation(
    world, second_convener, signed_in, client
):
    # the first convener's page offered to ask; before they sent it, the second convener asked
    d = world.dialogue.pk
    ask(client, world, second_convener)
    before = state()
    posted = signed_in(world.users["convener"]).post(page(d), {"title": TITLE, "step": "ask"})
    assert posted.status_code == 400
    text = posted.content.decode()
    assert "already asked" in text and f'value="{TITLE}"' in text
    assert 'value="confirm"' in text  # the page now offers to confirm, for a second click
    assert state() == before


def test_either_convener_withdraws_and_it_can_be_asked_again(
    world, second_convener, signed_in, client
):
    first, d = world.users["convener"], world.dialogue.pk
    ask(client, world)
    browser = signed_in(second_convener)
    withdrawn = browser.post(withdraw_page(d), follow=True)
    assert "is withdrawn" in withdrawn.content.decode()
    (request,) = DialogueDeletion.objects.all()
    assert request.withdrawn_by == second_convener and request.withdrawn_at
    assert browser.get(withdraw_page(d)).status_code == 405  # a button, never a link
    late = client.delete(api(d), **bearer(first))
    assert late.status_code == 400 and "nothing to withdraw" in late.json()["detail"]
    confirm = post_json(client, api(d, "deletion/confirmation"), {"title": TITLE}, bearer(first))
    assert confirm.status_code == 400 and "withdrawn" in confirm.json()["detail"]

    ask(client, world)  # a new request, by either
    answer = client.delete(api(d), **bearer(first))  # the asker may withdraw too
    assert answer.status_code == 200 and answer.json()["deletion"] == "not_requested"
    trail = AuditEntry.objects.filter(object_type="dialoguedeletion").order_by("at", "pk")
    assert [(e.action, e.actor_id, e.dialogue_id) for e in trail] == [
        ("request", first.pk, d),
        ("withdraw", second_convener.pk, d),
        ("request", first.pk, d),
        ("withdraw", first.pk, d),
    ]
    assert Dialogue.objects.filter(pk=d).exists()


def test_every_consequential_button_needs_the_csrf_token(world, second_convener, client):
    d = world.dialogue.pk
    ask(client, world)
    before = state()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(second_convener)
    shown = strict.get(page(d)).content.decode()
    decide = shown.split('id="decide-heading"', 1)[1]
    assert decide.count('name="csrfmiddlewaretoken"') == 2  # confirm, withdraw
    assert strict.post(page(d), {"title": TITLE, "step": "confirm"}).status_code == 403
    assert strict.post(withdraw_page(d)).status_code == 403
    assert state() == before


TOO_LONG = "x" * 100_000


@pytest.mark.parametrize(
    ("title", "messages"),
    [
        ("Varena Sea\x07 Dialogue", ["control character", "type the dialogue"]),
        ("Varena Sea \u202eDialogue", ["direction control", "type the dialogue"]),
        (TOO_LONG, ["at most 400 characters", "type the dialogue"]),
        ("", ["This field is required", "type the dialogue"]),
    ],
)
def test_bad_titles_on_the_page_name_every_problem_and_keep_what_was_typed(
    world, second_convener, signed_in, client, title, messages
):
    d = world.dialogue.pk
    ask(client, world)
    before = state()
    browser = signed_in(second_convener)
    posted = browser.post(page(d), {"title": title, "step": "confirm"})
    assert posted.status_code == 400
    errors = " ".join(posted.context["form"].errors["title"])
    assert messages[0] in errors, errors
    if title:
        assert f'value="{title}"' in posted.content.decode()
    # the API says the same of it (422: the schema's rules, before the action's)
    answer = post_json(
        client, api(d, "deletion/confirmation"), {"title": title}, bearer(second_convener)
    )
    assert answer.status_code in (400, 422), answer.json()
    assert any(
        e.get("field") == "title" or "title" in e.get("loc", []) for e in answer.json()["errors"]
    )
    assert state() == before


def test_invalid_unicode_huge_ids_and_oversized_bodies_are_refused(
    world, second_convener, signed_in, client
):
    d = world.dialogue.pk
    ask(client, world)
    before = state()
    browser = signed_in(second_convener)
    # bytes that are not UTF-8 (an encoded lone surrogate) reach the form as U+FFFD: not the title
    raw = browser.post(
        page(d),
        data=b"step=confirm&title=Varena%20Sea%20%ED%A0%80",
        content_type="application/x-www-form-urlencoded",
    )
    assert raw.status_code == 400 and "type the dialogue" in raw.content.decode()
    lone = client.post(
        api(d, "deletion/confirmation"),
        data=b'{"title": "Varena Sea \\ud800 Dialogue"}',
        content_type="application/json",
        **bearer(second_convener),
    )
    assert lone.status_code == 422 and "not valid Unicode" in str(lone.json())
    for huge in ("9" * 20, str(2**63)):
        assert browser.get(f"/dialogues/{huge}/retention/deletion/").status_code == 404
        assert browser.post(f"/dialogues/{huge}/retention/deletion/withdraw/").status_code == 404
        answer = client.get(f"/api/v1/dialogues/{huge}/deletion", **bearer(second_convener))
        assert answer.status_code == 422 and "dialogue_id" in str(answer.json())
    big = "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    # a browser sends the form urlencoded
    too_large = browser.post(
        page(d), f"step=confirm&title={big}", content_type="application/x-www-form-urlencoded"
    )
    assert too_large.status_code == 413 and "too large" in too_large.content.decode()
    withdraw = browser.post(
        withdraw_page(d), f"extra={big}", content_type="application/x-www-form-urlencoded"
    )
    assert withdraw.status_code == 413
    answer = post_json(
        client, api(d, "deletion/confirmation"), {"title": big}, bearer(second_convener)
    )
    assert answer.status_code == 413 and "too large" in answer.json()["detail"]
    missing = post_json(client, api(d, "deletion/confirmation"), {}, bearer(second_convener))
    assert missing.status_code == 422
    assert state() == before
