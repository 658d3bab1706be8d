"""Institutions and convening rights are site administration: the admin manages them.
A right granted here records the administrator who granted it."""

from django.contrib import admin
from django.utils.translation import gettext as _

from track2.institutions.models import ConveningRight, Institution
from track2.site.admin_rules import RuledInline, RuledModelAdmin


class ConveningRightInline(RuledInline):
    model = ConveningRight
    extra = 0
    fields = ["user", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]
    autocomplete_fields = ["user"]


@admin.register(Institution)
class InstitutionAdmin(RuledModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [ConveningRightInline]

    def get_deleted_objects(self, objs, request):
        # Django would list every dialogue and person the deletion reaches (PROTECT), naming them;
        # the administrator may not see those, so an institution in use is refused without names.
        protected = [
            _("%(name)s still holds dialogues or a people directory; it cannot be deleted.")
            % {"name": institution.name}
            for institution in objs
            if institution.dialogues.exists() or institution.people.exists()
        ]
        return (
            [institution.name for institution in objs],
            {Institution._meta.verbose_name_plural: len(objs)},
            set(),
            protected,
        )

    def save_formset(self, request, form, formset, change):
        rights = formset.save(commit=False)
        for right in rights:
            if right.pk is None:
                right.granted_by = request.user
            right.save()
        for gone in formset.deleted_objects:
            gone.delete()


@admin.register(ConveningRight)
class ConveningRightAdmin(RuledModelAdmin):
    list_display = ["user", "institution", "granted_by", "granted_at"]
    list_filter = ["institution"]
    search_fields = ["user__email", "institution__name"]
    autocomplete_fields = ["user", "institution"]
    readonly_fields = ["granted_by", "granted_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
