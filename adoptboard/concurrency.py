"""No lost updates: a save that was based on an old version of a row is refused, not applied."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model

STALE_MESSAGE = (
    "Someone else saved this while you were editing it. Your text is shown below: "
    "copy what you need, reload the page to see their changes, and save again."
)


class StaleEdit(ValidationError):
    """Raised when the row's version moved on since the editor loaded it."""

    def __init__(self, message: str = STALE_MESSAGE):
        super().__init__(message, code="stale")


def record_history(*instances: Model, update: bool = True, reason: str = "") -> None:
    """One django-simple-history row per instance, as they stand now, for writes that bypass save().

    The user comes from the request (simple_history's middleware) unless `_history_user` is set.
    """
    if instances:
        type(instances[0]).history.bulk_history_create(list(instances), update=update, default_change_reason=reason)


@transaction.atomic
def save_if_unchanged(instance: Model, *, expected_version: int, fields: list[str]) -> None:
    """UPDATE ... SET fields, version = version + 1 WHERE pk = ... AND version = expected_version.

    The check lives in the UPDATE's WHERE clause, so two editors racing cannot both win. The audit
    trail gets one row for the change (no second save of the same values).
    """
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise StaleEdit()
    instance.version = expected_version + 1
    record_history(instance)


class MovesVersionOn:
    """Admin changes move the row's version on, like every save in the app.

    Someone who loaded the row in the app before the admin changed it then gets the "someone
    else saved this" refusal instead of writing over the admin's change.
    """

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
