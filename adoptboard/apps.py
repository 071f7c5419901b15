from django.apps import AppConfig


class AdoptBoardConfig(AppConfig):
    name = "adoptboard"
    verbose_name = "AdoptBoard"

    def ready(self):
        from .fields import strip_control_characters_from_forms

        strip_control_characters_from_forms()
