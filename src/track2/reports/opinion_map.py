"""The opinion map as inline SVG (no script, no external resource).

Pol.is draws base clusters, not individual people: that keeps the picture readable and the
file small at a million participants, and does not place any one person on the map.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np

from track2.commonground import PolisAnalysis

# Colour-blind-safe palette (Okabe & Ito 2008)
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
NO_GROUP_COLOUR = "#999999"
WIDTH, HEIGHT, MARGIN = 640, 420, 30
# "Group 12" in bold 14 px sans-serif: a box this high and about this wide per character.
LABEL_HEIGHT, LABEL_CHAR_WIDTH = 16.0, 8.5


def group_look(slot: int) -> tuple[str, int]:
    """A group's colour and style: the seven colours filled, then the same seven as rings, then
    as dashed rings. Track 2 mode finds up to 8 groups and ``--groups`` asks for up to 20; by
    colour alone group 7 was drawn in group 0's blue (vtaiwan.uberx)."""
    return GROUP_COLOURS[slot % len(GROUP_COLOURS)], min(slot // len(GROUP_COLOURS), 2)


def circle_paint(slot: int) -> str:
    """SVG fill and stroke attributes of a circle of group ``slot`` (-1: in no group)."""
    if slot < 0:
        return f'fill="{NO_GROUP_COLOUR}" fill-opacity="0.6" stroke="{NO_GROUP_COLOUR}"'
    colour, style = group_look(slot)
    if style == 0:
        return f'fill="{colour}" fill-opacity="0.6" stroke="{colour}"'
    dashes = ' stroke-dasharray="3 2"' if style == 2 else ""
    return f'fill="{colour}" fill-opacity="0.12" stroke="{colour}" stroke-width="2"{dashes}'


def swatch_css(slot: int) -> str:
    """The HTML report's swatch for group ``slot``, styled as its circles on the map."""
    colour, style = group_look(slot)
    if style == 0:
        return f"background:{colour}"
    return f"border:2px {'dashed' if style == 2 else 'solid'} {colour};box-sizing:border-box"


def _frame(
    lo: np.ndarray, span: np.ndarray, n_groups: int
) -> tuple[Callable[[np.ndarray], tuple[float, float]], list[str]]:
    """The map's coordinate transform (data → SVG, y up) and its opening elements: the svg tag,
    the background and the two axes through the origin."""

    def xy(p: np.ndarray) -> tuple[float, float]:
        x = MARGIN + (p[0] - lo[0]) / span[0] * (WIDTH - 2 * MARGIN)
        y = HEIGHT - MARGIN - (p[1] - lo[1]) / span[1] * (HEIGHT - 2 * MARGIN)
        return float(x), float(y)

    ox, oy = xy(np.zeros(2))
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="Opinion map with {n_groups} '
        f'{"group" if n_groups == 1 else "groups"}">',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fafafa"/>',
        f'<line x1="{MARGIN}" y1="{oy:.1f}" x2="{WIDTH - MARGIN}" y2="{oy:.1f}" '
        'stroke="#bbb" stroke-width="1"/>',
        f'<line x1="{ox:.1f}" y1="{MARGIN}" x2="{ox:.1f}" y2="{HEIGHT - MARGIN}" '
        'stroke="#bbb" stroke-width="1"/>',
    ]
    return xy, head


