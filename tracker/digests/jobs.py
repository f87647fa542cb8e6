"""The digests feature's scheduler jobs.

Plain functions: the scheduler's runner opens the app context, claims the
slot, calls them with the slot's time and commits once. They only flush.
"""
from tracker.digests.outbox import format_counts, relay
from tracker.digests.services import decide_digests, due_digests


def run_digests(now):
    """Decide every digest due at ``now`` (runs every 15 minutes); returns a summary line.

    Due: the recipient's local clock has passed DIGEST_HOUR today, within
    the catch-up cut-off, and his digest for that local date is not decided
    yet; running twice decides nothing new.
    """
    decisions = decide_digests(due_digests(now), now)
    skipped = sum(1 for d in decisions if d.is_skipped)
    return f"queued {len(decisions) - skipped} digests, skipped {skipped} empty"


def relay_outbox(now):
    """Send the outbox rows that are due once; returns ``sent N, retrying M, failed K``."""
    return format_counts(relay(now))
