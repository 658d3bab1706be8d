"""`track2 grant-convener`: only a site administrator's command gives the right to convene; bad
input is refused in one line that says every problem and what to do, and changes nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from track2.dialogues.models import Membership
from track2.institutions.models import ConveningRight, Institution


def grant(*args):
    call_command("grant-convener", *args)


def refused(*args) -> str:
    with pytest.raises(CommandError) as caught:
        grant(*args)
    return str(caught.value)


def test_grant_with_create_then_revoke(make_user, capsys):
    ilse = make_user("ilse@example.org")
    grant("ILSE@example.org", "--institution", "  Institute   for Maritime Dialogue ", "--create")
    right = ConveningRight.objects.get()
    assert (right.user, right.institution.name, right.granted_by) == (
        ilse,
        "Institute for Maritime Dialogue",
        None,
    )
    assert "may now convene" in capsys.readouterr().out
    # Case does not matter for an existing institution; a second grant is refused as pointless.
    assert "already convene" in refused(
        "ilse@example.org", "--institution", "institute for maritime dialogue"
    )
    grant("ilse@example.org", "--institution", "INSTITUTE FOR MARITIME DIALOGUE", "--revoke")
    assert not ConveningRight.objects.exists()
    assert Institution.objects.count() == 1  # the institution and its dialogues stay


def test_revoke_lists_dialogues_still_convened(make_user, capsys):
    from track2.dialogues.actions import do_create_dialogue

    ilse = make_user("ilse@example.org")
    grant("ilse@example.org", "--institution", "Institute", "--create")
    dialogue = do_create_dialogue(ilse, title="Varena Sea Dialogue")
    grant("ilse@example.org", "--institution", "Institute", "--revoke")
    out = capsys.readouterr().out
    assert "still a convener of: Varena Sea Dialogue" in out
    assert Membership.objects.filter(dialogue=dialogue, user=ilse, role="convener").exists()


def test_unknown_institution_is_refused_with_the_known_names(make_user):
    make_user("ilse@example.org")
    Institution.objects.create(name="Centre for Quiet Diplomacy")
    message = refused("ilse@example.org", "--institution", "Centre for Loud Diplomacy")
    assert "no institution called “Centre for Loud Diplomacy”" in message
    assert "“Centre for Quiet Diplomacy”" in message and "--create" in message
    assert not ConveningRight.objects.exists() and Institution.objects.count() == 1


def test_every_problem_is_said_at_once(db):
    message = refused("nobody@example.org", "--institution", "Nowhere Institute")
    assert "No account has the e-mail address “nobody@example.org”" in message
    assert "no institution called “Nowhere Institute”" in message
    assert not Institution.objects.exists()


@pytest.mark.parametrize(
    ("email", "name", "expected"),
    [
        ("", "Institute", "Give the e-mail address"),
        ("x" * 5000 + "@example.org", "Institute", "No account has the e-mail address"),
        ("ilse@example.org\x1b[31m", "Institute", "No account"),
        ("ilse@example.org", "", "Name the institution"),
        ("ilse@example.org", "   ", "Name the institution"),
        ("ilse@example.org", "I" * 201, "at most 200 characters"),
        ("ilse@example.org", "Evil\x00Institute", "control or invalid characters"),
        ("ilse@example.org", "Evil\x1b[2JInstitute", "control or invalid characters"),
        ("ilse@example.org", "Lone \ud800 surrogate", "control or invalid characters"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(make_user, email, name, expected):
    make_user("ilse@example.org")
    message = refused(email, "--institution", name, "--create")
    assert expected in message
    assert "\x1b" not in message and "\x00" not in message and len(message) < 1000
    assert not Institution.objects.exists() and not ConveningRight.objects.exists()


def test_deactivated_account_and_contradictory_options(make_user):
    make_user("gone@example.org", is_active=False)
    assert "deactivated" in refused("gone@example.org", "--institution", "Institute", "--create")
    make_user("ilse@example.org")
    assert "do not go together" in refused(
        "ilse@example.org", "--institution", "I", "--create", "--revoke"
    )


def test_contradictory_options_name_the_other_problems_too(db):
    # The conflict alone was named; the unknown account and the empty name came a run later.
    message = refused("nobody@x", "--institution", "", "--create", "--revoke")
    assert "--revoke and --create do not go together" in message
    assert "No account has the e-mail address “nobody@x”" in message
    assert "Name the institution" in message and "\n" not in message
    assert not Institution.objects.exists() and not ConveningRight.objects.exists()


def test_revoking_a_right_not_held(make_user):
    make_user("ilse@example.org")
    Institution.objects.create(name="Institute")
    assert "holds no right" in refused("ilse@example.org", "--institution", "Institute", "--revoke")
    assert "no institution called" in refused(
        "ilse@example.org", "--institution", "Elsewhere", "--revoke"
    )


def test_the_track2_command_lists_and_documents_it(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "track2", "grant-convener", "--help"],
        capture_output=True,
        text=True,
        env={"TRACK2_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for option in ("--institution", "--create", "--revoke"):
        assert option in result.stdout


def test_a_site_administrator_is_refused_with_every_other_problem(db):
    from track2.accounts.models import User

    User.objects.create_superuser(email="root@example.org", password="correct horse battery")
    said = refused("root@example.org", "--institution", "Nowhere Institute")
    assert "root@example.org is a site administrator, who cannot hold a convening right" in said
    assert "There is no institution called" in said  # every problem at once
    said = refused("root@example.org", "--institution", "Nowhere Institute", "--create")
    assert "site administrator" in said
    assert not ConveningRight.objects.exists() and not Institution.objects.exists()
