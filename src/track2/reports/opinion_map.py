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


def _label(x: float, y: float, gid: int) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" '
        f'font-family="sans-serif" font-size="14" font-weight="bold" '
        f'fill="#222">{html.escape(f"Group {gid}")}</text>'
    )


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
        slot = int(group_of_base[c])
        colour = NO_GROUP_COLOUR if slot < 0 else GROUP_COLOURS[slot % len(GROUP_COLOURS)]
        r = max(2.0, float(np.sqrt(sizes[c]) * scale))
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" '
            f'fill-opacity="0.6" stroke="{colour}"><title>{int(sizes[c])} participants'
            "</title></circle>"
        )
    for gid, centre in labels.items():
        x, y = xy(centre)
        out.append(_label(x, y - 22, gid))
    out.append("</svg>")
    return "".join(out)


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
        colour = GROUP_COLOURS[int(cell_group[c]) % len(GROUP_COLOURS)]
        r = max(2.0, float(np.sqrt(counts[c]) * scale))
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" '
            f'fill-opacity="0.6" stroke="{colour}"/>'
        )
    for gid in group_ids:
        members = coordinates[labels == gid]
        if len(members) == 0:
            continue
        x, y = xy(members.mean(axis=0))
        out.append(_label(x, y - 16, gid))
    out.append("</svg>")
    return "".join(out)
