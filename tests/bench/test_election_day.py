"""The election-day load test (bench/election_day.py) runs end to end on a tiny data set, so it cannot rot.

Through ``python -m bench --only electionday``: eight locust users for one
short step against gunicorn, on SQLite and, when ``TEST_DATABASE_URL`` names
a PostgreSQL server, on a database of its own there (the harness's
fixtures). Timings are not asserted (they belong in the benchmark, and the
step may well be over 300 ms on a busy machine); what is asserted: the step
ran with no failed request, every action of the mix was exercised (forms
with CSRF, both outbox replays with photos, the triage transition, the Kodim
pages, the API list), the bare ceiling was measured, and the results file
has the block and the main table's row.
"""
import pytest

from bench import cli, election_day
from tests.bench.test_harness import bench_database, tiny_regions  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def test_a_tiny_election_day_exercises_every_action_without_errors(bench_database, tiny_regions, tmp_path,
                                                                    monkeypatch):
    output = tmp_path / "RESULTS.md"
    outcomes = []
    measure = election_day.measure
    monkeypatch.setattr(election_day, "measure", lambda *a, **k: outcomes.append(measure(*a, **k)) or outcomes[-1])

    status = cli.main([
        "--tickets", "400", "--regions", tiny_regions, "--database", bench_database, "--output", str(output),
        "--workers", "2", "--at", "2026-11-20T08:00:00+07:00", "--only", "electionday",
        "--election-start-users", "8", "--election-max-users", "8", "--election-step-seconds", "12",
        "--election-think", "0.1", "0.3", "--election-no-retry",
    ], log=lambda _line: None)

    assert status == 0
    (outcome,) = outcomes
    (step,) = outcome.steps
    assert step.users == 8 and step.total.count > 0
    assert step.total.failures == 0, step.failures
    assert [action for action, count in step.actions().items() if count == 0] == []
    assert outcome.bare is not None and outcome.bare.total.count > 0 and outcome.bare.total.failures == 0
    text = output.read_text(encoding="utf-8")
    assert "## Election day (issue 16)" in text
    assert "| errors | 0 |" in text
    assert "| 8 | election day · sustained rate at p95 ≤ 300 ms |" in text


def test_users_double_up_to_the_most():
    assert election_day.user_steps(8, 64) == [8, 16, 32, 64]
    assert election_day.user_steps(8, 50) == [8, 16, 32, 50]
    assert election_day.user_steps(5, 5) == [5]


def test_a_step_is_good_only_within_the_p95_and_without_failures():
    def step(p95, failures):
        return election_day.Step(users=8, seconds=10, total=election_day.Row(
            "Aggregated", count=100, failures=failures, rps=10.0, p50=0.05, p95=p95, maximum=0.5))

    assert step(0.300, 0).within(0.300)
    assert not step(0.301, 0).within(0.300)
    assert not step(0.100, 1).within(0.300)
