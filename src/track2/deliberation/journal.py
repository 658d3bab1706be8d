"""The votes this process committed, kept briefly in memory for its map keeper (map_data).

Every vote moves its statement's change count in the same transaction (actions.do_vote) and
learns the count it moved it to. Once the vote commits, this process notes (statement, count,
pseudonym, answer). When the map keeper finds a statement's count moved from c0 to c1 and holds
the notes for every count c0+1 … c1, it takes those answers instead of re-reading the
statement's votes (a read that grew with the room). A count it holds no note for — a vote made
by another worker process, a merge, a note dropped — sends it back to the database for that
statement. So the notes are a shortcut that is either complete or not used.

The notes never leave the process and are never written anywhere; they hold no more than the
vote table does (a pseudonym and an answer), and each is gone once the map has taken it, or after
MOST_SECONDS if no map takes it (nobody watches the room): votes that retention erases from the
database must not stay linked to their pseudonyms in a web process's memory until it restarts.
When any room's votes are deleted (live.votes_gone_topic, heard from any process), every note
goes at once: a note does not say its room, and a note missing only sends the keeper to the
database, so dropping them all is always right and costs one re-read per statement that moved.
"""

from __future__ import annotations

import threading
import time

from track2 import live
from track2.idle_sweep import IdleSweep

# A room nobody watches takes no notes off: past this many, all are dropped (the keeper then
# re-reads what moved, as it would without them).
MOST_NOTES = 200_000
# A note the map has not taken by then is dropped (the map takes its notes within seconds of a
# vote while anyone watches). A sweep runs while notes are kept, so a note lives at most twice this.
MOST_SECONDS = 300.0

_lock = threading.Lock()
# statement → count → (who, answer, when noted)
_notes: dict[int, dict[int, tuple[str, int | None, float]]] = {}
_size = 0


def note(statement_id: int, count: int, pseudonym: str, value: int | None) -> None:
    """A committed vote (value None: a withdrawal) that moved the statement's count to `count`."""
    global _size
    with _lock:
        if _size >= MOST_NOTES:
            _notes.clear()
            _size = 0
        _notes.setdefault(statement_id, {})[count] = (pseudonym, value, time.monotonic())
        _size += 1
        _sweeper.later(bool(_notes))


def _sweep() -> None:
    """Drop the notes older than MOST_SECONDS; while some are left, come back later."""
    global _size
    with _lock:
        _sweeper.ran()
        oldest = time.monotonic() - MOST_SECONDS
        for statement_id in list(_notes):
            kept = _notes[statement_id]
            for count in [c for c, (_who, _answer, at) in kept.items() if at <= oldest]:
                del kept[count]
                _size -= 1
            if not kept:
                del _notes[statement_id]
        _sweeper.later(bool(_notes))


_sweeper = IdleSweep(lambda: MOST_SECONDS, _sweep)


def take(statement_id: int, since: int, upto: int) -> list[tuple[str, int | None]] | None:
    """The answers that moved the statement's count from `since` to `upto`, in order, when every
    one of them was noted here; None otherwise. Notes up to `upto` are dropped either way."""
    global _size
    with _lock:
        kept = _notes.get(statement_id)
        if not kept:
            return None
        noted = [kept.get(count) for count in range(since + 1, upto + 1)]
        for count in [c for c in kept if c <= upto]:
            del kept[count]
            _size -= 1
        if not kept:
            del _notes[statement_id]
    answers = [(n[0], n[1]) for n in noted if n is not None]
    return answers if len(answers) == len(noted) else None


def forget() -> None:
    """Drop every note, and the sweep waiting for them."""
    global _size
    with _lock:
        _notes.clear()
        _size = 0
        _sweeper.stop()


def _votes_gone(_meeting: str) -> None:
    forget()


live.on(live.VOTES_GONE, _votes_gone)
