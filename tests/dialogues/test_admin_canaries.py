"""The admin administers the site, not the dialogues: no admin page shows a confidential field.

Every confidential field gets a unique canary; a site administrator then opens every page of every
registered ModelAdmin (iterating the registry, so models registered later are covered too) and
searches for each canary. No page may fail and no canary may appear.
"""

from __future__ import annotations

import itertools

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.helpers import PASSWORD, sign_in
from track2.accounts import actions as account_actions
from track2.accounts.models import User
from track2.dialogues.models import (
    Delegation,
    DelegationMember,
    Dialogue,
    Membership,
    Party,
    Role,
    Venue,
)
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
from track2.people import actions as people_actions
from track2.people.models import Affiliation, Candidacy, CandidacyStep, Person

# Apps whose models are the site's own business (accounts, institutions and convening rights).
SITE_APPS = {"accounts", "institutions"}


class Canaries:
    def __init__(self) -> None:
        self.planted: list[str] = []
        self._numbers = itertools.count(1)

    def text(self, max_length: int = 200) -> str:
        value = f"CANARY{next(self._numbers):04d}Q"
        assert len(value) <= max_length
        self.planted.append(value)
        return value

    def email(self) -> str:
        value = f"canary{next(self._numbers):04d}q@example.org"
        self.planted.append(value)
        return value

    def plant(self, obj, *fields: str) -> None:
        for name in fields:
            field = obj._meta.get_field(name)
            setattr(
                obj,
                name,
                self.email() if field.get_internal_type() == "EmailField" else self.text(),
            )
        obj.save(update_fields=list(fields))

    def found_in(self, page: str) -> list[str]:
        lowered = page.lower()
        return [canary for canary in self.planted if canary.lower() in lowered]


@pytest.fixture
def planted(world):
    canaries = Canaries()
    dialogue = world.dialogue
    canaries.plant(dialogue, "title", "purpose")
    for party in Party.objects.filter(dialogue=dialogue):
        canaries.plant(party, "name", "country")
    for delegation in Delegation.objects.filter(dialogue=dialogue):
        canaries.plant(delegation, "name")
    for person in Person.objects.all():
        fields = ["full_name", "pronouns", "phone", "country"]
        # An account's own e-mail address is account data (the admin's business); a person
        # without an account is a directory entry, whose address is confidential.
        if person.user_id is None:
            fields.append("email")
        canaries.plant(person, *fields)
        Affiliation.objects.create(
            person=person, organisation=canaries.text(), position=canaries.text()
        )
    for candidacy in Candidacy.objects.filter(dialogue=dialogue):
        canaries.plant(candidacy, "risk_notes", "nominated_by")
        CandidacyStep.objects.create(
            candidacy=candidacy,
            status=candidacy.status,
            by=world.users["convener"],
            vouched_by=canaries.text(),
            notes=canaries.text(),
        )
    for venue in Venue.objects.filter(dialogue=dialogue):
        canaries.plant(venue, "name", "address", "city", "accessibility_notes")
    virtual = Venue.objects.create(
        dialogue=dialogue,
        kind=Venue.Kind.VIRTUAL,
        name=canaries.text(),
        address=f"https://meet.example.org/{canaries.text()}",
        is_confidential=True,
    )
    world.meeting.venue = virtual
    world.meeting.save(update_fields=["venue"])
    for meeting in Meeting.objects.filter(dialogue=dialogue):
        canaries.plant(meeting, "title")
        AgendaItem.objects.create(
            meeting=meeting,
            position=1,
            title=canaries.text(),
            description=canaries.text(),
            duration_minutes=30,
            lead=world.persons["tomas"],
        )
        for person in world.persons.values():
            MeetingParticipant.objects.get_or_create(
                meeting=meeting,
                person=person,
                defaults={"status": MeetingParticipant.Status.ATTENDED},
            )
    # Secrets: a one-time invitation link, an API token, a calendar feed and a TOTP secret.
    newcomer = people_actions.do_add_person(
        world.users["convener"],
        dialogue,
        email=canaries.email(),
        full_name=canaries.text(),
        sector="academia",
        country=canaries.text(),
        nominated_by=canaries.text(),
    )
    people_actions.do_vet(
        world.users["convener"], newcomer, vouched_by=canaries.text(), notes=canaries.text()
    )
    _invitation, link = people_actions.do_invite(
        world.users["convener"], newcomer, base_url="https://t2.example"
    )
    canaries.planted.append(link.rstrip("/").rsplit("/", 1)[-1])
    raw_token, token = account_actions.do_create_api_token(world.users["convener"], "laptop")
    canaries.planted.extend([raw_token, raw_token[3:], token.digest])
    convener = world.users["convener"]
    convener.calendar_token = "feedsecret" + canaries.text()
    convener.totp_secret = "JBSWY3DPEHPK3PXP" + canaries.text()
    convener.save()
    canaries.planted.extend([convener.calendar_token, convener.totp_secret])
    assert DelegationMember.objects.filter(dialogue=dialogue).exists()
    return canaries


