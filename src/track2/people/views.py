"""Thin views of the people pages: parse → call people.actions → render.

Every page but the invitation page is for conveners only and loads its objects through
track2.access.people, which answers "not found" to everyone else.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2.access import people as people_access
from track2.errors import ActionRefused
from track2.people import actions, forms, roster, roster_preview
from track2.people.models import Candidacy
from track2.people.queries import (
    PeopleFilter,
    candidacies_of,
    countries_in,
    current_affiliation,
    directory_keepers,
    meeting_seats_of,
    seat_of,
    seats_in,
)
from track2.site.forms import NOT_DONE, add_refusal, submit

# As the API's default page: each row renders a dozen fields, and 100 rows doubled the page's time.
PEOPLE_PER_PAGE = 50


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@login_required
def people_list(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = people_access.access_people(request.user, dialogue_id).dialogue
    form = forms.PeopleFilterForm(
        request.GET or None, dialogue=dialogue, countries=countries_in(dialogue)
    )
    filters = PeopleFilter()
    if form.is_bound and form.is_valid():
        filters = PeopleFilter(**form.cleaned_data)
    page = Paginator(candidacies_of(dialogue, filters), PEOPLE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    seats = seats_in(dialogue, [c.person_id for c in page])
    rows = [
        {
            "candidacy": c,
            "person": c.person,
            "affiliation": current_affiliation(c.person),
            "seat": seats.get(c.person_id),
        }
        for c in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/list.html",
        {
            "vetted_waiting": Candidacy.objects.filter(
                dialogue=dialogue, status=Candidacy.Status.VETTED
            ).count(),
            "dialogue": dialogue,
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "is_filtered": filters != PeopleFilter(),
            "keepers": directory_keepers(dialogue),
        },
    )


@login_required
def person_add(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = people_access.access_people(request.user, dialogue_id).dialogue
    form = forms.PersonForm(request.POST or None)
    form.limit_delegations(dialogue)
    duplicate_form = None
    already = None
    if request.method == "POST":
        # Fields the form could not read are checked as missing, so the action's rules run too.
        unread = dict.fromkeys(("full_name", "email", "sector", "country", "nominated_by"))
        candidacy = submit(
            form,
            lambda data: actions.do_add_person(request.user, dialogue, **data),
            check=lambda data: actions.check_add_person(dialogue, **{**unread, **data}),
        )
        if candidacy is not NOT_DONE:
            messages.success(
                request,
                _("%(name)s is added and nominated.") % {"name": candidacy.person.full_name},
            )
            return redirect("people:detail", dialogue.pk, candidacy.person_id)
        data = form.cleaned_data
        # A refusal on the e-mail takes it out of cleaned_data: look the address up as it was sent.
        email = (request.POST.get("email") or "").strip()
        # Only this institution's directory is looked in: an address known elsewhere tells nothing.
        existing = (
            actions.find_in_directory(dialogue.institution, email)
            if "email" in form.errors and email
            else None
        )
        if (
            existing is not None
            and Candidacy.objects.filter(dialogue=dialogue, person=existing).exists()
        ):
            already = existing
        elif existing is not None:
            # Offer to nominate the directory's entry, saying nothing about where else it is used.
            duplicate_form = forms.NominateExistingForm(
                initial={
                    "email": email,
                    "nominated_by": data.get("nominated_by", ""),
                    "role": data.get("role"),
                    "delegation": data.get("delegation"),
                }
            )
            duplicate_form.limit_delegations(dialogue)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "people/add.html",
        {
            "dialogue": dialogue,
            "form": form,
            "duplicate_form": duplicate_form,
            "already": already,
            "nominate_form": _empty_nominate_form(dialogue),
        },
        status=status,
    )


def _empty_nominate_form(dialogue):
    form = forms.NominateExistingForm(auto_id="nominate_%s")
    form.limit_delegations(dialogue)
    return form


@login_required
def nominate_existing(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = people_access.access_people(request.user, dialogue_id).dialogue
    form = forms.NominateExistingForm(request.POST or None, auto_id="nominate_%s")
    form.limit_delegations(dialogue)
    if request.method == "POST":
        candidacy = submit(
            form,
            lambda data: actions.do_nominate_by_email(request.user, dialogue, **data),
            check=lambda data: actions.check_nominate(
                dialogue,
                email=data.get("email"),
                nominated_by=data.get("nominated_by"),
                role=data.get("role", "participant"),
                delegation=data.get("delegation"),
            ),
        )
        if candidacy is not NOT_DONE:
            messages.success(
                request,
                _("%(name)s is nominated to this dialogue.") % {"name": candidacy.person.full_name},
            )
            return redirect("people:detail", dialogue.pk, candidacy.person_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "people/nominate.html", {"dialogue": dialogue, "form": form}, status=status
    )


def _detail_context(request, candidacy: Candidacy, **forms_in_error) -> dict:
    dialogue = candidacy.dialogue
    person = candidacy.person
    return {
        "dialogue": dialogue,
        "candidacy": candidacy,
        "person": person,
        "affiliations": list(person.affiliations.all()),
        "seat": seat_of(person, dialogue),
        "steps": list(candidacy.steps.select_related("by")),
        "meeting_seats": list(meeting_seats_of(person, dialogue)),
        "invitations": list(candidacy.invitations.select_related("sent_by")),
        "vet_form": forms_in_error.get("vet_form") or forms.VetForm(),
        "withdraw_form": forms_in_error.get("withdraw_form")
        or forms.NotesForm(auto_id="withdraw_%s"),
        "renominate_form": forms_in_error.get("renominate_form")
        or forms.RenominateForm(auto_id="renominate_%s"),
        "invite_errors": forms_in_error.get("invite_errors"),
        "delete_errors": forms_in_error.get("delete_errors"),
        "invitation_days": actions.invitation_days(),
        "role_label": actions.role_label(candidacy.role),
        "Status": Candidacy.Status,
    }


@login_required
def person_detail(request: HttpRequest, dialogue_id: int, person_id: int) -> HttpResponse:
    candidacy = people_access.access_candidacy(request.user, dialogue_id, person_id)
    return render(request, "people/detail.html", _detail_context(request, candidacy))


@login_required
def person_edit(request: HttpRequest, dialogue_id: int, person_id: int) -> HttpResponse:
    candidacy = people_access.access_candidacy(request.user, dialogue_id, person_id)
    person = candidacy.person
    dialogue = candidacy.dialogue
    affiliations = [
        {
            "organisation": a.organisation,
            "position": a.position,
            "is_current": a.is_current,
            "until_year": a.until_year,
        }
        for a in person.affiliations.all()
    ]
    if request.method == "POST":
        form = forms.PersonEditForm(request.POST)
        formset = forms.AffiliationFormSet(request.POST, prefix="aff")
        candidacy_form = forms.CandidacyEditForm(request.POST)
    else:
        form = forms.PersonEditForm(initial=forms.PersonEditForm.initial_for(person))
        formset = forms.AffiliationFormSet(initial=affiliations, prefix="aff")
        candidacy_form = forms.CandidacyEditForm(
            initial=forms.CandidacyEditForm.initial_for(candidacy)
        )
    candidacy_form.limit_delegations(dialogue)
    form.keep_account_address(person)
    if request.method == "POST":
        # Every part is checked before anything is saved, so that all errors show at once.
        others_valid = [formset.is_valid(), candidacy_form.is_valid()]

        def save(profile: dict):
            if not all(others_valid):
                return NOT_DONE
            rows = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            try:
                _save_person(request.user, candidacy, profile, rows, candidacy_form.cleaned_data)
            except ActionRefused as refusal:
                if refusal.field == "affiliations":
                    form.add_error(None, refusal.message)
                elif refusal.field in ("role", "delegation"):
                    add_refusal(candidacy_form, refusal)
                else:
                    add_refusal(form, refusal)
                return NOT_DONE
            return candidacy

        saved = submit(form, save, check=lambda data: actions.check_update_person(person, data))
        if saved is not NOT_DONE:
            messages.success(request, _("Saved."))
            return redirect("people:detail", dialogue.pk, person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "people/edit.html",
        {
            "dialogue": dialogue,
            "person": person,
            "candidacy": candidacy,
            "form": form,
            "formset": formset,
            "candidacy_form": candidacy_form,
        },
        status=status,
    )


def _save_person(
    by, candidacy: Candidacy, profile: dict, affiliations: list[dict], candidacy_fields: dict
) -> None:
    # One transaction: the profile, affiliations and candidacy are saved together or not at all.
    with transaction.atomic():
        actions.do_update_person(by, candidacy.person, **profile)
        actions.do_set_affiliations(by, candidacy.person, affiliations)
        actions.do_update_candidacy(
            by, candidacy, role=candidacy_fields["role"], delegation=candidacy_fields["delegation"]
        )
        actions.do_set_risk_notes(by, candidacy, candidacy_fields["risk_notes"])


@login_required
@require_POST
def candidacy_vet(request: HttpRequest, dialogue_id: int, person_id: int) -> HttpResponse:
    candidacy = people_access.access_candidacy(request.user, dialogue_id, person_id)
    form = forms.VetForm(request.POST)
    done = submit(
        form,
        lambda data: actions.do_vet(request.user, candidacy, **data),
        check=lambda data: actions.check_vet(candidacy, vouched_by=data.get("vouched_by")),
    )
    if done is not NOT_DONE:
        messages.success(request, _("Vetting recorded."))
        return redirect("people:detail", dialogue_id, person_id)
    return render(
        request,
        "people/detail.html",
        _detail_context(request, candidacy, vet_form=form),
        status=400,
    )


@login_required
@require_POST
def candidacy_invite(request: HttpRequest, dialogue_id: int, person_id: int) -> HttpResponse:
    candidacy = people_access.access_candidacy(request.user, dialogue_id, person_id)
    try:
        invitation, _link = actions.do_invite(request.user, candidacy, base_url=_base_url(request))
    except ActionRefused as refusal:
        return render(
            request,
            "people/detail.html",
            _detail_context(request, candidacy, invite_errors=refusal.messages()),
            status=400,
        )
    messages.success(
        request, _("An invitation is on its way to %(email)s.") % {"email": invitation.sent_to}
    )
    return redirect("people:detail", dialogue_id, person_id)


@login_required
@require_POST
def invite_all_vetted(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = people_access.access_people(request.user, dialogue_id).dialogue
    sent, failures = actions.do_invite_all_vetted(
        request.user, dialogue, base_url=_base_url(request)
    )
    if sent:
        messages.success(request, _("%(n)d invitations are on their way.") % {"n": len(sent)})
    for failure in failures:
        messages.error(request, failure)
    if not sent and not failures:
        messages.info(request, _("Nobody is vetted and waiting for an invitation."))
    return redirect("people:list", dialogue.pk)


@login_required
@require_POST
def candidacy_withdraw(request: HttpRequest, dialogue_id: int, person_id: int) -> HttpResponse:
    candidacy = people_access.access_candidacy(request.user, dialogue_id, person_id)
    form = forms.NotesForm(request.POST, auto_id="withdraw_%s")
    done = submit(
        form,
        lambda data: actions.do_withdraw(request.user, candidacy, notes=data["notes"]),
        check=lambda data: actions.check_withdraw(candidacy),
    )
    if done is not NOT_DONE:
        messages.success(request, _("The candidacy is withdrawn."))
        return redirect("people:detail", dialogue_id, person_id)
    return render(
        request,
        "people/detail.html",
        _detail_context(request, candidacy, withdraw_form=form),
        status=400,
    )


@login_required
@require_POST
def candidacy_renominate(request: HttpRequest, dialogue_id: int, person_id: int) -> HttpResponse:
    candidacy = people_access.access_candidacy(request.user, dialogue_id, person_id)
    form = forms.RenominateForm(request.POST, auto_id="renominate_%s")
    done = submit(
        form,
        lambda data: actions.do_renominate(request.user, candidacy, **data),
        check=lambda data: actions.check_renominate(
            candidacy, nominated_by=data.get("nominated_by")
        ),
    )
    if done is not NOT_DONE:
        messages.success(request, _("Nominated again."))
        return redirect("people:detail", dialogue_id, person_id)
    return render(
        request,
        "people/detail.html",
        _detail_context(request, candidacy, renominate_form=form),
        status=400,
    )


@login_required
@require_POST
def person_delete(request: HttpRequest, dialogue_id: int, person_id: int) -> HttpResponse:
    candidacy = people_access.access_candidacy(request.user, dialogue_id, person_id)
    try:
        name = actions.do_delete_person(request.user, candidacy)
    except ActionRefused as refusal:
        return render(
            request,
            "people/detail.html",
            _detail_context(request, candidacy, delete_errors=refusal.messages()),
            status=400,
        )
    messages.success(request, _("%(name)s's entry is deleted.") % {"name": name})
    return redirect("people:list", dialogue_id)


# --- roster import and export ------------------------------------------------------------


@login_required
def roster_import(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """Upload → preview with every row's errors → confirm. Nothing is saved before confirming."""
    dialogue = people_access.access_people(request.user, dialogue_id).dialogue
    context = {
        "dialogue": dialogue,
        "required": roster.REQUIRED_COLUMNS,
        "optional": roster.OPTIONAL_COLUMNS,
        "max_rows": roster.MAX_ROWS,
    }
    if request.method == "POST" and request.POST.get("confirm"):
        stored = roster_preview.take(
            request.session, dialogue.pk, request.POST.get("digest"), timezone.now()
        )
        if stored is None:
            messages.error(
                request,
                _(
                    "That preview is no longer current (another file was uploaded, it was "
                    "cancelled, or more than 15 minutes passed). Upload the file again."
                ),
            )
            return redirect("people:import", dialogue.pk)
        try:
            added = roster.do_import_roster(request.user, dialogue, stored["text"])
        except ActionRefused:
            # Someone changed the directory since the preview: show the new errors. Nothing
            # can be confirmed now, so the file leaves the session.
            roster_preview.drop(request.session, dialogue.pk)
            checked = roster.check_roster(dialogue, stored["text"])
            return render(
                request,
                "people/import_preview.html",
                {
                    **context,
                    "checked": checked,
                    "digest": stored["digest"],
                    "filename": stored["filename"],
                    "changed": True,
                },
                status=400,
            )
        roster_preview.drop(request.session, dialogue.pk)
        messages.success(request, _("%(n)d people were added and nominated.") % {"n": len(added)})
        return redirect("people:list", dialogue.pk)
    # Any other visit to the import (Cancel, "upload a corrected file", a new upload) ends the
    # preview kept before.
    roster_preview.drop(request.session, dialogue.pk)
    form = forms.RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > roster.MAX_BYTES:
            form.add_error(
                "file",
                _(
                    "The file is larger than 2 MB; a roster is much smaller. Check that you chose "
                    "the right file."
                ),
            )
        else:
            try:
                text = roster.decode(upload.read())
            except ActionRefused as refusal:
                form.add_error("file", refusal.message)
            else:
                checked = roster.check_roster(dialogue, text)
                digest = roster_preview.digest_of(text)
                if not checked.errors:
                    # Kept only when it can be confirmed (roster_preview says why).
                    roster_preview.keep(
                        request.session, dialogue.pk, text, upload.name, timezone.now()
                    )
                return render(
                    request,
                    "people/import_preview.html",
                    {**context, "checked": checked, "digest": digest, "filename": upload.name},
                )
    status = 400 if request.method == "POST" else 200
    return render(request, "people/import.html", {**context, "form": form}, status=status)


