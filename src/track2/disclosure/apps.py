from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "track2.disclosure"
    label = "disclosure"
    verbose_name = "Disclosure rules"
