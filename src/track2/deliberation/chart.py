"""The map as an accessible chart: for each statement, one bar per delegation showing its agree
share, drawn on the server (SVG in the template, no script) from the map's shown figures only.
A hidden cell is drawn as an empty, labelled bar, so the chart says no more than the table."""

from __future__ import annotations

BAR_WIDTH = 300
ROW_HEIGHT = 22
LABEL_WIDTH = 150
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")  # Okabe & Ito, colour-blind safe


def chart_of(shown: dict) -> dict:
    rows = []
    y = 0
    for statement in shown["statements"]:
        bars = []
        for i, side in enumerate(statement["by_side"]):
            share = side.get("agree_share") if side["shown"] else None
            bars.append(
                {
                    "side": side["side"],
                    "y": y + 20 + i * ROW_HEIGHT,
                    "text_y": y + 35 + i * ROW_HEIGHT,
                    "width": 0 if share is None else round(share * BAR_WIDTH, 1),
                    "caption": "hidden" if share is None else f"{share:.0%} agree",
                    "fill": COLOURS[i % len(COLOURS)],
                }
            )
        rows.append({"statement": statement, "y": y + 14, "bars": bars})
        y += 28 + max(len(bars), 1) * ROW_HEIGHT
    return {
        "rows": rows,
        "height": max(y, 40),
        "width": LABEL_WIDTH + BAR_WIDTH + 120,
        "label_width": LABEL_WIDTH,
        "bar_x": LABEL_WIDTH,
        "text_x": LABEL_WIDTH + BAR_WIDTH + 8,
        "bar_width": BAR_WIDTH,
    }
