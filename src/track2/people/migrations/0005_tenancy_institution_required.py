"""Every person now has an institution (filled by 0004): make it required, and make e-mail
addresses unique per institution instead of site-wide. Apart from 0004 for PostgreSQL (see
dialogues 0006)."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_tenancy_institution"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="institution",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="people",
                to="institutions.institution",
                verbose_name="convening institution",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="person",
            name="one_person_per_email",
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                models.F("institution"),
                django.db.models.functions.text.Lower("email"),
                name="one_person_per_email_per_institution",
            ),
        ),
    ]
