"""THE rules for what may be shown (ARCHITECTURE.md, "Institutions, access and disclosure").

One module per rule, each a pure function with no Django import, so that every output —
page, API answer, CSV, e-mail, report, command line — asks the same question the same way:

- `cells`: the small-cell rule with complementary suppression, for groups × answers;
- `answers`: that rule cell by cell for opinion groups' answers to a statement;
- `threshold`: k, from the dialogue, never below the site's floor;
- `capacity`: who is shown as taking part in a personal capacity, and with which words;
- `attribution`: what each attribution mode lets each reader see;
- `status`: the status line every output carries;
- `attendance`: what a member sees of a meeting's attendance list;
- `groups`: which groups' figures (survey means and changes) may be shown;
- `comments`: which free-text survey answers may be shown, and in what order.

`site` connects them to Django (the floor from settings, a dialogue's k); the template tags
in `templatetags/disclosure.py` render them on pages.
"""

from track2.disclosure.answers import Figures, answer_figures
from track2.disclosure.attendance import attendance_counts
from track2.disclosure.attribution import attribution_of, mode_help, modes_help
from track2.disclosure.capacity import is_flagged_personal_capacity, personal_capacity_label
from track2.disclosure.cells import Suppression, derivable_cells, suppress
from track2.disclosure.comments import Comments, shown_comments
from track2.disclosure.groups import is_total_shown, shown_groups
from track2.disclosure.status import STATUS_LINE, status_line, with_status_line
from track2.disclosure.threshold import K_MAXIMUM, K_MINIMUM, effective_k, k_problem

__all__ = [
    "K_MAXIMUM",
    "K_MINIMUM",
    "STATUS_LINE",
    "Comments",
    "Figures",
    "Suppression",
    "answer_figures",
    "attendance_counts",
    "attribution_of",
    "derivable_cells",
    "effective_k",
    "is_flagged_personal_capacity",
    "is_total_shown",
    "k_problem",
    "mode_help",
    "modes_help",
    "personal_capacity_label",
    "shown_comments",
    "shown_groups",
    "status_line",
    "suppress",
    "with_status_line",
]
