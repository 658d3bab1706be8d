"""Roster CSV import (every row checked before anything is saved) and export (formulas neutralised)."""

import pytest

from tests.helpers import roster_csv_rows as csv_rows
from track2 import spreadsheet
from track2.errors import ActionRefused
from track2.people import roster
from track2.people.models import Candidacy, Person

HEADER = "full_name,email,sector,country,pronouns,languages,expertise,organisation,position,gender,nominated_by,delegation\n"
GOOD = HEADER + (
    "Amina Diallo,amina@example.org,academia,Northland,she/her,French;Wolof,fisheries;law,University of Varena,"
    "Professor,woman,Prof. Example,Northland delegation\n"
    '"Chen, Wei",wei@example.org,Research / think tank,Southland,,,"maritime law",Sea Institute,,man,Dr. X,\n'
)


def errors_of(dialogue, text):
    return [(e.row, e.column) for e in roster.check_roster(dialogue, text).errors]


def test_decode_accepts_utf8_with_and_without_bom():
    text = "full_name\nJosé Ñúñez\n"
    assert roster.decode(text.encode("utf-8")) == text
    assert roster.decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        ("full_name\nJosé\n".encode("latin-1"), "not UTF-8"),
        ("full_name\n".encode("utf-16"), "UTF-16"),
        (b"full_name\x00\n", "NUL"),
    ],
)
def test_decode_refuses_other_encodings_with_what_to_do(data, words):
    with pytest.raises(ActionRefused, match=words) as refused:
        roster.decode(data)
    assert "upload" in refused.value.message.lower()
    assert refused.value.field == "file"  # the API's 400 names the field (docs/api.md)


# The first bytes of what people upload instead of a CSV: a workbook is named as a workbook (with
# how to save it as CSV), not as text in a wrong encoding; markup is named as not CSV.
NOT_CSV = [
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "spreadsheet workbook (.xlsx or .ods)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "old Excel workbook (.xls)"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b;c">]><x/>', "not a CSV file"),
    (b"\xef\xbb\xbf<html><body>roster</body></html>", "not a CSV file"),
    (b'{"full_name": "Amina"}', "not a CSV file"),
    (b'  [["full_name"], ["Amina"]]', "not a CSV file"),
]


@pytest.mark.parametrize(("data", "words"), NOT_CSV)
def test_decode_names_workbooks_and_markup_before_the_encoding(data, words):
    with pytest.raises(ActionRefused) as refused:
        roster.decode(data)
    message = refused.value.message
    assert words in message and refused.value.field == "file"
    assert "not UTF-8" not in message and "semicolons" not in message
    assert "CSV UTF-8" in message and "LibreOffice" in message


def test_valid_roster_previews_and_imports_all(dialogue, convener, north):
    checked = roster.check_roster(dialogue, GOOD)
    assert checked.errors == [] and checked.is_valid
    assert [r["row"] for r in checked.rows] == [2, 3]
    assert checked.rows[1]["full_name"] == "Chen, Wei" and checked.rows[1]["sector"] == "think_tank"
    assert not Person.objects.exists()  # checking saves nothing
    added = roster.do_import_roster(convener, dialogue, GOOD)
    assert len(added) == 2
    amina = Person.objects.get(email="amina@example.org")
    assert amina.languages == ["French", "Wolof"] and amina.gender == "woman"
    assert amina.affiliations.get().position == "Professor"
    assert Candidacy.objects.get(person=amina).delegation == north
    assert Candidacy.objects.get(person__email="wei@example.org").delegation is None
    assert all(c.steps.get().by == convener for c in added)


def test_column_names_are_forgiving_about_case_and_spaces(dialogue):
    text = "Full Name,E-mail,Sector,Country,Nominated By\nA,a@example.org,media,X,Y\n".replace(
        "E-mail", "email"
    )
    assert roster.check_roster(dialogue, text).is_valid


def test_wrong_and_missing_columns(dialogue):
    checked = roster.check_roster(
        dialogue, "full_name,mail,sector,country,nominated_by,colour\nA,a@x.org,media,X,Y,red\n"
    )
    assert {(e.row, e.column) for e in checked.errors} == {(1, "mail"), (1, "colour"), (1, "email")}
    assert any("Unknown column" in e.message for e in checked.errors)
    assert any("required column “email” is missing" in e.message for e in checked.errors)


