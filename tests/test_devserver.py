"""``make run``'s server process: serves the login page and /healthz, and stops cleanly."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

# Starts the development server and its scheduler as processes.
pytestmark = pytest.mark.slow
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait_until_serving(url, process, attempts=240):
    for _ in range(attempts):
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}")
        try:
            return _get(url)
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.25)
    pytest.fail("the server did not answer")


def _port_is_closed(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def devserver(tmp_path):
    port = _free_port()
    env = {
        **os.environ, "PORT": str(port), "WASPADA_SCHEDULER": "off", "WASPADA_CONFIG": "development",
        "WASPADA_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/waspada.sqlite3",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker.devserver"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    yield port, process
    if process.poll() is None:
        # SIGTERM first: the server stops its own children (they run in their own sessions).
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serves_healthz_and_the_login_page_then_stops_its_children_on_sigterm(devserver):
    port, process = devserver
    base = f"http://127.0.0.1:{port}"
    status, body = _wait_until_serving(f"{base}/healthz", process)
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
    status, body = _get(f"{base}/login")
    assert status == 200 and 'name="password"' in body

    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    for _ in range(40):
        if _port_is_closed(port):
            break
        time.sleep(0.25)
    assert _port_is_closed(port), "the reloader's server process outlived make run"
