"""The monthly retention job the scheduler runs (tracker/jobs/specs.py)."""
from tracker.retention.services import apply_retention


def retention_job(now):
    """Anonymise the tickets and visits past RETENTION_CLOSED_DAYS at ``now``; returns a summary line."""
    counts = apply_retention(now)
    return f"anonymised {counts.summary()}"
