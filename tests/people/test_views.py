"""The people pages, driven through the real URLs, forms and templates."""

import io
import re
from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.helpers import PASSWORD, sign_in
from track2.dialogues.models import Delegation, DelegationMember, Membership
from track2.people import actions
from track2.people.models import Candidacy, Invitation, Person

Status = Candidacy.Status

FORM = {
    "full_name": "Amina Diallo",
    "email": "amina@example.org",
    "pronouns": "she/her",
    "sector": "academia",
    "country": "Northland",
    "organisation": "University of Varena",
    "position": "Professor",
    "languages": "French; Wolof",
    "expertise": "fisheries; maritime law",
    "phone": "",
    "gender": "woman",
    "risk_notes": "Avoid travel via Southland",
    "nominated_by": "Prof. Example",
    "role": "participant",
    "delegation": "",
}


@pytest.fixture
def conv_client(client, convener):
    sign_in(client, convener)
    return client


def test_add_person_by_hand_then_detail_shows_profile_and_history(conv_client, dialogue, north):
    response = conv_client.post(
        reverse("people:add", args=[dialogue.pk]), {**FORM, "delegation": north.pk}
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[dialogue.pk, person.pk])
    page = conv_client.get(response["Location"]).content.decode()
    for text in (
        "Amina Diallo",
        "she/her",
        "Professor, University of Varena",
        "fisheries, maritime law",
        "Avoid travel via Southland",
        "Prof. Example",
        "Northland delegation",
        "nominated",
        "Conny Vener",
    ):
        assert text in page, text