def test_duplicate_column(dialogue):
    assert (1, "email") in errors_of(
        dialogue, "full_name,email,email,sector,country,nominated_by\n"
    )


def test_header_only_and_blank_header(dialogue):
    assert errors_of(dialogue, HEADER) == [(2, "")]
    assert errors_of(dialogue, "\n\nfoo") == [(1, "")]


def test_semicolon_separated_file_explained(dialogue):
    checked = roster.check_roster(
        dialogue, "full_name;email;sector;country;nominated_by\nA;a@x.org;media;X;Y\n"
    )
    assert "semicolons" in checked.errors[0].message


def test_per_row_errors_name_row_and_column(dialogue, add_person, track15, convener, member_of):
    member_of(convener, "convener", to=track15)
    add_person("taken@example.org", full_name="Already Here", to=track15)
    text = (
        HEADER
        + "\n".join(
            [
                "Good One,good@example.org,academia,X,,,,,,,Nominator,",  # row 2: fine
                "Bad Mail,not-an-email,academia,X,,,,,,,Nominator,",  # row 3
                "Dup,GOOD@example.org,academia,X,,,,,,,Nominator,",  # row 4: duplicate in file
                "Known,taken@EXAMPLE.org,academia,X,,,,,,,Nominator,",  # row 5: in directory
                "Spaceman,space@example.org,astronaut,X,,,,,,,Nominator,",  # row 6: unknown sector
                "Minister,min@example.org,serving_official,X,,,,,,,Nominator,",  # row 7: official in Track 2
                "Lost,lost@example.org,media,X,,,,,,,Nominator,Atlantis",  # row 8: unknown delegation
                ",nobody@example.org,media,,,,,,,,,",  # row 9: three required cells empty
                "Too,many@example.org,media,X,,,,,,,N,,extra",  # row 10: too many values
                "Odd,odd@example.org,media,X,,,,,,robot,N,",  # row 11: unknown gender
                "",  # blank line: skipped
            ]
        )
        + "\n"
    )
    checked = roster.check_roster(dialogue, text)
    found = {(e.row, e.column) for e in checked.errors}
    assert found == {
        (3, "email"),
        (4, "email"),
        (5, "email"),
        (6, "sector"),
        (7, "sector"),
        (8, "delegation"),
        (9, "full_name"),
        (9, "country"),
        (9, "nominated_by"),
        (10, ""),
        (11, "gender"),
    }
    messages = {(e.row, e.column): e.message for e in checked.errors}
    assert "row 2" in messages[(4, "email")]
    assert "already in the people directory" in messages[(5, "email")]
    assert "Track 2" in messages[(7, "sector")]
    assert "Atlantis" in messages[(8, "delegation")]
    assert not checked.is_valid
    with pytest.raises(ActionRefused, match="nothing was saved"):
        roster.do_import_roster(None, dialogue, text)
    assert Person.objects.count() == 1  # only the one added before


def test_serving_official_accepted_in_track_1_5_and_flagged(track15, convener, member_of):
    text = "full_name,email,sector,country,nominated_by\nMin,min@example.org,serving_official,X,N\n"
    checked = roster.check_roster(track15, text)
    assert checked.is_valid and checked.rows[0]["personal_capacity"] is True
    member_of(convener, "convener", to=track15)
    added = roster.do_import_roster(convener, track15, text)
    assert added[0].person.is_serving_official


def test_import_is_all_or_nothing_when_a_row_fails_while_saving(dialogue, convener, monkeypatch):
    calls = []
    original = roster.actions.do_add_person

    def fail_on_second(*args, **kwargs):
        calls.append(kwargs["email"])
        if len(calls) == 2:
            raise ActionRefused("simulated: someone added this e-mail meanwhile", field="email")
        return original(*args, **kwargs)

    monkeypatch.setattr(roster.actions, "do_add_person", fail_on_second)
    with pytest.raises(ActionRefused):
        roster.do_import_roster(convener, dialogue, GOOD)
    assert not Person.objects.exists() and not Candidacy.objects.exists()