def _extent(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower corner and size of the drawn area: the points and the origin. Along an axis on
    which every point sits at the origin (a room that answers alike has no spread to draw),
    the points run across the middle, not along the edge."""
    lo = np.minimum(pts.min(axis=0), 0.0)
    hi = np.maximum(pts.max(axis=0), 0.0)
    flat = hi - lo <= 0
    return np.where(flat, lo - 0.5, lo), np.where(flat, 1.0, hi - lo)


def _labels(anchors: list[tuple[int, float, float]]) -> list[str]:
    """Each group's label at its anchor (x centred, y the baseline), moved up or down by whole
    label heights when it would overlap a label already placed (groups in the order given:
    the largest first) and kept inside the picture. Groups whose members sit close together
    had their labels printed over each other ("GrouGroup 7" on vtaiwan.uberx). A light halo
    keeps each label readable over the circles."""
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for gid, x, y in anchors:
        text = f"Group {gid}"
        half = len(text) * LABEL_CHAR_WIDTH / 2
        x = min(max(x, half + 2), WIDTH - half - 2)
        spot = y
        for step in range(41):  # 0, -1, +1, -2, +2, ... label heights
            shift = (step + 1) // 2 * (-1 if step % 2 else 1) * LABEL_HEIGHT
            candidate = min(max(y + shift, LABEL_HEIGHT + 2), HEIGHT - 4)
            box = (x - half, candidate - LABEL_HEIGHT, x + half, candidate)
            if not any(_overlap(box, other) for other in placed):
                spot = candidate
                break
        placed.append((x - half, spot - LABEL_HEIGHT, x + half, spot))
        out.append(
            f'<text x="{x:.1f}" y="{spot:.1f}" text-anchor="middle" '
            'font-family="sans-serif" font-size="14" font-weight="bold" fill="#222" '
            f'stroke="#fafafa" stroke-width="3" paint-order="stroke">'
            f"{html.escape(text)}</text>"
        )
    return out


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def opinion_map_svg(
    a: PolisAnalysis,
    *,
    base_group: np.ndarray | None = None,
    group_centers: dict[int, np.ndarray] | None = None,
) -> str:
    """The map of ``a``'s base clusters. By default coloured by ``a``'s opinion groups (by
    position); ``base_group`` (group id per base cluster, -1 for none) and ``group_centers``
    ({group id: map position of its label}) colour it by other groups, by id."""
    base = a.base_clusters
    pts = base.centers
    sizes = base.sizes()
    lo, span = _extent(pts)

    labels = (
        group_centers
        if group_centers is not None
        else {
            int(gid): a.group_clusters.centers[c]
            for c, gid in enumerate(a.group_clusters.ids.tolist())
        }
    )
    r_max = 18.0
    scale = r_max / np.sqrt(sizes.max()) if sizes.max() > 0 else 1.0
    xy, out = _frame(lo, span, len(labels))
    group_of_base = a.group_clusters.labels if base_group is None else base_group
    for c in np.argsort(-sizes, kind="stable"):
        x, y = xy(pts[c])
        r = max(2.0, float(np.sqrt(sizes[c]) * scale))
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {circle_paint(int(group_of_base[c]))}>'
            f"<title>{int(sizes[c])} participants</title></circle>"
        )
    out.extend(_labels([(gid, *_above(xy(centre), 22)) for gid, centre in labels.items()]))
    out.append("</svg>")
    return "".join(out)


def _above(point: tuple[float, float], lift: float) -> tuple[float, float]:
    return point[0], point[1] - lift


GRID = (32, 20)  # cells across and down in which each group's members are pooled


def group_map_svg(coordinates: np.ndarray, labels: np.ndarray, group_ids: list[int]) -> str:
    """The Track 2 map: each group's members pooled per cell of a 32 × 20 grid and drawn as one
    circle at their mean position (area ∝ people), coloured by group id; each group's label at
    its members' mean. It names no one and prints no count (a cell may hold fewer than k
    people). In a small room many cells hold one person, whose circle then sits at their own
    position, as each of Pol.is's 100 base clusters does in a room of fewer than 100."""
    drawn = labels >= 0
    pts, lab = coordinates[drawn], labels[drawn]
    if len(pts) == 0:
        pts, lab = np.zeros((1, 2)), np.zeros(1, dtype=np.int64)
    lo, span = _extent(pts)
    cell = np.minimum(((pts - lo) / span * GRID).astype(np.int64), np.array(GRID) - 1)
    key = (lab * GRID[0] + cell[:, 0]) * GRID[1] + cell[:, 1]
    keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    means = np.stack([np.bincount(inverse, weights=pts[:, d]) / counts for d in (0, 1)], axis=1)
    cell_group = keys // (GRID[0] * GRID[1])

    scale = 12.0 / np.sqrt(counts.max())
    xy, out = _frame(lo, span, len(group_ids))
    for c in np.argsort(-counts, kind="stable"):
        x, y = xy(means[c])
        r = max(2.0, float(np.sqrt(counts[c]) * scale))
        paint = circle_paint(int(cell_group[c]))
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {paint}/>')
    anchors = [
        (gid, *_above(xy(coordinates[labels == gid].mean(axis=0)), 16))
        for gid in group_ids
        if np.any(labels == gid)
    ]
    out.extend(_labels(anchors))
    out.append("</svg>")
    return "".join(out)
