"""SVG charts of the evaluation, drawn by matplotlib from the figures `queries.evaluation` already
let through the small-cell rule: a hidden group is not drawn, it is named as hidden. Each chart
has a table alternative on the page and in the report.

matplotlib's object API (Figure, no pyplot) with the SVG backend: no display, no global state,
nothing downloaded; text stays text (svg.fonttype "none") so no font file is read or embedded.
"""

from __future__ import annotations

import base64
import functools
import io
import json

import matplotlib

matplotlib.use("Agg")  # never a display backend, whatever the environment says

from matplotlib import rcParams  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

rcParams["svg.fonttype"] = "none"
rcParams["svg.hashsalt"] = "track2"  # stable ids: the same figures give the same file
rcParams["font.family"] = "sans-serif"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# Each measure drawn on its whole scale, so a change looks as large as it is on the instrument.
SCALES = {"thermometer": (0, 100), "trust": (1, 5), "escalation": (0, 100)}


def change_charts(comparison: dict) -> list[tuple[dict, str]]:
    """One chart per measure (warmth, trust, escalation) of a comparison: (measure, svg)."""
    return [
        (measure, svg)
        for index, measure in enumerate(comparison["measures"])
        if (svg := change_chart(comparison, index)) is not None
    ]


def change_chart(comparison: dict, measure_index: int = 0) -> str | None:
    """Mean in the first and the second survey per shown group; hidden groups named, not drawn."""
    measure = comparison["measures"][measure_index]
    rows = [
        (r["group"], r["change"]["mean_before"], r["change"]["mean_after"])
        for r in measure["rows"]
        if r["shown"] and r["change"]
    ]
    if not rows:
        return None
    drawn = {
        "rows": rows,
        "hidden": [r["group"] for r in measure["rows"] if not r["shown"]],
        "label": comparison["label"],
        "from": comparison.get("from", "before"),
        "to": comparison.get("to", "after"),
        "measure": measure["measure"],
        "axis": measure["label"],
    }
    return _change_svg(json.dumps(drawn, sort_keys=True, default=str))


# Drawing is most of an evaluation page's time (~0.1 s a chart) and the figures change only when
# survey answers do: a chart is drawn once per process for the same figures. The key holds only
# what the chart shows (figures already through the small-cell rule).
@functools.lru_cache(maxsize=256)
def _change_svg(drawn_json: str) -> str:
    drawn = json.loads(drawn_json)
    rows = drawn["rows"]
    figure = Figure(figsize=(6.4, 0.7 + 0.6 * len(rows)))
    axes = figure.add_subplot()
    for i, (_group, before, after) in enumerate(rows):
        axes.plot([before, after], [i, i], color="#8895a7", linewidth=2)
        first = drawn["from"] if i == 0 else None
        second = drawn["to"] if i == 0 else None
        axes.plot([before], [i], "o", color="#8895a7", label=first)
        axes.plot([after], [i], "o", color="#1d4f91", label=second)
    axes.set_yticks(range(len(rows)), [group for group, _b, _a in rows])
    axes.invert_yaxis()
    if drawn["measure"] in SCALES:
        axes.set_xlim(*SCALES[drawn["measure"]])
    axes.set_xlabel(drawn["axis"])
    title = drawn["label"]
    if drawn["hidden"]:
        title += f"\n(hidden, fewer than k respondents: {', '.join(drawn['hidden'])})"
    axes.set_title(title, fontsize=9)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35 / len(rows) - 0.2), ncol=2,
                fontsize=8, frameon=False)  # fmt: skip
    return _svg(figure)


def funnel_chart(funnel: dict) -> str:
    return _funnel_svg(tuple((str(s["label"]), s["count"]) for s in funnel["stages"]))


@functools.lru_cache(maxsize=64)
def _funnel_svg(stages: tuple[tuple[str, int], ...]) -> str:
    figure = Figure(figsize=(6.4, 0.5 + 0.4 * len(stages)))
    axes = figure.add_subplot()
    counts = [count for _label, count in stages]
    axes.barh(range(len(stages)), counts, color="#1d4f91")
    axes.set_yticks(range(len(stages)), [label for label, _count in stages])
    axes.invert_yaxis()
    for i, n in enumerate(counts):
        axes.text(n, i, f" {n}", va="center", fontsize=8)
    axes.set_xlabel("recommendations")
    axes.set_title("The recommendations funnel", fontsize=9)
    return _svg(figure)
