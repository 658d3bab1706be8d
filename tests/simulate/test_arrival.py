"""grown_room: a conversation's votes split into a room's first analysis and the votes after."""

from __future__ import annotations

import numpy as np
import pytest

from track2.commonground.matrix import VoteMatrix
from track2.simulate import grown_room


def test_every_vote_once_and_the_first_share_in_the_start() -> None:
    matrix = VoteMatrix.from_dense([[1, -1, 0], [np.nan, 1, 1], [-1, np.nan, 0], [1, 1, -1]])
    start, rest = grown_room(matrix, 0.25, seed=3)
    assert start.n_votes == 2 and len(rest) == matrix.n_votes - 2
    seen = [
        (p, s, start.vote(p, s))
        for p in start.participant_ids.tolist()
        for s in start.statement_ids.tolist()
        if start.vote(p, s) is not None
    ]
    every = sorted(seen + [arrival.vote for arrival in rest])
    assert every == sorted(
        (p, s, matrix.vote(p, s))
        for p in matrix.participant_ids.tolist()
        for s in matrix.statement_ids.tolist()
        if matrix.vote(p, s) is not None
    )
    assert grown_room(matrix, 0.25, seed=3)[1] == rest  # the seed fixes the order
    # each participant and statement is announced by its first vote after the start, once
    joined = [p for arrival in rest for p in arrival.joining]
    opened = [s for arrival in rest for s in arrival.opened]
    assert sorted(joined) == sorted(
        set(matrix.participant_ids.tolist()) - set(start.participant_ids.tolist())
    )
    assert sorted(opened) == sorted(
        set(matrix.statement_ids.tolist()) - set(start.statement_ids.tolist())
    )


@pytest.mark.parametrize("share", [0, 1, -0.5, 1.5, float("nan")])
def test_a_share_outside_zero_to_one_is_refused(share: float) -> None:
    matrix = VoteMatrix.from_dense([[1, -1], [1, 1]])
    with pytest.raises(ValueError, match="first_share must be between 0 and 1"):
        grown_room(matrix, share, seed=0)
