"""The digests feature's scheduler jobs.

Plain functions: the scheduler's runner opens the app context, claims the
slot, calls them with the slot's time and commits once. They only flush.
"""
from tracker.audit.services import purge_expired
from tracker.digests.outbox import format_counts, relay
from tracker.digests.services import decide_digests, due_digests
from tracker.idempotency.services import purge_expired_keys


def run_digests(now):
    """Decide every digest due at ``now`` (runs every 15 minutes); returns a summary line.

    Due: the recipient's local clock has passed DIGEST_HOUR today, within
    the catch-up cut-off, and his digest for that local date is not decided
    yet; running twice decides nothing new. The run also deletes the
    idempotency keys older than IDEMPOTENCY_KEEP_DAYS at ``now`` (the
    daily housekeeping; a second run finds none), and says so when it did;
    expired security records go too (``audit.services.purge_expired``, which logs it).
    """
    decisions = decide_digests(due_digests(now), now)
    skipped = sum(1 for d in decisions if d.is_skipped)
    summary = f"queued {len(decisions) - skipped} digests, skipped {skipped} empty"
    purge_expired(now)
    purged = purge_expired_keys(now)
    return f"{summary}, purged {purged} idempotency keys" if purged else summary


def relay_outbox(now):
    """Send the outbox rows that are due once; returns ``sent N, retrying M, failed K``."""
    return format_counts(relay(now))
