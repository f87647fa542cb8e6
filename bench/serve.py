"""Throughput under gunicorn, and the resident memory of a web worker.

The load generator is bounded on purpose: threads with ``http.client``
against 127.0.0.1 only, a fixed number of requests and a time cap. Both
the application and the bare endpoint are served by gunicorn with the same
settings and hit by the same generator, so the ratio compares like with
like (the generator's own CPU cost is the same on both sides).
"""
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

from bench import REPO
from bench.appsetup import logged_in_client, server_env
from bench.figures import Figure, median, percentile
from bench.measure import dashboard_path

# Issue 16's targets (issue 7 asked 40% on both; round 2 measured 16% / 7%).
THROUGHPUT_RATIO_LIMITS = {"sqlite": 0.30, "postgresql": 0.20}
WORKER_RSS_LIMIT_MB = 150


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn():
    return os.path.join(os.path.dirname(sys.executable), "gunicorn")


class Gunicorn:
    """``gunicorn -w N`` on a free loopback port, stopped on exit."""

    def __init__(self, target, env, workers, ready_path):
        self.target, self.env, self.workers, self.ready_path = target, env, workers, ready_path
        self.port = _free_port()
        self.process = None
        self.log = tempfile.TemporaryFile()

    def __enter__(self):
        self.process = subprocess.Popen(
            [_gunicorn(), "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
             "--chdir", REPO, "--timeout", "300", self.target],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.target} exited: {self.output()}")
            try:
                status, _body = request(self.port, self.ready_path)
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.target} did not answer in 90 s: {self.output()}")

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def worker_pids(self):
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(entry))
        return sorted(pids)

    def __exit__(self, *_exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def request(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port, path, headers, *, requests, clients, seconds):
    """Send ``requests`` GETs from ``clients`` threads (stopping after ``seconds``); returns a summary."""
    lock = threading.Lock()
    state = {"issued": 0}
    latencies, failures = [], []
    deadline = time.monotonic() + seconds

    def client():
        while True:
            with lock:
                if state["issued"] >= requests or time.monotonic() > deadline:
                    return
                state["issued"] += 1
            started = time.perf_counter()
            try:
                status, _body = request(port, path, headers)
            except OSError as error:
                failures.append(str(error))
                continue
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    failures.append(f"HTTP {status}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"ok": len(latencies), "failed": len(failures), "seconds": elapsed,
            "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50": median(latencies) if latencies else None,
            "p95": percentile(latencies, 0.95) if latencies else None,
            "errors": sorted(set(failures))[:3]}


def measure_throughput(bench):
    """App vs bare Flask under gunicorn; then the RSS of the app's workers."""
    path = "2. ticket list API"
    options = bench.options
    label = f"throughput, gunicorn {options.workers} workers, {options.clients} clients"
    limit = THROUGHPUT_RATIO_LIMITS["postgresql" if bench.database_url.startswith("postgresql") else "sqlite"]
    if bench.api_body is None:
        bench.add(Figure(path, label, detail="no Kodim first page was captured (API not available)",
                         target=f"≥ {limit:.0%} of bare Flask", verdict="not available"))
        return measure_worker_rss(bench, None)
    url, body, headers = bench.api_body
    headers = dict(headers)
    warmup = options.workers * options.clients
    with Gunicorn("run:app", server_env(bench.database_url), options.workers, "/healthz") as server:
        load(server.port, url, headers, requests=warmup, clients=options.clients, seconds=60)
        app_run = load(server.port, url, headers, requests=options.load_requests, clients=options.clients,
                       seconds=options.load_seconds)
        rss = measure_worker_rss(bench, server)
    with tempfile.NamedTemporaryFile(suffix=".json") as body_file:
        body_file.write(body)
        body_file.flush()
        env = dict(os.environ, BENCH_BARE_BODY=body_file.name)
        with Gunicorn("bench.bare:app", env, options.workers, "/") as bare:
            load(bare.port, url, headers, requests=warmup, clients=options.clients, seconds=60)
            bare_run = load(bare.port, url, headers, requests=options.load_requests, clients=options.clients,
                            seconds=options.load_seconds)
    ratio = app_run["rps"] / bare_run["rps"] if bare_run["rps"] else 0.0
    detail = (f"app {app_run['ok']:,} ok / {app_run['failed']} failed in {app_run['seconds']:.1f} s, "
              f"p50 {app_run['p50'] * 1000 if app_run['p50'] else 0:.0f} ms; "
              f"bare {bare_run['rps']:,.0f} req/s; {len(body):,} B per response")
    if app_run["errors"]:
        detail += f"; errors: {', '.join(app_run['errors'])}"
    bench.add(Figure(path, label, value=f"{app_run['rps']:,.0f} req/s = {ratio:.0%} of bare",
                     detail=detail, target=f"≥ {limit:.0%} of bare Flask",
                     verdict="met" if ratio >= limit and not app_run["failed"] else "missed"))
    return rss


def measure_worker_rss(bench, server):
    """Resident memory of the app's gunicorn workers after the load, a dashboard visit each, and the lists."""
    path, case = "7. web worker memory", "RSS of one worker after the run"
    target = f"≤ {WORKER_RSS_LIMIT_MB} MB"
    if server is None:
        with Gunicorn("run:app", server_env(bench.database_url), bench.options.workers, "/healthz") as fresh:
            return measure_worker_rss(bench, fresh)
    dashboard = dashboard_path(bench.app)
    if dashboard is not None:
        client = logged_in_client(bench.app, bench.dataset.kodim_user)
        cookie = client.get_cookie("session")
        if cookie is not None:
            headers = {"Cookie": f"session={cookie.value}"}
            load(server.port, dashboard, headers, requests=bench.options.workers * 4, clients=bench.options.workers,
                 seconds=120)
    sizes = [rss_mb(pid) for pid in server.worker_pids()]
    figure = Figure(path, case, value=f"{max(sizes):.0f} MB",
                    detail="workers: " + ", ".join(f"{s:.0f}" for s in sizes) + " MB",
                    target=target, verdict="met" if max(sizes) <= WORKER_RSS_LIMIT_MB else "missed")
    bench.add(figure)
    return sizes
