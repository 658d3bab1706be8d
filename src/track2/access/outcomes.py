"""Who may see and work on which outcome document.

Every document is loaded through its dialogue's access context; a confidential aide-mémoire
exists only for the dialogue's conveners (everyone else gets the same NotFound as for a document
that does not exist)."""

from __future__ import annotations

from dataclasses import dataclass

from track2.access import DialogueAccess, NotFound, access_dialogue, one_of
from track2.outcomes.models import Kind, OutcomeDocument


@dataclass(frozen=True)
class DocumentAccess:
    document: OutcomeDocument
    dialogue_access: DialogueAccess

    @property
    def is_participant(self) -> bool:
        return self.dialogue_access.is_participant

    @property
    def may_amend(self) -> bool:
        """Those who take part propose amendments; observers and liaisons only read."""
        return self.dialogue_access.is_participant or self.dialogue_access.has("rapporteur")

    @property
    def is_facilitator(self) -> bool:
        return self.dialogue_access.has("facilitator")


def visible_documents(ctx: DialogueAccess):
    """The dialogue's documents this viewer may see: aide-mémoires for conveners only."""
    documents = OutcomeDocument.objects.filter(dialogue=ctx.dialogue).order_by("pk")
    if not ctx.is_convener:
        documents = documents.exclude(kind=Kind.AIDE_MEMOIRE)
    return documents


def access_document(user, dialogue_id, document_id, need: str = "member") -> DocumentAccess:
    ctx = access_dialogue(user, dialogue_id, need)
    document = one_of(visible_documents(ctx), document_id)
    if (
        document.dialogue_id != ctx.dialogue.pk
    ):  # visible_documents already filters; belt and braces
        raise NotFound
    document.dialogue = ctx.dialogue
    return DocumentAccess(document, ctx)
