import pytest

from track2.dialogues.models import Delegation, Dialogue, Party
from track2.people import actions


@pytest.fixture
def convener(make_user, member_of):
    return member_of(make_user("convener@example.org", display_name="Conny Vener"), "convener")


@pytest.fixture
def track15(institution):
    return Dialogue.objects.create(
        title="Track 1.5 Talks", track=Dialogue.Track.TRACK_1_5, institution=institution
    )


@pytest.fixture
def north(dialogue):
    party = Party.objects.create(dialogue=dialogue, name="Northland", country="Northland")
    return Delegation.objects.create(dialogue=dialogue, name="Northland delegation", party=party)


@pytest.fixture
def add_person(convener, dialogue):
    def add(email="amina@example.org", *, to=None, **fields):
        values = {
            "full_name": "Amina Diallo",
            "sector": "academia",
            "country": "Northland",
            "nominated_by": "Prof. Example",
        }
        values.update(fields)
        return actions.do_add_person(convener, to or dialogue, email=email, **values)

    return add


@pytest.fixture
def invited(add_person, convener):
    """A candidacy that has been nominated, vetted and invited; returns (candidacy, secret)."""
    candidacy = add_person()
    actions.do_vet(convener, candidacy, vouched_by="Dr. Vouch")
    _invitation, link = actions.do_invite(convener, candidacy, base_url="https://track2.example")
    secret = link.rstrip("/").rsplit("/", 1)[-1]
    candidacy.refresh_from_db()
    return candidacy, secret
