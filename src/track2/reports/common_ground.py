"""Report sections of Track 2 mode: bridging statements and common ground across sides.

Confidentiality (ARCHITECTURE.md: "each cell (group × answer) counts at least k people, with
complementary suppression"): a side's figures on a statement are its number of votes, its agree
share and the share's interval — from which its agree count and its not-agree count (disagree +
pass) follow — so a side is shown whole or not at all, through `track2.disclosure.cells`
(``whole_rows``): hidden when it has fewer than ``k`` votes or a cell of 1 to k − 1 people, and
further sides are hidden until no hidden side's counts can be worked out from the shown sides
and the whole room's counts. Every hidden side reads the same words, so the reason does not
narrow its counts down. No per-statement total over sides is printed here.
The JSON export keeps every count (it is the analyst's machine export; see docs/analyze.md).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import numpy as np

from track2.commonground.bridging import BridgingScores
from track2.commonground.sides import COMMON_GROUND, DIVISIVE, SideAgreement
from track2.disclosure.cells import suppress
from track2.reports.group_cells import HIDDEN

N_BRIDGING = 10
MAX_LISTED = 20  # per label; the JSON export has them all

TextOf = Callable[[Any], str]


def visible_sides(agreement: SideAgreement, j: int, k: int) -> list[bool]:
    """Which sides' figures on statement column ``j`` may be shown under the small-cell rule."""
    table = [
        [int(agreement.agree[s, j]), int(agreement.n[s, j]) - int(agreement.agree[s, j])]
        for s in range(len(agreement.sides))
    ]
    return suppress(table, k, whole_rows=True).shown_rows


def _listed(agreement: SideAgreement, excluded: np.ndarray, label: str) -> list[int]:
    score = agreement.p_common_ground if label == COMMON_GROUND else agreement.p_divisive
    cols = [j for j, lab in enumerate(agreement.labels) if lab == label and not excluded[j]]
    return sorted(cols, key=lambda j: (-float(score[j]), j))


def _side_cell(agreement: SideAgreement, s: int, j: int, shown: bool, k: int) -> str:
    if not shown:
        return HIDDEN
    n = int(agreement.n[s, j])
    share = int(agreement.agree[s, j]) / n
    lo, hi = float(agreement.agree_share_low[s, j]), float(agreement.agree_share_high[s, j])
    return f"{share:.0%} agree (90% interval {lo:.0%}–{hi:.0%}), {n} votes"


def _rule(agreement: SideAgreement, k: int) -> str:
    return (
        f'Declared sides: {", ".join(agreement.sides)}. "Common ground": a majority of every '
        f'side agrees with probability ≥ {agreement.threshold:.0%}; "divisive": one side\'s '
        "majority agrees while another's disagrees, with that probability. A side's figures "
        f"are shown only when at least {k} of its members voted on the statement and at "
        f"least {k} (or none) agreed and did not agree; further sides are hidden until "
        "no hidden side can be worked out from the shown ones and the whole room's counts."
    )


def sides_text(
    agreement: SideAgreement, excluded: np.ndarray, text_of: TextOf, k: int
) -> list[str]:
    out = ["Common ground across sides:", "  " + _rule(agreement, k)]
    for label, title in ((COMMON_GROUND, "Common ground"), (DIVISIVE, "Divisive")):
        cols = _listed(agreement, excluded, label)
        out.append(f"  {title} ({len(cols)} statements):")
        if not cols:
            out.append("    none")
        for j in cols[:MAX_LISTED]:
            sid = agreement.statement_ids[j].item()
            prob = (
                agreement.p_common_ground[j] if label == COMMON_GROUND else agreement.p_divisive[j]
            )
            out.append(f"    [{sid}] {text_of(sid)}  (P = {float(prob):.2f})")
            shown = visible_sides(agreement, j, k)
            for s, side in enumerate(agreement.sides):
                out.append(f"        {side}: {_side_cell(agreement, s, j, shown[s], k)}")
        if len(cols) > MAX_LISTED:
            out.append(f"    … and {len(cols) - MAX_LISTED} more (see --format json)")
    return out


