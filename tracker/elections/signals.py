"""What the elections feature tells the features built on its calendar.

Elections know nothing of what others build on them. A feature that must
follow an election change connects to these signals: the warnings feature
clears the flags an edit or a removal makes moot, and keeps the sweep out
until the change commits (``tracker.warnings.flags``). Receivers run in the
sender's transaction and flush; the caller commits.
"""
from blinker import Namespace

_signals = Namespace()

# Sent with the election after an edit is flushed; keywords ``actor`` (None:
# the command line), ``at`` and ``area_changed`` (the area was given anew).
election_edited = _signals.signal("election-edited")
# Sent with the election after its removal is flushed; keywords ``actor`` and
# ``at``. Each receiver returns how many active flags it cleared.
election_removed = _signals.signal("election-removed")
