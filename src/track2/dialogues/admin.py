from django.contrib import admin

from track2.dialogues.models import Dialogue, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Dialogue)
class DialogueAdmin(admin.ModelAdmin):
    list_display = ["title", "track", "status", "created_at"]
    list_filter = ["track", "status"]
    search_fields = ["title"]
    inlines = [MembershipInline]
