"""The meeting record as a document: HTML, and a print-quality PDF through WeasyPrint.

Only the latest approved version is exported. It carries the agenda, the non-attributed notes per
item, the common-ground summary of the statements each item cites (the room's map, already through
the small-cell rule), attendance counts per delegation (never names), and the status line on
every page (CSS page margins) and at its head.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from track2.access.facilitation import access_record
from track2.access.meetings import CONFIRMED_STATUSES
from track2.deliberation import map_data
from track2.dialogues.models import DelegationMember
from track2.disclosure.status import STATUS_LINE
from track2.errors import ActionRefused
from track2.facilitation.record import latest_approved, version_dict
from track2.meetings.models import MeetingParticipant
from track2.reports.pdf import FONT_STACK, render_pdf

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@dataclass(frozen=True)
class RecordDocument:
    content: bytes
    content_type: str
    filename: str


def attendance_counts(meeting) -> list[dict]:
    """People who attended (or confirmed) per delegation: counts only, whatever the list's
    confidentiality — the record never names who came."""
    delegation_of = dict(
        DelegationMember.objects.filter(dialogue_id=meeting.dialogue_id).values_list(
            "person_id", "delegation__name"
        )
    )
    counts: dict[str, int] = {}
    for person_id in MeetingParticipant.objects.filter(
        meeting=meeting, status__in=CONFIRMED_STATUSES
    ).values_list("person_id", flat=True):
        name = delegation_of.get(person_id, _("no delegation"))
        counts[name] = counts.get(name, 0) + 1
    return [{"delegation": k, "count": v} for k, v in sorted(counts.items())]


def _summary(meeting, version: dict) -> dict[int, dict]:
    """Statement id → its row of the room's map (small-cell rule applied), for cited ones."""
    cited = {c["id"] for n in version["notes"] for c in n["cites"]}
    if not cited:
        return {}
    rows = map_data.room_map(meeting).get("statements", [])
    return {row["id"]: row for row in rows if row["id"] in cited}


def check_export(user, dialogue_id, meeting_id, fmt: str) -> RecordDocument:
    ctx = access_record(user, dialogue_id, meeting_id)
    if fmt not in FORMATS:
        raise ActionRefused(_("Choose html or pdf."), field="format")
    approved = latest_approved(ctx.meeting)
    if approved is None:
        raise ActionRefused(
            _("The record has no approved version yet: the facilitator approves it first.")
        )
    version = version_dict(ctx, approved, writers_view=False)
    summary = _summary(ctx.meeting, version)
    items = []
    for item in ctx.meeting.agenda_items.order_by("position"):
        items.append(
            {
                "item": item,
                "notes": [
                    {**n, "cites": [{**c, "map": summary.get(c["id"])} for c in n["cites"]]}
                    for n in version["notes"]
                    if n["item_id"] == item.pk
                ],
            }
        )
    general = [n for n in version["notes"] if n["item_id"] is None]
    page = render_to_string(
        "facilitation/record_export.html",
        {
            "meeting": ctx.meeting,
            "dialogue": ctx.dialogue,
            "version": version,
            "items": items,
            "general": general,
            "attendance": attendance_counts(ctx.meeting),
            "k": map_data.room_map(ctx.meeting).get("k") if summary else None,
            "status_line": STATUS_LINE,
            "font_stack": FONT_STACK,
        },
    )
    name = f"meeting-{ctx.meeting.pk}-record-v{version['number']}"
    if fmt == "html":
        return RecordDocument(page.encode(), FORMATS["html"], name + ".html")
    return RecordDocument(render_pdf(page), FORMATS["pdf"], name + ".pdf")
