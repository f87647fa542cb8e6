"""flask sweep [--at] and flask jobs list."""
from datetime import date

from tests.plugins.world import KEMIRI, wib


def test_sweep_prints_what_it_changed(app, db, area, make_election, make_ticket_at):
    make_election("pilkades", date(2026, 12, 20), scope={"villages": [KEMIRI]})
    make_ticket_at(wib(2026, 12, 1, 8), severity="critical")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sweep", "--at", "2026-12-18T08:00:00+07:00"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "raised 1, cleared 0, escalated 1, silent 1"
    again = runner.invoke(args=["sweep", "--at", "2026-12-18T01:00:00Z"])
    assert again.output.strip() == "raised 0, cleared 0, escalated 0, silent 1"
    from tracker.jobs.models import JobRun

    assert db.session.query(JobRun).count() == 0      # a pass by hand claims no slot


def test_sweep_refuses_a_moment_without_offset(app):
    result = app.test_cli_runner().invoke(args=["sweep", "--at", "2026-12-18T08:00:00"])
    assert result.exit_code != 0 and "offset" in result.output
    result = app.test_cli_runner().invoke(args=["sweep", "--at", "tomorrow"])
    assert result.exit_code != 0 and "ISO 8601" in result.output


def test_jobs_list_shows_runs_and_failures(app, db):
    from tracker.jobs.runner import run_job

    def broken(now):
        raise ValueError("no such table")

    run_job("sweep", lambda now: "raised 0, cleared 0, escalated 0, silent 0", wib(2026, 12, 1, 8), "s1")
    run_job("digests", broken, wib(2026, 12, 1, 8), "s1")
    output = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    assert "sweep" in output and "done" in output and "raised 0" in output
    assert "failed" in output and "ValueError: no such table" in output
