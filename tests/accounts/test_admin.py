"""What a site administrator can do to accounts in the admin, and what they cannot."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.helpers import PASSWORD, sign_in
from track2.accounts import actions
from track2.accounts.models import ApiToken, User
from track2.dialogues.models import Dialogue, Membership


@pytest.fixture
def admin_client(client, db):
    root = User.objects.create_superuser(email="root@example.org", password=PASSWORD)
    sign_in(client, root)
    return client


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def signed_in_elsewhere(user: User) -> Client:
    other = Client()
    sign_in(other, user)
    assert other.get("/accounts/settings/").status_code == 200
    return other


def test_a_new_account_gets_a_link_to_choose_its_password(admin_client, client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "Newcomer@Example.org", "display_name": "New Comer", "_save": "1"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    assert not user.memberships.exists()
    [message] = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert "\n" not in message.subject and "choose" in message.subject
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    set_password = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert set_password.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")


def test_a_new_account_is_refused_for_a_known_address(admin_client, make_user):
    make_user("taken@example.org")
    response = admin_client.post(
        reverse("admin:accounts_user_add"), {"email": "TAKEN@example.org", "_save": "1"}
    )
    assert response.status_code == 200
    assert "exists already" in response.content.decode()
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_the_admin_cannot_take_over_an_account(admin_client, make_user):
    convener = make_user("convener@example.org", display_name="Conny")
    with pytest.raises(NoReverseMatch):
        reverse("admin:accounts_user_password_change", args=[convener.pk])
    # Django's own user admin sets passwords here; ours has no such page.
    page = admin_client.get(
        f"/admin/accounts/user/{convener.pk}/password/", follow=True
    ).content.decode()
    assert "password1" not in page
    response = admin_client.post(
        change_url(convener),
        {
            "email": "root@example.org",
            "display_name": "Taken",
            "password": "x" * 20,
            "is_active": "on",
            "totp_secret": "",
            "calendar_token": "mine",
        },
    )
    assert response.status_code == 302
    convener.refresh_from_db()
    assert (convener.email, convener.display_name) == ("convener@example.org", "Conny")
    assert convener.check_password(PASSWORD) and convener.calendar_token == ""
    page = admin_client.get(change_url(convener)).content.decode()
    for hidden in ("totp_secret", "calendar_token", "argon2", 'name="password"', 'name="email"'):
        assert hidden not in page


def test_turning_an_account_off_ends_its_sessions(admin_client, make_user):
    person = make_user()
    other = signed_in_elsewhere(person)
    response = admin_client.post(change_url(person), {"is_staff": ""})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert other.get("/accounts/settings/").status_code == 302


def test_sign_out_everywhere(admin_client, make_user):
    person, bystander = make_user(), make_user("bystander@example.org")
    mine, theirs = signed_in_elsewhere(person), signed_in_elsewhere(bystander)
    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [person.pk]},
    )
    assert mine.get("/accounts/settings/").status_code == 302
    assert theirs.get("/accounts/settings/").status_code == 200
    assert admin_client.get("/admin/").status_code == 200


def test_revoke_tokens_and_calendar_feeds(admin_client, make_user):
    person = make_user(calendar_token="feed-secret")
    raw, _token = actions.do_create_api_token(person, "laptop")
    bystander = make_user("bystander@example.org")
    other_raw, _ = actions.do_create_api_token(bystander, "laptop")
    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "revoke_credentials", "_selected_action": [person.pk]},
    )
    person.refresh_from_db()
    assert actions.user_for_token(raw) is None and person.calendar_token == ""
    assert actions.user_for_token(other_raw) == bystander


def test_password_link_goes_to_the_owner_only(admin_client, make_user):
    person = make_user("owner@example.org")
    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_password_link", "_selected_action": [person.pk]},
    )
    [message] = mail.outbox
    assert message.to == ["owner@example.org"]
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_an_account_with_a_role_cannot_be_deleted(admin_client, make_user, institution):
    dialogue = Dialogue.objects.create(title="Quiet Talks", institution=institution)
    convener = make_user("convener@example.org")
    Membership.objects.create(dialogue=dialogue, user=convener, role="convener")
    page = admin_client.get(
        reverse("admin:accounts_user_delete", args=[convener.pk])
    ).content.decode()
    assert "turn the account off" in page and "Quiet Talks" not in page
    admin_client.post(reverse("admin:accounts_user_delete", args=[convener.pk]), {"post": "yes"})
    assert User.objects.filter(pk=convener.pk).exists()
    idle = make_user("idle@example.org")
    response = admin_client.post(
        reverse("admin:accounts_user_delete", args=[idle.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not User.objects.filter(pk=idle.pk).exists()


def test_tokens_are_only_seen_and_revoked(admin_client, make_user):
    person = make_user()
    raw, token = actions.do_create_api_token(person, "laptop")
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    change = reverse("admin:accounts_apitoken_change", args=[token.pk])
    page = admin_client.get(change).content.decode()
    assert token.digest not in page and raw not in page and "laptop" in page
    assert admin_client.post(change, {"name": "renamed"}).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:accounts_apitoken_delete", args=[token.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert actions.user_for_token(raw) is None


def test_groups_are_not_in_the_admin(admin_client):
    assert admin_client.get("/admin/auth/group/").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", "New\x07Comer"),
        ("display_name", "\x1b[31mNew Comer"),
        ("email", "new\x07comer@example.org"),
    ],
)
def test_a_new_account_refuses_control_characters(admin_client, field, value):
    typed = {"email": "newcomer@example.org", "display_name": "New Comer", field: value}
    response = admin_client.post(reverse("admin:accounts_user_add"), {**typed, "_save": "1"})
    assert response.status_code == 200
    assert "control character" in response.content.decode()
    assert response.context["adminform"].form.errors.keys() >= {field}
    assert not User.objects.filter(email="newcomer@example.org").exists() and not mail.outbox