@login_required
def roster_export(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = people_access.access_people(request.user, dialogue_id).dialogue
    response = HttpResponse(roster.export_csv(dialogue), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dialogue-{dialogue.pk}-people.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- answering an invitation (no sign-in needed to open) ----------------------------------


def invitation(request: HttpRequest, secret: str) -> HttpResponse:
    try:
        found = actions.find_invitation(secret)
    except actions.InvitationUnusable as refusal:
        return render(
            request,
            "site/invitation_unusable.html",
            {"message": refusal.message},
            status=410 if refusal.gone else 404,
        )
    candidacy = found.candidacy
    user = request.user
    # The person's own account (linked when they accepted an earlier invitation), else one with
    # the invited address: either way they sign in with it rather than create another.
    linked = candidacy.person.user
    account_email = linked.email if linked is not None else found.sent_to
    account_exists = (
        linked is not None or get_user_model().objects.filter(email__iexact=found.sent_to).exists()
    )
    new_account_form = None
    errors: list[str] = []
    if request.method == "POST":
        what = request.POST.get("answer")
        try:
            if what == "decline":
                actions.do_decline_invitation(secret)
                return render(
                    request,
                    "people/invitation_done.html",
                    {"candidacy": candidacy, "accepted": False},
                )
            if what == "accept" and user.is_authenticated:
                actions.do_accept_invitation(secret, user)
                messages.success(
                    request,
                    _("Welcome: you are now a member of “%(title)s”.")
                    % {"title": candidacy.dialogue.title},
                )
                return redirect(candidacy.dialogue.get_absolute_url())
            if what == "create" and not user.is_authenticated and not account_exists:
                new_account_form = forms.NewAccountForm(request.POST, email=found.sent_to)
                if new_account_form.is_valid():
                    new_user, _candidacy = actions.do_accept_invitation_with_new_account(
                        secret,
                        password=new_account_form.cleaned_data["password1"],
                        display_name=new_account_form.cleaned_data["display_name"],
                    )
                    login(request, new_user)  # rotates the session id
                    messages.success(
                        request,
                        _("Your account is ready and you are a member of “%(title)s”.")
                        % {"title": candidacy.dialogue.title},
                    )
                    return redirect(candidacy.dialogue.get_absolute_url())
            elif what == "accept":
                errors = [_("Sign in first (or create your account below), then accept.")]
            elif what == "create":
                errors = [
                    _("You are already signed in; use “Accept the invitation”.")
                    if user.is_authenticated
                    else _(
                        "An account with this e-mail address already exists: sign in with it to accept."
                    )
                ]
            else:
                errors = [_("Choose to accept or to decline.")]
        except actions.InvitationUnusable as refusal:
            return render(
                request,
                "site/invitation_unusable.html",
                {"message": refusal.message},
                status=410 if refusal.gone else 404,
            )
        except ActionRefused as refusal:
            errors = refusal.messages()
    if new_account_form is None and not user.is_authenticated and not account_exists:
        new_account_form = forms.NewAccountForm(email=found.sent_to)
    login_url = reverse("accounts:login") + "?" + urlencode({"next": request.path})
    is_other_account = (
        user.is_authenticated
        and user.email.lower() != found.sent_to.lower()
        and (candidacy.person.user_id != user.pk)
    )
    status = 400 if request.method == "POST" else 200
    response = render(
        request,
        "people/invitation.html",
        {
            "invitation": found,
            "candidacy": candidacy,
            "dialogue": candidacy.dialogue,
            "role": actions.role_label(candidacy.role),
            "account_exists": account_exists,
            "account_email": account_email,
            "new_account_form": new_account_form,
            "login_url": login_url,
            "is_other_account": is_other_account,
            "errors": errors,
        },
        status=status,
    )
    # The secret is in the URL: keep it out of caches and other sites' Referer headers.
    # ("no-referrer" would make browsers send "Origin: null" with the page's own forms, which
    # Django's CSRF check rightly refuses; "same-origin" sends the URL only to this site.)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
