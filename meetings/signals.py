"""What meetings' services announce, for apps built on top (notifications) to act on.

Sent inside the service's transaction, after its write: a receiver's own writes commit or roll back
with it, and anything slow (sending email) it defers with `transaction.on_commit`.
"""

from django.dispatch import Signal

# sender=Meeting, meeting=<the locked, saved meeting>, by=<user or None>
minutes_circulated = Signal()
minutes_approved = Signal()
