from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self):
        from meetings.signals import minutes_approved

        from .services import on_minutes_approved

        # Approving minutes freezes them: the meetings domain sends, the documents render.
        minutes_approved.connect(on_minutes_approved, dispatch_uid="documents-freeze-approved-minutes")
