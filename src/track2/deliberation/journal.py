"""The votes this process committed, kept briefly in memory for its map keeper (map_data).

Every vote moves its statement's change count in the same transaction (actions.do_vote) and
learns the count it moved it to. Once the vote commits, this process notes (statement, count,
pseudonym, answer). When the map keeper finds a statement's count moved from c0 to c1 and holds
the notes for every count c0+1 … c1, it takes those answers instead of re-reading the
statement's votes (a read that grew with the room). A count it holds no note for — a vote made
by another worker process, a merge, a note dropped — sends it back to the database for that
statement. So the notes are a shortcut that is either complete or not used.

The notes never leave the process and are never written anywhere; they hold no more than the
vote table does (a pseudonym and an answer), and each is gone once the map has taken it.
"""

from __future__ import annotations

import threading

# A room nobody watches takes no notes off: past this many, all are dropped (the keeper then
# re-reads what moved, as it would without them).
MOST_NOTES = 200_000

_lock = threading.Lock()
_notes: dict[int, dict[int, tuple[str, int | None]]] = {}  # statement → count → (who, answer)
_size = 0


def note(statement_id: int, count: int, pseudonym: str, value: int | None) -> None:
    """A committed vote (value None: a withdrawal) that moved the statement's count to `count`."""
    global _size
    with _lock:
        if _size >= MOST_NOTES:
            _notes.clear()
            _size = 0
        _notes.setdefault(statement_id, {})[count] = (pseudonym, value)
        _size += 1


def take(statement_id: int, since: int, upto: int) -> list[tuple[str, int | None]] | None:
    """The answers that moved the statement's count from `since` to `upto`, in order, when every
    one of them was noted here; None otherwise. Notes up to `upto` are dropped either way."""
    global _size
    with _lock:
        kept = _notes.get(statement_id)
        if not kept:
            return None
        answers = [kept.get(count) for count in range(since + 1, upto + 1)]
        for count in [c for c in kept if c <= upto]:
            del kept[count]
            _size -= 1
        if not kept:
            del _notes[statement_id]
    if any(answer is None for answer in answers):
        return None
    return answers  # type: ignore[return-value]  # no None left, checked just above


def forget() -> None:
    """Drop every note (tests)."""
    global _size
    with _lock:
        _notes.clear()
        _size = 0
