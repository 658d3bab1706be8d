from django.apps import AppConfig


class BackchannelConfig(AppConfig):
    name = "track2.backchannel"
    label = "backchannel"
    verbose_name = "Back channel"

    def ready(self) -> None:
        # A restored site's log must still match its last signed checkpoint (issue 16).
        # Its retention eraser: a dialogue's messages go with its content.
        from track2.backchannel import consistency, retention  # noqa: F401
        from track2.operations.verification import register

        register(consistency.NAME)(consistency.restore_check)
