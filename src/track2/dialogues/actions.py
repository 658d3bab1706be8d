"""Every write about dialogues, parties, roles and delegations: `check_*` validates, `do_*`
writes (STYLE.md §1). Meetings, venues and agendas are in `meeting_actions`.

The caller has already loaded the dialogue through `track2.access` with the right need; these
functions enforce the business rules, whoever calls them (page, API, demo, command).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from track2 import validation as admissible
from track2.access.institutions import institutions_for
from track2.audit import record as audit
from track2.dialogues.models import Delegation, DelegationMember, Dialogue, Membership, Party, Role
from track2.editable import Editable, apply_update
from track2.errors import ActionRefused, NotPermitted, Problems
from track2.institutions.models import Institution
from track2.people.eligibility import check_eligible
from track2.people.models import Candidacy, Person, Sector

# A dialogue's editable settings, in the order the settings page shows them: the form, the API's
# schemas and the actions take them from here (track2.editable).
DIALOGUE = Editable(
    Dialogue,
    (
        "title",
        "purpose",
        "track",
        "status",
        "is_attendance_confidential",
        "default_attribution_mode",
        "k_anonymity",
        "min_members_per_side",
        "max_side_ratio",
        "max_gender_share",
        "required_sectors",
    ),
)
DIALOGUE_FIELDS = DIALOGUE.names
PARTY = Editable(Party, ("name", "country"))
DELEGATION = Editable(Delegation, ("name", "kind", "party"))


def refuse_invalid(instance, exclude: list[str] | None = None) -> None:
    """Run the site-wide text rules and the model's own validators, and refuse with every
    problem they find (every field, every message, the model's own `__all__` ones too), each
    message naming its field by a short label (validation.field_label)."""
    invalid_problems(instance, exclude).raise_any()


def invalid_problems(instance, exclude: list[str] | None = None) -> Problems:
    """What `refuse_invalid` would refuse, kept for a check that adds its own rules' problems
    to it, so that one refusal lists both."""
    problems = Problems()
    problems.collect(admissible.check_model_text, instance)
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, errors in error.error_dict.items():
            whole = field == NON_FIELD_ERRORS
            label = "" if whole else admissible.field_label(instance._meta.get_field(field)) + ": "
            for each in errors:
                # The text rules above said "too long" already, with the length it has.
                if each.code == "max_length" and problems.has(field):
                    continue
                for message in each.messages:
                    problems.add(label + message, None if whole else field)
    return problems


# --- dialogues -------------------------------------------------------------------------------


def serving_officials_in(dialogue: Dialogue) -> list[Person]:
    """Serving officials who are members of the dialogue: seated in a delegation, holding a
    role through their account, or with an open candidacy."""
    open_candidacy = Q(
        candidacies__dialogue=dialogue,
        candidacies__status__in=[
            Candidacy.Status.NOMINATED,
            Candidacy.Status.VETTED,
            Candidacy.Status.INVITED,
            Candidacy.Status.CONFIRMED,
        ],
    )
    return list(
        Person.objects.filter(sector=Sector.SERVING_OFFICIAL)
        .filter(
            Q(delegation_seats__dialogue=dialogue)
            | Q(user__memberships__dialogue=dialogue)
            | open_candidacy
        )
        .distinct()
        .order_by("full_name")
    )


def check_dialogue(dialogue: Dialogue, *, model_rules: bool = True) -> None:
    """Every rule on a dialogue at once (the model's own field rules last, unless a form has
    already checked them: `model_rules=False`)."""
    problems = Problems()
    if not (dialogue.title or "").strip():
        problems.add(_("Give the dialogue a title."), "title")
    else:
        dialogue.title = dialogue.title.strip()
    unknown = [s for s in dialogue.required_sectors or [] if s not in Sector.values]
    if unknown:
        problems.add(
            _("Unknown sector(s): %(unknown)s. Use: %(known)s.")
            % {"unknown": ", ".join(map(str, unknown)), "known": ", ".join(Sector.values)},
            "required_sectors",
        )
    if dialogue.pk and dialogue.track == Dialogue.Track.TRACK_2:
        officials = serving_officials_in(dialogue)
        if officials:
            problems.add(
                _(
                    "This dialogue cannot be Track 2 while serving officials are members: %(names)s. "
                    "Track 2 is for unofficial participants only; remove them first or keep it Track 1.5."
                )
                % {"names": ", ".join(p.full_name for p in officials)},
                "track",
            )
    if model_rules:
        problems.add_unsaid(invalid_problems(dialogue, exclude=["created_by", "institution"]))
    problems.raise_any()


def check_dialogue_fields(dialogue: Dialogue | None, fields: dict) -> None:
    """The rules on what a form sent, before anything is written (fields it could not read are
    left out); `dialogue` is the one being edited, or None for a new one."""
    draft = Dialogue(
        pk=dialogue.pk if dialogue else None,
        **DIALOGUE.only(fields),
    )
    check_dialogue(draft, model_rules=False)


def check_create_dialogue(by, institution) -> Institution:
    """The institution the new dialogue belongs to: one in which `by` holds a convening right.

    `institution` is an Institution, its id, or None (then the caller's only institution)."""
    mine = institutions_for(by)
    if not mine.exists():
        raise NotPermitted(
            _(
                "You do not have the right to convene dialogues. A site administrator grants it, for one convening "
                "institution: `track2 grant-convener %(email)s --institution NAME`, or in the admin under "
                "Convening rights."
            )
            % {"email": getattr(by, "email", "EMAIL")},
            field="institution",
        )
    if institution is None or institution == "":
        if mine.count() == 1:
            return mine.get()
        raise ActionRefused(
            _("Choose the convening institution of the dialogue: one of %(names)s.")
            % {"names": ", ".join(f"“{i.name}” (id {i.pk})" for i in mine)},
            field="institution",
        )
    pk = institution.pk if isinstance(institution, Institution) else institution
    # An id beyond the database's integers is simply not one of the caller's institutions.
    valid = isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63
    found = mine.filter(pk=pk).first() if valid else None
    if found is None:
        raise ActionRefused(
            _("You may convene only in %(names)s; choose one of them.")
            % {"names": ", ".join(f"“{i.name}” (id {i.pk})" for i in mine)},
            field="institution",
        )
    return found


@transaction.atomic
def do_create_dialogue(by, institution=None, **fields) -> Dialogue:
    """Create a dialogue series in one of the creator's institutions; the creator becomes its
    first convener."""
    DIALOGUE.refuse_unknown(fields)
    institution = check_create_dialogue(by, institution)
    dialogue = Dialogue(created_by=by, institution=institution, **fields)
    check_dialogue(dialogue)
    dialogue.save()
    Membership.objects.create(dialogue=dialogue, user=by, role=Role.CONVENER)
    audit.record(by, "create", dialogue, fields=fields)
    return dialogue


@transaction.atomic
def do_update_dialogue(by, dialogue: Dialogue, **fields) -> Dialogue:
    DIALOGUE.refuse_unknown(fields)
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    return apply_update(by, dialogue, fields, editable=DIALOGUE, check=check_dialogue)


# --- parties ---------------------------------------------------------------------------------


def check_party(dialogue: Dialogue, *, name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ActionRefused(_("Name the party (the side in tension)."), field="name")
    if dialogue.parties.filter(name__iexact=name).exists():
        raise ActionRefused(
            _("This dialogue already has a party called “%(name)s”.") % {"name": name}, field="name"
        )
    return name


@transaction.atomic
def do_add_party(
    by, dialogue: Dialogue, *, name: str, country: str = "", with_delegation: bool = False
) -> Party:
    """Add a side in tension; optionally create its delegation at once."""
    name, country = check_party(dialogue, name=name), (country or "").strip()
    party = Party.objects.create(dialogue=dialogue, name=name, country=country)
    audit.record(by, "create", party, fields=["name", "country"])
    if with_delegation:
        do_create_delegation(
            by,
            dialogue,
            name=_("%(party)s delegation") % {"party": name},
            kind=Delegation.Kind.SIDE,
            party=party,
        )
    return party


@transaction.atomic
def do_remove_party(by, party: Party) -> None:
    delegation = party.delegations.first()
    if delegation is not None:
        raise ActionRefused(
            _(
                "The delegation “%(delegation)s” represents this party. Delete that delegation (or give it "
                "another party) first."
            )
            % {"delegation": delegation.name},
            field="party",
        )
    audit.record(by, "delete", party)
    party.delete()


# --- roles -----------------------------------------------------------------------------------

# Roles are given only through an invitation that its holder accepts: see role_actions.


@transaction.atomic
def do_revoke_role(by, membership: Membership) -> None:
    if membership.role == Role.CONVENER:
        # Lock the convener rows (PostgreSQL refuses FOR UPDATE with COUNT, so count in Python).
        conveners = list(
            Membership.objects.select_for_update().filter(
                dialogue_id=membership.dialogue_id, role=Role.CONVENER
            )
        )
        if len(conveners) <= 1:
            raise ActionRefused(
                _(
                    "A dialogue needs at least one convener. Make someone else convener before removing this role."
                ),
                field="role",
            )
    audit.record(
        by,
        "revoke",
        membership,
        fields=["role"],
        person=Person.objects.filter(user_id=membership.user_id).first(),
    )
    membership.delete()


# --- delegations -----------------------------------------------------------------------------


def check_delegation(
    dialogue: Dialogue,
    *,
    name: str,
    kind: str,
    party: Party | None,
    instance: Delegation | None = None,
) -> str:
    name = (name or "").strip()
    if not name:
        raise ActionRefused(_("Name the delegation."), field="name")
    if kind not in Delegation.Kind.values:
        raise ActionRefused(_("A delegation is a side or the facilitation team."), field="kind")
    others = (
        dialogue.delegations.exclude(pk=instance.pk) if instance else dialogue.delegations.all()
    )
    if others.filter(name__iexact=name).exists():
        raise ActionRefused(
            _("This dialogue already has a delegation called “%(name)s”.") % {"name": name},
            field="name",
        )
    if kind == Delegation.Kind.SIDE:
        if party is None:
            raise ActionRefused(_("Choose the party this delegation comes from."), field="party")
        if party.dialogue_id != dialogue.pk:
            raise ActionRefused(
                _("That party is not one of this dialogue's parties."), field="party"
            )
        taken = others.filter(party=party).first()
        if taken is not None:
            raise ActionRefused(
                _(
                    "“%(party)s” already has a delegation (“%(delegation)s”): one delegation per party."
                )
                % {"party": party.name, "delegation": taken.name},
                field="party",
            )
    elif party is not None:
        raise ActionRefused(
            _("The facilitation team does not come from a party; leave the party empty."),
            field="party",
        )
    return name


@transaction.atomic
def do_create_delegation(
    by, dialogue: Dialogue, *, name: str, kind: str, party: Party | None = None
) -> Delegation:
    name = check_delegation(dialogue, name=name, kind=kind, party=party)
    delegation = Delegation.objects.create(dialogue=dialogue, name=name, kind=kind, party=party)
    audit.record(by, "create", delegation, fields=["name", "kind", "party"])
    return delegation


@transaction.atomic
def do_update_delegation(
    by, delegation: Delegation, *, name: str, party: Party | None
) -> Delegation:
    name = check_delegation(
        delegation.dialogue, name=name, kind=delegation.kind, party=party, instance=delegation
    )
    return apply_update(
        by, delegation, {"name": name, "party": party}, editable=DELEGATION, check=lambda d: None
    )


@transaction.atomic
def do_delete_delegation(by, delegation: Delegation) -> None:
    if delegation.members.exists():
        raise ActionRefused(
            _(
                "“%(name)s” still has members. Unseat them first, so that nobody is removed by accident."
            )
            % {"name": delegation.name},
        )
    audit.record(by, "delete", delegation)
    delegation.delete()


def check_seat_in_delegation(delegation: Delegation, person) -> bool:
    """Refuse someone who is not (or no longer) a candidate, an ineligible person or a second
    delegation; return the personal-capacity flag. Every entry point (page, API, invitation,
    command) seats through here, so none can seat a withdrawn or declined candidate."""
    dialogue = delegation.dialogue
    if person.institution_id != dialogue.institution_id:
        # Callers pick people of the dialogue; this guards every other path across institutions.
        raise ActionRefused(
            _("That person is not in this dialogue's people directory."), field="person"
        )
    candidacy = Candidacy.objects.filter(dialogue=dialogue, person=person).only("status").first()
    if candidacy is None:
        raise ActionRefused(
            _("%(name)s is not a candidate in this dialogue; nominate them first.")
            % {"name": person.full_name},
            field="person",
        )
    if candidacy.status in (Candidacy.Status.DECLINED, Candidacy.Status.WITHDRAWN):
        raise ActionRefused(
            _(
                "%(name)s cannot be seated: their candidacy is %(status)s. Nominate them again first "
                "(on their page under People)."
            )
            % {"name": person.full_name, "status": candidacy.get_status_display()},
            field="person",
        )
    personal_capacity = check_eligible(person, dialogue)
    other = (
        DelegationMember.objects.filter(dialogue=dialogue, person=person)
        .select_related("delegation")
        .first()
    )
    if other is not None:
        if other.delegation_id == delegation.pk:
            raise ActionRefused(
                _("%(name)s is already in this delegation.") % {"name": person.full_name},
                field="person",
            )
        raise ActionRefused(
            _(
                "%(name)s is already in the delegation “%(other)s”; a person can be in only one delegation "
                "of a dialogue. Remove them there first."
            )
            % {"name": person.full_name, "other": other.delegation.name},
            field="person",
        )
    return personal_capacity


@transaction.atomic
def do_seat_in_delegation(by, delegation: Delegation, person) -> DelegationMember:
    """Put `person` in `delegation` (the caller has checked that `by` may convene)."""
    check_seat_in_delegation(delegation, person)
    try:
        with transaction.atomic():
            seat = DelegationMember.objects.create(
                dialogue=delegation.dialogue,
                delegation=delegation,
                person=person,
                # Everyone takes part in a personal capacity; a Track 1.5 official is
                # flagged as such wherever the person's sector is shown.
                in_personal_capacity=True,
            )
    except IntegrityError:
        # Two conveners seating the same person at once: the constraint decides.
        raise ActionRefused(
            _("%(name)s was just put in another delegation of this dialogue.")
            % {"name": person.full_name},
            field="person",
        ) from None
    audit.record(by, "seat", seat, fields=["delegation"])
    return seat


@transaction.atomic
def do_unseat(by, seat: DelegationMember) -> None:
    audit.record(by, "unseat", seat, fields=["delegation"])
    seat.delete()
