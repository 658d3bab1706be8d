"""Every dialogue now has its institution (filled by 0005): make it required and drop the free text.

Apart from 0005 so that PostgreSQL does not alter a table with the fill's pending trigger events."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0005_tenancy_institution"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dialogue",
            name="institution",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dialogues",
                to="institutions.institution",
                verbose_name="convening institution",
            ),
        ),
        migrations.RemoveField(
            model_name="dialogue",
            name="convening_institution",
        ),
    ]
