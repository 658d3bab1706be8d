from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "track2.live"
    label = "live"
    verbose_name = "Live updates"