def test_neutralise():
    cell = spreadsheet.cell
    assert cell('=HYPERLINK("http://evil","x")') == '\'=HYPERLINK("http://evil","x")'
    for start in ("+", "-", "@", "\t", "\r"):
        assert cell(start + "1") == "'" + start + "1"
        assert spreadsheet.plain(cell(start + "1")) == start + "1"  # read back as it was
    assert cell("Amina") == "Amina" and spreadsheet.plain("'Amina") == "'Amina"
    assert cell("") == ""


def test_export_neutralises_formulas_and_reads_back(
    dialogue, add_person, track15, member_of, convener
):
    add_person(
        "evil@example.org",
        full_name='=HYPERLINK("http://evil.example","click")',
        organisation="@SUM(A1:A9)",
        expertise="+cmd|' /C calc'!A0",
    )
    member_of(convener, "convener", to=track15)
    add_person("min@example.org", full_name="Minister M", sector="serving_official", to=track15)
    text = roster.export_csv(dialogue)
    assert text.startswith("\ufeff")
    rows = csv_rows(text)
    assert len(rows) == 1  # only this dialogue's people
    row = rows[0]
    assert row["full_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["organisation"] == "'@SUM(A1:A9)"
    assert row["expertise"].startswith("'+cmd")
    assert row["status"] == "nominated" and row["personal_capacity"] == ""
    official = csv_rows(roster.export_csv(track15))[0]
    assert official["personal_capacity"] == "yes"
    assert list(rows[0].keys()) == list(roster.EXPORT_COLUMNS)


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_decode_never_crashes_on_arbitrary_bytes(data):
    try:
        roster.decode(data)
    except ActionRefused as refused:
        assert refused.message


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.lists(
        st.sampled_from(list('ab,"\n\r;=@ é\t') + ["x@y.org", "media", ",media,", "\n"]),
        max_size=60,
    ).map("".join)
)
def test_check_roster_never_crashes_and_saves_nothing(dialogue, body):
    checked = roster.check_roster(dialogue, "full_name,email,sector,country,nominated_by\n" + body)
    for error in checked.errors:
        assert error.row >= 1 and error.message
    assert not Person.objects.exists()


@given(value=st.text(max_size=20))
def test_neutralised_cells_never_start_a_formula(value):
    assert not spreadsheet.cell(value).startswith(spreadsheet.FORMULA_STARTS)


def test_person_already_in_this_dialogue(dialogue, add_person):
    add_person("amina@example.org")
    text = "full_name,email,sector,country,nominated_by\nAmina,AMINA@example.org,academia,N,X\n"
    (error,) = roster.check_roster(dialogue, text).errors
    assert (error.row, error.column) == (
        2,
        "email",
    ) and "already a candidate in this dialogue" in error.message


def test_a_roster_that_starts_with_the_status_line_imports(dialogue):
    # An export starts with the status line as a "#" row; a roster kept from it still imports.
    text = (
        "# Unofficial. Non-binding. Participants took part in a personal capacity.\r\n"
        "full_name,email,sector,country,nominated_by\r\n"
        "Back Again,new@example.org,academia,Northland,Dr X\r\n"
    )
    checked = roster.check_roster(dialogue, text)
    assert checked.errors == [] and [r["email"] for r in checked.rows] == ["new@example.org"]
    # Row numbers still match the spreadsheet: the status line is row 1, the header row 2.
    bad = roster.check_roster(dialogue, text.replace("new@example.org", "not-an-address"))
    assert [e.row for e in bad.errors] == [3]
    unknown = roster.check_roster(dialogue, text.replace("nominated_by", "nominee"))
    assert {e.row for e in unknown.errors} == {2}


# One add-person rule set: the same bad row gets the same fields and words in the roster as the
# Add person form and the API get from `check_add_person` (the form shows the first per field;
# the roster lists them all, each with its row).
SAME_RULES = [
    # a position without an organisation, and a Track 2 dialogue refusing a serving official
    {"position": "Minister", "sector": "serving_official"},
    # an address already in the directory, with a sector nobody knows and no name
    {"email": "amina@example.org", "sector": "astrology", "full_name": ""},
    # a role that does not exist, a gender nobody knows, one line of text with a control character
    {"role": "king", "gender": "x" * 300, "country": "Nor\x07land"},
]


