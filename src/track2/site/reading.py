"""Views that only read, run outside ATOMIC_REQUESTS's transaction.

On SQLite a transaction begins IMMEDIATE (config.py: no failed lock upgrades), which takes the
database's write lock: a page or API read inside one holds every writer off for as long as it
renders. A room's map is re-read by every watcher after each burst of votes, and 50–150 ms of
map under the lock made the room's votes queue behind it (bench_room: 60 votes/s accepted of
100 offered). A read needs no transaction: each query sees a committed state, and the map is
made from counts that only grow (map_data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.views.decorators.http import require_safe

View = TypeVar("View", bound=Callable)


def reads_only(view: View) -> View:
    """A page that only reads: GET and HEAD, no transaction (put it outermost)."""
    return transaction.non_atomic_requests(require_safe(view))


def api_reads_only(handler: View) -> View:
    """An API handler that only reads (put it under the router's decorator): api.urls() runs a
    path outside the transaction when every operation on it is marked so."""
    handler._reads_only = True  # type: ignore[attr-defined]  # a marker read by api.urls()
    return handler
