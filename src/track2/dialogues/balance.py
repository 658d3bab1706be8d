"""The convener's balance dashboard: who is in each delegation (sector × gender), who came
to which round, and warnings when the dialogue drifts out of balance.

`build_balance` reads the database once; `balance_warnings` is a pure function of the
counts and the dialogue's thresholds, so each rule is tested on its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from track2.dialogues.models import Delegation, DelegationMember, Dialogue
from track2.disclosure.status import STATUS_LINE
from track2.meetings.models import MeetingParticipant
from track2.people.models import Gender, Sector


@dataclass(frozen=True)
class DelegationBalance:
    name: str
    kind: str
    party: str
    size: int
    by_sector: dict[str, int]
    by_gender: dict[str, int]  # "" = not recorded

    @property
    def is_side(self) -> bool:
        return self.kind == Delegation.Kind.SIDE

    @property
    def recorded_genders(self) -> int:
        return sum(n for g, n in self.by_gender.items() if g)


@dataclass(frozen=True)
class AttendanceRow:
    person: str
    delegation: str
    statuses: tuple[str, ...]  # one per held meeting; "" when not on the list
    attended: int


@dataclass(frozen=True)
class Thresholds:
    min_members_per_side: int
    max_side_ratio: Decimal
    max_gender_share: int
    required_sectors: tuple[str, ...]


@dataclass(frozen=True)
class BalanceReport:
    delegations: list[DelegationBalance]
    sectors: list[tuple[str, str]]
    genders: list[tuple[str, str]]
    held_meetings: list[tuple[int, str]]
    attendance: list[AttendanceRow]
    continuity_percent: float | None  # members who attended every held round
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "status_line": STATUS_LINE,
            "delegations": [
                {
                    "name": d.name,
                    "kind": d.kind,
                    "party": d.party,
                    "size": d.size,
                    "by_sector": d.by_sector,
                    "by_gender": {(g or "not_recorded"): n for g, n in d.by_gender.items()},
                }
                for d in self.delegations
            ],
            "held_meetings": [{"id": pk, "title": title} for pk, title in self.held_meetings],
            "attendance": [
                {
                    "person": r.person,
                    "delegation": r.delegation,
                    "statuses": list(r.statuses),
                    "attended": r.attended,
                }
                for r in self.attendance
            ],
            "continuity_percent": self.continuity_percent,
            "warnings": self.warnings,
        }


def thresholds_of(dialogue: Dialogue) -> Thresholds:
    return Thresholds(
        min_members_per_side=dialogue.min_members_per_side,
        max_side_ratio=Decimal(dialogue.max_side_ratio),
        max_gender_share=dialogue.max_gender_share,
        required_sectors=tuple(dialogue.required_sectors or ()),
    )


def balance_warnings(delegations: list[DelegationBalance], limits: Thresholds) -> list[str]:
    sides = [d for d in delegations if d.is_side]
    if not sides:
        return [_("No side delegations yet: add the parties and their delegations.")]
    warnings: list[str] = []
    for side in sides:
        if side.size < limits.min_members_per_side:
            warnings.append(
                _(
                    "%(side)s has %(n)d members, fewer than the %(min)d this dialogue asks of each side."
                )
                % {"side": side.name, "n": side.size, "min": limits.min_members_per_side}
            )
    sizes = [s.size for s in sides]
    if (
        len(sides) > 1
        and min(sizes) > 0
        and Decimal(max(sizes)) / Decimal(min(sizes)) > limits.max_side_ratio
    ):
        large = max(sides, key=lambda s: s.size)
        small = min(sides, key=lambda s: s.size)
        warnings.append(
            _(
                "Sides are uneven: %(large)s has %(big)d members, %(small)s has %(little)d (more than %(ratio)s times)."
            )
            % {
                "large": large.name,
                "big": large.size,
                "small": small.name,
                "little": small.size,
                "ratio": f"{limits.max_side_ratio.normalize()}",
            }
        )
    labels = dict(Sector.choices)
    for side in sides:
        for sector in limits.required_sectors:
            if not side.by_sector.get(sector):
                warnings.append(
                    _("%(side)s has nobody from %(sector)s, a sector every side should include.")
                    % {"side": side.name, "sector": labels.get(sector, sector)}
                )
    gender_labels = dict(Gender.choices)
    for side in sides:
        recorded = side.recorded_genders
        if recorded < 2:
            continue
        gender, count = max(((g, n) for g, n in side.by_gender.items() if g), key=lambda gn: gn[1])
        share = 100 * count / recorded
        if share > limits.max_gender_share:
            warnings.append(
                _(
                    "%(side)s is %(share).0f%% %(gender)s (of %(recorded)d with a recorded gender), above the %(max)d%% "
                    "this dialogue allows."
                )
                % {
                    "side": side.name,
                    "share": share,
                    "gender": gender_labels.get(gender, gender),
                    "recorded": recorded,
                    "max": limits.max_gender_share,
                }
            )
    return warnings


def build_balance(dialogue: Dialogue) -> BalanceReport:
    seats = list(
        DelegationMember.objects.filter(dialogue=dialogue)
        .select_related("person", "delegation", "delegation__party")
        .order_by("delegation__kind", "delegation__name", "person__full_name")
    )
    delegations = []
    for delegation in (
        Delegation.objects.filter(dialogue=dialogue)
        .select_related("party")
        .order_by("kind", "name")
    ):
        mine = [s.person for s in seats if s.delegation_id == delegation.pk]
        delegations.append(
            DelegationBalance(
                name=delegation.name,
                kind=delegation.kind,
                party=delegation.party.name if delegation.party else "",
                size=len(mine),
                by_sector=dict(Counter(p.sector for p in mine)),
                by_gender=dict(Counter(p.gender or "" for p in mine)),
            )
        )
    held = list(dialogue.meetings.filter(starts_at__lte=timezone.now()).order_by("starts_at"))
    statuses = {
        (mp.meeting_id, mp.person_id): mp.status
        for mp in MeetingParticipant.objects.filter(meeting__in=held)
    }
    rows = []
    for seat in seats:
        marks = tuple(statuses.get((m.pk, seat.person_id), "") for m in held)
        rows.append(
            AttendanceRow(
                seat.person.full_name,
                seat.delegation.name,
                marks,
                sum(1 for s in marks if s == MeetingParticipant.Status.ATTENDED),
            )
        )
    continuity = None
    if held and rows:
        every = sum(1 for r in rows if r.attended == len(held))
        continuity = round(100 * every / len(rows), 1)
    return BalanceReport(
        delegations=delegations,
        sectors=[(v, str(label)) for v, label in Sector.choices],
        genders=[(v, str(label)) for v, label in Gender.choices],
        held_meetings=[(m.pk, m.title) for m in held],
        attendance=rows,
        continuity_percent=continuity,
        warnings=balance_warnings(delegations, thresholds_of(dialogue)),
    )
