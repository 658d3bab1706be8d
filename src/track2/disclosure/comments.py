"""Free-text answers to a survey: which may be shown, and how.

A comment carries no name, but it can still point at its writer. Three ways, three guards:
- *Timing*: while a survey is open, a comment that appears just after someone answered names
  them to whoever watches. So nothing is shown before the survey closes.
- *Few writers*: among two comments, each writer knows the other's. So comments are shown only
  when at least k people wrote one (the small-cell rule, with the survey as the one cell); never
  per delegation, never with a day, a pseudonym or an order of arrival.
- *Content*: a comment that names one of the dialogue's people (as statements are checked, see
  `deliberation.nonattribution`) is withheld and only counted; if that leaves fewer than k, none
  are shown.
Shown comments are ordered by their words (case- and accent-folded), never by arrival.

Pure Python: the caller passes k and a function that says which people a text names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

OPEN = "open"
TOO_FEW = "too_few"
REASONS = {
    OPEN: "Comments are shown once the survey is closed.",
    TOO_FEW: "Fewer than k people left a comment that can be shown: none is shown.",
}


@dataclass(frozen=True)
class Comments:
    shown: tuple[str, ...]
    written: int  # non-blank comments
    withheld_naming: int  # withheld because they name someone
    reason: str | None  # why none is shown (a key of REASONS), or None

    @property
    def reason_text(self) -> str | None:
        return REASONS[self.reason] if self.reason else None


def _order_key(text: str) -> tuple[str, str]:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return (" ".join(bare.casefold().split()), text)


def shown_comments(
    texts: Iterable[str], k: int, *, is_closed: bool, names: Callable[[str], Sequence[str]]
) -> Comments:
    """The comments of one survey that may be shown to those who read them."""
    written = [t.strip() for t in texts if t and t.strip()]
    if not is_closed:
        return Comments((), len(written), 0, OPEN)
    clean = [t for t in written if not names(t)]
    withheld = len(written) - len(clean)
    if len(clean) < k:
        return Comments((), len(written), withheld, TOO_FEW)
    return Comments(tuple(sorted(clean, key=_order_key)), len(written), withheld, None)
