"""`track2 delete-dialogue DIALOGUE --by EMAIL --title TITLE` (and `--withdraw`), run as the
command's own code on the test database (tests/operations/test_dialogue_deletion_files.py runs
the real `track2` process): conveners only, two of them, errors as one clear line."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.dialogues.test_access_matrix import ALL_ROLES
from track2.audit.models import AuditEntry
from track2.dialogues.models import Dialogue
from track2.operations.models import DialogueDeletion

TITLE = "Varena Sea Dialogue"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("delete-dialogue", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    message = str(error.value)
    assert "\n" not in message  # one line
    return message


def state() -> tuple:
    return (
        sorted(Dialogue.objects.values_list("pk", flat=True)),
        sorted(DialogueDeletion.objects.values_list("pk", "withdrawn_at")),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != "convener"])
def test_only_the_dialogues_conveners_may_use_it(world, second_convener, role):
    email, d = world.users[role].email, str(world.dialogue.pk)
    run(d, "--by", world.users["convener"].email, "--title", TITLE)
    before = state()
    for number in (d, str(world.dialogue.pk + 999), "9" * 30, "-1", "1e3", "seven"):
        for extra in (["--title", TITLE], ["--withdraw"]):
            message = refused(number, "--by", email, *extra)
            assert message.startswith(f"{email} convenes no dialogue numbered"), message
            assert TITLE not in message
    assert state() == before


def test_ask_refuse_the_asker_confirm(world, second_convener, settings):
    first, d = world.users["convener"], str(world.dialogue.pk)
    keys = settings.TRACK2_HOME / "keys"
    asked = run(d, "--by", first.email, "--title", TITLE)
    assert asked.startswith(f"Asked to delete dialogue {d}; a second convener confirms")
    message = refused(d, "--by", first.email, "--title", TITLE)
    assert message.startswith("You asked for this deletion; a second convener")
    wrong = refused(d, "--by", second_convener.email, "--title", "Varena")
    assert "type the dialogue's title exactly" in wrong
    done = run(d, "--by", second_convener.email.upper(), "--title", TITLE)
    assert done.startswith(f"Dialogue {d} is deleted, with what it held: 2 meetings;")
    assert "Database backups made before now still hold the dialogue" in done
    assert not Dialogue.objects.filter(pk=d).exists()
    assert (keys / f"dialogue-{d}.destroyed").exists()
    again = refused(d, "--by", second_convener.email, "--title", TITLE)
    assert again.startswith(f"{second_convener.email} convenes no dialogue numbered")


def test_withdraw_by_either(world, second_convener):
    first, d = world.users["convener"], str(world.dialogue.pk)
    assert "nothing to withdraw" in refused(d, "--by", first.email, "--withdraw")
    run(d, "--by", first.email, "--title", TITLE)
    assert run(d, "--by", second_convener.email, "--withdraw").startswith(
        f"The request to delete dialogue {d} is withdrawn."
    )
    assert DialogueDeletion.objects.get().withdrawn_by == second_convener
    # asked again: with no open request, a title asks (it never confirms a withdrawn one)
    assert run(d, "--by", second_convener.email, "--title", TITLE).startswith("Asked")
    assert Dialogue.objects.filter(pk=d).exists()


def test_a_single_convener_is_told_why(world):
    message = refused(str(world.dialogue.pk), "--by", world.users["convener"].email, "--title", "x")
    # every problem at once, on one line
    assert "This dialogue has one convener" in message and "type the dialogue's title" in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--title", "Varena\x1b Sea Dialogue"], "control character"),
        (["--title", "Varena \ud800 Dialogue"], "lone UTF-16 surrogate"),
        (["--title", "x" * 100_000], "at most 400 characters (it has 100000)"),
        (["--title", "Varena Sea \u202eDialogue"], "direction control"),
        ([], "give --title with the dialogue's title to ask or confirm, or --withdraw."),
        (["--title", TITLE, "--withdraw"], "give --title to ask or confirm, or --withdraw alone"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(world, second_convener, args, expected):
    first, d = world.users["convener"], str(world.dialogue.pk)
    run(d, "--by", first.email, "--title", TITLE)
    before = state()
    message = refused(d, "--by", second_convener.email, *args)
    assert expected in message, message
    assert state() == before


def test_an_unknown_or_inactive_account_is_named(world, second_convener):
    d = str(world.dialogue.pk)
    assert refused(d, "--by", "nobody@example.org", "--title", TITLE) == (
        "no active account has the e-mail 'nobody@example.org'."
    )
    second_convener.is_active = False
    second_convener.save()
    assert "no active account" in refused(d, "--by", second_convener.email, "--withdraw")
    # what is echoed carries no control character (a terminal would act on it)
    assert refused(d, "--by", "bell\x07@example.org", "--withdraw") == (
        "no active account has the e-mail 'bell@example.org'."
    )
