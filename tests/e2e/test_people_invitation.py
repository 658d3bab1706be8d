"""Browser: a convener adds people (by hand and by CSV), vets and invites; the invitee, in another
browser context, opens the e-mailed link, creates an account and lands in the dialogue."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.helpers import sign_in_page
from track2.dialogues.models import Delegation, DelegationMember, Membership, Role
from track2.people.models import Candidacy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_convener_adds_vets_invites_and_invitee_accepts(
    live_server, new_page, make_user, dialogue, member_of, tmp_path
):
    base = live_server.url
    member_of(make_user("convener@example.org", display_name="Conny Vener"), Role.CONVENER)
    north = Delegation.objects.create(dialogue=dialogue, name="Northland delegation")
    page = new_page()
    sign_in_page(page, base, "convener@example.org")

    # By hand.
    page.goto(f"{base}/dialogues/{dialogue.pk}/people/add/")
    page.get_by_label("Full name").fill("Amina Diallo")
    page.locator("#id_email").fill("amina@example.org")
    page.get_by_label("Sector").select_option("academia")
    page.get_by_label("Country").fill("Northland")
    page.locator("#id_nominated_by").fill("Prof. Example")
    page.locator("#id_delegation").select_option(label="Northland delegation")
    page.get_by_role("button", name="Add and nominate").click()
    expect(page.get_by_role("heading", name="Amina Diallo")).to_be_visible()

    # By CSV: a file with an error is previewed, nothing saved; a corrected file is confirmed.
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "full_name,email,sector,country,nominated_by\nBo Lind,bo@example.org,astronaut,S,X\n"
    )
    page.goto(f"{base}/dialogues/{dialogue.pk}/people/import/")
    page.get_by_label("Roster file (CSV, UTF-8)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("not a known sector")).to_be_visible()
    assert page.get_by_role("button", name="Add these people").count() == 0
    good = tmp_path / "good.csv"
    good.write_text(
        "full_name,email,sector,country,nominated_by\nBo Lind,bo@example.org,media,S,X\n"
    )
    page.goto(f"{base}/dialogues/{dialogue.pk}/people/import/")
    page.get_by_label("Roster file (CSV, UTF-8)").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Add these people").click()
    expect(page.get_by_text("1 people were added")).to_be_visible()
    expect(page.get_by_role("link", name="Bo Lind")).to_be_visible()

    # Vet and invite Amina.
    page.get_by_role("link", name="Amina Diallo").click()
    page.get_by_label("Vouched for by").fill("Amb. Retired")
    page.get_by_role("button", name="Mark as vetted").click()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("An invitation is on its way to amina@example.org")).to_be_visible()
    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)

    # The invitee, in another browser context.
    invitee = new_page()
    invitee.goto(link)
    expect(invitee.get_by_text("You take part in a personal capacity")).to_be_visible()
    invitee.get_by_label("Choose a password").fill("a long secret phrase 1")
    invitee.get_by_label("The same password again").fill("a long secret phrase 1")
    invitee.get_by_role("button", name="Create account and accept").click()
    invitee.wait_for_url(f"{base}/dialogues/{dialogue.pk}/")
    assert Membership.objects.filter(
        user__email="amina@example.org", dialogue=dialogue, role=Role.PARTICIPANT
    ).exists()
    assert DelegationMember.objects.get(person__email="amina@example.org").delegation == north
    # The link works once.
    invitee.goto(link)
    expect(invitee.get_by_text("already been used")).to_be_visible()

    # The convener sees the answer in the history.
    page.reload()
    expect(page.get_by_role("cell", name="Accepted the invitation.")).to_be_visible()
    assert Candidacy.objects.get(person__email="amina@example.org").status == "confirmed"
