from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Email notifications"

    def ready(self):
        from . import receivers  # noqa: F401  (meetings' signals: minutes circulated and approved)
