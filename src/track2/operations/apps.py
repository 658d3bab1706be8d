from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "track2.operations"
    label = "operations"
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from track2.operations import checks  # noqa: F401  (registers the restore checks)
