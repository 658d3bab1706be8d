"""The outcomes part of the demo: a draft joint statement citing the room's statements, with an
accepted and a pending amendment, competing drafts of one paragraph ranked by both sides,
endorsements from both sides (one objection, one given to an earlier version, one replaced and
kept for its giver), and a convener's aide-mémoire. Built through the real actions; called from
`track2.site.demo`."""

from __future__ import annotations

from track2.accounts.models import User
from track2.deliberation.demo import VISITORS
from track2.deliberation.models import Statement
from track2.dialogues.models import Delegation, DelegationMember, Dialogue
from track2.outcomes import actions


def _sides(dialogue: Dialogue) -> list[list[User]]:
    seats = DelegationMember.objects.filter(
        dialogue=dialogue, delegation__kind=Delegation.Kind.SIDE, person__user__isnull=False
    ).select_related("person__user", "delegation")
    sides: dict[str, list[User]] = {}
    for seat in seats.order_by("delegation__name", "person__full_name"):
        if seat.person.user.email not in VISITORS:
            sides.setdefault(seat.delegation.name, []).append(seat.person.user)
    return [people for _name, people in sorted(sides.items())]


def build_outcomes(dialogue: Dialogue, users: dict[str, User]) -> None:
    convener, facilitator = users["convener"], users["facilitator"]
    d = dialogue.pk
    cited = list(
        Statement.objects.filter(
            meeting__dialogue=dialogue, status=Statement.Status.ACCEPTED, is_for_facilitator=False
        ).values_list("pk", flat=True)[:3]
    )
    document = actions.do_create(
        facilitator,
        d,
        kind="joint_statement",
        title="Varena Sea: joint statement of the participants (draft)",
        sections=[
            {
                "heading": "Incident prevention",
                "paragraphs": [
                    {
                        "key": "hotline",
                        "text": "The participants recommend a direct hotline between the two "
                        "coast guards.",
                        "cites": cited[:2],
                    },
                    {
                        "key": "reports",
                        "text": "Near-miss reports should be shared promptly.",
                        "cites": cited[2:3],
                    },
                ],
            },
            {
                "heading": "Fisheries",
                "paragraphs": [
                    {
                        "key": "stocks",
                        "text": "Scientists of both sides should assess the fish stocks together.",
                    }
                ],
            },
        ],
    )
    north, south = _sides(dialogue)
    # An endorsement of the first version, left unconfirmed: its giver is asked to confirm again.
    actions.do_endorse(
        south[-1], d, document.pk, grade="endorse",
        version_sha256=actions.current(document).sha256,
    )  # fmt: skip
    # A response replaced after the amendment (below): kept for its giver, shown to them alone.
    actions.do_endorse(
        north[0], d, document.pk, grade="live_with", reason="The 24 hours matter to us.",
        version_sha256=actions.current(document).sha256,
    )  # fmt: skip
    accepted = actions.do_propose(
        north[0], d, document.pk, paragraph_key="reports",
        text="Near-miss reports should be shared within 24 hours.",
    )  # fmt: skip
    actions.do_decide(facilitator, d, document.pk, accepted.pk, accept=True)
    actions.do_propose(
        south[0], d, document.pk, paragraph_key="stocks",
        text="Scientists of both sides should publish one shared fish-stock assessment each year.",
    )  # fmt: skip
    drafts = [
        actions.do_add_alternative(facilitator, d, document.pk, paragraph_key="hotline", text=t)
        for t in (
            "The participants recommend a direct hotline between the two coast guards.",
            "The participants recommend a hotline staffed day and night by both coast guards.",
            "The participants recommend studying a hotline between the coast guards.",
        )
    ]
    a, b, c = (draft.pk for draft in drafts)
    for i, person in enumerate(north + south):
        order = [b, a, c] if i % 3 else [a, b, c]
        actions.do_rank(person, d, document.pk, paragraph_key="hotline", order=order)
    sha = actions.current(document).sha256
    for person in north:
        actions.do_endorse(person, d, document.pk, grade="endorse", version_sha256=sha)
    for i, person in enumerate(south[:-1]):
        grade = "object" if i == 0 else ("live_with" if i == 1 else "endorse")
        reason = "The hotline needs a neutral operator." if grade == "object" else ""
        actions.do_endorse(
            person, d, document.pk, grade=grade, version_sha256=sha, reason=reason
        )  # fmt: skip
    memo = actions.do_create(
        convener,
        d,
        kind="aide_memoire",
        title="Aide-mémoire for the envoys: where the sides stand",
        sections=[
            {
                "heading": "Openings",
                "paragraphs": [
                    {"text": "Both delegations support a hotline; the operator is open."},
                    {"text": "نقطة مفتوحة: من يدير الخط الساخن؟"},
                ],
            }
        ],
    )
    actions.do_copy(convener, d, memo.pk, recipient="Envoy of the Northern Republic")
