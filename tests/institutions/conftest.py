"""Two institutions, each with a convener who holds the right and a dialogue; a person who is a
candidate in the victim institution's dialogue."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from track2.accounts.actions import do_create_api_token
from track2.dialogues import actions as dialogue_actions
from track2.institutions.actions import do_grant_convener
from track2.people import actions as people_actions


@dataclass
class Tenants:
    victim_convener: object
    victim_dialogue: object
    attacker: object
    attacker_dialogue: object
    candidacy: object  # the victim's person, in the victim's dialogue


@pytest.fixture
def tenants(db, make_user) -> Tenants:
    victim_convener = make_user("ilse@maritime.example", display_name="Ilse Marken")
    do_grant_convener(None, victim_convener.email, "Institute for Maritime Dialogue", create=True)
    victim_dialogue = dialogue_actions.do_create_dialogue(
        victim_convener, title="Varena Sea Dialogue"
    )
    candidacy = people_actions.do_add_person(
        victim_convener,
        victim_dialogue,
        full_name="Arin Solvei",
        email="arin@caldera.example",
        sector="academia",
        country="Caldera",
        nominated_by="Prof. Vouch",
        phone="+99 555 0101",
        languages=["Calderan"],
        gender="woman",
        organisation="University of Caldera",
        position="Professor",
        risk_notes="CANARY-RISK travel ban",
    )
    attacker = make_user("mallory@elsewhere.example", display_name="Mallory")
    do_grant_convener(None, attacker.email, "Elsewhere Foundation", create=True)
    attacker_dialogue = dialogue_actions.do_create_dialogue(attacker, title="Decoy Talks")
    return Tenants(victim_convener, victim_dialogue, attacker, attacker_dialogue, candidacy)


@pytest.fixture
def api_as(client):
    tokens: dict[int, str] = {}

    def call(user, method, path, json=None):
        if user.pk not in tokens:
            tokens[user.pk], _token = do_create_api_token(user, "tests")
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        if json is not None or method != "get":
            kwargs.update(data=json or {}, content_type="application/json")
        return getattr(client, method)("/api/v1" + path, **kwargs)

    return call


# The dialogue world (one user per role, strangers included) for the role-invitation tests.
from tests.dialogues.conftest import signed_in, world  # noqa: E402, F401
