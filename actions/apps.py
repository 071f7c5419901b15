from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Action log"

    def ready(self):
        from meetings.history import register_history_kind

        from .models import Action, ActionUpdate, DroppedActionLine

        register_history_kind("action", Action, "board__slug")
        register_history_kind("update", ActionUpdate, "action__board__slug")
        register_history_kind("dropped-line", DroppedActionLine, "item__meeting__board__slug")
