from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Boards and meetings"

    def ready(self):
        from django.urls import register_converter

        from .fields import IdConverter

        # <id:pk> in every app's URLs; registered before any URLconf is imported.
        register_converter(IdConverter, "id")
