"""The facilitation part of the demo: the working session in progress gets an agenda whose first
item's timer runs, a speaking queue with raised hands from both sides, a caucus note on each side,
and a draft record. Built through the real actions; called from `track2.site.demo.build()` after
the room (it uses the room's session and its accepted statements)."""

from __future__ import annotations

from datetime import timedelta

from track2.accounts.models import User
from track2.deliberation import map_data
from track2.dialogues.models import Delegation, DelegationMember, Dialogue
from track2.facilitation import actions, caucus, record
from track2.facilitation.models import ItemInterval
from track2.meetings import actions as meeting_actions
from track2.meetings.models import Meeting

AGENDA = [
    ("Incident prevention at sea: what already works", 45),
    ("A hotline between the coast guards", 30),
    ("Next steps and the chairs' summary", 20),
]
CAUCUS_NOTES = {
    0: "We can accept a hotline if it is run by the coast guards, not the navies.",
    1: "Ask for the search-and-rescue exercises to come first: it is easier to sell at home.",
}
RECORD_NOTE = (
    "Participants from both sides described near-misses that a shared report would have "
    "prevented; there was broad support for sharing such reports within a day."
)


def build_facilitation(dialogue: Dialogue, users: dict[str, User]) -> None:
    facilitator, rapporteur = users["facilitator"], users["rapporteur"]
    session = Meeting.objects.get(dialogue=dialogue, title__startswith="Working session")
    d, m = dialogue.pk, session.pk
    for title, minutes in AGENDA:
        meeting_actions.do_add_agenda_item(
            users["convener"], session, title=title, duration_minutes=minutes
        )
    actions.do_timer(facilitator, actions.check_timer(facilitator, d, m, "start"))
    # The item has run for 20 minutes: move its stored interval back (a timer is its intervals).
    ItemInterval.objects.filter(meeting=session, ended_at__isnull=True).update(
        started_at=session.starts_at + timedelta(minutes=40)
    )
    sides: dict[int, list[User]] = {}
    for seat in (
        DelegationMember.objects.filter(
            dialogue=dialogue, delegation__kind=Delegation.Kind.SIDE, person__user__isnull=False
        )
        .select_related("person__user", "delegation")
        .order_by("delegation__name", "person__full_name")
    ):
        sides.setdefault(seat.delegation_id, []).append(seat.person.user)
    groups = list(sides.items())
    # Two hands from one side, one (a direct response) from the other; the demo logins stay free
    # to raise their own.
    visitors = {"participant@demo.track2.invalid", "participant.ostrava@demo.track2.invalid"}
    for index, (_delegation, people) in enumerate(groups[:2]):
        others = [u for u in people if u.email not in visitors]
        for user in others[: 2 if index == 0 else 1]:
            direct = index == 1
            actions.do_raise(actions.check_raise(user, d, m, direct), direct)
    for index, (delegation_id, people) in enumerate(groups[:2]):
        writer = people[0]
        caucus.do_note(caucus.check_note(writer, d, m, delegation_id, CAUCUS_NOTES[index]))
    first_item = session.agenda_items.order_by("position").first()
    cited = list(map_data.accepted(session).values_list("id", flat=True)[:1])
    record.do_note(
        rapporteur,
        record.check_note(
            rapporteur, d, m, RECORD_NOTE, first_item.pk if first_item else None, cited
        ),
    )
