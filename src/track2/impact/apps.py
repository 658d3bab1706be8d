from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "track2.impact"
    label = "impact"
    verbose_name = "Policy impact and trust"

    def ready(self) -> None:
        # Registers the retention eraser of the survey answers (issue 16).
        from track2.impact import retention  # noqa: F401
