"""Meetings, agendas and attendance become their own app, on the tables they already had."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

MOVED = ("meeting", "agendaitem", "meetingparticipant")


def _content_types_follow(apps, schema_editor):
    # Permissions and admin history point at content types: move them rather than leave stale
    # rows for `remove_stale_contenttypes` to delete (with the history that points at them).
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.using(schema_editor.connection.alias).filter(
        app_label="dialogues", model__in=MOVED
    ).update(app_label="meetings")


def _content_types_return(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.using(schema_editor.connection.alias).filter(
        app_label="meetings", model__in=MOVED
    ).update(app_label="dialogues")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("dialogues", "0009_meetings_own_app"),
        ("people", "0005_tenancy_institution_required"),
    ]

    operations = [
        # The tables already exist (created by the dialogues app under these names): this app
        # only takes them over in Django's state, so an existing database keeps every row.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Meeting",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("starts_at", models.DateTimeField(verbose_name="starts at")),
                        ("ends_at", models.DateTimeField(verbose_name="ends at")),
                        (
                            "time_zone",
                            models.CharField(
                                default="UTC", max_length=64, verbose_name="time zone"
                            ),
                        ),
                        (
                            "attribution_mode",
                            models.CharField(
                                choices=[
                                    ("on_record", "on the record"),
                                    ("chatham_house", "Chatham House Rule"),
                                    ("off_record", "off the record (aggregates only)"),
                                    ("closed", "closed (members only, on record among them)"),
                                ],
                                default="chatham_house",
                                max_length=14,
                                verbose_name="attribution mode",
                            ),
                        ),
                        (
                            "archived_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="archived at"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "dialogue",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="meetings",
                                to="dialogues.dialogue",
                            ),
                        ),
                        (
                            "venue",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="meetings",
                                to="dialogues.venue",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dialogues_meeting",
                        "ordering": ["starts_at"],
                    },
                ),
                migrations.CreateModel(
                    name="AgendaItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("position", models.PositiveIntegerField()),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        (
                            "duration_minutes",
                            models.PositiveIntegerField(
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(1440),
                                ],
                                verbose_name="minutes",
                            ),
                        ),
                        (
                            "lead",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="people.person",
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="agenda_items",
                                to="meetings.meeting",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dialogues_agendaitem",
                        "ordering": ["meeting", "position"],
                    },
                ),
                migrations.CreateModel(
                    name="MeetingParticipant",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("invited", "invited"),
                                    ("confirmed", "confirmed"),
                                    ("declined", "declined"),
                                    ("attended", "attended"),
                                    ("absent", "absent"),
                                ],
                                default="invited",
                                max_length=10,
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="participants",
                                to="meetings.meeting",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="meeting_seats",
                                to="people.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dialogues_meetingparticipant",
                    },
                ),
                migrations.AddConstraint(
                    model_name="meeting",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="meeting_ends_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="agendaitem",
                    constraint=models.UniqueConstraint(
                        fields=("meeting", "position"), name="agenda_position_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="meetingparticipant",
                    constraint=models.UniqueConstraint(
                        fields=("meeting", "person"), name="one_seat_per_meeting"
                    ),
                ),
            ],
        ),
        migrations.RunPython(_content_types_follow, _content_types_return),
    ]