@pytest.mark.parametrize("bad", SAME_RULES)
def test_roster_rows_and_the_add_person_action_refuse_alike(dialogue, add_person, bad):
    from track2.people import actions

    add_person("amina@example.org")
    fields = {
        "full_name": "Kai Newman",
        "email": "kai@example.org",
        "sector": "academia",
        "country": "Norland",
        "nominated_by": "Dr. Example",
        "organisation": "",
        "position": "",
        "gender": "",
        "role": "participant",
    } | bad
    with pytest.raises(ActionRefused) as refused:
        actions.check_add_person(dialogue, **fields)
    columns = list(fields)
    text = ",".join(columns) + "\n" + ",".join(f'"{fields[c]}"' for c in columns) + "\n"
    from_roster = sorted((e.column, e.message) for e in roster.check_roster(dialogue, text).errors)
    assert from_roster == sorted(refused.value.problems)
    assert len(from_roster) >= 2  # every problem of the row, not the first


def test_a_position_without_an_organisation_says_the_same_in_both(dialogue):
    text = HEADER + "Kai Newman,kai@example.org,academia,Norland,,,,,Fellow,,Dr. X,\n"
    (error,) = roster.check_roster(dialogue, text).errors
    assert (error.row, error.column) == (2, "organisation")
    assert error.message == "A position needs an organisation; add the organisation too."


def test_the_sites_own_export_imports_as_it_stands(dialogue, add_person, north):
    # Its export-only columns (status, personal_capacity) once refused the whole file.
    from track2.dialogues.models import Delegation, Dialogue, Party
    from track2.institutions.models import Institution

    add_person(
        "amina@example.org",
        languages=["French", "Wolof"],
        expertise=["fisheries"],
        organisation="University of Varena",
        position="Professor",
        gender="woman",
        delegation=north,
        role="observer",
        risk_notes="Travel needs a visa.",
    )
    add_person("wei@example.org", full_name="Chen, Wei", sector="think_tank", country="Southland")
    Person.objects.filter(email="wei@example.org").update(phone="+44 20 7946 0000")
    exported = roster.export_csv(dialogue)
    assert "'+44 20 7946 0000" in exported  # a spreadsheet must not take it for a formula
    elsewhere = Dialogue.objects.create(
        title="Another dialogue", institution=Institution.objects.create(name="Other Institute")
    )
    party = Party.objects.create(dialogue=elsewhere, name="Northland", country="Northland")
    Delegation.objects.create(dialogue=elsewhere, name="Northland delegation", party=party)
    checked = roster.check_roster(elsewhere, roster.decode(exported.encode("utf-8")))
    assert checked.errors == [] and checked.is_valid
    by_email = {row["email"]: row for row in checked.rows}
    amina = by_email["amina@example.org"]
    assert amina["languages"] == ["French", "Wolof"] and amina["role"] == "observer"
    assert amina["delegation"].name == "Northland delegation"
    assert amina["risk_notes"] == "Travel needs a visa."
    assert by_email["wei@example.org"]["full_name"] == "Chen, Wei"
    assert by_email["wei@example.org"]["phone"] == "+44 20 7946 0000"  # not "'+44 …"


def test_an_unknown_column_still_checks_every_row(dialogue):
    # The rows were not read at all: the second upload met the rows' errors.
    text = (
        "full_name,email,sector,country,nominated_by,colour\n"
        "Good One,good@example.org,academia,X,Nominator,red\n"
        "Bad Mail,not-an-email,academia,X,Nominator,blue\n"
        "Spaceman,space@example.org,astronaut,X,Nominator,green\n"
    )
    assert set(errors_of(dialogue, text)) == {(1, "colour"), (3, "email"), (4, "sector")}
    assert not roster.check_roster(dialogue, text).is_valid


def test_an_unreadably_long_value_names_its_own_row(dialogue):
    text = (
        "full_name,email,sector,country,nominated_by\n"
        "Good One,good@example.org,academia,X,Nominator\n"
        "Long,long@example.org,academia," + "X" * 200_000 + ",Nominator\n"
    )
    (error,) = roster.check_roster(dialogue, text).errors
    assert error.row == 3 and "longer than 128 KB" in error.message
