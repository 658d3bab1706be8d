from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "track2.site"
    label = "site"
    verbose_name = "Site"