def sides_html(
    agreement: SideAgreement, excluded: np.ndarray, text_of: TextOf, k: int
) -> list[str]:
    e = html.escape
    head = "".join(f"<th><bdi>{e(side)}</bdi></th>" for side in agreement.sides)
    out = ["<h2>Common ground across sides</h2>", f"<p>{e(_rule(agreement, k))}</p>"]
    for label, title in ((COMMON_GROUND, "Common ground"), (DIVISIVE, "Divisive")):
        cols = _listed(agreement, excluded, label)
        out.append(f"<h3>{title} ({len(cols)} statements)</h3>")
        if not cols:
            out.append("<p>none</p>")
            continue
        out.append(f'<table><tr><th>statement</th><th class="num">P</th>{head}</tr>')
        for j in cols[:MAX_LISTED]:
            sid = agreement.statement_ids[j].item()
            prob = (
                agreement.p_common_ground[j] if label == COMMON_GROUND else agreement.p_divisive[j]
            )
            shown = visible_sides(agreement, j, k)
            cells = "".join(
                f"<td>{e(_side_cell(agreement, s, j, shown[s], k))}</td>"
                for s in range(len(agreement.sides))
            )
            out.append(
                f"<tr><td>[{e(str(sid))}] <bdi>{e(text_of(sid))}</bdi></td>"
                f'<td class="num">{float(prob):.2f}</td>{cells}</tr>'
            )
        out.append("</table>")
        if len(cols) > MAX_LISTED:
            out.append(f"<p>… and {len(cols) - MAX_LISTED} more (see the JSON export)</p>")
    return out


def top_bridging(
    bridging: BridgingScores, excluded_ids: set[Any], top: int = N_BRIDGING
) -> list[int]:
    """Columns of the statements with the highest intercepts, among statements with votes
    that are not excluded (ties by position)."""
    cols = [
        j
        for j, sid in enumerate(bridging.statement_ids.tolist())
        if bridging.n_votes[j] > 0 and sid not in excluded_ids
    ]
    return sorted(cols, key=lambda j: (-float(bridging.statement_intercept[j]), j))[:top]


_BRIDGING_NOTE = (
    "intercept: agreement the main divide does not explain (higher = agreed "
    "across it); factor: where the statement sits on that divide; marked where an opinion "
    "group disagreed as often as it agreed, or more (the divide is one axis, a group can sit "
    "off it)."
)


_NO_DIVIDE_NOTE = (
    "These votes show no divide: every participant sits on the same side of the factor, so the "
    "factor says how widely a statement was agreed with, not a side, and no statement here "
    "bridges one."
)


def _bridging_notes(bridging: BridgingScores) -> list[str]:
    return [_BRIDGING_NOTE] if bridging.divided else [_BRIDGING_NOTE, _NO_DIVIDE_NOTE]


def bridging_text(
    bridging: BridgingScores, excluded_ids: set[Any], text_of: TextOf, groups_of: TextOf
) -> list[str]:
    """The bridging section of the text report; ``groups_of(sid)`` names the opinion groups
    that did not lean to agree ("" when every group did)."""
    out = [f"Bridging statements (top {N_BRIDGING}):"]
    out += ["  " + note for note in _bridging_notes(bridging)]
    for j in top_bridging(bridging, excluded_ids):
        sid = bridging.statement_ids[j].item()
        groups = groups_of(sid)
        out.append(
            f"  {float(bridging.statement_intercept[j]):+.3f}  factor "
            f"{float(bridging.statement_factor[j]):+.3f}  [{sid}] {text_of(sid)}"
            + (f"  ({groups})" if groups else "")
        )
    return out


def bridging_html(
    bridging: BridgingScores, excluded_ids: set[Any], text_of: TextOf, groups_of: TextOf
) -> list[str]:
    """The bridging section of the HTML report (see :func:`bridging_text`)."""
    e = html.escape
    out = [
        f"<h2>Bridging statements (top {N_BRIDGING})</h2>",
        *(f"<p>{e(note)}</p>" for note in _bridging_notes(bridging)),
        '<table><tr><th>statement</th><th class="num">intercept</th>'
        '<th class="num">factor</th><th>opinion groups</th></tr>',
    ]
    for j in top_bridging(bridging, excluded_ids):
        sid = bridging.statement_ids[j].item()
        out.append(
            f"<tr><td>[{e(str(sid))}] <bdi>{e(text_of(sid))}</bdi></td>"
            f'<td class="num">{float(bridging.statement_intercept[j]):+.3f}</td>'
            f'<td class="num">{float(bridging.statement_factor[j]):+.3f}</td>'
            f"<td>{e(groups_of(sid) or 'every group leans to agree')}</td></tr>"
        )
    out.append("</table>")
    return out
