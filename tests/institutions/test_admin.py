"""Site administrators manage institutions and convening rights in the admin; conveners cannot."""

from __future__ import annotations

from tests.helpers import PASSWORD
from track2.accounts.models import User
from track2.institutions.models import ConveningRight, Institution


def admin_client(client):
    admin = User.objects.create_superuser(email="root@example.org", password=PASSWORD)
    client.force_login(admin)
    return client, admin


def test_admin_grants_a_right_and_records_who(client, make_user):
    ilse = make_user("ilse@example.org")
    institution = Institution.objects.create(name="Institute for Maritime Dialogue")
    client, admin = admin_client(client)
    for url in (
        "/admin/institutions/institution/",
        "/admin/institutions/conveningright/",
        f"/admin/institutions/institution/{institution.pk}/change/",
        "/admin/institutions/conveningright/add/",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/institutions/conveningright/add/", {"institution": institution.pk, "user": ilse.pk}
    )
    assert response.status_code == 302
    right = ConveningRight.objects.get()
    assert (right.user, right.granted_by) == (ilse, admin)


def test_admin_refuses_a_second_institution_differing_only_in_case(client, db):
    Institution.objects.create(name="Institute for Maritime Dialogue")
    client, _admin = admin_client(client)
    response = client.post(
        "/admin/institutions/institution/add/",
        {
            "name": "INSTITUTE FOR MARITIME DIALOGUE",
            "convening_rights-TOTAL_FORMS": "0",
            "convening_rights-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and Institution.objects.count() == 1


def test_a_convener_without_staff_status_cannot_use_it(client, make_user):
    ilse = make_user("ilse@example.org")
    client.force_login(ilse)
    response = client.get("/admin/institutions/conveningright/")
    assert response.status_code == 302 and "/login/" in response["Location"]