@pytest.fixture
def admin_client(client, db):
    root = User.objects.create_superuser(email="root@example.org", password=PASSWORD)
    sign_in(client, root)
    return client


def admin_urls(model, model_admin) -> list[str]:
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = [reverse(f"{info}_changelist"), reverse("admin:app_list", args=[model._meta.app_label])]
    for obj in model._default_manager.all():
        for page in ("change", "history", "delete"):
            urls.append(reverse(f"{info}_{page}", args=[obj.pk]))
    urls.append(reverse(f"{info}_add"))
    for name in model_admin.list_filter:
        if isinstance(name, str):
            urls.append(reverse(f"{info}_changelist") + f"?{name}__isnull=False")
    return urls


def test_only_site_models_are_in_the_admin():
    for model in admin.site._registry:
        assert model._meta.app_label in SITE_APPS, f"{model.__name__} must not be in the admin"
    for confidential in (
        Person,
        Candidacy,
        CandidacyStep,
        Membership,
        Venue,
        Meeting,
        MeetingParticipant,
    ):
        assert confidential not in admin.site._registry


def test_no_admin_page_shows_a_confidential_field(planted, admin_client):
    visited = 0
    for url in ["/admin/"]:
        assert not planted.found_in(admin_client.get(url).content.decode())
    for model, model_admin in admin.site._registry.items():
        for url in admin_urls(model, model_admin):
            response = admin_client.get(url)
            assert response.status_code in (200, 302, 403), (url, response.status_code)
            assert not planted.found_in(response.content.decode()), url
            visited += 1
        # The bulk-delete confirmation lists what a deletion would take with it.
        pks = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        if pks and "delete_selected" in model_admin.get_actions(
            admin_client.get(changelist).wsgi_request
        ):
            response = admin_client.post(
                changelist, {"action": "delete_selected", "_selected_action": pks}
            )
            assert response.status_code == 200
            assert not planted.found_in(response.content.decode())
    assert visited > 10


def test_admin_search_finds_no_confidential_field(planted, admin_client):
    for model, model_admin in admin.site._registry.items():
        if not model_admin.search_fields:
            continue
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for canary in planted.planted:
            response = admin_client.get(changelist, {"q": canary})
            assert response.status_code == 200
            assert response.context["cl"].result_count == 0, (model.__name__, canary)
            # The search box repeats the query itself; nothing else may carry a canary.
            page = response.content.decode().replace(canary, "")
            assert not planted.found_in(page), (model.__name__, canary)


def test_the_admin_cannot_give_anyone_a_role(world, admin_client):
    roles_before = set(Membership.objects.values_list("dialogue", "user", "role"))
    root = User.objects.get(email="root@example.org")
    for name in ("membership", "delegationmember", "candidacy", "dialogue", "person"):
        for app in ("dialogues", "people"):
            with pytest.raises(NoReverseMatch):
                reverse(f"admin:{app}_{name}_add")
            assert (
                admin_client.post(
                    f"/admin/{app}/{name}/add/",
                    {
                        "dialogue": world.dialogue.pk,
                        "user": root.pk,
                        "role": Role.CONVENER,
                    },
                ).status_code
                == 404
            )
    # The account page has no role field: a role smuggled into the form is ignored.
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[root.pk]),
        {
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-dialogue": world.dialogue.pk,
            "memberships-0-role": Role.CONVENER,
            "memberships": world.dialogue.pk,
            "role": Role.CONVENER,
            "dialogue": world.dialogue.pk,
        },
    )
    assert response.status_code == 302
    assert set(Membership.objects.values_list("dialogue", "user", "role")) == roles_before
    assert not Membership.objects.filter(user=root).exists()


def test_the_view_on_site_shortcut_tells_nothing_about_ids(world, admin_client):
    # Django's /admin/r/<content type>/<id>/ would redirect for an object that exists and answer
    # 404 for one that does not: an oracle for dialogue, meeting and person ids.
    from django.contrib.contenttypes.models import ContentType

    for model, existing in ((Dialogue, world.dialogue.pk), (Meeting, world.meeting.pk)):
        kind = ContentType.objects.get_for_model(model).pk
        answers = {
            admin_client.get(f"/admin/r/{kind}/{pk}/").status_code for pk in (existing, 10**9)
        }
        assert answers == {404}, model
