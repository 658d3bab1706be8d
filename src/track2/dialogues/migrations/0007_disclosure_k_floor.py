from django.conf import settings
from django.db import migrations, models

import track2.disclosure.site


def lift_dialogues_below_the_floor(apps, schema_editor):
    """No dialogue may show smaller cells than the site allows (TRACK2_K_ANONYMITY, at least 3)."""
    Dialogue = apps.get_model("dialogues", "Dialogue")
    floor = max(int(getattr(settings, "TRACK2_K_ANONYMITY", 3)), 3)
    Dialogue.objects.using(schema_editor.connection.alias).filter(k_anonymity__lt=floor).update(
        k_anonymity=floor
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0006_tenancy_institution_required"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dialogue",
            name="k_anonymity",
            field=models.PositiveSmallIntegerField(
                default=track2.disclosure.site.default_k,
                help_text="a breakdown by delegation or opinion group shows a cell only when it counts at least k people; never below this site's floor",
                validators=[track2.disclosure.site.validate_k],
                verbose_name="smallest group shown in breakdowns (k)",
            ),
        ),
        migrations.RunPython(lift_dialogues_below_the_floor, migrations.RunPython.noop),
    ]
