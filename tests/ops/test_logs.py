"""Request ids and log lines: one line per request (plain or JSON), a job run's line with its counts,
and no secret in any of them."""
import io
import json
import logging
import re
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
import time_machine

from tests.plugins.world import DEMO_PASSWORD
from tracker.jobs.runner import run_job
from tracker.ops.logs import configure_logging, make_handler

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)


@contextmanager
def log_lines(fmt, logger=""):
    """The lines the app's handler writes in format ``fmt`` while the block runs (all loggers by default)."""
    stream = io.StringIO()
    handler = make_handler(fmt, stream)
    target = logging.getLogger(logger)
    target.addHandler(handler)
    lines = []
    try:
        yield lines
    finally:
        target.removeHandler(handler)
        lines.extend(line for line in stream.getvalue().splitlines() if line)


def test_a_sane_request_id_is_kept_and_answered(client):
    response = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.42:ab_CD"})
    assert response.headers["X-Request-Id"] == "lb-7f3a.42:ab_CD"


@pytest.mark.parametrize("header", [None, "", "two words", "x" * 129, "id\tforged", "ünicode", "a;b"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, header):
    response = client.get("/healthz", headers={"X-Request-Id": header} if header is not None else {})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])


def test_each_request_gets_its_own_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_one_json_line_per_request_with_id_user_endpoint_status_and_duration(client, world, login):
    login("koramil")
    with log_lines("json", "tracker.request") as lines:
        response = client.get("/tickets/?q=secret-query-text&token=abc123", headers={"X-Request-Id": "req-1"})
    assert response.status_code == 200
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["request_id"] == "req-1"
    assert line["user_id"] == world.koramil.id
    assert line["endpoint"] == "tickets.index"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["path"] == "/tickets/"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["logger"] == "tracker.request"
    assert datetime.fromisoformat(line["time"])
    assert "secret-query-text" not in lines[0] and "abc123" not in lines[0]


def test_the_plain_line_carries_the_request_id(client):
    with log_lines("plain", "tracker.request") as lines:
        client.get("/no/such/page", headers={"X-Request-Id": "plain-1"})
    assert len(lines) == 1
    assert "[plain-1]" in lines[0] and "GET /no/such/page none 404" in lines[0] and "user=-" in lines[0]


def test_a_forged_path_cannot_start_a_second_line(client):
    with log_lines("plain", "tracker.request") as lines:
        client.get("/x%0a2026-12-01 INFO forged")
    assert len(lines) == 1 and "\\x0a" in lines[0]


def test_a_login_logs_no_password_cookie_or_token(client, area, api_token):
    headers = api_token(area.koramil)
    with log_lines("json") as lines:
        client.post("/login", data={"username": "danramil", "password": "not-the-password-xyz"})
        response = client.post("/login", data={"username": "danramil", "password": DEMO_PASSWORD})
        cookie = response.headers.get("Set-Cookie", "")
        assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    text = "\n".join(lines)
    assert lines and all(json.loads(line) for line in lines)
    assert "not-the-password-xyz" not in text and DEMO_PASSWORD not in text
    session_value = cookie.split(";")[0].partition("=")[2]
    assert session_value and session_value not in text
    assert headers["Authorization"].split()[1] not in text


def test_a_job_run_is_logged_with_its_counts(app, db):
    with log_lines("json", "tracker.jobs") as lines, time_machine.travel(T0, tick=False):
        run_job("sweep", lambda now: "raised 2, cleared 1, escalated 0, silent 3", T0, "2026-12-01T01:00Z")
    line = json.loads(lines[-1])
    assert (line["job"], line["outcome"], line["slot"]) == ("sweep", "done", "2026-12-01T01:00Z")
    assert line["summary"] == "raised 2, cleared 1, escalated 0, silent 3"
    assert "raised 2, cleared 1" in line["message"] and line["duration_seconds"] >= 0


@pytest.mark.parametrize("name, value", [("LOG_FORMAT", "xml"), ("LOG_LEVEL", "LOUD")])
def test_an_unknown_log_setting_is_refused_by_name(app, name, value):
    app.config[name] = value
    with pytest.raises(RuntimeError, match=name):
        configure_logging(app)


@pytest.mark.own_app
def test_a_migration_run_in_the_process_leaves_the_apps_loggers_working(tmp_path):
    """``flask backup restore`` upgrades in its own process; alembic's logging setup must not silence ours."""
    from flask_migrate import upgrade

    from tracker import create_app

    runner_log = logging.getLogger("tracker.jobs.runner")  # exists before the migration, as in the app
    app = create_app({"CONFIG_NAME": "testing",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite3'}"})
    with app.app_context():
        upgrade()
    with log_lines("plain", "tracker") as lines:
        runner_log.error("still heard")
    assert not runner_log.disabled
    assert any("still heard" in line for line in lines)
