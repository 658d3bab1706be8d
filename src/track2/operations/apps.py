from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "track2.operations"
    label = "operations"
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the restore checks, and the room's retention eraser.
        from track2 import keyring, live
        from track2.operations import checks, room_retention  # noqa: F401

        # A destroyed key leaves every process's memory, not only the destroying one's.
        live.on(live.KEY_GONE, lambda dialogue: keyring.forget(int(dialogue)))
