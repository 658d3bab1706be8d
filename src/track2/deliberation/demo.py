"""The room part of the demo: a working session in progress where both delegations have written
and voted on statements (some waiting for moderation, one held by the non-attribution check),
with common ground and a divisive statement on the map; and a large Pol.is conversation
imported as a Track 3 consultation. Built through the real actions; called from
`track2.site.demo.build()`.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from track2.accounts.models import User
from track2.deliberation import actions, interop, room_actions
from track2.dialogues.models import (
    Delegation,
    DelegationMember,
    Dialogue,
    Membership,
    Role,
)
from track2.meetings import actions as meeting_actions
from track2.meetings.models import MeetingParticipant

POLIS_CONVERSATION = Path(__file__).resolve().parent / "demo_data" / "football-concussions"
# The two demo logins of the sides do not vote: a visitor casts their votes and sees the map move.
VISITORS = ("participant@demo.track2.invalid", "participant.ostrava@demo.track2.invalid")

# (text, how each side answers: "agree" / "disagree" / "mixed")
STATEMENTS = [
    ("Both coast guards should share near-miss reports within 24 hours.", "agree", "agree"),
    ("A direct hotline between the two coast guards would prevent escalation.", "agree", "agree"),
    ("Fishing vessels in distress must be helped whatever flag they fly.", "agree", "agree"),
    ("Joint search-and-rescue exercises should be held every year.", "agree", "agree"),
    (
        "Scientists from both sides should publish one shared fish-stock assessment.",
        "agree",
        "agree",
    ),
    ("The Varena Sea median line is the only fair basis for fishing zones.", "agree", "disagree"),
    ("Ostravan patrols near the Skerry Banks are a provocation.", "agree", "disagree"),
    (
        "Caldera's fishing fleet has overfished the northern grounds for a decade.",
        "disagree",
        "agree",
    ),
    ("Historic fishing rights should outweigh the median line.", "disagree", "agree"),
    ("Naval vessels should stay 12 miles from each other's patrol boats.", "agree", "mixed"),
    ("An incident-at-sea agreement should cover civilian vessels too.", "mixed", "agree"),
    ("Fisheries data should be public, not only shared between governments.", "mixed", "mixed"),
    ("A third country should chair the joint fisheries commission.", "mixed", "agree"),
    ("Coastal communities should sit on the fisheries commission.", "agree", "mixed"),
    ("Quotas should be cut by a fifth until stocks recover.", "mixed", "mixed"),
    ("Maritime boundaries should be left out of this dialogue for now.", "agree", "agree"),
    ("Media coverage of incidents makes both governments less flexible.", "mixed", "agree"),
    ("Rescue coordination centres should run a shared radio channel.", "agree", "agree"),
    ("Officials should hear this group's ideas before the next summit.", "agree", "mixed"),
    ("An independent observer should be aboard boats in disputed waters.", "disagree", "mixed"),
    ("Compensation for damaged nets should come from a joint fund.", "mixed", "agree"),
    ("Fishers' unions on both sides should meet without officials.", "agree", "agree"),
]
PENDING = [
    "A shared weather and ice service would save lives on both coasts.",
    "The commission's minutes should be published after a year.",
    "Schools on both coasts could exchange pupils each summer.",
    # Participants write in their own languages: shown right to left, its full stop at its end.
    "يجب أن يتبادل خفر السواحل في البلدين بيانات الطقس يوميًا.",
]
# Names someone from the dialogue: the non-attribution check holds it for the facilitators.
HELD = "As Irena Bly said this morning, the fishers' unions already trust each other."
TYPO = (
    "Search-and-rescue drills shoud include fishing crews.",
    "Search-and-rescue drills should include fishing crews.",
)
NOTE = "Some of us cannot say in plenary that the hotline already exists informally."

# (chance of agree, of disagree): a side leaning one way answers as one, so that its figures
# pass the small-cell rule and the map shows common ground and a divisive statement.
ANSWER_CHANCE = {"agree": (1.0, 0.0), "disagree": (0.0, 1.0), "mixed": (0.45, 0.4)}


def _answer(rng: random.Random, leaning: str) -> str:
    agree, disagree = ANSWER_CHANCE[leaning]
    roll = rng.random()
    return "agree" if roll < agree else "disagree" if roll < agree + disagree else "pass"


def build_room(dialogue: Dialogue, users: dict[str, User]) -> None:
    convener, facilitator = users["convener"], users["facilitator"]
    now = timezone.now()
    session = meeting_actions.do_create_meeting(
        convener,
        dialogue,
        title="Working session: principles for incident prevention (in progress)",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        time_zone="UTC",
    )
    seats = DelegationMember.objects.filter(dialogue=dialogue).select_related(
        "person__user", "delegation"
    )
    present = meeting_actions.do_add_participants(
        convener, session, [s.person for s in seats], status=MeetingParticipant.Status.CONFIRMED
    )
    for seat in present:  # the session is under way: everyone came
        meeting_actions.do_set_participant_status(
            convener, seat, MeetingParticipant.Status.ATTENDED
        )
    sides: dict[str, list[User]] = {}
    for s in seats:
        if s.delegation.kind == Delegation.Kind.SIDE and s.person.user is not None:
            sides.setdefault(s.delegation.name, []).append(s.person.user)
    north_people, south_people = (people for _name, people in sorted(sides.items()))
    voters = [(u, 0) for u in north_people] + [(u, 1) for u in south_people]
    writers = [u for u, _side in voters]
    d, m = dialogue.pk, session.pk

    def moderate(statement, decision, **kw):
        actions.do_moderate(
            facilitator, actions.check_moderate(facilitator, d, m, statement.pk, decision, **kw)
        )

    def submit(user, text, **kw):
        return actions.do_submit(actions.check_submit(user, d, m, text, **kw))

    accepted = []
    for i, (text, _north, _south) in enumerate(STATEMENTS):
        statement = submit(writers[i % len(writers)], text)
        moderate(statement, "accept")
        accepted.append(statement)
    typo = submit(writers[1], TYPO[0])
    moderate(typo, "accept")
    moderate(typo, "fix", text=TYPO[1])
    rejected = submit(writers[2], "Everything the other side says is propaganda.")
    moderate(rejected, "reject", reason="Please make it a proposal the room can vote on.")
    for i, text in enumerate(PENDING):
        submit(writers[(i + 3) % len(writers)], text)
    submit(writers[4], HELD)
    submit(writers[5], NOTE, for_facilitator=True)
    # Seated people vote in a fixed pseudo-random way, leaning as each statement's sides do.
    rng = random.Random(2026)  # noqa: S311  (a demo's invented answers, not a secret)
    for user, side in voters:
        if user.email in VISITORS:
            continue
        for statement, (_text, *leanings) in zip(accepted, STATEMENTS, strict=True):
            if "mixed" not in leanings or rng.random() < 0.85:
                ballot = actions.check_vote(user, d, m, statement.pk, _answer(rng, leanings[side]))
                actions.do_vote(ballot)
    room_actions.do_order(
        facilitator,
        *room_actions.check_order(facilitator, d, m, [s.pk for s in accepted[:5]]),
    )
    build_consultation(dialogue, convener)


def build_consultation(track2_dialogue: Dialogue, convener: User) -> None:
    """A public Track 3 consultation is its own dialogue: its thousands of voters are not the
    Track 2 dialogue's members, and its results do not count in the dialogue's balance."""
    dialogue = Dialogue.objects.create(
        institution=track2_dialogue.institution,
        title="Public consultation (Track 3): sport and head injuries",
        purpose="A large public conversation imported from Pol.is, to show the room at Track 3 scale.",
        status=Dialogue.Status.ACTIVE,
        created_by=convener,
    )
    Membership.objects.create(dialogue=dialogue, user=convener, role=Role.CONVENER)
    start = timezone.now() - timedelta(days=60)
    consultation = meeting_actions.do_create_meeting(
        convener,
        dialogue,
        title="Track 3 consultation (imported from Pol.is): concussions in the NFL",
        starts_at=start,
        ends_at=start + timedelta(days=21),
        time_zone="UTC",
    )
    plan = interop.check_import(convener, dialogue.pk, consultation.pk, POLIS_CONVERSATION)
    interop.do_import(convener, plan)
    room_actions.do_room_settings(
        convener,
        *room_actions.check_room_settings(
            convener, dialogue.pk, consultation.pk, {"results": "always"}
        ),
    )
