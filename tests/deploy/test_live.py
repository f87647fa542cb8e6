"""The kit for real: gunicorn with deploy/gunicorn.conf.py and the scheduler process against PostgreSQL.

A database of its own on the PostgreSQL server of TEST_DATABASE_URL (or
127.0.0.1:5432 on the SQLite run); skipped only when no server answers.
``flask db upgrade``, then gunicorn (two workers) on a free port and the
scheduler (sweep every minute) as the systemd units start them, as
subprocesses: /healthz, /healthz/jobs once the scheduler's first runs are
in, /metrics with its token (the workers' counts added up), then both are
stopped with SIGTERM, as systemd stops them.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
TOKEN = "deploy-test-metrics-token"
# Generous bounds for a loaded machine; only to end a wait that would never succeed.
START_WAIT = 90
STOP_WAIT = 45


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database():
    """A new PostgreSQL database (URL), dropped afterwards; skips when no PostgreSQL server answers."""
    import psycopg

    configured = os.environ.get("TEST_DATABASE_URL", "")
    base = make_url((configured if configured.startswith(("postgres://", "postgresql")) else DEFAULT_SERVER)
                    .replace("postgres://", "postgresql://", 1))
    server = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    try:
        psycopg.connect(server, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server answers at {base.render_as_string()}: {str(error).strip()}")
    name = f"{base.database if configured else 'waspada'}_deploy_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def environment(database, tmp_path):
    """The units' environment file, as a production install sets it (short sweep period).

    As in the units, only the web gets PROMETHEUS_MULTIPROC_DIR (the test adds it).
    """
    port = _free_port()
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("TEST_DATABASE", "PYTEST", "WASPADA_", "PROMETHEUS", "GUNICORN_", "WEB_"))}
    env.update({
        "WASPADA_CONFIG": "production", "SECRET_KEY": "deploy-test-secret", "DATABASE_URL": database,
        "WASPADA_INSTANCE": str(tmp_path / "instance"), "METRICS_TOKEN": TOKEN, "LOG_FORMAT": "json",
        "SWEEP_INTERVAL_MINUTES": "1", "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
        "HSTS": "off",
    })
    return env, f"http://127.0.0.1:{port}"


def _get(url, token=None):
    """(status, headers, body text) of a GET; None while nothing listens."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(check, what, processes):
    """Poll ``check()`` until it returns something truthy; fail naming ``what`` (with the logs) if never."""
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        for name, process, log in processes:
            if process.poll() is not None:
                pytest.fail(f"{name} exited ({process.returncode}) while waiting for {what}:\n{log.read_text()[-3000:]}")
        result = check()
        if result:
            return result
        time.sleep(0.5)
    logs = "\n".join(f"--- {name}\n{log.read_text()[-3000:]}" for name, _p, log in processes)
    pytest.fail(f"gave up waiting for {what}\n{logs}")


def _start(command, env, log):
    handle = open(log, "wb")
    try:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        handle.close()


def _stop(process):
    """SIGTERM, as systemd stops a unit; returns the exit code (killed after STOP_WAIT)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode


def _sample(text, name, **labels):
    """The value of one Prometheus sample in exposition ``text`` (None when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match.group(1) == name and ",".join(sorted((match.group(2) or "").split(","))) == wanted:
            return float(match.group(3))
    return None


def test_gunicorn_and_the_scheduler_serve_health_jobs_and_metrics_on_postgresql(environment, tmp_path):
    env, base = environment
    upgrade = subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", "db", "upgrade"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=300)
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]

    web_log, scheduler_log = tmp_path / "web.log", tmp_path / "scheduler.log"
    metrics_dir = tmp_path / "metrics"
    web = _start([sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "run:app"],
                 {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}, web_log)
    scheduler = _start([sys.executable, "-m", "flask", "--app", "tracker", "scheduler"], env, scheduler_log)
    processes = [("gunicorn", web, web_log), ("scheduler", scheduler, scheduler_log)]
    try:
        status, headers, body = _wait_for(lambda: _get(base + "/healthz"), "/healthz", processes)
        assert status == 200 and json.loads(body)["database"] == "ok"
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-Id"])

        def jobs_ran():
            answer = _get(base + "/healthz/jobs")
            if answer and answer[0] == 200:
                jobs = json.loads(answer[2])["jobs"]
                if all(job["last_ok"] for job in jobs.values()):
                    return jobs
            return None

        jobs = _wait_for(jobs_ran, "the scheduler's first runs in /healthz/jobs", processes)
        assert set(jobs) == {"sweep", "digests", "relay"}
        assert not any(job["late"] for job in jobs.values())

        for _ in range(10):
            assert _get(base + "/healthz")[0] == 200
        assert _get(base + "/metrics")[0] == 401
        status, headers, metrics = _get(base + "/metrics", token=TOKEN)
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        # Both workers' requests, added up in the multiprocess folder.
        served = _sample(metrics, "waspada_http_requests_total", endpoint="main.healthz", status="200")
        assert served is not None and served >= 11
        for job in ("sweep", "digests", "relay"):
            assert _sample(metrics, "waspada_job_last_success_timestamp_seconds", job=job) > 0
        assert any(name.endswith(".db") for name in os.listdir(metrics_dir))
    finally:
        codes = {name: _stop(process) for name, process, _log in processes}

    assert codes == {"gunicorn": 0, "scheduler": 0}, {n: log.read_text()[-2000:] for n, _p, log in processes}
    access = web_log.read_text()
    assert re.search(r'"GET /healthz HTTP/1.1" 200 \d+ \d+us .* request_id=[0-9a-f]{32}', access), access[-2000:]
