from django.apps import AppConfig


class FacilitationConfig(AppConfig):
    name = "track2.facilitation"
    label = "facilitation"
    verbose_name = "Facilitation"

    def ready(self) -> None:
        # Registers the retention eraser of the floor, the caucus rooms and the records.
        from track2.facilitation import retention  # noqa: F401
