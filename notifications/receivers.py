"""meetings' signals, answered: circulated and approved minutes go out by email."""

from django.dispatch import receiver

from meetings.signals import minutes_approved, minutes_circulated

from .services import minutes_notify


@receiver(minutes_circulated, dispatch_uid="notifications-minutes-circulated")
def on_minutes_circulated(sender, meeting, **kwargs):
    minutes_notify(meeting=meeting, approved=False)


@receiver(minutes_approved, dispatch_uid="notifications-minutes-approved")
def on_minutes_approved(sender, meeting, **kwargs):
    minutes_notify(meeting=meeting, approved=True)
