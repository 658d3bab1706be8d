"""Dialogues belong to a convening institution; an upgrade keeps every existing dialogue.

Existing dialogues go into one institution named by TRACK2_DEFAULT_INSTITUTION, else by the
free-text institution they all named, else by a name to change in the admin; their conveners
get the right to convene there. The free-text field goes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from track2.institutions.upgrade import upgrade_institution_name


def into_one_institution(apps, schema_editor):
    Dialogue = apps.get_model("dialogues", "Dialogue")
    Membership = apps.get_model("dialogues", "Membership")
    Institution = apps.get_model("institutions", "Institution")
    ConveningRight = apps.get_model("institutions", "ConveningRight")
    if not Dialogue.objects.using(schema_editor.connection.alias).exists():
        return
    name = upgrade_institution_name(
        getattr(settings, "TRACK2_DEFAULT_INSTITUTION", ""),
        list(
            Dialogue.objects.using(schema_editor.connection.alias).values_list(
                "convening_institution", flat=True
            )
        ),
    )
    institution = Institution.objects.using(schema_editor.connection.alias).filter(
        name__iexact=name
    ).first() or Institution.objects.using(schema_editor.connection.alias).create(name=name)
    Dialogue.objects.using(schema_editor.connection.alias).update(institution=institution)
    conveners = set(
        Membership.objects.using(schema_editor.connection.alias)
        .filter(role="convener")
        .values_list("user_id", flat=True)
    )
    for user_id in sorted(conveners):
        ConveningRight.objects.using(schema_editor.connection.alias).get_or_create(
            institution=institution, user_id=user_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0004_venue_dialogue"),
        ("institutions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="dialogue",
            name="institution",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dialogues",
                to="institutions.institution",
                verbose_name="convening institution",
            ),
        ),
        migrations.RunPython(into_one_institution, migrations.RunPython.noop),
        migrations.CreateModel(
            name="RoleInvitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("convener", "convener"),
                            ("facilitator", "facilitator"),
                            ("rapporteur", "rapporteur"),
                            ("participant", "participant"),
                            ("observer", "observer"),
                            ("liaison", "liaison"),
                        ],
                        max_length=12,
                        verbose_name="role",
                    ),
                ),
                ("sent_to", models.EmailField(max_length=254, verbose_name="e-mail address")),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "dialogue",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="role_invitations",
                        to="dialogues.dialogue",
                    ),
                ),
                (
                    "sent_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["sent_to", "role"],
            },
        ),
    ]
