from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0007_disclosure_k_floor"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="archived_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="archived at"),
        ),
    ]
