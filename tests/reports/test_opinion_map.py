"""The inline SVG maps: where the points land in the frame."""

from __future__ import annotations

import re

import numpy as np

from track2.reports.opinion_map import (
    HEIGHT,
    LABEL_CHAR_WIDTH,
    LABEL_HEIGHT,
    MARGIN,
    WIDTH,
    circle_paint,
    group_look,
    group_map_svg,
    swatch_css,
)


def _circles(svg: str) -> list[tuple[float, float]]:
    return [
        (float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)
    ]


def test_an_axis_without_spread_is_drawn_across_the_middle() -> None:
    # a room that answers alike: every participant at 0 on the vertical axis
    coordinates = np.column_stack([np.linspace(-3.0, -1.0, 12), np.zeros(12)])
    svg = group_map_svg(coordinates, np.zeros(12, dtype=np.int64), [0])
    points = _circles(svg)
    assert points and all(y == HEIGHT / 2 for _, y in points)
    assert 'aria-label="Opinion map with 1 group"' in svg


def test_points_with_spread_fill_the_frame() -> None:
    rng = np.random.default_rng(1)
    coordinates = rng.normal(size=(200, 2))
    svg = group_map_svg(coordinates, np.arange(200) % 3, [0, 1, 2])
    xs, ys = zip(*_circles(svg), strict=True)
    assert MARGIN <= min(xs) and max(xs) <= WIDTH - MARGIN
    assert MARGIN <= min(ys) and max(ys) <= HEIGHT - MARGIN
    assert max(ys) - min(ys) > 0.5 * (HEIGHT - 2 * MARGIN)
    assert 'aria-label="Opinion map with 3 groups"' in svg


LABEL = re.compile(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*>Group (\d+)</text>')


def test_labels_of_groups_drawn_together_stay_apart_and_inside() -> None:
    # Nine groups whose members' means all fall at about the same point, one near an edge:
    # every label was printed at its mean, on top of the others.
    rng = np.random.default_rng(2)
    labels = np.arange(900) % 9
    coordinates = rng.normal(scale=0.05, size=(900, 2))
    coordinates[labels == 8] += [40.0, 0.0]
    coordinates[0] = [-10.0, 10.0]
    coordinates[1] = [-10.0, -10.0]
    svg = group_map_svg(coordinates, labels, list(range(9)))
    boxes = []
    for x, y, gid in LABEL.findall(svg):
        half = len(f"Group {gid}") * LABEL_CHAR_WIDTH / 2
        boxes.append((float(x) - half, float(y) - LABEL_HEIGHT, float(x) + half, float(y)))
    assert len(boxes) == 9
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= WIDTH and 0 <= a[1] and a[3] <= HEIGHT
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_every_group_up_to_twenty_has_its_own_look() -> None:
    # Track 2 mode finds up to 8 groups and --groups asks for up to 20: group 7 was drawn in
    # group 0's colour.
    assert len({group_look(slot) for slot in range(21)}) == 21
    assert len({circle_paint(slot) for slot in range(21)}) == 21
    assert len({swatch_css(slot) for slot in range(21)}) == 21
    assert "dasharray" not in circle_paint(13) and "dasharray" in circle_paint(14)
    assert circle_paint(-1) not in {circle_paint(slot) for slot in range(21)}
    svg = group_map_svg(np.arange(16.0).reshape(8, 2), np.arange(8), list(range(8)))
    assert svg.count('stroke-width="2"') == 1  # group 7's one circle, a ring
