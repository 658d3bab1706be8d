"""Who may take part in which kind of dialogue.

Track 2 is unofficial: serving officials are not eligible. Track 1.5 admits them, and they
take part in a personal capacity, which every list that shows them says.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from track2.disclosure.capacity import is_flagged_personal_capacity
from track2.errors import ActionRefused


def check_eligible(person, dialogue) -> bool:
    """Raise ActionRefused if `person` may not join `dialogue`; return whether the person
    must be flagged as attending in a personal capacity (a serving official in Track 1.5)."""
    if not person.is_serving_official:
        return is_flagged_personal_capacity(person.sector, dialogue.track)
    if dialogue.track == dialogue.Track.TRACK_2:
        raise ActionRefused(
            _(
                "%(name)s is a serving official, and %(dialogue)s is a Track 2 dialogue, which is for "
                "unofficial participants only. Change the dialogue to Track 1.5 if officials should take "
                "part (in a personal capacity), or record the person's sector correctly if they have left office."
            )
            % {"name": person.full_name, "dialogue": dialogue.title},
            field="person",
        )
    return is_flagged_personal_capacity(person.sector, dialogue.track)
