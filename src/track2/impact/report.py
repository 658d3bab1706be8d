"""The evaluation report (HTML, PDF) and the CSV of aggregates: one renderer, built only from
`queries.evaluation` (figures already through the small-cell rule) and the recommendations'
public facts, organised by the OECD DAC criteria (OECD 2019, "Better Criteria for Better
Evaluation"). It holds no attributable content: no names of participants, no free text, no
pseudonyms, no officials briefed — tests/impact/test_report.py scans it for canaries."""

from __future__ import annotations

import io

from django.template.loader import render_to_string

from track2 import spreadsheet
from track2.disclosure.status import STATUS_LINE
from track2.impact import queries
from track2.impact.models import Notification, Recommendation
from track2.reports.pdf import FONT_STACK, render_pdf

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


class MissingStatus(AssertionError):
    """A rendering lost its status line: a bug, never shown to anyone."""


def figures(dialogue) -> dict:
    # matplotlib on the first chart only: importing it costs every process about half a second.
    from track2.impact import charts

    data = queries.evaluation(dialogue)
    data["charts"] = [
        {"title": f"{c['label']}: {measure['label']}", "uri": charts.data_uri(svg)}
        for c in data["comparisons"]
        for measure, svg in charts.change_charts(c)
    ]
    data["funnel_chart"] = charts.data_uri(charts.funnel_chart(data["funnel"]))
    return data


def context(dialogue) -> dict:
    data = figures(dialogue)
    adopted = [
        {"title": r.title, "target": r.target_institution, "text": r.text}
        for r in Recommendation.objects.filter(
            dialogue=dialogue, reactions__status__in=["adopted", "adopted_in_part"]
        )
        .distinct()
        .order_by("title")
    ]
    return {
        "dialogue": dialogue,
        "e": data,
        "adopted": adopted,
        "recommendations": Recommendation.objects.filter(dialogue=dialogue).count(),
        "notifications": Notification.objects.filter(dialogue=dialogue).count(),
        "status_line": STATUS_LINE,
        "font_stack": FONT_STACK,
    }


def html(dialogue) -> str:
    page = render_to_string("impact/report.html", context(dialogue))
    if STATUS_LINE not in page:
        raise MissingStatus("the evaluation report without its status line")
    return page


def render(dialogue, fmt: str) -> bytes:
    if fmt == "html":
        return html(dialogue).encode()
    if fmt == "pdf":
        return render_pdf(html(dialogue))
    if fmt == "csv":
        return aggregates_csv(dialogue).encode()
    raise ValueError(f"unknown format {fmt!r}; one of {sorted(CONTENT_TYPES)}")


CSV_COLUMNS = [
    "section", "comparison", "measure", "group", "n_before", "n_after", "n_pairs", "paired",
    "mean_before", "mean_after", "change", "ci_low", "ci_high", "effect_size", "effect_kind",
]  # fmt: skip


def aggregates_csv(dialogue) -> str:
    """Aggregates only, the status line first; a hidden group's row says so and holds no figure."""
    data = queries.evaluation(dialogue)
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow([STATUS_LINE])
    writer.writerow(CSV_COLUMNS)
    for comparison in data["comparisons"]:
        for measure in comparison["measures"]:
            for row in measure["rows"]:
                c = row["change"]
                if not row["shown"] or c is None:
                    writer.writerow(["change", comparison["label"], measure["measure"], row["group"],
                                     *[""] * 3, queries.HIDDEN if not row["shown"] else "no answers",
                                     *[""] * 7])  # fmt: skip
                    continue
                writer.writerow(["change", comparison["label"], measure["measure"], row["group"],
                                 c["n_before"], c["n_after"], c["n_pairs"], c["paired"],
                                 c["mean_before"], c["mean_after"], c["change"], c["ci_low"],
                                 c["ci_high"], c["effect_size"], c["effect_kind"]])  # fmt: skip
    for stage in data["funnel"]["stages"]:
        writer.writerow(["funnel", "", stage["code"], "", stage["count"], *[""] * 10])
    effort = data["effort"]
    for name in ("rounds", "meeting_hours", "people_days"):
        writer.writerow(["effort", "", name, "", effort[name], *[""] * 10])
    return out.getvalue()
