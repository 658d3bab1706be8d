"""The Django admin for site administrators: lists and pages open; history and invitations read-only."""

import pytest
from django.urls import reverse

from track2.people.models import Invitation


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user("admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_pages(admin_client, invited):
    candidacy, secret = invited
    invitation = Invitation.objects.get()
    for url in (
        reverse("admin:people_person_changelist"),
        reverse("admin:people_person_change", args=[candidacy.person_id]),
        reverse("admin:people_candidacy_changelist"),
        reverse("admin:people_candidacy_change", args=[candidacy.pk]),
        reverse("admin:people_invitation_changelist"),
        reverse("admin:people_invitation_change", args=[invitation.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert invitation.digest not in page and secret not in page
    assert admin_client.get(reverse("admin:people_invitation_add")).status_code == 403


def test_admin_cannot_change_invitation_or_status(admin_client, invited):
    candidacy, _secret = invited
    invitation = Invitation.objects.get()
    response = admin_client.post(reverse("admin:people_invitation_change", args=[invitation.pk]),
                                 {"sent_to": "attacker@example.org"})
    invitation.refresh_from_db()
    assert invitation.sent_to == "amina@example.org"
    assert response.status_code in (302, 403)
    page = admin_client.get(reverse("admin:people_candidacy_change", args=[candidacy.pk])).content.decode()
    assert 'name="status"' not in page
