from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "track2.dialogues"
    label = "dialogues"
