"""A conversation's votes as they might arrive one by one, for live-update tests and benchmarks."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from track2.commonground.matrix import VoteMatrix


class Arrival(NamedTuple):
    """One vote (participant id, statement id, vote) and the ids it brings into the room, to
    announce to an update: its participant's if they had not voted yet, its statement's if it
    had no vote yet."""

    vote: tuple[Any, Any, int]
    joining: list[Any]
    opened: list[Any]


def grown_room(
    matrix: VoteMatrix, first_share: float, seed: int
) -> tuple[VoteMatrix, list[Arrival]]:
    """Every vote of ``matrix`` in a random order (``seed``): the matrix of the first
    ``first_share`` of them (a room's first analysis), and the others as they arrive."""
    if not 0 < first_share < 1:
        raise ValueError(f"first_share must be between 0 and 1, not {first_share}")
    rows = np.repeat(np.arange(matrix.n_participants), np.diff(matrix.indptr))
    votes = list(
        zip(
            matrix.participant_ids[rows].tolist(),
            matrix.statement_ids[matrix.indices].tolist(),
            matrix.values.tolist(),
            strict=True,
        )
    )
    order = np.random.default_rng(seed).permutation(len(votes)).tolist()
    cut = max(1, int(first_share * len(votes)))
    people, statements, answers = (
        list(column) for column in zip(*(votes[i] for i in order[:cut]), strict=True)
    )
    start = VoteMatrix.from_triples(people, statements, answers)
    known_people, known_statements = set(people), set(statements)
    arrivals = []
    for i in order[cut:]:
        person, statement, _answer = votes[i]
        joining = [person] if person not in known_people else []
        opened = [statement] if statement not in known_statements else []
        known_people.add(person)
        known_statements.add(statement)
        arrivals.append(Arrival(votes[i], joining, opened))
    return start, arrivals
