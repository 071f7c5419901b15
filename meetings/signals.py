"""What meetings' services announce, for the apps built on top (documents, notifications), which
meetings never imports.

Sent inside the service's transaction, after its write, holding the meeting's row lock: a
receiver's own writes commit or roll back with it (an exception rolls the service back), and
anything slow (sending email) it defers with `transaction.on_commit`.
"""

from django.dispatch import Signal

# sender=Meeting, meeting=<the locked, saved meeting>, by=<user or None>
minutes_circulated = Signal()

# sender=Meeting, meeting=<approved, approved_at and approved_by set>, by=<user or None>,
# version=<the MinutesVersion number to make>. The documents app renders and stores the minutes
# there (documents.apps).
minutes_approved = Signal()
