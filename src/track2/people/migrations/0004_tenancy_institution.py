"""The people directory belongs to a convening institution; an upgrade keeps every entry.

Existing people join the institution the dialogues' upgrade created (there is one), or, on a
site with people but no dialogue, one named the same way. E-mail addresses become unique per
institution instead of site-wide.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

from track2.institutions.upgrade import upgrade_institution_name


def into_the_institution(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Dialogue = apps.get_model("dialogues", "Dialogue")
    Institution = apps.get_model("institutions", "Institution")
    if not Person.objects.using(schema_editor.connection.alias).exists():
        return
    used = (
        Institution.objects.using(schema_editor.connection.alias)
        .filter(
            pk__in=Dialogue.objects.using(schema_editor.connection.alias).values("institution_id")
        )
        .order_by("pk")
        .first()
    )
    if used is None:
        name = upgrade_institution_name(getattr(settings, "TRACK2_DEFAULT_INSTITUTION", ""), [])
        used = Institution.objects.using(schema_editor.connection.alias).filter(
            name__iexact=name
        ).first() or Institution.objects.using(schema_editor.connection.alias).create(name=name)
    Person.objects.using(schema_editor.connection.alias).update(institution=used)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_remove_person_risk_notes"),
        ("dialogues", "0006_tenancy_institution_required"),
        ("institutions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="institution",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="people",
                to="institutions.institution",
                verbose_name="convening institution",
            ),
        ),
        migrations.RunPython(into_the_institution, migrations.RunPython.noop),
    ]
