"""The rules every page of the site administrator's back office (Django admin) follows, so that
the admin admits no input the project's own pages refuse (track2.validation).

Every ModelAdmin and inline of the project derives from `RuledModelAdmin` or `RuledInline`:
- its forms follow `InputRules` (one-line text without control characters, ids a column holds);
- its search (`?q=` on a changelist, `term` of an autocomplete) refuses text past
  MAX_SEARCH_LENGTH or with control characters, with a message on the changelist, instead of a
  server error (SQLite refuses a LIKE pattern past 50,000 bytes) or a silent change of the text;
- an autocomplete select re-renders a refused form without asking the database for a key its
  column cannot hold (Django filters the related table by whatever was posted).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList, ChangeListSearchForm
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.db import models
from django.utils.translation import gettext as _

from track2 import validation
from track2.site.forms import InputRules

# Longer than any name, e-mail address or title a person searches for; short enough that no
# database's pattern matching refuses it (SQLite's LIKE stops at 50,000 bytes).
MAX_SEARCH_LENGTH = 200


def search_problem(term: str) -> str | None:
    """Why `term` cannot be searched for, or None when it can."""
    if len(term) > MAX_SEARCH_LENGTH:
        return _(
            "The search was not run: it is %(length)d characters long, and a search takes at "
            "most %(max)d. Shorten it and search again."
        ) % {"length": len(term), "max": MAX_SEARCH_LENGTH}
    problem = validation.text_problem(term, multiline=False)
    if problem:
        return _("The search was not run. %(problem)s") % {"problem": problem}
    return None


class RuledModelForm(InputRules, forms.ModelForm):
    """The base of every admin form of the project (Django's factory adds the model's fields)."""


def _admissible_search(value: str) -> None:
    problem = search_problem(value)
    if problem:
        raise forms.ValidationError(problem, code="inadmissible_search")


class RuledSearchForm(ChangeListSearchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[SEARCH_VAR].validators.append(_admissible_search)


class RuledChangeList(ChangeList):
    """A changelist whose refused search lists everything (as Django does for a search it
    cannot read), says why in a message (Django's own, from the search form), and shows the
    search box marked, holding what was typed, so that it can be corrected."""

    search_form_class = RuledSearchForm
    max_search_length = MAX_SEARCH_LENGTH  # the search box's maxlength

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        typed = request.GET.get(SEARCH_VAR, "")
        # An accepted search is kept exactly (strip=False); a refused one became "".
        self.search_refused = typed != self.query
        # Shown again without what cannot be shown (NUL in an attribute; admin/search_form.html).
        self.typed_query = validation.printable(typed)


class _AdmissibleSelection(AutocompleteMixin):
    """Re-rendering a refused form, Django's autocomplete looks the posted value up in the
    related table: a value that is no key of it ("1e400", "NaN", 2^63, text) would be a
    database error, so it is left out of the selection ("Select a valid choice" is shown)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if self._is_key(v)], attr)

    def _is_key(self, value) -> bool:
        remote = self.field.remote_field
        # As Django's optgroups: a many-to-many relation names no field, it means the key.
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        if not isinstance(target, models.IntegerField):  # AutoField and BigAutoField among them
            return True
        text = str(value)
        return (
            text.isascii()
            and text.isdigit()
            and validation.integer_problem(int(text), is_id=True) is None
        )


class RuledAutocompleteSelect(_AdmissibleSelection, AutocompleteSelect):
    pass


class RuledAutocompleteSelectMultiple(_AdmissibleSelection, AutocompleteSelectMultiple):
    pass


class _Rules(BaseModelAdmin):
    """What RuledModelAdmin and RuledInline share (both are Django BaseModelAdmins)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = RuledAutocompleteSelect(
                db_field,
                self.admin_site,
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = RuledAutocompleteSelectMultiple(
                db_field,
                self.admin_site,
                using=kwargs.get("using"),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RuledModelAdmin(_Rules, admin.ModelAdmin):
    form = RuledModelForm

    def get_changelist(self, request, **kwargs):
        return RuledChangeList

    def get_object(self, request, object_id, from_field=None):
        # An empty `?_to_field=` passes Django's check of the field (it checks only a value
        # given) and then names no field: a server error on the change and delete pages. Empty
        # means none was given: the primary key, as without it.
        return super().get_object(request, object_id, from_field or None)

    def get_search_results(self, request, queryset, search_term):
        # The changelist refused such a search already (its search form); an autocomplete's
        # `term` comes here unchecked, and finds nothing rather than a server error.
        if search_problem(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class RuledInline(_Rules, admin.TabularInline):
    form = RuledModelForm
