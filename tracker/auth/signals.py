"""What the auth feature tells the features built on it: its security events.

Auth knows nothing of the audit log; the audit feature connects to
``security_event`` and records each one (``tracker.audit``). Receivers run
in the sender's transaction and flush; the caller commits, so an event is
kept exactly when what it describes is.
"""
from blinker import Namespace

_signals = Namespace()

# Sent with the event's kind (e.g. "login.failed", "user.role_changed") as the
# sender; keywords: ``user`` (the account concerned, or None), and optionally
# ``actor`` (who acted, when not the request's signed-in user), ``address``
# (the client's, when the sender knows it) and ``detail`` (a dict of plain
# values; never a password, token, key or hash).
security_event = _signals.signal("security-event")


def announce(kind, *, user=None, **keywords):
    """Send ``security_event`` for ``kind``."""
    security_event.send(kind, user=user, **keywords)
