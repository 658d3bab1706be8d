"""The balance dashboard's main figures as accessible SVG bar charts, drawn on the server.

Geometry is computed here (pure functions of the BalanceReport); `dialogues/_bar_chart.html`
writes the SVG. No script, no style attribute (the CSP forbids both): presentation attributes only.
Each chart carries a <title> and a <desc> that says the figures in words; the tables stay below
each chart as the full alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from track2.dialogues.balance import BalanceReport

# Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999999",
)
EMPTY = "#E5E7EB"
WIDTH = 480  # viewBox units; the SVG scales to its container
BAR_WIDTH = 460
ROW = 46
BAR_HEIGHT = 22
LEGEND_ROW = 22


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    ink: str  # text colour readable on `fill`
    value: int
    label: str

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2

    @property
    def shows_value(self) -> bool:
        return self.width >= 18  # room for a number; the table and the description carry it anyway


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    segments: list[Segment]
    caption: str  # e.g. "7 members"

    @property
    def label_y(self) -> float:
        return self.y + 14

    @property
    def bar_y(self) -> float:
        return self.y + 20

    @property
    def text_y(self) -> float:
        return self.bar_y + BAR_HEIGHT / 2 + 5

    @property
    def end_x(self) -> float:
        return max((s.x + s.width for s in self.segments), default=0)


@dataclass(frozen=True)
class Key:
    x: float
    y: float
    fill: str
    label: str


@dataclass(frozen=True)
class BarChart:
    ident: str
    title: str
    description: str
    bars: list[Bar]
    keys: list[Key]
    height: float
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT


def ink_on(fill: str) -> str:
    """Black or white text, whichever contrasts more with the fill (WCAG relative luminance)."""
    red, green, blue = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"


def stacked(
    ident: str, title: str, rows: list[tuple[str, list[int]]], parts: list[str], unit: str
) -> BarChart:
    """One stacked bar per row; `parts` name the segments in order."""
    largest = max((sum(values) for _label, values in rows), default=0) or 1
    scale = BAR_WIDTH / largest
    used = [i for i, _part in enumerate(parts) if any(values[i] for _label, values in rows)]
    colours = {i: PALETTE[n % len(PALETTE)] for n, i in enumerate(used)}
    bars, sentences = [], []
    for index, (label, values) in enumerate(rows):
        x, segments = 0.0, []
        for i in used:
            if values[i]:
                width = values[i] * scale
                segments.append(
                    Segment(x, width, colours[i], ink_on(colours[i]), values[i], parts[i])
                )
                x += width
        total = sum(values)
        bars.append(Bar(label, index * ROW, segments, f"{total} {unit}"))
        detail = ", ".join(f"{parts[i]} {values[i]}" for i in used if values[i]) or _("nobody")
        sentences.append(f"{label}: {total} {unit} ({detail}).")
    keys_top = len(rows) * ROW + 8
    keys = [
        Key(0 if n % 2 == 0 else WIDTH / 2, keys_top + (n // 2) * LEGEND_ROW, colours[i], parts[i])
        for n, i in enumerate(used)
    ]
    height = keys_top + ((len(keys) + 1) // 2) * LEGEND_ROW + 4
    return BarChart(ident, title, " ".join(sentences), bars, keys, height)


def attendance_chart(report: BalanceReport) -> BarChart | None:
    """Per held round: how many delegation members attended, of all delegation members."""
    if not report.held_meetings or not report.attendance:
        return None
    members = len(report.attendance)
    scale = BAR_WIDTH / members
    fill = PALETTE[2]
    bars, sentences = [], []
    for index, (_pk, title) in enumerate(report.held_meetings):
        came = sum(1 for row in report.attendance if row.statuses[index] == "attended")
        segments = (
            [Segment(0, came * scale, fill, ink_on(fill), came, _("attended"))] if came else []
        )
        if members - came:
            segments.append(
                Segment(
                    came * scale,
                    (members - came) * scale,
                    EMPTY,
                    ink_on(EMPTY),
                    members - came,
                    _("did not attend"),
                )
            )
        caption = _("%(came)d of %(members)d attended") % {"came": came, "members": members}
        bars.append(Bar(title, index * ROW, segments, caption))
        sentences.append(f"{title}: {caption}.")
    keys_top = len(bars) * ROW + 8
    keys = [
        Key(0, keys_top, fill, _("attended")),
        Key(WIDTH / 2, keys_top, EMPTY, _("did not attend")),
    ]
    return BarChart(
        "chart-attendance",
        _("Delegation members who attended each round"),
        " ".join(sentences),
        bars,
        keys,
        keys_top + LEGEND_ROW + 4,
    )


def balance_charts(report: BalanceReport) -> dict[str, BarChart | None]:
    names = [d.name for d in report.delegations]
    sectors = [label for _v, label in report.sectors]
    genders = [label for _v, label in report.genders]  # includes "not recorded" ("")
    gender_values = [v for v, _label in report.genders]
    return {
        "sector": stacked(
            "chart-sector",
            _("Members of each delegation by sector"),
            [
                (name, [d.by_sector.get(v, 0) for v, _l in report.sectors])
                for name, d in zip(names, report.delegations, strict=True)
            ],
            sectors,
            _("members"),
        )
        if report.delegations
        else None,
        "gender": stacked(
            "chart-gender",
            _("Members of each delegation by gender"),
            [(d.name, [d.by_gender.get(v, 0) for v in gender_values]) for d in report.delegations],
            genders,
            _("members"),
        )
        if report.delegations
        else None,
        "attendance": attendance_chart(report),
    }
