from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "track2.people"
    label = "people"
