from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "track2.live"
    label = "live"
    verbose_name = "Live updates"

    def ready(self) -> None:
        from django.core.handlers.asgi import ASGIHandler
        from django.core.signals import request_started

        from track2.live import listen_while_serving

        # Only a served process (Django's ASGI handler, under `track2 serve`): Django's test
        # clients and a WSGI server do not listen (a WSGI server cannot keep a listener's loop).
        request_started.connect(
            listen_while_serving, sender=ASGIHandler, dispatch_uid="track2-live-listen"
        )
