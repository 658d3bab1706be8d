"""What a dialogue holds, kind by kind: every row that deleting it removes, counted.

The rows are found the way the database deletes them: every model that a chain of CASCADE
foreign keys ties to the dialogue (its meetings' statements, their votes, a caucus's notes…),
across every app, found from the models themselves so that a model added later is counted too.
Each has a name for people in KINDS; tests/operations/test_dialogue_deletion.py fails when a
model is tied to dialogues without one. People in the institution's directory (Person, their
affiliations) are not tied to a dialogue by a cascade and stay: they belong to the institution.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from track2.dialogues.models import Dialogue

# (code in the API and the command, model, what the page calls its rows), in the page's order.
KINDS: tuple[tuple[str, str, Promise], ...] = (
    ("meetings", "meetings.Meeting", _("meetings")),
    ("agenda_items", "meetings.AgendaItem", _("agenda items")),
    ("meeting_places", "meetings.MeetingParticipant", _("places on meeting lists")),
    ("roles", "dialogues.Membership", _("roles held by accounts")),
    ("role_offers", "dialogues.RoleInvitation", _("role offers")),
    ("parties", "dialogues.Party", _("parties")),
    ("delegations", "dialogues.Delegation", _("delegations")),
    ("delegation_seats", "dialogues.DelegationMember", _("people seated in delegations")),
    ("venues", "dialogues.Venue", _("venues, with their addresses")),
    (
        "candidacies",
        "people.Candidacy",
        _("candidacies (people nominated, vetted or invited), with their risk notes"),
    ),
    ("vetting_steps", "people.CandidacyStep", _("vetting and invitation steps, with their notes")),
    ("invitation_links", "people.Invitation", _("invitation links")),
    ("rooms", "deliberation.Room", _("dialogue rooms, with the maps kept of closed ones")),
    ("statements", "deliberation.Statement", _("statements")),
    ("votes", "deliberation.Vote", _("votes on statements")),
    ("moderation_decisions", "deliberation.Moderation", _("moderation decisions")),
    ("statement_edits", "deliberation.StatementEdit", _("corrections of statements")),
    ("floors", "facilitation.Floor", _("meeting floors")),
    ("agenda_timings", "facilitation.ItemInterval", _("agenda timer intervals")),
    ("raised_hands", "facilitation.Hand", _("raised hands")),
    ("speaking_turns", "facilitation.Turn", _("speaking turns")),
    ("speaking_totals", "facilitation.SpeakingTotal", _("speaking totals")),
    ("caucus_rooms", "facilitation.Caucus", _("caucus rooms")),
    ("caucus_notes", "facilitation.CaucusNote", _("caucus notes")),
    ("caucus_polls", "facilitation.CaucusPoll", _("caucus polls")),
    ("caucus_poll_answers", "facilitation.CaucusAnswer", _("answers to caucus polls")),
    ("caucus_statements", "facilitation.CaucusStatement", _("caucus statements")),
    ("caucus_votes", "facilitation.CaucusVote", _("votes on caucus statements")),
    ("record_versions", "facilitation.RecordVersion", _("versions of meeting records")),
    ("record_notes", "facilitation.RecordNote", _("record notes")),
    ("record_comments", "facilitation.RecordComment", _("comments on records")),
    ("outcome_documents", "outcomes.OutcomeDocument", _("outcome documents")),
    ("outcome_versions", "outcomes.Version", _("versions of outcome documents")),
    ("amendments", "outcomes.Amendment", _("amendments")),
    ("endorsements", "outcomes.Endorsement", _("responses to outcome documents")),
    ("replaced_endorsements", "outcomes.ReplacedEndorsement", _("replaced responses")),
    ("competing_drafts", "outcomes.Alternative", _("competing drafts")),
    ("rankings", "outcomes.Ranking", _("rankings of competing drafts")),
    ("numbered_copies", "outcomes.Copy", _("numbered copies of aides-mémoire")),
    ("recommendations", "impact.Recommendation", _("recommendations")),
    ("relays", "impact.Relay", _("relays to officials")),
    ("reactions", "impact.Reaction", _("officials' reactions")),
    ("notifications", "impact.Notification", _("Track 1.5 notifications")),
    ("disclosure_settings", "impact.Disclosure", _("public page and reading settings")),
    ("surveys", "impact.Survey", _("trust and tension surveys")),
    ("survey_answers", "impact.Response", _("survey answers")),
    ("key_bundles", "backchannel.DirectoryEntry", _("back-channel key bundles")),
    ("one_time_prekeys", "backchannel.OneTimePrekey", _("back-channel one-time prekeys")),
    ("mailboxes", "backchannel.Mailbox", _("back-channel mailboxes")),
    ("backchannel_messages", "backchannel.Envelope", _("back-channel messages")),
    ("retention_policy", "operations.RetentionPolicy", _("retention policy")),
    ("key_destruction", "operations.KeyDestruction", _("request to destroy the key")),
    ("deletion_requests", "operations.DialogueDeletion", _("requests to delete the dialogue")),
    ("audit_entries", "audit.AuditEntry", _("entries of the audit trail (Changes)")),
)


@dataclass(frozen=True)
class Held:
    code: str
    label: str
    count: int


def _cascades_to(model: type[models.Model]):
    """The foreign keys of other models whose rows go when a row of `model` goes."""
    for relation in model._meta.get_fields(include_hidden=True):
        if (
            isinstance(relation, models.ForeignObjectRel)
            and not isinstance(relation, models.ManyToManyRel)
            and relation.on_delete is models.CASCADE
        ):
            yield relation.related_model, relation.field.name


@cache
def lookups() -> dict[str, str]:
    """Every model deleted with a dialogue ("app.Model") → a lookup from its rows to the
    dialogue (`meeting__dialogue`): the shortest chain of CASCADE foreign keys."""
    found: dict[str, str] = {}
    queue: list[tuple[type[models.Model], str]] = [(Dialogue, "")]
    while queue:
        parent, path = queue.pop(0)
        for model, field in _cascades_to(parent):
            label = model._meta.label
            if label in found or model is Dialogue:
                continue
            found[label] = f"{field}__{path}" if path else field
            queue.append((model, found[label]))
    return found


def rows_of(label: str, dialogue_id: int) -> models.QuerySet:
    """The rows of one model ("app.Model") that belong to the dialogue."""
    model = apps.get_model(label)
    return model._base_manager.filter(**{f"{lookups()[label]}_id": dialogue_id})


def contents(dialogue_id: int) -> list[Held]:
    """What the dialogue holds, in KINDS' order, one count per kind (zero included)."""
    return [
        Held(code, str(label), rows_of(model, dialogue_id).count()) for code, model, label in KINDS
    ]
