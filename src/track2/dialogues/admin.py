"""The Django admin for site administrators: the back office, not the conveners' tool.
Admin edits bypass the actions' rules, so the lists show what needs a second look."""

from django.contrib import admin

from track2.dialogues.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Dialogue,
    Meeting,
    MeetingParticipant,
    Membership,
    Party,
    Venue,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


@admin.register(Dialogue)
class DialogueAdmin(admin.ModelAdmin):
    list_display = ["title", "track", "status", "institution", "created_at"]
    list_filter = ["track", "status", "institution"]
    search_fields = ["title", "institution__name"]
    inlines = [PartyInline, MembershipInline]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "dialogue"]
    list_filter = ["dialogue"]
    search_fields = ["name", "country"]


class DelegationMemberInline(admin.TabularInline):
    model = DelegationMember
    extra = 0
    fields = ["person", "in_personal_capacity", "added_at"]
    readonly_fields = ["added_at"]
    raw_id_fields = ["person"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "party", "dialogue"]
    list_filter = ["kind", "dialogue"]
    search_fields = ["name"]
    inlines = [DelegationMemberInline]

    def save_formset(self, request, form, formset, change):
        # A member row repeats the delegation's dialogue (the database's one-delegation rule).
        for instance in formset.save(commit=False):
            if isinstance(instance, DelegationMember):
                instance.dialogue_id = form.instance.dialogue_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "country", "capacity", "is_confidential"]
    list_filter = ["kind", "is_confidential"]
    search_fields = ["name", "city", "country"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["lead"]


class MeetingParticipantInline(admin.TabularInline):
    model = MeetingParticipant
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "dialogue", "starts_at", "time_zone", "venue", "attribution_mode"]
    list_filter = ["dialogue", "attribution_mode"]
    search_fields = ["title"]
    inlines = [AgendaItemInline, MeetingParticipantInline]
