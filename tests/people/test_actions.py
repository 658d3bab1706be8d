"""The people actions: adding, nominating, vetting, inviting, answering, withdrawing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from track2.dialogues.models import Delegation, DelegationMember, Dialogue, Membership, Role
from track2.errors import ActionRefused
from track2.people import actions
from track2.people.models import Affiliation, Candidacy, CandidacyStep, Invitation, Person

Status = Candidacy.Status


def test_add_person_creates_person_candidacy_affiliation_and_nomination_step(
    add_person, convener, dialogue, north
):
    candidacy = add_person(
        pronouns="she/her",
        languages="French; Wolof;french",
        expertise=["fisheries", "law"],
        organisation="University of Varena",
        position="Professor",
        gender="woman",
        risk_notes="Travel restrictions",
        delegation=north,
        role="participant",
    )
    person = candidacy.person
    assert candidacy.status == Status.NOMINATED
    assert candidacy.nominated_by == "Prof. Example"
    assert candidacy.delegation == north
    assert candidacy.risk_notes == "Travel restrictions"  # on the candidacy: this dialogue only
    assert person.languages == ["French", "Wolof"]  # duplicates (any case) dropped
    assert person.expertise == ["fisheries", "law"]
    assert person.added_by == convener
    assert Affiliation.objects.get(person=person).organisation == "University of Varena"
    step = CandidacyStep.objects.get(candidacy=candidacy)
    assert step.status == Status.NOMINATED and step.by == convener


def test_duplicate_email_refused_case_insensitively_and_says_what_to_do(
    add_person, convener, member_of, track15
):
    add_person("amina@example.org")
    with pytest.raises(ActionRefused) as refused:
        add_person("  AMINA@Example.ORG ")
    assert refused.value.field == "email"
    assert "already a candidate in this dialogue" in refused.value.message
    member_of(convener, "convener", to=track15)
    with pytest.raises(ActionRefused) as refused:
        add_person("Amina@example.org", to=track15)
    assert refused.value.field == "email"
    assert "Nominate the existing person" in refused.value.message
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"full_name": "   "}, "full_name"),
        ({"sector": "astronaut"}, "sector"),
        ({"country": ""}, "country"),
        ({"nominated_by": ""}, "nominated_by"),
        ({"gender": "unknown-value"}, "gender"),
        ({"role": "king"}, "role"),
        ({"position": "Director"}, "organisation"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"expertise": ";".join(f"tag{n}" for n in range(31))}, "expertise"),
        ({"languages": ["x" * 81]}, "languages"),
    ],
)
def test_bad_input_refused_on_its_field_and_nothing_saved(add_person, fields, field):
    values = {"email": "ok@example.org", **fields}
    email = values.pop("email")
    with pytest.raises(ActionRefused) as refused:
        add_person(email, **values)
    assert refused.value.field == field
    assert refused.value.message
    assert not Person.objects.exists() and not Candidacy.objects.exists()


def test_sector_accepts_its_label(add_person):
    assert add_person(sector="Research / think tank").person.sector == "think_tank"


def test_delegation_of_another_dialogue_refused(add_person, track15):
    other = Delegation.objects.create(dialogue=track15, name="Elsewhere")
    with pytest.raises(ActionRefused) as refused:
        add_person(delegation=other)
    assert refused.value.field == "delegation"


def test_serving_official_refused_in_track_2_with_reason(add_person):
    with pytest.raises(ActionRefused) as refused:
        add_person(sector="serving_official")
    assert "Track 2" in refused.value.message and "serving official" in refused.value.message
    assert not Person.objects.exists()


def test_serving_official_accepted_in_track_1_5(add_person, convener, member_of, track15):
    member_of(convener, "convener", to=track15)
    candidacy = add_person(sector="serving_official", to=track15)
    assert candidacy.person.is_serving_official


def test_nominate_existing_person_to_another_dialogue(add_person, convener, member_of, track15):
    first = add_person()
    member_of(convener, "convener", to=track15)
    second = actions.do_nominate_existing(convener, track15, first.person, nominated_by="Someone")
    assert second.person == first.person and second.dialogue == track15
    assert second.steps.get().status == Status.NOMINATED
    with pytest.raises(ActionRefused, match="already a candidate"):
        actions.do_nominate_existing(convener, track15, first.person, nominated_by="Someone")


def test_nominating_existing_official_to_track_2_refused(
    add_person, convener, member_of, track15, dialogue
):
    member_of(convener, "convener", to=track15)
    official = add_person(sector="serving_official", to=track15).person
    with pytest.raises(ActionRefused, match="Track 2"):
        actions.do_nominate_existing(convener, dialogue, official, nominated_by="x")


def test_vet_records_who_vouched(add_person, convener):
    candidacy = actions.do_vet(
        convener, add_person(), vouched_by="Amb. Retired", notes="Known for 10 years"
    )
    assert candidacy.status == Status.VETTED
    step = candidacy.steps.last()
    assert (step.status, step.vouched_by, step.notes, step.by) == (
        Status.VETTED,
        "Amb. Retired",
        "Known for 10 years",
        convener,
    )


def test_vet_needs_a_voucher_and_a_nominated_candidacy(add_person, convener):
    candidacy = add_person()
    with pytest.raises(ActionRefused) as refused:
        actions.do_vet(convener, candidacy, vouched_by=" ")
    assert refused.value.field == "vouched_by"
    actions.do_vet(convener, candidacy, vouched_by="A")
    with pytest.raises(ActionRefused, match="Only a nominated person"):
        actions.do_vet(convener, candidacy, vouched_by="B")


def test_invite_before_vetting_refused(add_person, convener):
    with pytest.raises(ActionRefused, match="not been vetted"):
        actions.do_invite(convener, add_person(), base_url="https://x.example")
    assert not Invitation.objects.exists()


def test_invite_sends_mail_and_stores_only_the_digest(
    add_person, convener, dialogue, django_capture_on_commit_callbacks, settings
):
    settings.TRACK2_INVITATION_DAYS = 5
    candidacy = actions.do_vet(convener, add_person(), vouched_by="A")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, link = actions.do_invite(
            convener, candidacy, base_url="https://track2.example/"
        )
    secret = link.rstrip("/").rsplit("/", 1)[-1]
    assert link == f"https://track2.example/invitations/{secret}/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amina@example.org"]
    assert dialogue.title in message.subject
    assert link in message.body and "personal capacity" in message.body
    assert secret not in invitation.digest and len(invitation.digest) == 64
    assert not Invitation.objects.filter(digest__contains=secret).exists()
    assert invitation.digest == actions.invitation_digest(secret)
    days = (invitation.expires_at - invitation.created_at).total_seconds() / 86400
    assert 4.99 < days < 5.01


def test_default_expiry_is_14_days(invited):
    candidacy, _secret = invited
    invitation = candidacy.invitations.get()
    assert abs((invitation.expires_at - invitation.created_at) - timedelta(days=14)) < timedelta(
        seconds=5
    )


def test_reinvite_revokes_the_older_link(invited, convener):
    candidacy, old_secret = invited
    _inv, new_link = actions.do_invite(convener, candidacy, base_url="https://x.example")
    with pytest.raises(actions.InvitationUnusable, match="replaced") as refused:
        actions.find_invitation(old_secret)
    assert refused.value.gone
    assert actions.find_invitation(new_link.rstrip("/").rsplit("/", 1)[-1])
    assert candidacy.steps.filter(status=Status.INVITED).count() == 2


def test_accept_links_account_gives_role_seats_and_records(invited, make_user, dialogue, north):
    candidacy, secret = invited
    Candidacy.objects.filter(pk=candidacy.pk).update(delegation=north, role=Role.PARTICIPANT)
    user = make_user("amina@example.org")
    accepted = actions.do_accept_invitation(secret, user)
    assert accepted.status == Status.CONFIRMED
    assert Membership.objects.filter(user=user, dialogue=dialogue, role=Role.PARTICIPANT).exists()
    person = Person.objects.get(pk=candidacy.person_id)
    assert person.user == user
    assert DelegationMember.objects.get(dialogue=dialogue, person=person).delegation == north
    step = accepted.steps.last()
    assert step.status == Status.CONFIRMED and step.by == user
    assert Invitation.objects.get().used_at is not None
    with pytest.raises(actions.InvitationUnusable, match="already been used"):
        actions.do_accept_invitation(secret, user)


def test_accept_with_another_persons_account_refused(invited, make_user):
    _candidacy, secret = invited
    with pytest.raises(ActionRefused, match="was sent to amina@example.org"):
        actions.do_accept_invitation(secret, make_user("someone.else@example.org"))
    assert not Membership.objects.filter(user__email="someone.else@example.org").exists()


def test_accept_is_all_or_nothing(invited, make_user, dialogue, north, convener):
    candidacy, secret = invited
    # The person's record now says serving official (e.g. they took office): seating in this
    # Track 2 dialogue is refused, so nothing of the acceptance is kept.
    Person.objects.filter(pk=candidacy.person_id).update(sector="serving_official")
    Candidacy.objects.filter(pk=candidacy.pk).update(delegation=north)
    user = make_user("amina@example.org")
    with pytest.raises(ActionRefused, match="serving official"):
        actions.do_accept_invitation(secret, user)
    candidacy.refresh_from_db()
    assert candidacy.status == Status.INVITED
    assert Person.objects.get(pk=candidacy.person_id).user is None
    assert not Membership.objects.filter(user=user).exists()
    assert Invitation.objects.get().used_at is None


def test_accept_keeps_a_seat_the_convener_chose_meanwhile(invited, make_user, dialogue, north):
    candidacy, secret = invited
    # Planned for Northland, but the convener seated the person in Southland before they answered.
    south = Delegation.objects.create(dialogue=dialogue, name="Southland delegation")
    DelegationMember.objects.create(dialogue=dialogue, delegation=south, person=candidacy.person)
    Candidacy.objects.filter(pk=candidacy.pk).update(delegation=north)
    accepted = actions.do_accept_invitation(secret, make_user("amina@example.org"))
    assert accepted.status == Status.CONFIRMED
    assert (
        DelegationMember.objects.get(dialogue=dialogue, person=candidacy.person).delegation == south
    )


def test_accept_with_new_account(invited, dialogue):
    _candidacy, secret = invited
    user, candidacy = actions.do_accept_invitation_with_new_account(
        secret, password="a long secret phrase 1"
    )
    assert user.email == "amina@example.org" and user.check_password("a long secret phrase 1")
    assert user.display_name == "Amina Diallo"
    assert candidacy.status == Status.CONFIRMED
    with pytest.raises(actions.InvitationUnusable):
        actions.do_accept_invitation_with_new_account(secret, password="another long phrase 2")


def test_new_account_refused_when_the_email_has_one(invited, make_user):
    _candidacy, secret = invited
    make_user("AMINA@example.org")
    with pytest.raises(ActionRefused, match="already exists"):
        actions.do_accept_invitation_with_new_account(secret, password="a long secret phrase 1")


def test_decline(invited):
    candidacy, secret = invited
    declined = actions.do_decline_invitation(secret)
    assert declined.status == Status.DECLINED
    assert declined.steps.last().status == Status.DECLINED
    with pytest.raises(actions.InvitationUnusable):
        actions.do_decline_invitation(secret)


def test_expired_link_refused(invited, make_user):
    candidacy, secret = invited
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(actions.InvitationUnusable, match="expired") as refused:
        actions.do_accept_invitation(secret, make_user("amina@example.org"))
    assert refused.value.gone
    candidacy.refresh_from_db()
    assert candidacy.status == Status.INVITED


@pytest.mark.parametrize("secret", ["", "short", "x" * 43, "a/b" + "c" * 40, "é" * 43, None])
def test_malformed_or_unknown_link(db, secret):
    with pytest.raises(actions.InvitationUnusable) as refused:
        actions.find_invitation(secret)
    assert not refused.value.gone


def test_withdraw_revokes_links(invited, convener):
    candidacy, secret = invited
    actions.do_withdraw(convener, candidacy, notes="Changed job")
    with pytest.raises(actions.InvitationUnusable):
        actions.find_invitation(secret)
    candidacy.refresh_from_db()
    assert candidacy.status == Status.WITHDRAWN
    assert candidacy.steps.last().notes == "Changed job"
    with pytest.raises(ActionRefused, match="already withdrawn"):
        actions.do_withdraw(convener, candidacy)


def test_withdraw_confirmed_removes_role_and_seat(invited, make_user, convener, dialogue, north):
    candidacy, secret = invited
    Candidacy.objects.filter(pk=candidacy.pk).update(delegation=north)
    user = make_user("amina@example.org")
    actions.do_accept_invitation(secret, user)
    actions.do_withdraw(convener, candidacy)
    assert not Membership.objects.filter(user=user, dialogue=dialogue).exists()
    assert not DelegationMember.objects.filter(dialogue=dialogue).exists()


def test_renominate_after_decline(invited, convener):
    candidacy, secret = invited
    actions.do_decline_invitation(secret)
    again = actions.do_renominate(convener, candidacy, nominated_by="New sponsor")
    assert again.status == Status.NOMINATED and again.nominated_by == "New sponsor"
    with pytest.raises(ActionRefused, match="Only a withdrawn or declined"):
        actions.do_renominate(convener, again, nominated_by="x")


def test_update_person_refuses_duplicate_email_and_official_in_track_2(add_person, convener):
    first = add_person("one@example.org")
    add_person("two@example.org", full_name="Two")
    with pytest.raises(ActionRefused) as refused:
        actions.do_update_person(convener, first.person, email="TWO@example.org")
    assert refused.value.field == "email"
    with pytest.raises(ActionRefused) as refused:
        actions.do_update_person(convener, first.person, sector="serving_official")
    assert refused.value.field == "sector"
    updated = actions.do_update_person(
        convener, first.person, full_name="Amina D.", expertise="a; b"
    )
    assert (updated.full_name, updated.expertise) == ("Amina D.", ["a", "b"])


def test_affiliations_replace_and_validate(add_person, convener):
    person = add_person(organisation="Old Org").person
    rows = [
        {"organisation": "New Org", "position": "Director", "is_current": True},
        {
            "organisation": "Foreign Ministry",
            "position": "Ambassador",
            "is_current": False,
            "until_year": 2015,
        },
        {"organisation": "", "position": ""},
    ]
    actions.do_set_affiliations(convener, person, rows)
    assert [str(a) for a in person.affiliations.all()] == [
        "Director, New Org",
        "Ambassador, Foreign Ministry",
    ]
    for bad in (
        {"organisation": "", "position": "Chief"},
        {"organisation": "X", "until_year": 1700},
        {"organisation": "X", "until_year": 2010, "is_current": True},
    ):
        with pytest.raises(ActionRefused):
            actions.do_set_affiliations(convener, person, [bad])
    assert person.affiliations.count() == 2  # a refusal changes nothing


def test_update_candidacy_refused_after_confirmation(invited, make_user, convener, north):
    candidacy, secret = invited
    actions.do_update_candidacy(convener, candidacy, role="observer", delegation=north)
    candidacy.refresh_from_db()
    assert (candidacy.role, candidacy.delegation) == ("observer", north)
    actions.do_accept_invitation(secret, make_user("amina@example.org"))
    with pytest.raises(ActionRefused, match="already accepted"):
        actions.do_update_candidacy(convener, candidacy, role="participant", delegation=north)


def test_the_personal_capacity_flag_follows_the_track_and_the_sector(
    add_person, convener, member_of, track15
):
    """Seating returns whether the person takes part in a personal capacity: a serving official in
    Track 1.5 does; anyone else does not; the same official in Track 2 is refused."""
    from track2.dialogues.actions import check_seat_in_delegation

    member_of(convener, "convener", to=track15)
    official = add_person(
        "official@example.org", full_name="Sera Official", sector="serving_official", to=track15
    )
    scholar = add_person("scholar@example.org", full_name="Sam Scholar", to=track15)
    side = Delegation.objects.create(dialogue=track15, name="Side A")
    assert check_seat_in_delegation(side, official.person) is True
    assert check_seat_in_delegation(side, scholar.person) is False
    Dialogue.objects.filter(pk=track15.pk).update(track=Dialogue.Track.TRACK_2)
    side = Delegation.objects.get(pk=side.pk)
    with pytest.raises(ActionRefused, match="serving official"):
        check_seat_in_delegation(side, official.person)
    assert check_seat_in_delegation(side, scholar.person) is False


def test_withdraw_unseats_a_person_seated_before_accepting(add_person, convener, dialogue, north):
    candidacy = add_person()
    DelegationMember.objects.create(dialogue=dialogue, delegation=north, person=candidacy.person)
    actions.do_withdraw(convener, candidacy)
    assert not DelegationMember.objects.filter(dialogue=dialogue).exists()


def test_new_account_is_not_kept_when_accepting_fails(invited, dialogue, north):
    from django.contrib.auth import get_user_model

    candidacy, secret = invited
    # Seating fails (the person's record now says serving official, in a Track 2 dialogue).
    Person.objects.filter(pk=candidacy.person_id).update(sector="serving_official")
    Candidacy.objects.filter(pk=candidacy.pk).update(delegation=north)
    with pytest.raises(ActionRefused, match="serving official"):
        actions.do_accept_invitation_with_new_account(secret, password="a long secret phrase 1")
    assert not get_user_model().objects.filter(email="amina@example.org").exists()
    assert Invitation.objects.get().used_at is None


def test_delete_person_entered_by_mistake(add_person, convener):
    candidacy = add_person(organisation="Org")
    actions.do_vet(convener, candidacy, vouched_by="V")
    assert actions.do_delete_person(convener, candidacy) == "Amina Diallo"
    assert (
        not Person.objects.exists()
        and not CandidacyStep.objects.exists()
        and not Affiliation.objects.exists()
    )


def test_delete_refused_when_shared_accepted_or_seated(
    add_person, convener, member_of, track15, dialogue, north, invited, make_user
):
    shared = add_person("shared@example.org")
    member_of(convener, "convener", to=track15)
    actions.do_nominate_existing(convener, track15, shared.person, nominated_by="x")
    with pytest.raises(ActionRefused, match="shared with another dialogue"):
        actions.do_delete_person(convener, shared)
    seated = add_person("seated@example.org")
    DelegationMember.objects.create(dialogue=dialogue, delegation=north, person=seated.person)
    with pytest.raises(ActionRefused, match="seated"):
        actions.do_delete_person(convener, seated)
    candidacy, secret = invited
    actions.do_accept_invitation(secret, make_user("amina@example.org"))
    with pytest.raises(ActionRefused, match="has accepted"):
        actions.do_delete_person(convener, candidacy)
    assert Person.objects.count() == 3


def test_invite_changes_nothing_when_the_mail_server_refuses(add_person, convener, settings):
    candidacy = actions.do_vet(convener, add_person(), vouched_by="V")
    settings.EMAIL_BACKEND = "tests.people.failing_mail.RefusingBackend"
    with pytest.raises(ActionRefused, match="could not be sent") as refused:
        actions.do_invite(convener, candidacy, base_url="https://x.example")
    assert "TRACK2_EMAIL_URL" in refused.value.message
    candidacy.refresh_from_db()
    assert candidacy.status == Status.VETTED
    assert not Invitation.objects.exists()
    assert not candidacy.steps.filter(status=Status.INVITED).exists()


def test_reinvite_failure_keeps_the_old_link(invited, convener, settings):
    candidacy, secret = invited
    settings.EMAIL_BACKEND = "tests.people.failing_mail.RefusingBackend"
    with pytest.raises(ActionRefused):
        actions.do_invite(convener, candidacy, base_url="https://x.example")
    assert actions.find_invitation(secret)


def test_invite_all_vetted_reports_failures_per_person(add_person, convener, dialogue, settings):
    for n in range(2):
        actions.do_vet(
            convener, add_person(f"p{n}@example.org", full_name=f"P {n}"), vouched_by="V"
        )
    settings.EMAIL_BACKEND = "tests.people.failing_mail.RefusingBackend"
    sent, failures = actions.do_invite_all_vetted(convener, dialogue, base_url="https://x.example")
    assert sent == [] and len(failures) == 2 and all("could not be sent" in f for f in failures)
    assert Candidacy.objects.filter(status=Status.VETTED).count() == 2


def test_subject_is_one_line_whatever_the_title(add_person, convener, dialogue):
    dialogue.title = "Sea\r\nBcc: victim@example.org"
    dialogue.save()
    candidacy = actions.do_vet(convener, add_person(), vouched_by="V")
    actions.do_invite(convener, candidacy, base_url="https://x.example")
    assert "\n" not in mail.outbox[-1].subject and "\r" not in mail.outbox[-1].subject
    assert mail.outbox[-1].bcc == []
