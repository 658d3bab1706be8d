"""Django admin for site administrators: people, candidacies with their history, invitations.

History and invitations are read-only here: steps are recorded by the actions only, and an
invitation's secret is never stored (only its digest, which is not shown either).
"""

from django.contrib import admin

from track2.people.models import Affiliation, Candidacy, CandidacyStep, Invitation, Person


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "sector", "country", "user"]
    list_filter = ["sector"]
    search_fields = ["full_name", "email", "affiliations__organisation"]
    inlines = [AffiliationInline]
    readonly_fields = ["user", "added_by", "created_at", "updated_at"]


class CandidacyStepInline(admin.TabularInline):
    model = CandidacyStep
    extra = 0
    can_delete = False
    fields = ["at", "status", "by", "vouched_by", "notes"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    can_delete = False
    fields = ["sent_to", "sent_by", "created_at", "expires_at", "used_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Candidacy)
class CandidacyAdmin(admin.ModelAdmin):
    list_display = ["person", "dialogue", "status", "role", "delegation"]
    list_filter = ["status", "role"]
    search_fields = ["person__full_name", "person__email", "dialogue__title"]
    # Status changes go through the workflow (people.actions), which records each step.
    readonly_fields = ["status", "created_at"]
    inlines = [CandidacyStepInline, InvitationInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["sent_to", "candidacy", "created_at", "expires_at", "used_at", "revoked_at"]
    fields = ["candidacy", "sent_to", "sent_by", "created_at", "expires_at", "used_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