def test_add_form_errors_are_shown_on_fields(conv_client, dialogue):
    response = conv_client.post(
        reverse("people:add", args=[dialogue.pk]), {**FORM, "email": "nope", "sector": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a valid e-mail address" in page or "This field is required" in page
    assert not Person.objects.exists()


def test_serving_official_refused_with_reason_on_the_form(conv_client, dialogue):
    response = conv_client.post(
        reverse("people:add", args=[dialogue.pk]), {**FORM, "sector": "serving_official"}
    )
    assert response.status_code == 400
    assert (
        "Track 2 dialogue, which is for unofficial participants only" in response.content.decode()
    )
    assert not Person.objects.exists()


def test_duplicate_offers_to_nominate_existing_without_revealing_other_dialogues(
    conv_client, convener, dialogue, track15, member_of, make_user
):
    other_convener = member_of(make_user("other@example.org"), "convener", to=track15)
    actions.do_add_person(
        other_convener,
        track15,
        full_name="Amina Diallo",
        email="amina@example.org",
        sector="academia",
        country="N",
        nominated_by="x",
    )
    response = conv_client.post(
        reverse("people:add", args=[dialogue.pk]), {**FORM, "email": "AMINA@example.org"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "already in the people directory" in page
    assert "Nominate the existing person" in page
    assert track15.title not in page
    response = conv_client.post(
        reverse("people:nominate", args=[dialogue.pk]),
        {
            "email": "amina@example.org",
            "nominated_by": "Prof. Example",
            "role": "participant",
            "delegation": "",
        },
    )
    assert response.status_code == 302
    assert Candidacy.objects.filter(dialogue=dialogue, person__email="amina@example.org").exists()
    detail = conv_client.get(response["Location"]).content.decode()
    assert track15.title not in detail


def test_nominate_unknown_email(conv_client, dialogue):
    response = conv_client.post(
        reverse("people:nominate", args=[dialogue.pk]),
        {"email": "ghost@example.org", "nominated_by": "x", "role": "participant"},
    )
    assert response.status_code == 400
    assert "Nobody with this e-mail address" in response.content.decode()


def test_list_search_and_filters(
    conv_client, dialogue, add_person, north, track15, member_of, convener
):
    add_person(
        "a@example.org",
        full_name="Amina Diallo",
        organisation="Sea Institute",
        expertise="fisheries",
        delegation=north,
    )
    add_person(
        "b@example.org",
        full_name="Bruno Keller",
        sector="business",
        country="Southland",
        expertise="shipping",
    )
    member_of(convener, "convener", to=track15)
    add_person("c@example.org", full_name="Carla Elsewhere", to=track15)
    url = reverse("people:list", args=[dialogue.pk])

    def names(**query):
        page = conv_client.get(url, query).content.decode()
        return {n for n in ("Amina Diallo", "Bruno Keller", "Carla Elsewhere") if n in page}

    assert names() == {"Amina Diallo", "Bruno Keller"}
    assert names(q="sea inst") == {"Amina Diallo"}
    assert names(q="SHIPPING") == {"Bruno Keller"}
    assert names(q="keller") == {"Bruno Keller"}
    assert names(sector="business") == {"Bruno Keller"}
    assert names(country="Southland") == {"Bruno Keller"}
    assert names(status="nominated") == {"Amina Diallo", "Bruno Keller"}
    assert names(status="vetted") == set()
    assert names(delegation=str(north.pk)) == {"Amina Diallo"}
    assert names(delegation="none") == {"Bruno Keller"}
    assert (
        conv_client.get(url, {"sector": "nonsense"}).status_code == 200
    )  # invalid filter: ignored, shown


def test_personal_capacity_flag_in_track_1_5(client, make_user, member_of, track15):
    convener = member_of(make_user("c15@example.org"), "convener", to=track15)
    candidacy = actions.do_add_person(
        convener,
        track15,
        full_name="Minister M",
        email="m@example.org",
        sector="serving_official",
        country="N",
        nominated_by="x",
    )
    sign_in(client, convener)
    assert (
        "personal capacity"
        in client.get(reverse("people:list", args=[track15.pk])).content.decode()
    )
    detail = client.get(
        reverse("people:detail", args=[track15.pk, candidacy.person_id])
    ).content.decode()
    assert "personal capacity" in detail


def test_edit_profile_affiliations_and_candidacy(conv_client, dialogue, add_person, north):
    candidacy = add_person(organisation="Old Org")
    url = reverse("people:edit", args=[dialogue.pk, candidacy.person_id])
    assert conv_client.get(url).status_code == 200
    data = {
        "full_name": "Amina D.",
        "email": "amina@example.org",
        "pronouns": "",
        "sector": "academia",
        "country": "Northland",
        "languages": "English",
        "expertise": "",
        "phone": "+1 555",
        "gender": "",
        "aff-TOTAL_FORMS": "3",
        "aff-INITIAL_FORMS": "1",
        "aff-MIN_NUM_FORMS": "0",
        "aff-MAX_NUM_FORMS": "30",
        "aff-0-organisation": "New Org",
        "aff-0-position": "Head",
        "aff-0-is_current": "on",
        "aff-1-organisation": "Old Org",
        "aff-1-until_year": "2020",
        "aff-2-organisation": "",
        "candidacy-role": "observer",
        "candidacy-delegation": str(north.pk),
        "candidacy-risk_notes": " Avoid the ferry route ",
    }
    response = conv_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    candidacy.refresh_from_db()
    person = candidacy.person
    person.refresh_from_db()
    assert person.full_name == "Amina D." and person.phone == "+1 555"
    assert [(a.organisation, a.is_current, a.until_year) for a in person.affiliations.all()] == [
        ("New Org", True, None),
        ("Old Org", False, 2020),
    ]
    assert (candidacy.role, candidacy.delegation) == ("observer", north)
    assert candidacy.risk_notes == "Avoid the ferry route"
    # A bad affiliation row: nothing of the whole form is saved.
    data.update({"full_name": "Changed", "aff-1-until_year": "2020", "aff-1-is_current": "on"})
    response = conv_client.post(url, data)
    assert response.status_code == 400
    assert "marked current but has an end year" in response.content.decode()
    person.refresh_from_db()
    assert person.full_name == "Amina D."


def test_workflow_through_pages(
    conv_client, dialogue, add_person, convener, django_capture_on_commit_callbacks
):
    candidacy = add_person()
    pid = candidacy.person_id
    # Invite before vetting: refused with the reason.
    response = conv_client.post(reverse("people:invite", args=[dialogue.pk, pid]))
    assert response.status_code == 400 and "not been vetted yet" in response.content.decode()
    response = conv_client.post(reverse("people:vet", args=[dialogue.pk, pid]), {"vouched_by": ""})
    assert response.status_code == 400
    response = conv_client.post(
        reverse("people:vet", args=[dialogue.pk, pid]),
        {"vouched_by": "Amb. Retired", "notes": "Long-time contact"},
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = conv_client.post(reverse("people:invite", args=[dialogue.pk, pid]))
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "http://testserver/invitations/" in mail.outbox[0].body
    page = conv_client.get(reverse("people:detail", args=[dialogue.pk, pid])).content.decode()
    assert (
        "Amb. Retired" in page and "Long-time contact" in page and "Send a new invitation" in page
    )
    response = conv_client.post(
        reverse("people:withdraw", args=[dialogue.pk, pid]), {"notes": "Conflict"}
    )
    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.status == Status.WITHDRAWN
    assert Invitation.objects.get().revoked_at is not None
    response = conv_client.post(
        reverse("people:renominate", args=[dialogue.pk, pid]), {"nominated_by": ""}
    )
    assert response.status_code == 400
    response = conv_client.post(
        reverse("people:renominate", args=[dialogue.pk, pid]), {"nominated_by": "B"}
    )
    assert response.status_code == 302
    assert [s.status for s in candidacy.steps.all()] == [
        "nominated",
        "vetted",
        "invited",
        "withdrawn",
        "nominated",
    ]


def test_post_only_workflow_urls_refuse_get(conv_client, dialogue, add_person):
    pid = add_person().person_id
    for name in ("vet", "invite", "withdraw", "renominate"):
        assert (
            conv_client.get(reverse(f"people:{name}", args=[dialogue.pk, pid])).status_code == 405
        )


# --- roster import through the pages ------------------------------------------------


def upload(client, dialogue, content: bytes, name="roster.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("people:import", args=[dialogue.pk]), {"file": file})


def test_import_preview_saves_nothing_until_confirmed(conv_client, dialogue):
    text = "full_name,email,sector,country,nominated_by\nAmina,amina@example.org,academia,N,X\nBo,bo@example.org,media,S,Y\n"
    response = upload(conv_client, dialogue, b"\xef\xbb\xbf" + text.encode())
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 people are ready" in page and "Nothing is saved yet" in page
    assert not Person.objects.exists()
    digest = response.context["digest"]
    response = conv_client.post(
        reverse("people:import", args=[dialogue.pk]), {"confirm": "1", "digest": digest}
    )
    assert response.status_code == 302
    assert Person.objects.count() == 2
    # The same confirmation cannot be replayed.
    response = conv_client.post(
        reverse("people:import", args=[dialogue.pk]), {"confirm": "1", "digest": digest}
    )
    assert response.status_code == 302 and Person.objects.count() == 2


def test_import_preview_with_errors_offers_no_confirm(conv_client, dialogue):
    text = "full_name,email,sector,country,nominated_by\nAmina,bad,academia,N,X\n"
    response = upload(conv_client, dialogue, text.encode())
    page = response.content.decode()
    assert "1 problem" in page and "not a valid e-mail address" in page
    assert 'name="confirm"' not in page
    response = conv_client.post(
        reverse("people:import", args=[dialogue.pk]),
        {"confirm": "1", "digest": response.context["digest"]},
    )
    assert not Person.objects.exists()


def test_import_refuses_bad_encoding_and_stale_digest(conv_client, dialogue):
    response = upload(conv_client, dialogue, "full_name\nJosé\n".encode("cp1252"))
    assert response.status_code == 400 and "not UTF-8" in response.content.decode()
    response = conv_client.post(
        reverse("people:import", args=[dialogue.pk]), {"confirm": "1", "digest": "x"}, follow=True
    )
    assert "no longer current" in response.content.decode()
    assert upload(conv_client, dialogue, b"").status_code == 400


def test_import_names_a_workbook_and_asks_for_csv(conv_client, dialogue):
    form = conv_client.get(reverse("people:import", args=[dialogue.pk])).content.decode()
    assert 'accept=".csv,text/csv"' in form
    response = upload(conv_client, dialogue, b"PK\x03\x04" + b"\x00" * 60, name="roster.xlsx")
    page = response.content.decode()
    assert response.status_code == 400 and "spreadsheet workbook (.xlsx or .ods)" in page
    assert "not UTF-8" not in page and "Save as" in page
    assert not Person.objects.exists()


def test_import_confirm_when_directory_changed_meanwhile(conv_client, dialogue, add_person):
    text = "full_name,email,sector,country,nominated_by\nAmina,amina@example.org,academia,N,X\n"
    response = upload(conv_client, dialogue, text.encode())
    add_person("amina@example.org")
    response = conv_client.post(
        reverse("people:import", args=[dialogue.pk]),
        {"confirm": "1", "digest": response.context["digest"]},
    )
    assert response.status_code == 400
    assert "directory changed" in response.content.decode()
    assert Person.objects.count() == 1


def test_export_view(conv_client, dialogue, add_person):
    add_person(full_name='=HYPERLINK("http://evil")')
    response = conv_client.get(reverse("people:export", args=[dialogue.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")


# --- the invitation page --------------------------------------------------------------


def invitation_url(secret):
    return reverse("people:invitation", args=[secret])


def test_invitation_page_new_account_accepts_and_signs_in(client, invited, dialogue, north):
    candidacy, secret = invited
    Candidacy.objects.filter(pk=candidacy.pk).update(delegation=north)
    page = client.get(invitation_url(secret))
    assert page.status_code == 200
    text = page.content.decode()
    assert dialogue.title in text and "participant" in text and "personal capacity" in text
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"
    # Mismatched passwords, then a weak one: refused, nothing created.
    response = client.post(
        invitation_url(secret),
        {"answer": "create", "password1": "a long secret phrase 1", "password2": "other"},
    )
    assert response.status_code == 400 and "differ" in response.content.decode()
    response = client.post(
        invitation_url(secret), {"answer": "create", "password1": "12345", "password2": "12345"}
    )
    assert response.status_code == 400
    assert not Membership.objects.filter(user__email="amina@example.org").exists()
    before = client.session.session_key
    response = client.post(
        invitation_url(secret),
        {
            "answer": "create",
            "display_name": "Amina",
            "password1": "a long secret phrase 1",
            "password2": "a long secret phrase 1",
        },
    )
    assert response.status_code == 302 and response["Location"] == dialogue.get_absolute_url()
    assert client.session.session_key != before
    membership = Membership.objects.get(user__email="amina@example.org")
    assert membership.role == "participant"
    assert DelegationMember.objects.get(person=candidacy.person).delegation == north
    assert client.get("/").status_code == 200  # signed in
    # The link is used up now.
    again = client.get(invitation_url(secret))
    assert again.status_code == 410 and "already been used" in again.content.decode()


def test_invitation_page_existing_account_signs_in_then_accepts(
    client, invited, make_user, dialogue
):
    _candidacy, secret = invited
    user = make_user("Amina@example.org")
    page = client.get(invitation_url(secret)).content.decode()
    assert "Sign in to accept" in page and "Choose a password" not in page
    response = client.post(
        "/accounts/login/?next=" + invitation_url(secret),
        {"email": user.email, "password": PASSWORD, "next": invitation_url(secret)},
    )
    assert response["Location"] == invitation_url(secret)
    assert "Accept the invitation" in client.get(invitation_url(secret)).content.decode()
    response = client.post(invitation_url(secret), {"answer": "accept"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, dialogue=dialogue).exists()


def test_invitation_page_signed_in_as_someone_else(client, invited, make_user):
    _candidacy, secret = invited
    sign_in(client, make_user("other@example.org"))
    page = client.get(invitation_url(secret)).content.decode()
    assert "but this invitation was sent to amina@example.org" in page
    response = client.post(invitation_url(secret), {"answer": "accept"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user__email="other@example.org").exists()


def test_invitation_page_decline(client, invited):
    candidacy, secret = invited
    response = client.post(invitation_url(secret), {"answer": "decline"})
    assert response.status_code == 200 and "declined" in response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.status == Status.DECLINED
    assert client.post(invitation_url(secret), {"answer": "accept"}).status_code == 410


def test_invitation_page_unknown_answer(client, invited):
    _candidacy, secret = invited
    response = client.post(invitation_url(secret), {"answer": "maybe"})
    assert response.status_code == 400 and "accept or to decline" in response.content.decode()


def test_invitation_page_expired_revoked_malformed(client, invited, convener):
    candidacy, secret = invited
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    response = client.get(invitation_url(secret))
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert "new invitation" in response.content.decode()
    assert client.get(invitation_url("garbage")).status_code == 404
    assert client.get(invitation_url("A" * 43)).status_code == 404
    _inv, link = actions.do_invite(convener, candidacy, base_url="http://testserver")
    assert client.get(invitation_url(secret)).status_code == 410
    assert client.get(link).status_code == 200
    candidacy.refresh_from_db()
    assert candidacy.status == Status.INVITED


def test_a_planned_delegation_seats_nobody_until_the_person_accepts(conv_client, dialogue, north):
    """The people pages plan a seat on the candidacy; only the person's own acceptance takes it.
    (Seating at nomination would put a not-yet-vetted person on every member's roster.)"""
    conv_client.post(reverse("people:add", args=[dialogue.pk]), {**FORM, "delegation": north.pk})
    candidacy = Candidacy.objects.get()
    conv_client.post(
        reverse("people:vet", args=[dialogue.pk, candidacy.person_id]), {"vouched_by": "Dr. Vouch"}
    )
    conv_client.post(reverse("people:invite", args=[dialogue.pk, candidacy.person_id]))
    candidacy.refresh_from_db()
    assert (candidacy.status, candidacy.delegation) == (Status.INVITED, north)
    assert not DelegationMember.objects.filter(dialogue=dialogue).exists()
    assert list(Delegation.objects.values_list("name", flat=True)) == ["Northland delegation"]
    secret = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    conv_client.post("/accounts/logout/")
    conv_client.post(
        invitation_url(secret),
        {
            "answer": "create",
            "display_name": "Amina",
            "password1": "a long secret phrase 1",
            "password2": "a long secret phrase 1",
        },
    )
    assert DelegationMember.objects.get(dialogue=dialogue).person == candidacy.person
    assert DelegationMember.objects.get(dialogue=dialogue).delegation == north


def test_invitation_page_accept_without_signing_in_or_create_with_existing_account(
    client, invited, make_user
):
    _candidacy, secret = invited
    response = client.post(invitation_url(secret), {"answer": "accept"})
    assert response.status_code == 400 and "Sign in first" in response.content.decode()
    make_user("amina@example.org")
    response = client.post(
        invitation_url(secret),
        {
            "answer": "create",
            "password1": "a long secret phrase 1",
            "password2": "a long secret phrase 1",
        },
    )
    assert response.status_code == 400 and "already exists" in response.content.decode()
    assert not Membership.objects.filter(user__email="amina@example.org").exists()


def test_invitation_page_create_while_signed_in(client, invited, make_user):
    _candidacy, secret = invited
    sign_in(client, make_user("amina@example.org"))
    response = client.post(invitation_url(secret), {"answer": "create"})
    assert response.status_code == 400 and "already signed in" in response.content.decode()


def test_list_shows_and_filters_by_actual_seat(conv_client, dialogue, add_person, north):
    seated = add_person("s@example.org", full_name="Seated Person")
    DelegationMember.objects.create(dialogue=dialogue, delegation=north, person=seated.person)
    add_person("p@example.org", full_name="Planned Person", delegation=north)
    add_person("n@example.org", full_name="Nowhere Person")
    url = reverse("people:list", args=[dialogue.pk])
    page = conv_client.get(url, {"delegation": str(north.pk)}).content.decode()
    assert "Seated Person" in page and "Planned Person" in page and "Nowhere Person" not in page
    assert "(planned)" in page
    page = conv_client.get(url, {"delegation": "none"}).content.decode()
    assert "Nowhere Person" in page and "Seated Person" not in page and "Planned Person" not in page


def test_list_is_paginated_keeping_filters(conv_client, dialogue, add_person, monkeypatch):
    from track2.people import views

    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", 2)
    for n in range(5):
        add_person(f"p{n}@example.org", full_name=f"Person {n}")
    url = reverse("people:list", args=[dialogue.pk])
    first = conv_client.get(url, {"sector": "academia"}).content.decode()
    assert "Person 0" in first and "Person 2" not in first and "Page 1 of 3" in first
    assert "sector=academia&amp;page=2" in first
    third = conv_client.get(url, {"sector": "academia", "page": "3"}).content.decode()
    assert "Person 4" in third and "Person 0" not in third
    assert conv_client.get(url, {"page": "abc"}).status_code == 200


def test_delete_page_action(conv_client, dialogue, add_person, north):
    candidacy = add_person()
    seated = add_person("s@example.org", full_name="Seated")
    DelegationMember.objects.create(dialogue=dialogue, delegation=north, person=seated.person)
    response = conv_client.post(reverse("people:delete", args=[dialogue.pk, seated.person_id]))
    assert response.status_code == 400 and "seated" in response.content.decode()
    response = conv_client.post(reverse("people:delete", args=[dialogue.pk, candidacy.person_id]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "people:list", args=[dialogue.pk]
    )
    assert not Person.objects.filter(pk=candidacy.person_id).exists()
    assert (
        conv_client.get(reverse("people:delete", args=[dialogue.pk, seated.person_id])).status_code
        == 405
    )


def test_invitation_page_for_a_person_whose_account_uses_another_address(
    client, invited, make_user
):
    candidacy, secret = invited
    user = make_user("amina.new@example.org")
    Person.objects.filter(pk=candidacy.person_id).update(user=user)
    page = client.get(invitation_url(secret)).content.decode()
    assert "You already have an account: amina.new@example.org" in page
    assert "Choose a password" not in page
    sign_in(client, user)
    response = client.post(invitation_url(secret), {"answer": "accept"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=user).exists()


def test_duplicate_already_in_this_dialogue_links_to_the_person(conv_client, dialogue, add_person):
    candidacy = add_person("amina@example.org")
    response = conv_client.post(
        reverse("people:add", args=[dialogue.pk]), {**FORM, "email": "Amina@example.org"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "already a candidate in this dialogue" in page
    assert reverse("people:detail", args=[dialogue.pk, candidacy.person_id]) in page
    assert "Nominate the existing person" not in page


def test_invite_all_vetted(
    conv_client, dialogue, add_person, convener, django_capture_on_commit_callbacks
):
    vetted = [
        actions.do_vet(
            convener, add_person(f"v{n}@example.org", full_name=f"V {n}"), vouched_by="X"
        )
        for n in range(3)
    ]
    add_person("nominated@example.org", full_name="Only Nominated")
    page = conv_client.get(reverse("people:list", args=[dialogue.pk])).content.decode()
    assert "Invite all 3 vetted people" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = conv_client.post(
            reverse("people:invite_vetted", args=[dialogue.pk]), follow=True
        )
    assert "3 invitations are on their way" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "v0@example.org",
        "v1@example.org",
        "v2@example.org",
    ]
    assert all(Candidacy.objects.get(pk=c.pk).status == Status.INVITED for c in vetted)
    assert Candidacy.objects.get(person__email="nominated@example.org").status == Status.NOMINATED
    response = conv_client.post(reverse("people:invite_vetted", args=[dialogue.pk]), follow=True)
    assert "Nobody is vetted and waiting" in response.content.decode()


def test_detail_lists_meeting_seats(conv_client, dialogue, add_person):
    from datetime import datetime

    from track2.meetings.models import Meeting, MeetingParticipant

    candidacy = add_person()
    meeting = Meeting.objects.create(
        dialogue=dialogue,
        title="Round 1",
        starts_at=datetime(2027, 3, 1, 9, tzinfo=UTC),
        ends_at=datetime(2027, 3, 1, 17, tzinfo=UTC),
    )
    MeetingParticipant.objects.create(meeting=meeting, person=candidacy.person, status="attended")
    page = conv_client.get(
        reverse("people:detail", args=[dialogue.pk, candidacy.person_id])
    ).content.decode()
    assert "Round 1" in page and "attended" in page and "2027-03-01 09:00" in page


def test_search_expertise_with_accents_and_not_json_syntax(conv_client, dialogue, add_person):
    add_person("a@example.org", full_name="Amina Diallo", expertise="Sécurité maritime; pêche")
    url = reverse("people:list", args=[dialogue.pk])
    assert "Amina Diallo" in conv_client.get(url, {"q": "sécurité"}).content.decode()
    assert "Amina Diallo" in conv_client.get(url, {"q": "PÊCHE"}).content.decode()
    assert "Amina Diallo" not in conv_client.get(url, {"q": '"'}).content.decode()


def test_invite_page_says_when_mail_cannot_be_sent(
    conv_client, dialogue, add_person, convener, settings
):
    candidacy = actions.do_vet(convener, add_person(), vouched_by="V")
    settings.EMAIL_BACKEND = "tests.people.failing_mail.RefusingBackend"
    response = conv_client.post(reverse("people:invite", args=[dialogue.pk, candidacy.person_id]))
    assert response.status_code == 400 and "could not be sent" in response.content.decode()
    response = conv_client.post(reverse("people:invite_vetted", args=[dialogue.pk]), follow=True)
    assert "could not be sent" in response.content.decode()


def test_add_form_shows_every_error_at_once(conv_client, dialogue):
    response = conv_client.post(
        reverse("people:add", args=[dialogue.pk]),
        {
            **FORM,
            "full_name": "",
            "email": "not-an-address",
            "sector": "serving_official",
            "organisation": "",
            "position": "Head",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in page  # the form's own check of the name
    assert "is not a valid e-mail address" in page  # the action's check of the address
    assert (
        "Track 2 dialogue, which is for unofficial participants only" in page
    )  # the eligibility rule
    assert "A position needs an organisation" in page
    assert not Person.objects.exists()


def test_edit_shows_every_part_s_errors_at_once(conv_client, dialogue, add_person):
    """An address already in the directory (the action's own rule) and a role the candidacy
    form refuses are both marked in one answer — not the address only after the role is fixed —
    and nothing is saved."""
    candidacy = add_person(organisation="Old Org")
    add_person("bashir@example.org", full_name="Bashir Other")
    url = reverse("people:edit", args=[dialogue.pk, candidacy.person_id])
    response = conv_client.post(
        url,
        {
            "full_name": "Amina D.",
            "email": "bashir@example.org",
            "sector": "academia",
            "country": "Northland",
            "aff-TOTAL_FORMS": "0",
            "aff-INITIAL_FORMS": "0",
            "aff-MIN_NUM_FORMS": "0",
            "aff-MAX_NUM_FORMS": "30",
            "candidacy-role": "emperor",
            "candidacy-delegation": "",
            "candidacy-risk_notes": "",
        },
    )
    assert response.status_code == 400
    form, candidacy_form = response.context["form"], response.context["candidacy_form"]
    assert "email" in form.errors, form.errors
    assert "role" in candidacy_form.errors, candidacy_form.errors
    candidacy.person.refresh_from_db()
    assert candidacy.person.full_name == "Amina Diallo"


# --- the roster file in the session: only while a confirmation can follow ----------------

RISKY = (
    "full_name,email,sector,country,nominated_by,risk_notes\n"
    "Amina,amina@example.org,academia,N,X,CANARY-PREVIEW-RISK-91c2\n"
)


def session_holds(client, words: str) -> bool:
    from django.contrib.sessions.models import Session

    return any(words in str(s.get_decoded()) for s in Session.objects.all())


def test_a_preview_with_problems_keeps_nothing_in_the_session(conv_client, dialogue):
    response = upload(conv_client, dialogue, (RISKY + "Bo,bad,media,S,Y,\n").encode())
    assert "1 problem" in response.content.decode()
    assert not session_holds(conv_client, "CANARY-PREVIEW-RISK-91c2")


def test_cancelling_a_preview_drops_the_file(conv_client, dialogue):
    response = upload(conv_client, dialogue, RISKY.encode())
    assert "1 person is ready" in response.content.decode()
    assert session_holds(conv_client, "CANARY-PREVIEW-RISK-91c2")
    # Cancel is a link back to the upload page.
    assert conv_client.get(reverse("people:import", args=[dialogue.pk])).status_code == 200
    assert not session_holds(conv_client, "CANARY-PREVIEW-RISK-91c2")
    response = conv_client.post(
        reverse("people:import", args=[dialogue.pk]),
        {"confirm": "1", "digest": response.context["digest"]},
        follow=True,
    )
    assert "no longer current" in response.content.decode() and not Person.objects.exists()


def test_a_preview_lives_fifteen_minutes(conv_client, dialogue, monkeypatch):
    from track2.operations import housekeeping
    from track2.people import roster_preview

    response = upload(conv_client, dialogue, RISKY.encode())
    digest = response.context["digest"]
    later = timezone.now() + roster_preview.PREVIEW_LIFE + timedelta(seconds=1)
    # Housekeeping takes it out of the session, which stays signed in.
    assert housekeeping.run(later).roster_previews == 1
    assert not session_holds(conv_client, "CANARY-PREVIEW-RISK-91c2")
    assert conv_client.get(reverse("people:list", args=[dialogue.pk])).status_code == 200
    # A confirmation after its life is refused even before housekeeping ran.
    response = upload(conv_client, dialogue, RISKY.encode())
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = conv_client.post(
        reverse("people:import", args=[dialogue.pk]), {"confirm": "1", "digest": digest}
    )
    assert response.status_code == 302 and not Person.objects.exists()
    assert not session_holds(conv_client, "CANARY-PREVIEW-RISK-91c2")
