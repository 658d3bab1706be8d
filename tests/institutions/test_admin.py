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


def test_a_site_administrator_cannot_be_granted_a_right_themselves_included(client, make_user):
    """A convening right opens the institution's people directory, which the admin never
    shows: neither the right's own page nor the institution's inline grants it to an
    administrator (the audit found an administrator granting it to themselves)."""
    institution = Institution.objects.create(name="Institute for Maritime Dialogue")
    client, admin = admin_client(client)
    other = User.objects.create_superuser(email="root2@example.org", password=PASSWORD)
    for user in (admin, other):
        response = client.post(
            "/admin/institutions/conveningright/add/",
            {"institution": institution.pk, "user": user.pk},
        )
        assert response.status_code == 200
        assert "A site administrator cannot hold a convening right" in response.content.decode()
    response = client.post(
        f"/admin/institutions/institution/{institution.pk}/change/",
        {
            "name": institution.name,
            "convening_rights-TOTAL_FORMS": "1",
            "convening_rights-INITIAL_FORMS": "0",
            "convening_rights-0-user": admin.pk,
            "convening_rights-0-institution": institution.pk,
        },
    )
    assert response.status_code == 200
    assert "A site administrator cannot hold a convening right" in response.content.decode()
    assert not ConveningRight.objects.exists()


def test_the_conveners_see_who_may_use_their_directory_and_who_granted_it(client, make_user):
    """The right an administrator grants (to an account they made, say) is shown where the
    directory is used, with who granted it: it is never granted unseen."""
    from track2.dialogues.models import Dialogue, Membership, Role

    institution = Institution.objects.create(name="Institute for Maritime Dialogue")
    client, admin = admin_client(client)
    ilse, newcomer = make_user("ilse@example.org"), make_user("newcomer@example.org")
    ConveningRight.objects.create(institution=institution, user=ilse)
    client.post(
        "/admin/institutions/conveningright/add/",
        {"institution": institution.pk, "user": newcomer.pk},
    )
    dialogue = Dialogue.objects.create(title="Varena Sea Dialogue", institution=institution)
    Membership.objects.create(dialogue=dialogue, user=ilse, role=Role.CONVENER)
    client.force_login(ilse)
    page = client.get(f"/dialogues/{dialogue.pk}/people/").content.decode()
    keepers = page[page.index('id="keepers-heading"') :]
    assert "ilse@example.org" in keepers
    assert "newcomer@example.org" in keepers and "granted by root@example.org" in keepers
    # ilse's right has no granter (the command line, or before rights were recorded): the
    # page says where such rights come from rather than nothing
    assert "granted on the server with track2 grant-convener" in keepers


def test_an_account_holding_a_right_is_not_made_a_site_administrator(client, make_user):
    """The other way in: ticking "site administrator" on a convener's account (the second audit
    found it saved without objection). Refused until the right is revoked, nothing changed."""
    institution = Institution.objects.create(name="Institute for Maritime Dialogue")
    ilse = make_user("ilse@example.org")
    ConveningRight.objects.create(institution=institution, user=ilse)
    client, _admin = admin_client(client)
    change = f"/admin/accounts/user/{ilse.pk}/change/"
    response = client.post(change, {"is_active": "on", "is_staff": "on", "is_superuser": "on"})
    assert response.status_code == 200
    assert "holds a right to convene" in response.content.decode()
    ilse.refresh_from_db()
    assert not ilse.is_superuser and not ilse.is_staff
    ConveningRight.objects.all().delete()
    response = client.post(change, {"is_active": "on", "is_staff": "on", "is_superuser": "on"})
    assert response.status_code == 302
    ilse.refresh_from_db()
    assert ilse.is_superuser


def test_a_right_a_site_administrator_holds_anyway_opens_nothing(make_user):
    """Defence in depth: a right made some other way (a shell, a restored old database) gives a
    site administrator no institution to convene in."""
    from track2.access.institutions import institutions_for, may_convene

    institution = Institution.objects.create(name="Institute for Maritime Dialogue")
    root = User.objects.create_superuser(email="root@example.org", password=PASSWORD)
    ConveningRight.objects.create(institution=institution, user=root)
    assert not may_convene(root) and not institutions_for(root).exists()
    ilse = make_user("ilse@example.org")
    ConveningRight.objects.create(institution=institution, user=ilse)
    assert list(institutions_for(ilse)) == [institution]


def inline_rows(institution, *users) -> dict:
    rows = {
        "convening_rights-TOTAL_FORMS": str(len(users)),
        "convening_rights-INITIAL_FORMS": "0",
    }
    for index, user in enumerate(users):
        rows[f"convening_rights-{index}-user"] = user
        rows[f"convening_rights-{index}-institution"] = institution.pk if institution else ""
    return rows


def test_an_institution_name_refuses_control_characters(client, db):
    institution = Institution.objects.create(name="Institute for Maritime Dialogue")
    client, _admin = admin_client(client)
    for url in (
        "/admin/institutions/institution/add/",
        f"/admin/institutions/institution/{institution.pk}/change/",
    ):
        for name in ("Harbour\x07Foundation", "\x1b[31mHarbour Foundation"):
            response = client.post(url, {"name": name, **inline_rows(None), "_save": "Save"})
            assert response.status_code == 200, (url, name)
            assert "control character" in response.content.decode()
    assert list(Institution.objects.values_list("name", flat=True)) == [institution.name]


# Values Django's autocomplete would look up in the user table while re-rendering the refused form.
# Each with the refusal shown on the field (Django refuses NUL before looking for a choice).
NOT_AN_ID = {
    **dict.fromkeys(["1e400", "NaN", "a\x07b", str(2**63), "-1", "²"], "Select a valid choice"),
    "<i>a\x00b</i>": "Null characters are not allowed",
}


def test_a_right_refuses_what_is_no_id_and_shows_the_form_again(client, make_user):
    ilse = make_user("ilse@example.org")
    institution = Institution.objects.create(name="Institute for Maritime Dialogue")
    client, admin = admin_client(client)
    right = ConveningRight.objects.create(user=ilse, institution=institution, granted_by=admin)
    for url in (
        "/admin/institutions/conveningright/add/",
        f"/admin/institutions/conveningright/{right.pk}/change/",
    ):
        for value, refusal in NOT_AN_ID.items():
            for sent in (
                {"user": value, "institution": institution.pk},
                {"user": ilse.pk, "institution": value},
            ):
                response = client.post(url, {**sent, "_save": "Save"})
                assert response.status_code == 200, (url, sent)
                assert refusal in response.content.decode(), (url, sent)
    assert list(ConveningRight.objects.values_list("user", "institution")) == [
        (ilse.pk, institution.pk)
    ]


def test_an_institution_with_rights_refuses_what_is_no_id_in_its_inline(client, make_user):
    ilse = make_user("ilse@example.org")
    institution = Institution.objects.create(name="Institute for Maritime Dialogue")
    client, admin = admin_client(client)
    ConveningRight.objects.create(user=ilse, institution=institution, granted_by=admin)
    url = f"/admin/institutions/institution/{institution.pk}/change/"
    assert client.get(url).status_code == 200
    for value, refusal in NOT_AN_ID.items():
        response = client.post(
            url, {"name": institution.name, **inline_rows(institution, value), "_save": "Save"}
        )
        assert response.status_code == 200, value
        assert refusal in response.content.decode(), value
    assert ConveningRight.objects.count() == 1
