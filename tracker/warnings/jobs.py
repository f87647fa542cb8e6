"""The early-warning scheduler job."""
from tracker.warnings.services import sweep


def sweep_job(now):
    """One sweep as of ``now``; returns ``raised N, cleared M, escalated K, silent S``."""
    return str(sweep(now))
