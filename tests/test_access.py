import re

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.helpers import sign_in
from track2 import access
from track2.dialogues.models import Dialogue, Role

pytestmark = pytest.mark.django_db


def test_anonymous_gets_not_found(dialogue):
    with pytest.raises(access.NotFound):
        access.access_dialogue(AnonymousUser(), dialogue.pk)


def test_outsider_gets_not_found(dialogue, make_user):
    with pytest.raises(access.NotFound):
        access.access_dialogue(make_user(), dialogue.pk)


def test_member_gets_the_dialogue(dialogue, make_user, member_of):
    user = member_of(make_user(), Role.OBSERVER)
    found = access.access_dialogue(user, dialogue.pk)
    assert (found.dialogue, found.roles, found.user) == (dialogue, {Role.OBSERVER}, user)
    assert access.access_dialogue(user, str(dialogue.pk)).dialogue == dialogue


@pytest.mark.parametrize(
    ("role", "need", "allowed"),
    [
        (Role.PARTICIPANT, "participant", True),
        (Role.OBSERVER, "participant", False),
        (Role.FACILITATOR, "participant", False),
        (Role.FACILITATOR, "facilitator", True),
        (Role.CONVENER, "facilitator", True),
        (Role.PARTICIPANT, "facilitator", False),
        (Role.RAPPORTEUR, "rapporteur", True),
        (Role.OBSERVER, "rapporteur", False),
        (Role.LIAISON, "liaison", True),
        (Role.PARTICIPANT, "liaison", False),
        (Role.CONVENER, "convener", True),
        (Role.FACILITATOR, "convener", False),
    ],
)
def test_needs(dialogue, make_user, member_of, role, need, allowed):
    user = member_of(make_user(), role)
    if allowed:
        assert access.access_dialogue(user, dialogue.pk, need=need).dialogue == dialogue
    else:
        with pytest.raises(access.NotFound):
            access.access_dialogue(user, dialogue.pk, need=need)


def test_roles_do_not_leak_between_dialogues(dialogue, make_user, member_of):
    other = Dialogue.objects.create(title="Other", institution=dialogue.institution)
    user = member_of(make_user(), Role.CONVENER, to=other)
    with pytest.raises(access.NotFound):
        access.access_dialogue(user, dialogue.pk)


def test_inactive_user_gets_not_found(dialogue, make_user, member_of):
    user = member_of(make_user(), Role.CONVENER)
    user.is_active = False
    user.save()
    with pytest.raises(access.NotFound):
        access.access_dialogue(user, dialogue.pk)


@pytest.mark.parametrize("bad_id", ["abc", None, "1; drop table", 10**12])
def test_bad_or_unknown_ids_are_not_found(db, make_user, bad_id):
    with pytest.raises(access.NotFound):
        access.access_dialogue(make_user(), bad_id)


def test_site_administrators_get_no_implicit_access(dialogue, db):
    from track2.accounts.models import User

    admin = User.objects.create_superuser(email="root@example.org", password="x" * 12)
    with pytest.raises(access.NotFound):
        access.access_dialogue(admin, dialogue.pk)


def test_unknown_need_is_a_programming_error(dialogue, make_user, member_of):
    with pytest.raises(ValueError, match="unknown access need"):
        access.access_dialogue(member_of(make_user()), dialogue.pk, need="admin")


def test_home_lists_only_own_dialogues(client, dialogue, make_user, member_of):
    Dialogue.objects.create(title="Secret Strait Talks", institution=dialogue.institution)
    sign_in(client, member_of(make_user(), Role.PARTICIPANT))
    body = client.get("/").content.decode()
    assert dialogue.title in body
    assert "Secret Strait Talks" not in body


def test_outsider_cannot_tell_a_dialogue_exists(client, dialogue, make_user):
    sign_in(client, make_user())
    existing = client.get(f"/dialogues/{dialogue.pk}/")
    missing = client.get("/dialogues/999999/")
    assert existing.status_code == missing.status_code == 404
    strip_csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip_csrf.sub(b"", existing.content) == strip_csrf.sub(b"", missing.content)
