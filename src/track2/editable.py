"""One declaration of each model's editable fields, and the one way to apply an update.

A declaration names the fields a person may set, in the order pages show them. Forms take their
fields from it, the API builds its In/Patch schemas from it (`track2.api.schemas`), and the
`do_update_*` actions refuse anything else and apply changes through `apply_update`, which also
records which fields changed in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models

from track2.audit import record as audit

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Editable:
    model: type[models.Model]
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        for name in self.names:
            self.model._meta.get_field(name)  # a misspelt name fails at import, not in a request

    def __iter__(self):
        return iter(self.names)

    def field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)  # type: ignore[return-value]  # never a relation's reverse side

    def is_reference(self, name: str) -> bool:
        """A foreign key: the API sends its id as `<name>_id`."""
        return isinstance(self.field(name), models.ForeignKey)

    def refuse_unknown(self, fields: Iterable[str], also: Iterable[str] = ()) -> None:
        """A programming error (not a person's): an action was given a field it does not edit."""
        unknown = set(fields) - set(self.names) - set(also)
        if unknown:
            raise ValueError(f"not {self.model._meta.model_name} fields: {sorted(unknown)}")

    def only(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """The declared fields among those a form could read (the rest are left to its errors)."""
        return {k: v for k, v in fields.items() if k in self.names}


def apply_update(
    by,
    instance: M,
    fields: Mapping[str, Any],
    *,
    editable: Editable,
    check: Callable[[M], object] | None,
    action: str = "update",
) -> M:
    """Set the changed fields, run `check` (which raises ActionRefused with every problem),
    save, and record who changed which fields. Call it inside the action's transaction.
    `check` is None when the action's rules need the instance as it was, so the action checked
    (and cleaned) `fields` before calling."""
    editable.refuse_unknown(fields)
    before = audit.snapshot(instance)
    for name, value in fields.items():
        setattr(instance, name, value)
    if check is not None:
        check(instance)
    instance.save()
    audit.record(by, action, instance, fields=audit.changed(before, instance))
    return instance
