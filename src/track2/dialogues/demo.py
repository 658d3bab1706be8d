"""The convening part of the demo: the Varena Sea story's parties, delegations (people added,
vetted, invited and accepted through the people workflow), venues, three rounds with agendas
and attendance. Everything is invented; called from `track2.site.demo.build()`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from track2.accounts.models import User
from track2.dialogues import actions, venue_actions
from track2.dialogues.models import Delegation, Dialogue
from track2.meetings import actions as meeting_actions
from track2.meetings.models import MeetingParticipant
from track2.people import actions as people

BASE_URL = "http://127.0.0.1:8000"
LANGUAGES = {"Caldera": "Calderan", "Ostrava": "Ostravan", "Norland": "Norlandic"}

# (name, e-mail or None for a new address, sector, gender, organisation, position, how far the candidacy got)
CALDERA = [
    (
        "Prof. Arin Solvei",
        "participant@demo.track2.invalid",
        "academia",
        "woman",
        "University of Port Vell",
        "Professor of the Law of the Sea",
        "accepted",
    ),
    (
        "Dr Kael Morrow",
        None,
        "think_tank",
        "man",
        "Caldera Institute of Strategic Studies",
        "Senior fellow",
        "accepted",
    ),
    ("Amb. (ret.) Lisbet Varga", None, "former_diplomat", "woman", "", "", "accepted"),
    ("Capt. (ret.) Oren Halloway", None, "former_military", "man", "", "", "accepted"),
    (
        "Mira Castellan",
        None,
        "business",
        "woman",
        "Northern Fisheries Cooperative",
        "Chair",
        "accepted",
    ),
    (
        "Tavi Renn",
        None,
        "civil_society",
        "non_binary",
        "Coastal Communities Network",
        "Coordinator",
        "accepted",
    ),
    (
        "Joss Harlan",
        None,
        "media",
        "man",
        "Port Vell Courier",
        "Maritime correspondent",
        "accepted",
    ),
    ("Dr Sena Quill", None, "academia", "woman", "Caldera Polytechnic", "Oceanographer", "invited"),
]
OSTRAVA = [
    (
        "Dr Petra Novakova",
        "participant.ostrava@demo.track2.invalid",
        "academia",
        "woman",
        "Ostrava State University",
        "Dean of International Law",
        "accepted",
    ),
    ("Viktor Halden", None, "former_diplomat", "man", "", "", "accepted"),
    ("Gen. (ret.) Ruslan Dek", None, "former_military", "man", "", "", "accepted"),
    (
        "Irena Bly",
        None,
        "civil_society",
        "woman",
        "Fishers' Rights Ostrava",
        "Director",
        "accepted",
    ),
    (
        "Anton Sarkis",
        None,
        "business",
        "man",
        "Ostrava Shipping Lines",
        "Head of operations",
        "accepted",
    ),
    (
        "Dr Yara Minsk",
        None,
        "think_tank",
        "woman",
        "Centre for Eastern Seas",
        "Research director",
        "accepted",
    ),
    ("Olek Farran", None, "media", "man", "", "", "declined"),
    ("Lida Korsa", None, "academia", "woman", "Ostrava Naval Academy", "Lecturer", "nominated"),
]
FACILITATORS = [
    (
        "Amb. (ret.) Tomas Reyes",
        "facilitator@demo.track2.invalid",
        "former_diplomat",
        "man",
        "Institute for Maritime Dialogue",
        "Senior adviser",
        "facilitator",
    ),
    (
        "Dr Noor Hadid",
        "rapporteur@demo.track2.invalid",
        "think_tank",
        "woman",
        "Institute for Maritime Dialogue",
        "Research fellow",
        "rapporteur",
    ),
    (
        "Hanne Ostberg",
        None,
        "civil_society",
        "woman",
        "Nordic Mediation Network",
        "Mediator",
        "facilitator",
    ),
]
VOUCHERS = {
    "Caldera": "Prof. E. Lunde (Institute board)",
    "Ostrava": "Dr M. Petrak (former co-chair, Baltic track)",
    "Norland": "Institute for Maritime Dialogue",
}


def _email(name: str) -> str:
    local = "".join(c for c in name.lower().replace(" ", ".") if c.isalnum() or c == ".").strip(".")
    return f"{local.replace('..', '.')}@people.demo.track2.invalid"


def _account_for(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        # The demo's other people accept through an account nobody signs in to.
        user = User.objects.create_user(email=email, password=None, display_name=name)
    return user


def _add(convener, dialogue, delegation, country, nominated_by, row, role="participant"):
    name, email, sector, gender, organisation, position, outcome = row
    if outcome in ("facilitator", "rapporteur"):
        role, outcome = outcome, "accepted"
    email = email or _email(name)
    candidacy = people.do_add_person(
        convener,
        dialogue,
        full_name=name,
        email=email,
        sector=sector,
        country=country,
        nominated_by=nominated_by,
        role=role,
        delegation=delegation,
        gender=gender,
        organisation=organisation,
        position=position,
        languages=["English", LANGUAGES[country]],
    )
    if outcome == "nominated":
        return candidacy
    people.do_vet(
        convener,
        candidacy,
        vouched_by=VOUCHERS[country],
        notes="Known to the board from earlier Track 2 work; no conflicts of interest declared.",
    )
    _invitation, link = people.do_invite(convener, candidacy, base_url=BASE_URL)
    secret = link.rstrip("/").rsplit("/", 1)[-1]
    if outcome == "accepted":
        people.do_accept_invitation(secret, _account_for(email, name))
    elif outcome == "declined":
        people.do_decline_invitation(secret)
    return candidacy


def _wall_clock(day: datetime, hour: int) -> datetime:
    """A naive time: the meeting's actions read it in the meeting's own time zone."""
    return day.replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None)


def build_convening(dialogue: Dialogue, users: dict[str, User]) -> None:
    convener = users["convener"]
    caldera = actions.do_add_party(
        convener,
        dialogue,
        name="Northern Republic of Caldera",
        country="Caldera",
        with_delegation=True,
    ).delegations.get()
    ostrava = actions.do_add_party(
        convener, dialogue, name="Federation of Ostrava", country="Ostrava", with_delegation=True
    ).delegations.get()
    facilitation = actions.do_create_delegation(
        convener, dialogue, name="Facilitation team (Institute)", kind=Delegation.Kind.FACILITATION
    )
    for row in CALDERA:
        _add(convener, dialogue, caldera, "Caldera", "Caldera Institute of Strategic Studies", row)
    for row in OSTRAVA:
        _add(convener, dialogue, ostrava, "Ostrava", "Centre for Eastern Seas", row)
    for row in FACILITATORS:
        _add(convener, dialogue, facilitation, "Norland", "Institute for Maritime Dialogue", row)

    halvard = venue_actions.do_create_venue(
        convener,
        dialogue,
        name="Halvard Conference Centre",
        kind="conference_centre",
        city="Tromsvik",
        country="Norland",
        address="Kaiveien 3, 9008 Tromsvik, Norland",
        capacity=40,
        accessibility_notes="Step-free entrance and lift; hearing loop in the plenary room.",
    )
    residence = venue_actions.do_create_venue(
        convener,
        dialogue,
        name="A private residence near Port Vell",
        kind="private_home",
        city="Port Vell",
        country="Caldera",
        address="Villa Serrat, 12 Cliff Road, Port Vell (ring the side gate)",
        is_confidential=True,
        capacity=20,
        accessibility_notes="Ground-floor meeting room; two steps at the garden entrance.",
    )
    virtual = venue_actions.do_create_venue(
        convener,
        dialogue,
        name="Secure video room",
        kind="virtual",
        address="https://meet.demo.track2.invalid/varena-r3 (passcode sent to confirmed members)",
        is_confidential=True,
    )

    today = timezone.now().astimezone(timezone.get_current_timezone())
    rounds = []
    for title, venue, zone, offset, hours in (
        ("Round 1: fisheries and data sharing", halvard, "Europe/Oslo", -120, (9, 17)),
        ("Round 2: incident prevention at sea", residence, "Asia/Manila", -30, (9, 18)),
        ("Round 3: search and rescue cooperation", virtual, "UTC", 25, (12, 15)),
    ):
        day = today + timedelta(days=offset)
        rounds.append(
            meeting_actions.do_create_meeting(
                convener,
                dialogue,
                title=title,
                venue=venue,
                time_zone=zone,
                starts_at=_wall_clock(day, hours[0]),
                ends_at=_wall_clock(day, hours[1]),
            )
        )

    seated = {
        m.person.full_name: m.person for m in dialogue.delegation_members.select_related("person")
    }
    agendas = [
        [
            ("Welcome and ground rules (Chatham House Rule)", 30, "Amb. (ret.) Tomas Reyes"),
            ("Fish stocks: what each side's data shows", 120, "Prof. Arin Solvei"),
            ("A joint stock-assessment working group?", 90, "Dr Petra Novakova"),
            ("Fishers' livelihoods on both coasts", 90, "Irena Bly"),
            ("Next steps and summary", 45, "Dr Noor Hadid"),
        ],
        [
            ("Opening", 20, "Amb. (ret.) Tomas Reyes"),
            ("Near-misses since Round 1: a shared timeline", 120, "Capt. (ret.) Oren Halloway"),
            ("Hotlines between coast guards", 120, "Gen. (ret.) Ruslan Dek"),
            ("Draft principles for incident prevention", 150, "Viktor Halden"),
            ("Closing", 30, "Hanne Ostberg"),
        ],
        [
            ("Opening", 10, "Amb. (ret.) Tomas Reyes"),
            ("Search and rescue regions: overlaps and gaps", 80, "Dr Kael Morrow"),
            ("Joint exercises: options paper", 70, "Dr Yara Minsk"),
            ("Agreeing the outcome statement", 20, "Dr Noor Hadid"),
        ],
    ]
    for meeting, items in zip(rounds, agendas, strict=True):
        for title, minutes, lead in items:
            meeting_actions.do_add_agenda_item(
                convener, meeting, title=title, duration_minutes=minutes, lead=seated.get(lead)
            )

    everyone = list(seated.values())
    # Who was asked to each round, and who came: continuity the balance dashboard reads.
    absent = {0: {"Joss Harlan", "Anton Sarkis"}, 1: {"Mira Castellan"}}
    declined = {1: {"Dr Yara Minsk"}, 2: {"Gen. (ret.) Ruslan Dek"}}
    for index, meeting in enumerate(rounds):
        seats = meeting_actions.do_add_participants(
            convener, meeting, everyone, status=MeetingParticipant.Status.CONFIRMED
        )
        for seat in seats:
            name = seat.person.full_name
            if name in declined.get(index, ()):
                status = MeetingParticipant.Status.DECLINED
            elif index == 2:
                continue  # the next round: confirmed, not yet held
            elif name in absent.get(index, ()):
                status = MeetingParticipant.Status.ABSENT
            else:
                status = MeetingParticipant.Status.ATTENDED
            meeting_actions.do_set_participant_status(convener, seat, status)
