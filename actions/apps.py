from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Action log"

    def ready(self):
        from meetings.history import Restorable, register_history_kind, register_restorable

        from .models import Action, ActionUpdate, DroppedActionLine
        from .services import action_restore

        register_history_kind("action", Action, "board__slug")
        register_history_kind("update", ActionUpdate, "action__board__slug")
        register_history_kind("dropped-line", DroppedActionLine, "item__meeting__board__slug")
        register_restorable(
            Restorable(
                kind="action",
                heading="Actions removed from the log",
                removed=lambda board: Action.objects.filter(board=board, removed_at__isnull=False).order_by(
                    "-removed_at", "-number"
                ),
                describe=lambda action: f"Action {action.number}: {action.text[:120]}",
                restore=lambda action, *, by: action_restore(action=action, by=by),
            )
        )
