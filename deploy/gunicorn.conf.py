"""gunicorn settings for Waspada: ``gunicorn --config deploy/gunicorn.conf.py run:app``.

Each setting can be overridden from the environment (the systemd unit's
EnvironmentFile, or docker-compose):

  GUNICORN_BIND      where to listen (default 127.0.0.1:8000: nginx in front)
  WEB_CONCURRENCY    worker processes (default 2 x CPU + 1, at most 12)
  GUNICORN_TIMEOUT   seconds a worker may spend on one request before it is restarted (default 60)

Workers are plain sync workers: nginx buffers whole requests (photo uploads
from slow phones) and responses, so a worker never waits on a slow client.
The scheduler never runs here: it is its own process (waspada-scheduler).

With PROMETHEUS_MULTIPROC_DIR set, /metrics adds up every worker's counts
(prometheus-client's multiprocess mode): the folder is emptied when the
master starts, and a dead worker's live gauges are dropped.
"""
import multiprocessing
import os


def _int(name, default):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer (got {raw!r})") from None


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12))
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
# A TERM lets running requests finish for this long (systemd's TimeoutStopSec is longer).
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# The app's own request line (tracker.ops) says more; this is the classic one, with the
# request id the app returns, the time taken in microseconds and the client nginx saw.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s %(D)sus '
    '"%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
)
# The app reads X-Forwarded-* through its own ProxyFix (TRUSTED_PROXIES); gunicorn trusts
# only a proxy on this host for its own wsgi.url_scheme.
forwarded_allow_ips = "127.0.0.1"
proc_name = "waspada-web"


def _metrics_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def on_starting(server):
    """Empty the metrics folder: counts from a previous run must not be added to this one."""
    folder = _metrics_dir()
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """Drop a dead worker's live gauges (its counters stay, as Prometheus expects)."""
    if _metrics_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
