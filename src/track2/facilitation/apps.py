from django.apps import AppConfig


class FacilitationConfig(AppConfig):
    name = "track2.facilitation"
    label = "facilitation"
    verbose_name = "Facilitation"
