"""Meetings move to their own app (state only; see track2/meetings/migrations/0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0008_pages_meeting_archived_at"),
    ]

    # Meeting, AgendaItem and MeetingParticipant now belong to track2.meetings, which takes them
    # over with the same tables (their db_table): only Django's idea of which app holds them
    # changes here; the database keeps every table, row, index and constraint as it was.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="meeting",
                    name="dialogue",
                ),
                migrations.RemoveField(
                    model_name="meeting",
                    name="venue",
                ),
                migrations.RemoveField(
                    model_name="meetingparticipant",
                    name="meeting",
                ),
                migrations.RemoveField(
                    model_name="meetingparticipant",
                    name="person",
                ),
                migrations.DeleteModel(
                    name="AgendaItem",
                ),
                migrations.DeleteModel(
                    name="Meeting",
                ),
                migrations.DeleteModel(
                    name="MeetingParticipant",
                ),
            ],
        ),
    ]
