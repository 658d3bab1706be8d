"""How an upgrade names the one institution that receives a site's existing dialogues and
people (used by the data migrations of dialogues and people; pure, so it is easy to test)."""

from __future__ import annotations

# When neither the setting nor the dialogues name an institution.
FALLBACK_NAME = "Convening institution (rename me)"


def upgrade_institution_name(configured: str, dialogue_texts: list[str]) -> str:
    """TRACK2_DEFAULT_INSTITUTION when set; else the free-text institution every dialogue named,
    when they all named the same one (ignoring case and spaces); else a name that asks to be
    changed in the admin."""
    configured = " ".join((configured or "").split())
    if configured:
        return configured[:200]
    names = {" ".join(text.split()) for text in dialogue_texts if text and text.strip()}
    if len({name.casefold() for name in names}) == 1 and len(names) >= 1:
        return sorted(names)[0][:200]
    return FALLBACK_NAME
