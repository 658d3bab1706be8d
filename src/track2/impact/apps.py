from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "track2.impact"
    label = "impact"
    verbose_name = "Policy impact and trust"
