"""`record` writes one entry in the caller's transaction (every `do_*` is atomic, so an entry
exists exactly when its change does); `snapshot` and `changed` name the fields an update
changed without copying their values."""

from __future__ import annotations

from collections.abc import Iterable

from track2.audit.models import AuditEntry

_SKIPPED = {"id", "created_at", "updated_at", "added_at"}


def actor_name(user) -> str:
    if user is None:
        return "system"
    name = getattr(user, "display_name", "") or getattr(user, "email", "") or str(user)
    return name[:200]


def snapshot(instance) -> dict:
    """The current values of the instance's own fields (kept in memory, never stored)."""
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in _SKIPPED
    }


def changed(before: dict, instance) -> list[str]:
    """Names of the fields whose value differs from ``before``; foreign keys by field name."""
    after = snapshot(instance)
    names = [name for name, value in before.items() if after.get(name) != value]
    return [name.removesuffix("_id") for name in names]


def _dialogue_id_of(instance) -> int | None:
    for path in ("dialogue_id", "meeting.dialogue_id", "candidacy.dialogue_id"):
        target = instance
        for part in path.split("."):
            target = getattr(target, part, None)
            if target is None:
                break
        if target is not None:
            return target
    return None


def _person_id_of(instance) -> int | None:
    if instance._meta.model_name == "person":
        return instance.pk
    return getattr(instance, "person_id", None)


_PARENTS = {
    "agendaitem": "meeting",
    "meetingparticipant": "meeting",
    "delegationmember": "delegation",
}


def _parent_of(instance) -> tuple[str, int | None]:
    kind = _PARENTS.get(instance._meta.model_name)
    if kind is None:
        return "", None
    return kind, getattr(instance, f"{kind}_id")


def record(
    by, action: str, instance, *, fields: Iterable[str] = (), dialogue=None, person=None
) -> AuditEntry:
    """One entry: ``by`` did ``action`` (e.g. "update") to ``instance``. Call it inside the
    write's transaction, before a deletion (so that the object's id is still known)."""
    dialogue_id = dialogue.pk if dialogue is not None else _dialogue_id_of(instance)
    if instance._meta.model_name == "dialogue":
        dialogue_id = instance.pk
    parent_type, parent_id = _parent_of(instance)
    return AuditEntry.objects.create(
        parent_type=parent_type,
        parent_id=parent_id,
        dialogue_id=dialogue_id,
        actor=by if getattr(by, "pk", None) else None,
        actor_name=actor_name(by),
        action=action,
        object_type=instance._meta.model_name,
        object_id=instance.pk,
        person_id=person.pk if person is not None else _person_id_of(instance),
        fields=sorted(set(fields)),
    )
