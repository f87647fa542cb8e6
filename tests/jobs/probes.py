"""Job functions for the runner and scheduler tests (importable by name, also in child processes)."""
import os
import time

CALLS = []


def count_run(now):
    """Record the call in memory."""
    CALLS.append(now)
    return f"call {len(CALLS)}"


def slow_probe(path, now):
    """Append a line to ``path``, hold the slot a moment, and say so."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {now.isoformat()}\n")
    time.sleep(1.0)
    return "probed"


def run_in_child(database_url, path, now, slot, barrier, results):
    """A second process: its own app and connection, racing for the same slot."""
    from functools import partial

    from tracker import create_app
    from tracker.jobs.runner import run_job

    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        barrier.wait(timeout=60)
        results.put(run_job("probe", partial(slow_probe, path), now, slot))
