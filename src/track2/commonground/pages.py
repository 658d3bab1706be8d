"""Fresh memory in 4 KB pages while a large analysis runs.

numpy asks the kernel for transparent huge pages (2 MB, ``madvise``) for every array of 4 MB
or more. When the machine's free memory is fragmented — a long-running VM, a page cache full
of the votes file just read — each fault of such an array then waits for the kernel to compact
memory into a free 2 MB block. At 1M × 5k the Pol.is map's centred matrix (552 MB) took 2.1 s
of system time to fill this way against 0.33 s in 4 KB pages, and the whole analysis 2-6 CPU s
more (docs/benchmarks.md, stop 35). Every array of the analysis is read in long sequential
passes or through small gathered vectors, so huge pages save it no measurable time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

# numpy's switch (numpy >= 1.20; under numpy._core since 2.0). Without it nothing is changed.
_core = getattr(np, "_core", None) or getattr(np, "core", None)
_set_madvise = getattr(getattr(_core, "multiarray", None), "_set_madvise_hugepage", None)

_lock = threading.Lock()
_depth = 0  # analyses inside small_pages() now, on any thread
_before = True  # numpy's setting when the first of them entered


@contextmanager
def small_pages() -> Iterator[None]:
    """Within the block, numpy's new arrays do not ask for huge pages; numpy's own setting
    returns when the last block still open on any thread ends (blocks nest and overlap)."""
    global _depth, _before
    if _set_madvise is None:
        yield
        return
    with _lock:
        if _depth == 0:
            _before = bool(_set_madvise(False))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _set_madvise(_before)
