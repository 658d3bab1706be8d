"""The inline SVG maps: where the points land in the frame."""

from __future__ import annotations

import re

import numpy as np

from track2.reports.opinion_map import HEIGHT, MARGIN, WIDTH, group_map_svg


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
