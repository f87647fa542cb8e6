"""The periodic jobs a deployment runs, and their periods.

Shared by the scheduler, which runs them, and the job health check, which
watches them; targets are ``module:function`` names, imported only when a
slot runs, so reading the specs loads no feature.
"""
from dataclasses import dataclass

RETENTION_MINUTES = 30 * 24 * 60


@dataclass(frozen=True)
class JobSpec:
    """A periodic job: its name, the ``module:function`` it runs, its period, and its public name.

    ``label`` is the name health checks and metrics show when it differs
    from the job's own (the outbox relay is "relay" there). ``is_watched``
    false: /healthz/jobs does not watch it (the monthly retention, whose
    lateness is no early-warning outage).
    """

    name: str
    target: str
    minutes: int
    label: str = ""
    is_watched: bool = True

    @property
    def public_name(self):
        """The name /healthz/jobs and /metrics use."""
        return self.label or self.name


def job_specs(app):
    """The jobs this deployment runs (the sweep period comes from SWEEP_INTERVAL_MINUTES)."""
    return (
        JobSpec("sweep", "tracker.warnings.jobs:sweep_job", app.config["SWEEP_INTERVAL_MINUTES"]),
        JobSpec("digests", "tracker.digests.jobs:run_digests", 15),
        JobSpec("outbox", "tracker.digests.jobs:relay_outbox", 1, label="relay"),
        # Monthly (30 days): personal data past RETENTION_CLOSED_DAYS (UU 27/2022).
        JobSpec("retention", "tracker.retention.jobs:retention_job", RETENTION_MINUTES, is_watched=False),
    )
