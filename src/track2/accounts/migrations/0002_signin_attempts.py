# Sign-in limits reserved atomically (accounts.throttle): failures become counted attempts
# (same rows, renamed), with one lock row per key.

from django.db import migrations, models
import django.utils.timezone


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("LoginFailure", "SignInAttempt"),
        migrations.AlterField(
            model_name="signinattempt",
            name="kind",
            field=models.CharField(
                choices=[
                    ("account", "Account"),
                    ("address", "Address"),
                    ("reset-account", "Reset Account"),
                    ("reset-address", "Reset Address"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="signinattempt",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.CreateModel(
            name="AttemptLock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("account", "Account"),
                            ("address", "Address"),
                            ("reset-account", "Reset Account"),
                            ("reset-address", "Reset Address"),
                        ],
                        max_length=16,
                    ),
                ),
                ("key_digest", models.CharField(max_length=64)),
                ("touched_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "key_digest"), name="one_lock_per_key")
                ],
            },
        ),
    ]
