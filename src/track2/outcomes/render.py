"""The one renderer of outcome documents: HTML, Markdown, PDF, JSON and e-mail are all built from
`queries.outline`, which carries the document type and the status line, and each format is
checked to contain both before it leaves (`_stamped`), so no code path renders without them."""

from __future__ import annotations

import json

from django.template.loader import render_to_string
from django.utils.html import escape

from track2.disclosure.status import STATUS_LINE
from track2.outcomes import queries, texts
from track2.outcomes.models import Copy, OutcomeDocument, Version
from track2.reports.pdf import FONT_STACK, render_pdf

FORMATS = ("html", "markdown", "pdf", "json", "email")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "email": "text/plain; charset=utf-8",
}


class MissingStatus(AssertionError):
    """A rendering lost its document type or status line: a bug, never shown to anyone."""


def watermark(copy: Copy | None) -> str:
    if copy is None:
        return ""
    return f"Confidential — copy {copy.number} for {copy.recipient} — do not forward"


def _stamped(text: str, data: dict, *, markup: bool = False) -> str:
    label = escape(data["type_label"]) if markup else data["type_label"]
    if STATUS_LINE not in text or label not in text:
        raise MissingStatus("a rendering without its document type or status line")
    return text


def _side_figures(item: dict) -> str:
    shown = [
        f"{s['side']} {round(100 * s['agree_share'])}% agree"
        for s in item["by_side"]
        if s["agree_share"] is not None
    ]
    shown += [f"{side}: hidden (small-cell rule)" for side in item["hidden_sides"]]
    return "; ".join(shown)


def earlier_note(data: dict) -> str:
    """How many responses were given to an earlier version (not counted above); below k, only
    that there are fewer than k, as the small-cell rule shows any other count."""
    consensus = data["consensus"]
    n = consensus["earlier_versions"]
    if n == 0:
        return ""
    many = f"{n} responses were" if n is not None and n > 1 else "1 response was"
    if n is None:
        many = f"Fewer than {consensus['k']} responses were"
    return (
        f"{many} given to an earlier version and are not counted above; "
        "those who gave them are asked to confirm again."
    )


# What Markdown would read as markup in people's words: raw HTML (`<`), entities (`&`), links
# and images (`[`), and the backslash that escapes the rest.
_MARKUP = str.maketrans({c: "\\" + c for c in "\\<>&[]"})


def md(text: str) -> str:
    """People's words (a title, a paragraph, a statement, a delegation's name) as Markdown text:
    a Markdown viewer shows them as written and never runs them as HTML or follows them as a
    link."""
    return text.translate(_MARKUP)


def markdown(data: dict, mark: str = "") -> str:
    lines = [f"**{STATUS_LINE}**", "", f"*{data['type_label']}*", ""]
    if mark:
        lines += [f"> {md(mark)}", ""]
    lines += [
        f"# {md(data['title'])}",
        "",
        f"Version {data['version']} · SHA-256 {data['sha256']}",
        "",
    ]
    for section in data["sections"]:
        lines += [f"## {md(section['heading'])}", ""]
        for paragraph in section["paragraphs"]:
            lines += [md(paragraph["text"]), ""]
            for item in paragraph["evidence"]:
                lines.append(
                    f"- Evidence: “{md(item['text'])}” — {item['label'] or 'no figures yet'}"
                    + (f" ({md(_side_figures(item))})" if _side_figures(item) else "")
                    + f", figures as of {data['figures_as_of']}"
                )
            if paragraph["evidence"]:
                lines.append("")
    if data["is_open_to_participants"]:  # else nobody can respond: no consensus to show
        lines += _consensus_lines(data)
    lines += [f"*{STATUS_LINE}*", ""]
    return "\n".join(lines)


def _consensus_lines(data: dict) -> list[str]:
    lines = ["## Consensus", "", data["consensus"]["rule"], ""]
    for row in data["consensus"]["delegations"]:
        counts = row["counts"]
        detail = (
            ", ".join(f"{texts.GRADE_LABELS[g]} {counts[g]}" for g in texts.GRADES)
            if counts
            else "counts hidden (small-cell rule)"
        )
        lines.append(f"- {md(row['delegation'])}: {row['level_label']} ({detail})")
    if earlier_note(data):
        lines += ["", earlier_note(data)]
    if data["consensus"]["listed_endorsers"]:
        lines += ["", "Endorsers who chose to be listed:"]
        lines += [
            f"- {md(e['name'])} ({e['grade']})" for e in data["consensus"]["listed_endorsers"]
        ]
    return [*lines, ""]


def html(data: dict, mark: str = "", *, standalone: bool = True) -> str:
    return render_to_string(
        "outcomes/document_export.html",
        {
            "d": data,
            "mark": mark,
            "status_line": STATUS_LINE,
            "font_stack": FONT_STACK,
            "standalone": standalone,
            "grades": [(g, texts.GRADE_LABELS[g]) for g in texts.GRADES],
            "earlier_note": earlier_note(data),
        },
    )


def render(
    document: OutcomeDocument, fmt: str, *, version: Version | None = None, copy: Copy | None = None
) -> bytes:
    """The document in one format, as bytes; `copy` watermarks a numbered aide-mémoire copy."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {FORMATS}")
    data = queries.outline(document, version)
    mark = watermark(copy)
    if fmt == "json":
        body = json.dumps({**data, "watermark": mark}, ensure_ascii=False, indent=1)
        return _stamped(body, data).encode()
    if fmt in ("markdown", "email"):
        return _stamped(markdown(data, mark), data).encode()
    page = _stamped(html(data, mark), data, markup=True)
    if fmt == "html":
        return page.encode()
    pdf = render_pdf(page)
    return pdf
