from django.apps import AppConfig


class AdoptBoardConfig(AppConfig):
    name = "adoptboard"
    verbose_name = "AdoptBoard"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .fields import strip_control_characters_from_forms
        from .middleware import mark_session_refreshed

        strip_control_characters_from_forms()
        # A login has just saved the session: start its refresh clock there (one write, not two).
        user_logged_in.connect(mark_session_refreshed, dispatch_uid="adoptboard.session-refreshed-at-login")
