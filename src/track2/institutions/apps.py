from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "track2.institutions"
    label = "institutions"
    verbose_name = "Convening institutions"
