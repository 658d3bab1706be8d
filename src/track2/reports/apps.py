from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "track2.reports"
    label = "reports"
