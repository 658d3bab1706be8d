from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "track2.outcomes"
    label = "outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the retention eraser of the replaced endorsements.
        from track2.outcomes import retention  # noqa: F401
