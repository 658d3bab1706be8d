"""The admin back office opens for site administrators, with the inlines the issue asks for."""

from django.urls import reverse

from tests.helpers import PASSWORD
from track2.accounts.models import User
from track2.dialogues.models import DelegationMember


def test_admin_pages_open(world, client):
    User.objects.create_superuser(email="root@example.org", password=PASSWORD)
    client.post("/accounts/login/", {"email": "root@example.org", "password": PASSWORD})
    for model, obj in (("party", world.caldera.party), ("delegation", world.caldera), ("venue", world.home),
                       ("meeting", world.meeting), ("dialogue", world.dialogue)):
        assert client.get(reverse(f"admin:dialogues_{model}_changelist")).status_code == 200, model
        change = client.get(reverse(f"admin:dialogues_{model}_change", args=[obj.pk]))
        assert change.status_code == 200, model
    meeting_page = client.get(reverse("admin:dialogues_meeting_change", args=[world.meeting.pk])).content
    assert b"agenda_items-TOTAL_FORMS" in meeting_page and b"participants-TOTAL_FORMS" in meeting_page
    assert b"members-TOTAL_FORMS" in client.get(
        reverse("admin:dialogues_delegation_change", args=[world.caldera.pk])).content


def test_admin_member_inline_copies_the_dialogue(world, client):
    User.objects.create_superuser(email="root@example.org", password=PASSWORD)
    client.post("/accounts/login/", {"email": "root@example.org", "password": PASSWORD})
    url = reverse("admin:dialogues_delegation_change", args=[world.ostrava.pk])
    data = {
        "dialogue": world.dialogue.pk, "name": world.ostrava.name, "kind": "side", "party": world.ostrava.party_id,
        "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "1000",
    }
    existing = list(world.ostrava.members.all())
    data["members-TOTAL_FORMS"] = str(len(existing) + 1)
    data["members-INITIAL_FORMS"] = str(len(existing))
    for index, member in enumerate(existing):
        data[f"members-{index}-id"] = member.pk
        data[f"members-{index}-delegation"] = world.ostrava.pk
        data[f"members-{index}-person"] = member.person_id
        data[f"members-{index}-in_personal_capacity"] = "on"
    new = len(existing)
    data[f"members-{new}-person"] = world.persons["eli"].pk
    data[f"members-{new}-in_personal_capacity"] = "on"
    data[f"members-{new}-delegation"] = world.ostrava.pk
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert DelegationMember.objects.get(person=world.persons["eli"]).dialogue == world.dialogue
