from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "track2.accounts"
    label = "accounts"
