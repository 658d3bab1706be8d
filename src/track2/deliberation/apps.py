from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "track2.deliberation"
    label = "deliberation"
    verbose_name = "Dialogue room"
