from django.apps import AppConfig


class BackchannelConfig(AppConfig):
    name = "track2.backchannel"
    label = "backchannel"
    verbose_name = "Back channel"
