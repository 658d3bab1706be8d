"""Crypto-shredding (issue 16): once two conveners destroyed a dialogue's key, no vote or
statement of it can be linked to a person — not with the database, not with the backups made
after, not through the site."""

from __future__ import annotations

import io
import tarfile

import pytest
from django.apps import apps
from django.urls import reverse

from tests.deliberation.conftest import build_room, token_for
from tests.deliberation.test_map import accepted_statement, vote
from tests.operations.conftest import PASSPHRASE, Site, two_conveners
from track2 import keyring
from track2.deliberation.models import Statement, Vote
from track2.dialogues.models import Membership, Role
from track2.operations import actions
from track2.operations.pouch import PouchReader


@pytest.fixture
def shredded(make_user, institution, settings, tmp_path, client):
    settings.TRACK2_HOME = tmp_path
    world = build_room(make_user, institution, per_side=2)
    statements = [accepted_statement(world, t) for t in ("Shared fishing grounds.", "Open ports.")]
    for i, user in enumerate(world.participants):
        vote(world, user, statements[0], "agree" if i % 2 else "disagree")
        vote(world, user, statements[1], "pass")
    key = (tmp_path / "keys" / f"dialogue-{world.dialogue.pk}.key").read_bytes()
    person_ids = [world.persons[u.pk].pk for u in world.participants]
    linked = {keyring.pseudonym(world.dialogue.pk, p) for p in person_ids}
    # Before: every vote's pseudonym is a participant's, computed from the key.
    assert set(Vote.objects.values_list("pseudonym", flat=True)) <= linked
    listing = reverse("deliberation:room", args=[world.dialogue.pk, world.meeting.pk])
    client.force_login(world.participants[0])
    assert "Your vote:" in client.get(listing + "?view=list").content.decode()
    token = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.participants[0])}"}
    assert client.get(world.url("/statements"), {"view": "mine"}, **token).status_code == 200

    second = make_user("second.convener@example.org")
    Membership.objects.create(dialogue=world.dialogue, user=second, role=Role.CONVENER)
    convener = world.users["convener"]
    actions.do_request_key_destruction(
        convener, actions.check_request_key_destruction(convener, world.dialogue.pk)
    )
    actions.do_confirm_key_destruction(
        second, actions.check_confirm_key_destruction(second, world.dialogue.pk)
    )
    return world, key, person_ids, linked, listing


def every_row() -> list[tuple[str, str, object]]:
    """(table, column, value) of every value stored in the database."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        columns = [f.attname for f in meta.concrete_fields]
        for row in model._base_manager.values_list(*columns):
            found += [(meta.db_table, c, v) for c, v in zip(columns, row, strict=True)]
    return found


def test_the_database_holds_no_link_and_no_key(shredded, tmp_path):
    world, key, _person_ids, linked, _listing = shredded
    assert not (tmp_path / "keys" / f"dialogue-{world.dialogue.pk}.key").exists()
    rows = every_row()
    # No copy of the key, raw or hex, anywhere in the database.
    for table, column, value in rows:
        raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        assert key not in raw and key.hex().encode() not in raw, (table, column)
    # The pseudonyms sit only in the votes and as the statements' authors: no row pairs one with
    # a person, an account or an audit entry.
    holding = {
        (table, column)
        for table, column, value in rows
        if isinstance(value, str) and any(p in value for p in linked)
    }
    assert holding == {
        (Vote._meta.db_table, "pseudonym"),
        (Statement._meta.db_table, "author"),
    }


def test_the_site_can_no_longer_compute_or_show_a_link(shredded, client):
    world, _key, person_ids, _linked, listing = shredded
    for person_id in person_ids:
        with pytest.raises(keyring.KeyDestroyed):
            keyring.pseudonym(world.dialogue.pk, person_id)
    with pytest.raises(keyring.KeyDestroyed):
        keyring.dialogue_key(world.dialogue.pk)  # and never made again
    assert keyring.is_destroyed(world.dialogue.pk)
    for user in world.participants:
        client.force_login(user)
        page = client.get(listing + "?view=list").content.decode()
        assert "Your vote:" not in page and "the room is read-only" in page
    # The API refuses a participant's own lists rather than guess (before, it answered).
    token = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.participants[0])}"}
    for view in ("mine", "room"):
        answer = client.get(world.url("/statements"), {"view": view}, **token)
        assert answer.status_code == 403, (view, answer.content)
        assert "pseudonym key was destroyed" in answer.json()["detail"]


VOTED_DIALOGUE = (
    "from track2.deliberation.models import Vote; "
    "print(Vote.objects.order_by('meeting__dialogue_id').values_list('meeting__dialogue_id', flat=True).first())"
)
LINKED = (
    "from track2 import keyring; from track2.deliberation.models import Vote; "
    "from track2.meetings.models import MeetingParticipant as MP; d = {d}; "
    "people = set(MP.objects.filter(meeting__dialogue_id=d).values_list('person_id', flat=True)); "
    "votes = set(Vote.objects.filter(meeting__dialogue_id=d).values_list('pseudonym', flat=True))\n"
    "try:\n    print(len(votes & set(keyring.pseudonyms(d, sorted(people)))))\n"
    "except keyring.KeyDestroyed:\n    print('destroyed')"
)


def test_backups_made_after_cannot_link_either(demo_site, tmp_path, passphrase_file):
    site = demo_site
    dialogue = int(site.shell(VOTED_DIALOGUE))
    key_path = site.home / "keys" / f"dialogue-{dialogue}.key"
    key = key_path.read_bytes()
    assert int(site.shell(LINKED.format(d=dialogue))) > 0  # the link exists before
    pp = ["--passphrase-file", str(passphrase_file)]
    site.run("backup-keys", str(tmp_path / "keys-before.t2"), *pp, check=True)
    for by in two_conveners(site, dialogue):
        site.run("destroy-key", str(dialogue), "--by", by, check=True)
    assert not key_path.exists()

    site.run("backup", str(tmp_path / "after.backup"), *pp, check=True)
    done = site.run("backup-keys", str(tmp_path / "keys-after.t2"), *pp, check=True)
    assert "key files" in done.stdout
    members = {}
    for name in ("after.backup", "keys-after.t2"):
        with (tmp_path / name).open("rb") as handle:
            plain = PouchReader(handle, passphrase=PASSPHRASE).read()
        assert key not in plain and key.hex().encode() not in plain, name
        members[name] = tarfile.open(fileobj=io.BytesIO(plain)).getnames()
    assert f"dialogue-{dialogue}.key" not in members["keys-after.t2"]
    assert f"dialogue-{dialogue}.destroyed" in members["keys-after.t2"]
    # Only the keys backup made before is named as still holding the key.
    housekeeping = site.run("housekeeping", check=True).stdout
    assert "keys-before.t2" in housekeeping and "keys-after.t2" not in housekeeping

    # Both backups made after, restored on a new machine: nothing links a vote to a person.
    target = Site(tmp_path / "new-machine")
    target.home.mkdir()
    target.run("restore", str(tmp_path / "after.backup"), *pp, check=True)
    restored = target.run("restore-keys", str(tmp_path / "keys-after.t2"), *pp)
    assert restored.returncode == 0, restored.stderr
    assert target.shell(LINKED.format(d=dialogue)).strip() == "destroyed"
    assert not (target.home / "keys" / f"dialogue-{dialogue}.key").exists()
