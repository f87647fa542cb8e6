"""GET /metrics: off without METRICS_TOKEN, only with the bearer token, the agreed names, and job
metrics read from the database so a dead scheduler's last success stands still."""
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from tests.plugins.world import raise_flag
from tracker.digests.outbox import queue_message
from tracker.scheduler import job_specs, run_scheduled

TOKEN = "metrics-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)
NAMES = (
    "waspada_http_requests_total", "waspada_http_request_duration_seconds",
    "waspada_job_last_success_timestamp_seconds", "waspada_job_duration_seconds", "waspada_job_runs_total",
    "waspada_outbox_messages", "waspada_outbox_oldest_pending_seconds", "waspada_flags_active", "waspada_tickets",
    "waspada_login_failures_total", "waspada_login_lockouts_total", "waspada_db_pool_in_use", "waspada_job_late",
)


@pytest.fixture
def metrics_on(app):
    app.config["METRICS_TOKEN"] = TOKEN
    return app


def scrape(client):
    """{(name, frozenset of labels): value} of one authorised scrape."""
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def test_metrics_answer_404_while_no_token_is_set(app, client):
    app.config["METRICS_TOKEN"] = None
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


@pytest.mark.parametrize("header, status", [
    (None, 401),
    ("Basic " + TOKEN, 401),
    ("Bearer ", 401),
    ("Bearer wrong-token", 403),
    ("Bearer " + TOKEN[:-1], 403),
    ("Bearer " + TOKEN + "x", 403),
    ("Bearer " + TOKEN, 200),
    ("bearer " + TOKEN, 200),
])
def test_metrics_need_the_bearer_token(metrics_on, client, header, status):
    response = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert response.status_code == status
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if status != 200:
        assert "waspada_" not in response.get_data(as_text=True)


def test_every_agreed_metric_name_is_exposed(metrics_on, client, db):
    client.get("/healthz")
    with time_machine.travel(T0, tick=False):
        for spec in job_specs(metrics_on):
            run_scheduled(metrics_on, spec)
        text = client.get("/metrics", headers=AUTH).get_data(as_text=True)
    exposed = {family.name for family in text_string_to_metric_families(text)}
    exposed |= {sample.name for family in text_string_to_metric_families(text) for sample in family.samples}
    missing = [name for name in NAMES if name not in exposed]
    assert not missing
    assert "# TYPE waspada_http_request_duration_seconds histogram" in text


def test_requests_are_counted_by_endpoint_and_status(metrics_on, client):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page")
    after = scrape(client)

    def delta(name, **labels):
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert delta("waspada_http_requests_total", endpoint="main.healthz", status="200") == 2
    assert delta("waspada_http_requests_total", endpoint="none", status="404") == 1
    assert delta("waspada_http_request_duration_seconds_count", endpoint="main.healthz") == 2


def test_a_dead_scheduler_shows_its_last_success_standing_still(metrics_on, client, db):
    metrics_on.config["SWEEP_INTERVAL_MINUTES"] = 2
    with time_machine.travel(T0, tick=False) as clock:
        for spec in job_specs(metrics_on):
            assert run_scheduled(metrics_on, spec) == "done"
        first = scrape(client)
        clock.move_to(T0 + timedelta(minutes=5))     # the scheduler is dead: nothing runs
        later = scrape(client)
    for job in ("sweep", "digests", "relay"):
        assert value(first, "waspada_job_last_success_timestamp_seconds", job=job) == T0.timestamp()
        assert value(later, "waspada_job_last_success_timestamp_seconds", job=job) == T0.timestamp()
        assert value(later, "waspada_job_runs_total", job=job, outcome="done") == 1
        assert value(later, "waspada_job_duration_seconds", job=job) >= 0
    assert value(first, "waspada_job_late", job="sweep") == 0
    assert value(later, "waspada_job_late", job="sweep") == 1
    assert value(later, "waspada_job_late", job="digests") == 0


def test_failed_and_locked_logins_are_counted(metrics_on, client, world):
    metrics_on.config["LOGIN_MAX_FAILURES"] = 2
    before = scrape(client)
    for _ in range(3):
        client.post("/login", data={"username": "koramil", "password": "wrong password"})
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("waspada_login_failures_total", reason="credentials") == 2
    assert delta("waspada_login_failures_total", reason="locked") == 1
    assert delta("waspada_login_lockouts_total") == 1


def test_outbox_flags_and_tickets_are_read_at_scrape_time(metrics_on, client, db, world, make_ticket):
    for key, status in (("a", "pending"), ("b", "pending"), ("c", "failed")):
        queue_message(key=key, to_address="x@example.org", subject="s", body_text="t", body_html="h",
                      now=T0, status=status)
    queue_message(key="d", to_address="x@example.org", subject="s", body_text="t", body_html="h",
                  now=T0 + timedelta(minutes=30))
    db.session.execute(db.text("UPDATE outbox_message SET attempts = 2 WHERE key = 'b'"))
    flagged = make_ticket(world.babinsa)
    make_ticket(world.babinsa, status="triaged")
    make_ticket(world.babinsa, status="resolved")
    raise_flag(flagged)
    db.session.commit()
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        samples = scrape(client)
    assert value(samples, "waspada_outbox_messages", status="pending") == 2
    assert value(samples, "waspada_outbox_messages", status="retrying") == 1
    assert value(samples, "waspada_outbox_messages", status="failed") == 1
    assert value(samples, "waspada_outbox_oldest_pending_seconds") == 3600
    assert value(samples, "waspada_flags_active") == 1
    assert value(samples, "waspada_tickets", status="new") == 1
    assert value(samples, "waspada_tickets", status="triaged") == 1
    assert value(samples, "waspada_tickets", status="resolved") == 1
    assert value(samples, "waspada_tickets", status="closed") == 0


def test_the_pool_gauge_counts_connections_in_use(metrics_on, app, client):
    from tracker.extensions import db as _db

    before = value(scrape(client), "waspada_db_pool_in_use")
    with _db.engine.connect():
        during = value(scrape(client), "waspada_db_pool_in_use")
    assert during == before + 1


WORKER = textwrap.dedent("""
    import sys
    from tracker import create_app
    from tracker.extensions import db
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": sys.argv[1], "METRICS_TOKEN": "t"})
    if sys.argv[2] == "create":
        with app.app_context():
            db.create_all()
    client = app.test_client()
    for _ in range(int(sys.argv[3])):
        assert client.get("/healthz").status_code == 200
    if sys.argv[2] == "scrape":
        sys.stdout.write(client.get("/metrics", headers={"Authorization": "Bearer t"}).get_data(as_text=True))
""")


@pytest.mark.slow  # three Python processes
def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    """Three processes (as gunicorn workers) share PROMETHEUS_MULTIPROC_DIR; any one's scrape sums them."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    url = "sqlite:///" + str(tmp_path / "workers.sqlite3")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": root}

    def worker(mode, requests):
        done = subprocess.run([sys.executable, "-c", WORKER, url, mode, str(requests)], env=env, cwd=root,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    worker("create", 2)
    worker("serve", 3)
    text = worker("scrape", 1)
    samples = {(s.name, frozenset(s.labels.items())): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert samples[("waspada_http_requests_total", frozenset({("endpoint", "main.healthz"), ("status", "200")}))] == 6
    assert samples[("waspada_database_up", frozenset())] == 1
