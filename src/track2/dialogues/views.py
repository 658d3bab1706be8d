"""Pages for dialogue series, parties, roles, delegations and the balance dashboard.
Thin: load through track2.access, parse a form, call an action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2 import access
from track2.access import delegations as delegation_access
from track2.access.institutions import institutions_for
from track2.access.people import persons_of
from track2.dialogues import actions, queries, role_actions
from track2.dialogues.balance import build_balance
from track2.dialogues.balance_charts import balance_charts
from track2.dialogues.forms import (
    DelegationEditForm,
    DelegationForm,
    DialogueCreateForm,
    DialogueForm,
    PartyForm,
    RoleForm,
    SeatForm,
)
from track2.dialogues.models import (
    Delegation,
    Role,
)
from track2.errors import ActionRefused
from track2.site.forms import NOT_DONE, act_and_tell, submit


def people_links(dialogue) -> dict[str, str]:
    """Links to the people pages (identity, vetting, invitations) when that part is installed."""
    links = {}
    for key, name in (
        ("people", "people:list"),
        ("import", "people:import"),
        ("add", "people:add"),
    ):
        try:
            links[key] = reverse(name, args=[dialogue.pk])
        except NoReverseMatch:
            continue
    return links


@login_required
def create(request: HttpRequest) -> HttpResponse:
    institutions = institutions_for(request.user)
    if not institutions.exists():
        return render(request, "dialogues/no_convening_right.html", status=403)
    form = DialogueCreateForm(request.POST or None, institutions=institutions)
    if request.method == "POST":
        dialogue = submit(
            form,
            lambda data: actions.do_create_dialogue(request.user, **data),
            check=lambda data: actions.check_dialogue_fields(None, data),
        )
        if dialogue is not NOT_DONE:
            messages.success(
                request, _("Dialogue created. You are its convener: add the parties next.")
            )
            return redirect("dialogues:parties", dialogue.pk)
    return render(request, "dialogues/form_page.html", {"form": form, "heading": _("New dialogue")})


@login_required
def detail(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="member")
    dialogue = ctx.dialogue
    is_convener = ctx.is_convener
    seat = ctx.own_seat
    own_delegation_id = ctx.own_roster_delegation_id
    own_members = queries.members_of(seat.delegation) if own_delegation_id else []
    return render(
        request,
        "dialogues/detail.html",
        {
            "dialogue": dialogue,
            "access": ctx,
            "roles": ctx.role_names,
            "role_labels": [Role(r).label for r in ctx.role_names],
            "is_convener": is_convener,
            "is_facilitator": ctx.may_facilitate,
            "parties": dialogue.parties.all(),
            "delegations": queries.delegations_with_counts(dialogue),
            "seat": seat,
            "own_delegation_id": own_delegation_id,
            "own_members": own_members,
            "meetings": dialogue.meetings.select_related("venue"),
            "sees_attendance": ctx.sees_attendance,
            "people_links": people_links(dialogue) if is_convener else {},
        },
    )


@login_required
def edit(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    form = DialogueForm(request.POST or None, instance=dialogue)
    if request.method == "POST":
        done = submit(
            form,
            lambda data: actions.do_update_dialogue(request.user, dialogue, **data),
            check=lambda data: actions.check_dialogue_fields(dialogue, data),
        )
        if done is not NOT_DONE:
            messages.success(request, _("Dialogue saved."))
            return redirect("dialogues:detail", dialogue.pk)
    return render(
        request,
        "dialogues/form_page.html",
        {
            "form": form,
            "dialogue": dialogue,
            "access": ctx,
            "heading": _("Edit %(title)s") % {"title": dialogue.title},
        },
    )


@login_required
def parties(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    form = PartyForm(request.POST or None)
    if request.method == "POST":
        party = submit(
            form,
            lambda data: actions.do_add_party(request.user, dialogue, **data),
            check=lambda data: actions.check_party(dialogue, name=data.get("name")),
        )
        if party is not NOT_DONE:
            messages.success(request, _("Party “%(name)s” added.") % {"name": party.name})
            return redirect("dialogues:parties", dialogue.pk)
    return render(
        request,
        "dialogues/parties.html",
        {
            "dialogue": dialogue,
            "access": ctx,
            "form": form,
            "parties": dialogue.parties.prefetch_related("delegations"),
        },
    )


@login_required
@require_POST
def party_remove(request: HttpRequest, dialogue_id: int, party_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    party = delegation_access.party(ctx, party_id)
    act_and_tell(
        request,
        lambda: actions.do_remove_party(request.user, party),
        _("Party “%(name)s” removed.") % {"name": party.name},
    )
    return redirect("dialogues:parties", dialogue.pk)


@login_required
def roles(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    form = RoleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        sent = submit(
            form,
            lambda data: role_actions.do_invite_to_role(
                request.user, dialogue, **data, base_url=_base_url(request)
            ),
            check=lambda data: role_actions.check_invite_to_role(
                dialogue, email=data.get("email"), role=data.get("role")
            ),
        )
        if sent is not NOT_DONE:
            invitation, _link = sent
            messages.success(
                request,
                _(
                    "An invitation to be %(role)s is on its way to %(email)s; the role is "
                    "given when they accept it."
                )
                % {"role": invitation.get_role_display(), "email": invitation.sent_to},
            )
            return redirect("dialogues:roles", dialogue.pk)
    memberships = dialogue.memberships.select_related("user").order_by(
        "user__display_name", "user__email", "role"
    )
    return render(
        request,
        "dialogues/roles.html",
        {
            "dialogue": dialogue,
            "access": ctx,
            "form": form,
            "memberships": memberships,
            "pending": role_actions.open_role_invitations(dialogue),
        },
        status=status,
    )


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@login_required
@require_POST
def role_invitation_cancel(
    request: HttpRequest, dialogue_id: int, invitation_id: int
) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    invitation = delegation_access.role_invitation(ctx, invitation_id)
    act_and_tell(
        request,
        lambda: role_actions.do_cancel_role_invitation(request.user, invitation),
        _("The invitation is cancelled; its link no longer works."),
    )
    return redirect("dialogues:roles", dialogue.pk)


def role_invitation(request: HttpRequest, secret: str) -> HttpResponse:
    """The page the e-mailed link opens: accept or decline, signed in as the invited account."""
    try:
        invitation = role_actions.find_role_invitation(secret)
    except role_actions.RoleInvitationUnusable as refusal:
        return _no_store(
            render(
                request,
                "site/invitation_unusable.html",
                {"message": refusal.message},
                status=410 if refusal.gone else 404,
            )
        )
    errors: list[str] = []
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                role_actions.do_accept_role(secret, request.user)
                messages.success(
                    request,
                    _("You are now %(role)s in “%(title)s”.")
                    % {"role": invitation.get_role_display(), "title": invitation.dialogue.title},
                )
                return redirect(invitation.dialogue.get_absolute_url())
            if answer == "decline":
                role_actions.do_decline_role(secret, request.user)
                messages.info(request, _("You declined the role; nothing changed."))
                return redirect("site:home")
            errors = [_("Choose to accept or to decline.")]
        except role_actions.RoleInvitationUnusable as refusal:
            return _no_store(
                render(
                    request,
                    "site/invitation_unusable.html",
                    {"message": refusal.message},
                    status=410 if refusal.gone else 404,
                )
            )
        except ActionRefused as refusal:
            errors = refusal.messages()
    user = request.user
    is_invited_account = user.is_authenticated and user.email.lower() == invitation.sent_to.lower()
    login_url = reverse("accounts:login") + "?" + urlencode({"next": request.path})
    return _no_store(
        render(
            request,
            "dialogues/role_invitation.html",
            {
                "invitation": invitation,
                "dialogue": invitation.dialogue,
                "errors": errors,
                "is_invited_account": is_invited_account,
                "login_url": login_url,
            },
            status=400 if request.method == "POST" else 200,
        )
    )


def _no_store(response: HttpResponse) -> HttpResponse:
    # The secret is in the URL: keep it out of caches and other sites' Referer headers.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@login_required
@require_POST
def role_remove(request: HttpRequest, dialogue_id: int, membership_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    membership = delegation_access.membership(ctx, membership_id)
    act_and_tell(
        request, lambda: actions.do_revoke_role(request.user, membership), _("Role removed.")
    )
    return redirect("dialogues:roles", dialogue.pk)


@login_required
def delegations(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="member")
    dialogue = ctx.dialogue
    is_convener = ctx.is_convener
    form = DelegationForm(request.POST or None, dialogue=dialogue) if is_convener else None
    if request.method == "POST":
        if form is None:
            raise access.NotFound
        delegation = submit(
            form,
            lambda data: actions.do_create_delegation(request.user, dialogue, **data),
            check=lambda data: actions.check_delegation(
                dialogue,
                name=data.get("name"),
                kind=data.get("kind", Delegation.Kind.SIDE),
                party=data.get("party"),
            ),
        )
        if delegation is not NOT_DONE:
            messages.success(
                request, _("Delegation “%(name)s” created.") % {"name": delegation.name}
            )
            return redirect("dialogues:delegation", dialogue.pk, delegation.pk)
    return render(
        request,
        "dialogues/delegations.html",
        {
            "dialogue": dialogue,
            "access": ctx,
            "form": form,
            "is_convener": is_convener,
            "delegations": queries.delegations_with_counts(dialogue),
            "own_delegation_id": ctx.own_roster_delegation_id,
        },
    )


@login_required
def delegation(request: HttpRequest, dialogue_id: int, delegation_id: int) -> HttpResponse:
    """Conveners see and change every delegation; a member sees the roster of their own."""
    ctx, found = delegation_access.roster(request.user, dialogue_id, delegation_id)
    dialogue = ctx.dialogue
    is_convener = ctx.is_convener
    seat_form = edit_form = None
    if is_convener:
        seating = "seat" in request.POST
        # A submitted choice is checked against every candidate: whether that person may be
        # seated is the action's rule (the same for the API), which says why when they may not.
        seat_form = SeatForm(
            request.POST if seating else None,
            persons=persons_of(dialogue) if seating else queries.seatable_persons(dialogue),
        )
        edit_form = DelegationEditForm(
            request.POST if "rename" in request.POST else None,
            dialogue=dialogue,
            initial={"name": found.name, "party": found.party_id},
        )
    if request.method == "POST":
        if not is_convener:
            raise access.NotFound
        if "seat" in request.POST:
            seated = submit(
                seat_form,
                lambda data: actions.do_seat_in_delegation(request.user, found, data["person"]),
            )
            if seated is not NOT_DONE:
                messages.success(request, _("%(name)s seated.") % {"name": seated.person.full_name})
                return redirect("dialogues:delegation", dialogue.pk, found.pk)
        elif "rename" in request.POST:
            saved = submit(
                edit_form,
                lambda data: actions.do_update_delegation(request.user, found, **data),
                check=lambda data: actions.check_delegation(
                    dialogue,
                    name=data.get("name"),
                    kind=found.kind,
                    party=data.get("party"),
                    instance=found,
                ),
            )
            if saved is not NOT_DONE:
                messages.success(request, _("Delegation saved."))
                return redirect("dialogues:delegation", dialogue.pk, found.pk)
        if seat_form is not None:
            seat_form.fields["person"].queryset = queries.seatable_persons(
                dialogue
            )  # offer only the unseated
    return render(
        request,
        "dialogues/delegation.html",
        {
            "dialogue": dialogue,
            "access": ctx,
            "delegation": found,
            "members": queries.members_of(found),
            "is_convener": is_convener,
            "seat_form": seat_form,
            "edit_form": edit_form,
        },
    )


@login_required
@require_POST
def delegation_delete(request: HttpRequest, dialogue_id: int, delegation_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    found = delegation_access.delegation(ctx, delegation_id)
    if (
        act_and_tell(
            request,
            lambda: actions.do_delete_delegation(request.user, found),
            _("Delegation deleted."),
        )
        is NOT_DONE
    ):
        return redirect("dialogues:delegation", dialogue.pk, found.pk)
    return redirect("dialogues:delegations", dialogue.pk)


@login_required
@require_POST
def unseat(
    request: HttpRequest, dialogue_id: int, delegation_id: int, seat_id: int
) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    seat = delegation_access.seat(ctx, delegation_id, seat_id)
    actions.do_unseat(request.user, seat)
    messages.success(
        request, _("%(name)s is no longer in this delegation.") % {"name": seat.person.full_name}
    )
    return redirect("dialogues:delegation", dialogue.pk, delegation_id)


@login_required
def balance(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    report = build_balance(dialogue)
    rows = [
        {
            "delegation": d,
            "sectors": [d.by_sector.get(v, 0) for v, _label in report.sectors],
            "genders": [d.by_gender.get(v, 0) for v, _label in report.genders],
        }
        for d in report.delegations
    ]
    return render(
        request,
        "dialogues/balance.html",
        {
            "dialogue": dialogue,
            "access": ctx,
            "report": report,
            "rows": rows,
            "charts": balance_charts(report),
        },
    )
